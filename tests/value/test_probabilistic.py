"""Discounted CLV from fitted models, against lifetimes and hand arithmetic.

Reference values come from ``lifetimes`` (called, not re-implemented), from the models'
own predictions combined by hand, or from plain arithmetic written out in the test; never
from the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter

from clvmodels.exceptions import DataValidationError, UnitMismatchError
from clvmodels.value.probabilistic import (
    customer_equity_summary,
    customer_lifetime_value,
    discount_schedule,
    discounted_expected_transactions,
)

#: Weeks per month in our calendar (365.25 days a year, 12 months, 7 days a week).
WEEKS_PER_MONTH = 365.25 / 12 / 7
#: Weeks per month hard-coded in lifetimes.utils._customer_lifetime_value (freq="W").
LIFETIMES_WEEKS_PER_MONTH = 4.345


@pytest.fixture(scope="module")
def lifetimes_models(bgnbd_cdnow, gamma_gamma_cdnow):
    """lifetimes fitters holding exactly our parameter estimates."""
    purchases = BetaGeoFitter()
    purchases.params_ = pd.Series(bgnbd_cdnow.params_)
    # what BetaGeoFitter.fit does after estimating (beta_geo_fitter.py, `self.predict = ...`)
    purchases.predict = purchases.conditional_expected_number_of_purchases_up_to_time
    spend = GammaGammaFitter()
    spend.params_ = pd.Series(gamma_gamma_cdnow.params_)
    return purchases, spend


def _lifetimes_clv(lifetimes_models, summary, time, discount_rate):
    purchases, spend = lifetimes_models
    return spend.customer_lifetime_value(
        purchases,
        summary["frequency"],
        summary["recency"],
        summary["T"],
        summary["monetary_value"],
        time=time,
        discount_rate=discount_rate,
        freq="W",
    )


class LinearPurchases:
    """Stub purchase model: E[X(t) | history] = rate_i * t, one horizon per call."""

    def __init__(self, rate, time_unit="W"):
        self.rate = np.asarray(rate, dtype=float)
        self.time_unit_ = time_unit
        self.calls = []

    def conditional_expected_purchases(self, t, summary):
        self.calls.append(t)
        return self.rate * t


class LinearPurchasesManyHorizons(LinearPurchases):
    """The same stub, taking all horizons at once as BetaGeoModel does."""

    accepts_many_horizons = True

    def conditional_expected_purchases(self, t, summary):
        self.calls.append(np.asarray(t))
        aligned = len(self.rate) == len(summary)  # a misbehaving stub may give fewer rows
        index = summary.index if aligned else None
        return pd.DataFrame(np.outer(self.rate, t), index=index, columns=t)


class ConstantSpend:
    def __init__(self, value):
        self.value = value

    def expected_spend(self, summary):
        return pd.Series(self.value, index=summary.index, dtype=float)


def _weekly(n=3):
    summary = pd.DataFrame(
        {"frequency": [0] * n, "recency": [0.0] * n, "T": [10.0] * n},
        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"),
    )
    summary.attrs["time_unit"] = "W"
    return summary


# --- agreement with lifetimes ------------------------------------------------------------


@pytest.mark.parametrize(("months", "monthly_rate"), [(12, 0.01), (6, 0.05), (24, 0.0)])
def test_agrees_with_lifetimes_on_all_cdnow_customers(
    bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, lifetimes_models, months, monthly_rate
):
    # lifetimes: `months` monthly steps of 4.345 weeks, rate per month. Same here once the
    # step is 4.345 weeks instead of our calendar month (4.348 weeks).
    theirs = _lifetimes_clv(lifetimes_models, cdnow_summary, months, monthly_rate)
    ours = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        months,
        monthly_rate,
        horizon_unit="M",
        discount_period="M",
        step_length=LIFETIMES_WEEKS_PER_MONTH,
    )
    assert len(ours) == len(theirs) == 2357
    assert ours.name == "clv"
    assert ours.index.equals(cdnow_summary.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-6, atol=0)


def test_calendar_month_differs_from_lifetimes_by_the_weeks_per_month_only(
    bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, lifetimes_models
):
    # Default step: 365.25 / 12 / 7 = 4.348 weeks; lifetimes uses 4.345 (0.08 % shorter),
    # so each step covers slightly more time and values are slightly higher.
    theirs = _lifetimes_clv(lifetimes_models, cdnow_summary, 12, 0.01).to_numpy()
    ours = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        12,
        0.01,
        horizon_unit="M",
        discount_period="M",
    ).to_numpy()
    relative = ours / theirs - 1.0
    assert np.all(relative > 0)
    assert relative.max() < WEEKS_PER_MONTH / LIFETIMES_WEEKS_PER_MONTH - 1.0


# --- closed-form identities --------------------------------------------------------------


def test_zero_discount_equals_margin_spend_and_expected_purchases_over_horizon(
    bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary
):
    # With d = 0 the sum of step increments telescopes to E[X(K s)].
    ours = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        12,
        0.0,
        0.3,
        horizon_unit="M",
        discount_period="M",
    )
    expected = (
        0.3
        * gamma_gamma_cdnow.expected_spend(cdnow_summary)
        * bgnbd_cdnow.conditional_expected_purchases(12 * WEEKS_PER_MONTH, cdnow_summary)
    )
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_one_annual_step_is_discounted_once(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary):
    ours = customer_lifetime_value(
        bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 1, 0.1, horizon_unit="Y", discount_period="Y"
    )
    expected = (
        gamma_gamma_cdnow.expected_spend(cdnow_summary)
        * bgnbd_cdnow.conditional_expected_purchases(365.25 / 7, cdnow_summary)
        / 1.1
    )
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_annual_rate_equals_the_equivalent_monthly_rate(
    bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary
):
    kwargs = {"horizon_unit": "M", "margin": 0.25}
    annual = customer_lifetime_value(
        bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 12, 0.12, discount_period="Y", **kwargs
    )
    monthly = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        12,
        1.12 ** (1 / 12) - 1,
        discount_period="M",
        **kwargs,
    )
    np.testing.assert_allclose(annual, monthly, rtol=1e-12)
    # an annual 12 % silently reused per month would discount far more
    reused = customer_lifetime_value(
        bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 12, 0.12, discount_period="M", **kwargs
    )
    assert (reused.sum() / annual.sum()) < 0.8


@pytest.mark.parametrize("model", [LinearPurchases, LinearPurchasesManyHorizons])
def test_weekly_steps_with_an_annual_rate_by_hand(model):
    # E[X(t)] = rate * t: each weekly step brings rate * 1 purchase, discounted by
    # 1.1 ** (-k * 7 / 365.25) (an annual 10 % turned into a weekly rate).
    summary = _weekly(2)
    purchases = model([0.5, 2.0])
    value = customer_lifetime_value(
        purchases,
        ConstantSpend(20.0),
        summary,
        52,
        0.1,
        0.4,
        horizon_unit="W",
        discount_period="Y",
    )
    discount = sum(1.1 ** (-k * 7 / 365.25) for k in range(1, 53))
    np.testing.assert_allclose(value, [0.4 * 20 * 0.5 * discount, 0.4 * 20 * 2.0 * discount])
    if model is LinearPurchasesManyHorizons:
        assert len(purchases.calls) == 1  # all horizons in one call
        np.testing.assert_allclose(purchases.calls[0], np.arange(1, 53))
    else:
        assert purchases.calls == pytest.approx(list(range(1, 53)))  # one call per step


def test_rate_applies_once_per_step_when_its_period_is_the_step():
    summary = _weekly(1)
    value = customer_lifetime_value(
        LinearPurchases([1.0]),
        ConstantSpend(10.0),
        summary,
        3,
        0.1,
        horizon_unit="W",
        discount_period="W",
    )
    assert value.iloc[0] == pytest.approx(10 * (1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3))


def test_zero_horizon_is_worth_nothing():
    purchases = LinearPurchases([1.0, 1.0, 1.0])
    value = customer_lifetime_value(
        purchases, ConstantSpend(10.0), _weekly(), 0, 0.1, horizon_unit="W", discount_period="W"
    )
    assert (value == 0).all()
    assert purchases.calls == []


def test_discounted_expected_transactions_sum_step_increments():
    summary = _weekly(1)
    schedule = discount_schedule(2, 0.5, "W", horizon_unit="W", discount_period="W")
    det = discounted_expected_transactions(LinearPurchases([3.0]), summary, schedule)
    assert det.name == "det"
    assert det.iloc[0] == pytest.approx(3 / 1.5 + 3 / 1.5**2)


def test_schedule_converts_units():
    schedule = discount_schedule(12, 0.1, "W", horizon_unit="M", discount_period="Y")
    assert schedule.n_steps == 12
    assert schedule.step_length == pytest.approx(365.25 / 12 / 7)
    assert schedule.step_discount_rate == pytest.approx(1.1 ** (1 / 12) - 1, rel=1e-12)
    np.testing.assert_allclose(schedule.times, np.arange(1, 13) * 365.25 / 12 / 7)
    np.testing.assert_allclose(schedule.discount_factors, 1.1 ** (-np.arange(1, 13) / 12))
    days = discount_schedule(1, 0.0, "D", horizon_unit="Y", discount_period="Y")
    assert days.step_length == pytest.approx(365.25)


# --- units -------------------------------------------------------------------------------


def test_daily_summary_with_weekly_models_raises(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary):
    daily = cdnow_summary.copy()
    daily.attrs["time_unit"] = "D"
    with pytest.raises(UnitMismatchError, match="'D' but 'W' was expected"):
        customer_lifetime_value(
            bgnbd_cdnow, gamma_gamma_cdnow, daily, 12, 0.01, horizon_unit="W", discount_period="W"
        )


def test_summary_without_unit_needs_time_unit(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary):
    bare = cdnow_summary.copy()
    bare.attrs.clear()
    with pytest.raises(ValueError, match="states no time unit"):
        customer_lifetime_value(
            bgnbd_cdnow, gamma_gamma_cdnow, bare, 12, 0.01, horizon_unit="W", discount_period="W"
        )
    # a stated unit that contradicts the model's
    with pytest.raises(UnitMismatchError):
        customer_lifetime_value(
            bgnbd_cdnow,
            gamma_gamma_cdnow,
            bare,
            12,
            0.01,
            time_unit="D",
            horizon_unit="W",
            discount_period="W",
        )
    given = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        bare,
        12,
        0.01,
        time_unit="W",
        horizon_unit="M",
        discount_period="M",
    )
    stated = customer_lifetime_value(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        12,
        0.01,
        horizon_unit="M",
        discount_period="M",
    )
    np.testing.assert_array_equal(given, stated)


def test_time_unit_contradicting_the_summary_raises():
    with pytest.raises(UnitMismatchError):
        customer_lifetime_value(
            LinearPurchases([1.0]),
            ConstantSpend(1.0),
            _weekly(1),
            1,
            0.0,
            time_unit="M",
            horizon_unit="W",
            discount_period="W",
        )


# --- invalid input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"horizon": -1}, ValueError, "horizon must be non-negative; got -1$"),
        ({"horizon": 2.5}, ValueError, "whole number of steps"),
        ({"horizon": math.inf}, ValueError, "horizon must be finite"),
        ({"horizon": True}, TypeError, "horizon must be a real number"),
        ({"discount_rate": -1.0}, ValueError, "discount_rate must be greater than -1; got -1$"),
        ({"discount_rate": math.nan}, ValueError, "discount_rate must be finite"),
        ({"margin": math.nan}, ValueError, "margin must be finite"),
        ({"margin": "0.3"}, TypeError, "margin must be a real number"),
        ({"step_length": 0.0}, ValueError, "step_length must be positive; got 0$"),
        ({"horizon_unit": "fortnight"}, ValueError, "unknown time unit"),
        ({"discount_period": ""}, ValueError, "non-empty string"),
    ],
)
def test_invalid_arguments_raise(kwargs, error, match):
    arguments = {
        "horizon": 3,
        "discount_rate": 0.1,
        "horizon_unit": "W",
        "discount_period": "W",
    } | kwargs
    with pytest.raises(error, match=match):
        customer_lifetime_value(LinearPurchases([1.0]), ConstantSpend(1.0), _weekly(1), **arguments)


def test_misaligned_or_non_finite_model_output_raises():
    summary = _weekly(2)

    class Shuffled(ConstantSpend):
        def expected_spend(self, summary):
            return super().expected_spend(summary).iloc[::-1]

    with pytest.raises(ValueError, match="index differs"):
        customer_lifetime_value(
            LinearPurchases([1.0, 1.0]),
            Shuffled(1.0),
            summary,
            2,
            0.0,
            horizon_unit="W",
            discount_period="W",
        )
    with pytest.raises(ValueError, match="non-finite"):
        customer_lifetime_value(
            LinearPurchases([1.0, np.nan]),
            ConstantSpend(1.0),
            summary,
            2,
            0.0,
            horizon_unit="W",
            discount_period="W",
        )
    with pytest.raises(ValueError, match="one value per customer"):
        customer_lifetime_value(
            LinearPurchases([1.0]),
            ConstantSpend(1.0),
            summary,
            2,
            0.0,
            horizon_unit="W",
            discount_period="W",
        )
    with pytest.raises(TypeError, match="DataFrame"):
        customer_lifetime_value(
            LinearPurchases([1.0]),
            ConstantSpend(1.0),
            [1, 2],
            2,
            0.0,
            horizon_unit="W",
            discount_period="W",
        )
    with pytest.raises(ValueError, match=r"\(customers x horizons\) DataFrame of shape \(2, 2\)"):
        customer_lifetime_value(
            LinearPurchasesManyHorizons([1.0]),
            ConstantSpend(1.0),
            summary,
            2,
            0.0,
            horizon_unit="W",
            discount_period="W",
        )


# --- customer equity ---------------------------------------------------------------------


def test_customer_equity_summary_by_hand():
    table = customer_equity_summary(pd.Series([1.0, 2.0, 3.0, 10.0], name="clv"))
    assert list(table.index) == ["clv"]
    row = table.loc["clv"]
    assert row["customer_equity"] == 16.0
    assert row["n_customers"] == 4
    assert row["mean"] == 4.0
    assert row["median"] == 2.5
    both = customer_equity_summary(pd.DataFrame({"a": [1.0, -1.0], "b": [0.5, 0.5]}))
    assert both["customer_equity"].to_dict() == {"a": 0.0, "b": 1.0}


def test_customer_equity_summary_rejects_bad_input():
    with pytest.raises(DataValidationError, match="finite"):
        customer_equity_summary(pd.Series([1.0, np.nan]))
    with pytest.raises(TypeError, match="Series or DataFrame"):
        customer_equity_summary([1.0, 2.0])


def test_units_of_horizon_and_discount_rate_must_be_stated():
    # horizon=12 with a 10% rate means nothing until both units are said (an annual rate
    # must never be reused per week by default).
    with pytest.raises(TypeError, match="discount_period"):
        customer_lifetime_value(
            LinearPurchases([1.0]), ConstantSpend(1.0), _weekly(1), 12, 0.1, horizon_unit="M"
        )
    with pytest.raises(TypeError, match="horizon_unit"):
        customer_lifetime_value(
            LinearPurchases([1.0]), ConstantSpend(1.0), _weekly(1), 12, 0.1, discount_period="Y"
        )
