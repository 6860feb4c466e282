"""Probabilistic vs deterministic CLV on CDNOW and on hand-made customers.

Expected numbers are written out by hand (or taken from the fitted models' own
predictions), never from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clvmodels.data.units import with_time_unit
from clvmodels.exceptions import DataValidationError, UnitMismatchError
from clvmodels.value.compare import METHODS, CLVComparison, compare_clv, lapse_churn_rate
from clvmodels.value.probabilistic import customer_lifetime_value

WEEKS_PER_MONTH = 365.25 / 12 / 7


@pytest.fixture(scope="module")
def cdnow_comparison(cdnow_summary, bgnbd_cdnow, gamma_gamma_cdnow):
    return compare_clv(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        12,
        0.1,
        0.3,
        horizon_unit="M",
        discount_period="Y",
    )


def _hand_summary():
    # lapse threshold 8 weeks:
    #   a: no repeat purchase, silent 30 weeks  -> lapsed at t = 0   (exposure 0)
    #   b: last purchase 2 weeks ago            -> active to T = 12  (exposure 12)
    #   c: silent for 15 weeks                  -> lapsed at t_x = 5 (exposure 5)
    #   d: acquired 4 weeks ago                 -> active to T = 4   (exposure 4)
    summary = pd.DataFrame(
        {
            "frequency": [0, 2, 3, 0],
            "recency": [0.0, 10.0, 5.0, 0.0],
            "T": [30.0, 12.0, 20.0, 4.0],
            "monetary_value": [0.0, 15.0, 40.0, 0.0],
        },
        index=pd.Index(list("abcd"), name="customer_id"),
    )
    summary.attrs["time_unit"] = "W"
    return summary


def test_structure(cdnow_comparison, cdnow_summary):
    result = cdnow_comparison
    assert isinstance(result, CLVComparison)
    frame = result.per_customer
    assert frame.index.equals(cdnow_summary.index)
    assert list(frame.columns) == [
        "average_spend",
        "purchases_per_period",
        "churn_per_period",
        "probabilistic",
        "simple",
        "retention",
        "dcf",
        "simple_minus_probabilistic",
        "retention_minus_probabilistic",
        "dcf_minus_probabilistic",
    ]
    assert np.isfinite(frame.to_numpy()).all()
    assert list(result.aggregate.index) == list(METHODS)
    assert list(result.aggregate.columns) == [
        "customer_equity",
        "n_customers",
        "mean",
        "median",
        "equity_minus_probabilistic",
    ]
    assert result.schedule.n_steps == 12
    assert 0 < result.churn_per_period < 1
    assert (frame["churn_per_period"] == result.churn_per_period).all()


def test_probabilistic_column_is_the_discounted_clv(
    cdnow_comparison, cdnow_summary, bgnbd_cdnow, gamma_gamma_cdnow
):
    clv = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        12,
        0.1,
        0.3,
        horizon_unit="M",
        discount_period="Y",
    )
    np.testing.assert_array_equal(cdnow_comparison.per_customer["probabilistic"], clv)


def test_aggregate_equals_sums_of_per_customer_values(cdnow_comparison):
    frame, aggregate = cdnow_comparison.per_customer, cdnow_comparison.aggregate
    for method in METHODS:
        column = frame[method]
        assert aggregate.loc[method, "customer_equity"] == pytest.approx(column.sum(), rel=1e-12)
        assert aggregate.loc[method, "n_customers"] == 2357
        assert aggregate.loc[method, "mean"] == pytest.approx(column.mean(), rel=1e-12)
        assert aggregate.loc[method, "median"] == pytest.approx(column.median(), rel=1e-12)
        assert aggregate.loc[method, "equity_minus_probabilistic"] == pytest.approx(
            column.sum() - frame["probabilistic"].sum(), rel=1e-9, abs=1e-6
        )
    for method in METHODS[1:]:
        np.testing.assert_allclose(
            frame[f"{method}_minus_probabilistic"], frame[method] - frame["probabilistic"]
        )


def test_deterministic_inputs_are_derived_from_the_summary(
    cdnow_comparison, cdnow_summary, gamma_gamma_cdnow
):
    frame = cdnow_comparison.per_customer
    np.testing.assert_allclose(
        frame["purchases_per_period"],
        cdnow_summary["frequency"] / cdnow_summary["T"] * WEEKS_PER_MONTH,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        frame["average_spend"], gamma_gamma_cdnow.expected_spend(cdnow_summary), rtol=1e-12
    )


def test_no_churn_no_discount_formulas_equal_rate_times_spend_times_horizon(
    cdnow_summary, bgnbd_cdnow, gamma_gamma_cdnow
):
    for spend in ("model", "observed"):
        result = compare_clv(
            bgnbd_cdnow,
            gamma_gamma_cdnow,
            cdnow_summary,
            6,
            0.0,
            0.5,
            horizon_unit="M",
            churn_rate=0.0,
            spend=spend,
            discount_period="M",
        )
        average_spend = (
            gamma_gamma_cdnow.expected_spend(cdnow_summary)
            if spend == "model"
            else cdnow_summary["monetary_value"]
        )
        per_week = cdnow_summary["frequency"] / cdnow_summary["T"]
        by_hand = 0.5 * average_spend * per_week * WEEKS_PER_MONTH * 6
        for method in ("simple", "retention", "dcf"):
            np.testing.assert_allclose(result.per_customer[method], by_hand, rtol=1e-12)


def test_deterministic_values_by_hand_for_one_customer(bgnbd_cdnow, gamma_gamma_cdnow):
    summary = _hand_summary()
    result = compare_clv(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        summary,
        3,
        0.01,
        0.4,
        horizon_unit="M",
        churn_rate=0.1,
        spend="observed",
        discount_period="M",
    )
    row = result.per_customer.loc["b"]
    rate = 2 / 12 * WEEKS_PER_MONTH  # purchases per month
    value = 0.4 * 15.0 * rate  # margin per month while active
    assert row["purchases_per_period"] == pytest.approx(rate)
    assert row["simple"] == pytest.approx(value * 3 * 0.9**3)
    assert row["retention"] == pytest.approx(
        value * (0.9 / 1.01 + (0.9 / 1.01) ** 2 + (0.9 / 1.01) ** 3)
    )
    assert row["dcf"] == pytest.approx(value * (1 / 1.01 + 1 / 1.01**2 + 1 / 1.01**3))
    # no repeat purchase: the observed rate is 0, so every deterministic value is 0
    assert (result.per_customer.loc[["a", "d"], ["simple", "retention", "dcf"]] == 0).all().all()


def test_retention_with_a_negative_rate_sums_the_finite_horizon(bgnbd_cdnow, gamma_gamma_cdnow):
    # q = (1 - 0) / (1 - 0.05) > 1: the infinite retention sum diverges, the finite one not.
    result = compare_clv(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        _hand_summary(),
        4,
        -0.05,
        horizon_unit="W",
        churn_rate=0.0,
        spend="observed",
        discount_period="W",
    )
    row = result.per_customer.loc["c"]
    value = 40.0 * 3 / 20
    expected = value * sum(0.95**-k for k in range(1, 5))
    assert row["retention"] == pytest.approx(expected)
    assert row["dcf"] == pytest.approx(expected)


def test_lapse_churn_estimator_by_hand():
    summary = _hand_summary()
    # among="all": 2 lapsed customers (a, c) over 0 + 12 + 5 + 4 = 21 customer-weeks at risk
    weekly = 1 - math.exp(-2 / 21)
    monthly = 1 - math.exp(-2 / 21 * WEEKS_PER_MONTH)
    everybody = {"among": "all"}
    assert lapse_churn_rate(
        summary, lapse=8, lapse_unit="W", period_unit="W", **everybody
    ) == pytest.approx(weekly)
    assert lapse_churn_rate(summary, lapse=8, lapse_unit="W", **everybody) == pytest.approx(monthly)
    # the same threshold stated in days
    assert lapse_churn_rate(
        summary, lapse=56, lapse_unit="D", period_unit="W", **everybody
    ) == pytest.approx(weekly)
    # among repeat buyers (the default): b and c, 1 lapse (c) over 12 + 5 weeks
    assert lapse_churn_rate(summary, lapse=8, lapse_unit="W", period_unit="W") == pytest.approx(
        1 - math.exp(-1 / 17)
    )
    # nobody lapsed -> no churn
    assert lapse_churn_rate(summary, lapse=52, lapse_unit="W") == 0.0
    with pytest.raises(ValueError, match="among must be one of"):
        lapse_churn_rate(summary, among="some")
    with pytest.raises(ValueError, match="needs customers with frequency > 0"):
        lapse_churn_rate(summary.assign(frequency=0, recency=0.0))


def test_compare_uses_the_lapse_estimator_among_repeat_buyers(cdnow_comparison, cdnow_summary):
    assert cdnow_comparison.churn_per_period == pytest.approx(
        lapse_churn_rate(cdnow_summary, lapse=6, lapse_unit="M", period_unit="M"), rel=1e-12
    )
    # CDNOW by hand: repeat buyers silent for more than 6 months (26.09 weeks) lapsed
    x_T = cdnow_summary.loc[cdnow_summary["frequency"] > 0, ["recency", "T"]]
    lapsed = (x_T["T"] - x_T["recency"]) > 6 * WEEKS_PER_MONTH
    exposure = x_T["recency"][lapsed].sum() + x_T["T"][~lapsed].sum()
    hand = 1 - math.exp(-lapsed.sum() / exposure * WEEKS_PER_MONTH)
    assert cdnow_comparison.churn_per_period == pytest.approx(hand, rel=1e-12)


def test_one_time_buyers_do_not_change_the_repeat_buyers_retention_value(
    bgnbd_cdnow, gamma_gamma_cdnow
):
    """A one-time buyer's deterministic value is 0 through her zero repeat rate; with the
    churn among repeat buyers, adding such customers leaves everybody else's value as it
    was. With the churn among all customers they would lower it: counted twice."""
    summary = _hand_summary().drop(index=["a", "d"])
    one_time = pd.DataFrame(
        {"frequency": [0] * 5, "recency": [0.0] * 5, "T": [40.0] * 5, "monetary_value": 0.0},
        index=pd.Index(list("vwxyz"), name="customer_id"),
    )
    grown = with_time_unit(pd.concat([summary, one_time]), "W")
    models, args = (bgnbd_cdnow, gamma_gamma_cdnow), (12, 0.01)
    units = {"horizon_unit": "W", "discount_period": "W", "lapse": 8, "lapse_unit": "W"}
    before = compare_clv(*models, summary, *args, **units)
    after = compare_clv(*models, grown, *args, **units)
    assert after.churn_per_period == before.churn_per_period
    for method in ("simple", "retention"):
        np.testing.assert_allclose(
            after.per_customer.loc[summary.index, method], before.per_customer[method]
        )
        assert (after.per_customer.loc[one_time.index, method] == 0).all()
    double = compare_clv(*models, grown, *args, **units, churn_among="all")
    assert double.churn_per_period > after.churn_per_period
    assert (
        double.per_customer.loc[summary.index, "retention"]
        < after.per_customer.loc[summary.index, "retention"]
    ).all()


def test_higher_p_alive_at_equal_rate_gives_higher_probabilistic_clv(
    bgnbd_cdnow, gamma_gamma_cdnow
):
    # Same x and T (same observed rate and spend), last purchase recent vs long ago.
    summary = pd.DataFrame(
        {
            "frequency": [3, 3],
            "recency": [29.0, 5.0],
            "T": [30.0, 30.0],
            "monetary_value": [30.0, 30.0],
        },
        index=pd.Index(["recent", "lapsing"], name="customer_id"),
    )
    summary.attrs["time_unit"] = "W"
    p_alive = bgnbd_cdnow.probability_alive(summary)
    assert p_alive["recent"] > p_alive["lapsing"]
    frame = compare_clv(
        bgnbd_cdnow, gamma_gamma_cdnow, summary, 12, 0.1, horizon_unit="M", discount_period="Y"
    ).per_customer
    assert frame.loc["recent", "probabilistic"] > 2 * frame.loc["lapsing", "probabilistic"]
    for method in ("simple", "retention", "dcf"):
        assert frame.loc["recent", method] == frame.loc["lapsing", method]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"spend": "mean"}, ValueError, "spend must be 'model' or 'observed'"),
        ({"churn_rate": 1.5}, ValueError, r"churn_rate must lie in \[0, 1\]"),
        ({"lapse": 0.0}, ValueError, "lapse must be positive; got 0$"),
        ({"horizon": -3}, ValueError, "horizon must be non-negative; got -3$"),
        ({"time_unit": "D"}, UnitMismatchError, "time unit"),
    ],
)
def test_invalid_arguments_raise(bgnbd_cdnow, gamma_gamma_cdnow, kwargs, error, match):
    arguments = {
        "horizon": 3,
        "discount_rate": 0.1,
        "horizon_unit": "W",
        "discount_period": "W",
    } | kwargs
    with pytest.raises(error, match=match):
        compare_clv(bgnbd_cdnow, gamma_gamma_cdnow, _hand_summary(), **arguments)


def test_invalid_summary_raises(bgnbd_cdnow, gamma_gamma_cdnow):
    summary = _hand_summary()
    summary.loc["b", "recency"] = 13.0  # after T = 12
    with pytest.raises(DataValidationError, match="recency <= T"):
        compare_clv(
            bgnbd_cdnow, gamma_gamma_cdnow, summary, 3, 0.1, horizon_unit="W", discount_period="W"
        )
