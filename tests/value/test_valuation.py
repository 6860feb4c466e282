"""The one valuation step, and the three places that use it: the CLI, the backtest, DuckDB.

The valuation itself is checked against ``lifetimes`` (an independent implementation,
called with our parameter estimates) and against the models' own methods; the CLI's
scores, the backtest's holdout predictions and the scoring of a summary computed by
DuckDB are then checked against it, on the same data, to 1e-10.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter

import clvmodels as clv
from clvmodels.exceptions import UnitMismatchError
from clvmodels.value.valuation import VALUATION_COLUMNS, value_customers

#: Weeks per month hard-coded in lifetimes.utils._customer_lifetime_value (freq="W").
LIFETIMES_WEEKS_PER_MONTH = 4.345
CLV = dict(horizon=12, horizon_unit="M", discount_rate=0.1, discount_period="Y")
FIT = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]
END = "1997-09-30"


@pytest.fixture(scope="module")
def sample_log():
    log = clv.datasets.load_cdnow_sample_transactions()
    return log.rename(columns={"customer_id": "customer", "date": "day", "spend": "amount"})[
        ["customer", "day", "amount"]
    ]


@pytest.fixture(scope="module")
def sample_summary(sample_log):
    return clv.rfm_summary(sample_log, "customer", "day", "amount", END, time_unit="W")


# -- the valuation --------------------------------------------------------------------------
def test_agrees_with_lifetimes(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary):
    purchases = BetaGeoFitter()
    purchases.params_ = pd.Series(bgnbd_cdnow.params_)
    purchases.predict = purchases.conditional_expected_number_of_purchases_up_to_time
    spend = GammaGammaFitter()
    spend.params_ = pd.Series(gamma_gamma_cdnow.params_)
    x, t_x, T, m = (cdnow_summary[c] for c in ("frequency", "recency", "T", "monetary_value"))
    valued = value_customers(
        bgnbd_cdnow,
        gamma_gamma_cdnow,
        cdnow_summary,
        t=39.0,
        horizon=6,
        horizon_unit="M",
        discount_rate=0.01,
        discount_period="M",
        step_length=LIFETIMES_WEEKS_PER_MONTH,
    )
    assert list(valued.columns) == list(VALUATION_COLUMNS)
    assert valued.index.equals(cdnow_summary.index)
    pairs = {
        "p_alive": purchases.conditional_probability_alive(x, t_x, T),
        "expected_purchases": purchases.conditional_expected_number_of_purchases_up_to_time(
            39.0, x, t_x, T
        ),
        "expected_spend": spend.conditional_expected_average_profit(x, m),
        "clv": spend.customer_lifetime_value(
            purchases, x, t_x, T, m, time=6, discount_rate=0.01, freq="W"
        ),
    }
    for name, theirs in pairs.items():
        np.testing.assert_allclose(valued[name], np.asarray(theirs), rtol=1e-6, err_msg=name)


def test_is_the_models_own_predictions(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary):
    valued = value_customers(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, margin=0.3, **CLV)
    weeks = 12 * 365.25 / 12 / 7  # 12 months in weeks, the default horizon of E[X(t)]
    expected = {
        "p_alive": bgnbd_cdnow.probability_alive(cdnow_summary),
        "expected_purchases": bgnbd_cdnow.conditional_expected_purchases(weeks, cdnow_summary),
        "expected_spend": gamma_gamma_cdnow.expected_spend(cdnow_summary),
        "clv": clv.customer_lifetime_value(
            bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 12, 0.1, 0.3,
            horizon_unit="M", discount_period="Y",
        ),
    }  # fmt: skip
    for name, reference in expected.items():
        np.testing.assert_allclose(valued[name], reference, rtol=1e-12, atol=0, err_msg=name)


def test_columns_follow_the_models_given(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary):
    only_purchases = value_customers(bgnbd_cdnow, None, cdnow_summary, **CLV)
    assert list(only_purchases.columns) == ["p_alive", "expected_purchases"]
    no_rate = value_customers(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, t=10.0)
    assert list(no_rate.columns) == ["p_alive", "expected_purchases", "expected_spend"]


def test_a_model_without_p_alive_gets_nan(cdnow_summary):
    class RunRate:  # E[X(t)] = x / T * t, and nothing else
        def conditional_expected_purchases(self, t, summary):
            return summary["frequency"] / summary["T"] * t

    valued = value_customers(RunRate(), None, cdnow_summary, t=52.0)
    assert valued["p_alive"].isna().all()
    expected = cdnow_summary["frequency"] / cdnow_summary["T"] * 52.0
    np.testing.assert_array_equal(valued["expected_purchases"], expected)


@pytest.mark.parametrize(
    ("given", "named"),
    [
        (dict(discount_rate=0.1, discount_period="Y", t=52.0), "horizon, horizon_unit"),
        (dict(horizon=12, horizon_unit="M", discount_rate=0.1), "discount_period"),
        (dict(horizon=12), "give t (in the summary's time unit"),
    ],
)
def test_missing_arguments_are_named(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, given, named):
    spend = gamma_gamma_cdnow if "discount_rate" in given else None
    with pytest.raises(ValueError, match=r"e\.g\.") as error:
        value_customers(bgnbd_cdnow, spend, cdnow_summary, **given)
    assert named in str(error.value)


def test_units_are_checked(bgnbd_cdnow, cdnow_summary):
    with pytest.raises(UnitMismatchError):
        value_customers(bgnbd_cdnow, None, cdnow_summary, t=7.0, time_unit="D")
    bare = cdnow_summary.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="time_unit='D', 'W'"):
        value_customers(bgnbd_cdnow, None, bare, t=7.0)
    stated = value_customers(bgnbd_cdnow, None, bare, t=7.0, time_unit="W")
    np.testing.assert_array_equal(
        stated["expected_purchases"], bgnbd_cdnow.conditional_expected_purchases(7.0, cdnow_summary)
    )


# -- its callers agree with it ---------------------------------------------------------------
def _saved_models(folder):
    return (
        clv.BetaGeoModel.load(folder / "bgnbd.json"),
        clv.GammaGammaModel.load(folder / "gamma_gamma.json"),
    )


@pytest.fixture(scope="module")
def cli_fit(sample_log, tmp_path_factory):
    from clvmodels.cli import main

    root = tmp_path_factory.mktemp("valuation")
    sample_log.to_csv(root / "sales.csv", index=False)
    with contextlib.redirect_stdout(io.StringIO()):
        arguments = ["fit", str(root / "sales.csv"), *FIT, "--observation-end", END, "-q"]
        assert main([*arguments, "--out", str(root / "fit")]) == 0
    return root


def _assert_agree(scores, valued):
    scores = scores.set_index(scores.index.astype(str)).sort_index()
    valued = valued.set_index(valued.index.astype(str)).sort_index()
    assert scores.index.equals(valued.index)
    for name in VALUATION_COLUMNS:
        np.testing.assert_allclose(scores[name], valued[name], rtol=1e-10, atol=0, err_msg=name)


def test_the_cli_scores_are_the_valuation(cli_fit, sample_summary):
    bg, gg = _saved_models(cli_fit / "fit")
    scores = pd.read_csv(cli_fit / "fit" / "scores.csv", index_col="customer")
    # the valuation's columns, then the CLV's interval (cli/scores.py)
    assert list(scores.columns[-6:]) == [*VALUATION_COLUMNS, "clv_lower", "clv_upper"]
    _assert_agree(scores, value_customers(bg, gg, sample_summary, **CLV))


def test_duckdb_scoring_is_the_valuation(cli_fit, sample_log, sample_summary):
    pytest.importorskip("duckdb")
    from clvmodels.cli import main

    bg, gg = _saved_models(cli_fit / "fit")
    expected = value_customers(bg, gg, sample_summary, **CLV)
    folder = cli_fit / "parquet"
    folder.mkdir(exist_ok=True)
    half = len(sample_log) // 2
    sample_log.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    sample_log.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    # the summary computed inside DuckDB, valued in the library ...
    glob = str(folder / "*.parquet")
    weekly = clv.rfm_summary(glob, "customer", "day", "amount", END, time_unit="W")
    _assert_agree(value_customers(bg, gg, weekly, **CLV), expected)
    daily = clv.rfm_summary(glob, "customer", "day", "amount", END)  # the models are weekly
    with pytest.raises(UnitMismatchError):
        value_customers(bg, gg, daily, **CLV)
    # ... by the deprecated engine entry point, which says where it went ...
    from clvmodels.data.engines.scoring import score_frame

    with pytest.warns(DeprecationWarning, match="value_customers"):
        scored = score_frame(weekly, bg, gg, time_unit="W", t=52.0, **CLV)
    _assert_agree(scored, value_customers(bg, gg, weekly, t=52.0, **CLV))
    assert list(scored.columns) == list(weekly.columns) + list(VALUATION_COLUMNS)
    # ... and by the command on the folder
    out = cli_fit / "duckdb_scores.csv"
    with contextlib.redirect_stdout(io.StringIO()):
        arguments = ["score", str(cli_fit / "fit"), str(folder), "--out", str(out)]
        assert main([*arguments, "--observation-end", END, "-q"]) == 0
    _assert_agree(pd.read_csv(out, index_col="customer"), expected)


def test_the_backtest_predictions_are_the_valuation(sample_log):
    models = {"BG/NBD + Gamma-Gamma": (clv.BetaGeoModel(), clv.GammaGammaModel())}
    result = clv.backtest(sample_log, "customer", "day", END, "1998-06-30", models, "amount",
                          freq="D", time_unit="W")  # fmt: skip
    (label,) = result.summaries
    split = result.summaries[label]
    bg, gg = result.fitted[label]["BG/NBD + Gamma-Gamma"]
    duration = float(split["duration_holdout"].iloc[0])
    assert duration == pytest.approx(39.0)  # Fader, Hardie & Lee (2005): weeks 40 to 78
    valued = value_customers(bg, gg, split[["frequency", "recency", "T", "monetary_value"]],
                             t=duration)  # fmt: skip
    rows = result.per_customer.set_index("customer")
    for ours, theirs in [
        ("p_alive", "p_alive"),
        ("expected_purchases", "predicted_purchases"),
        ("expected_spend", "predicted_spend"),
    ]:
        np.testing.assert_allclose(rows[theirs], valued[ours], rtol=1e-10, atol=0, err_msg=ours)
    value = valued["expected_purchases"] * valued["expected_spend"]
    np.testing.assert_allclose(rows["predicted_value"], value, rtol=1e-10, atol=0)
