"""Interval coverage as a backtest metric, and the count prediction interval behind it.

Known truth: counts drawn from Poisson distributions whose means the stand-in model knows;
reference quantiles from scipy's Poisson ppf.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import clvmodels as clv
from clvmodels.estimation.prediction_intervals import count_prediction_interval
from clvmodels.evaluation import backtest
from clvmodels.evaluation.holdout_intervals import coverage_metrics, holdout_intervals
from clvmodels.evaluation.metrics import interval_coverage
from clvmodels.exceptions import DataValidationError

BG = "BG/NBD + Gamma-Gamma"
CUT = "1997-09-30"


def test_interval_coverage_counts_the_actuals_inside_by_hand():
    assert interval_coverage([0, 2, 5, 1], [0, 1, 1, 2], [1, 3, 4, 3]) == 0.5
    with pytest.raises(DataValidationError, match="lower must be <= upper.*position 1"):
        interval_coverage([0, 1], [0, 2], [1, 1])
    with pytest.raises(DataValidationError, match="one value per customer"):
        interval_coverage([0, 1], [0], [1, 1])


def test_count_prediction_interval_is_the_poisson_quantiles():
    means = np.array([0.05, 0.7, 3.0, 12.5])
    table = stats.poisson.pmf(np.arange(101)[None, :], means[:, None])
    lower, upper = count_prediction_interval(table, 0.8)
    np.testing.assert_array_equal(lower, stats.poisson.ppf(0.1, means))
    np.testing.assert_array_equal(upper, stats.poisson.ppf(0.9, means))
    with pytest.raises(ValueError, match="interval must be a probability"):
        count_prediction_interval(table, 1.2)


class PoissonStandIn:
    """Knows each customer's Poisson mean; offers both kinds of interval."""

    def __init__(self, means):
        self.means = means

    def conditional_expected_purchases(self, t, summary, interval=None):
        mean = self.means.loc[summary.index]
        if interval is None:
            return mean
        return pd.DataFrame({"mean": mean, "hdi_10%": mean, "hdi_90%": mean})

    def probability_of_purchases(self, t, n, summary):
        mean = self.means.loc[summary.index].to_numpy()
        return pd.DataFrame(stats.poisson.pmf(np.asarray(n)[None, :], mean[:, None]))


def test_count_intervals_cover_poisson_counts_and_expectations_do_not():
    rng = np.random.default_rng(3)
    means = pd.Series(rng.gamma(1.0, 2.0, size=4000))
    summary = pd.DataFrame(index=means.index)
    frame = holdout_intervals(PoissonStandIn(means), summary, 1.0, 0.8)
    frame["actual_purchases"] = rng.poisson(means)
    row = coverage_metrics(frame)
    # a discrete equal-tailed 80 % interval holds at least 80 % (each tail <= 10 %); with
    # 4,000 customers the share's standard error is 0.006
    assert row["count_interval_coverage"] >= 0.8 - 3 * 0.0064
    # a point interval of the expectation holds a count only where the mean is a whole
    # number: never here
    assert row["interval_coverage"] == 0.0


def test_backtest_scores_the_intervals_of_the_models_that_offer_them():
    log = clv.datasets.load_cdnow_sample_transactions()
    result = backtest(log, "customer_id", "date", CUT, "1998-06-30", time_unit="W", interval=0.8)
    rows = result.per_customer
    bg = rows[rows["model"] == BG]
    assert bg["purchases_lower"].notna().all()
    assert (bg["purchases_lower"] <= bg["predicted_purchases"] + 1e-12).all()
    assert (bg["predicted_purchases"] <= bg["purchases_upper"] + 1e-12).all()
    baseline = rows[rows["model"] != BG]
    assert baseline["purchases_lower"].isna().all()
    table = result.metrics_table("purchases")
    inside = (bg["purchases_lower"] <= bg["actual_purchases"]) & (
        bg["actual_purchases"] <= bg["purchases_upper"]
    )
    assert table.loc[(CUT, BG), "interval_coverage"] == pytest.approx(inside.mean())
    # the expectation's interval (parameter uncertainty) rarely holds a whole count
    assert table.loc[(CUT, BG), "interval_coverage"] < 0.5
    assert table.drop(index=(CUT, BG))["interval_coverage"].isna().all()
    with pytest.raises(ValueError, match="interval must be a probability"):
        backtest(log, "customer_id", "date", CUT, "1998-06-30", time_unit="W", interval=80)


def test_count_intervals_of_a_fitted_bgnbd_cover_simulated_holdouts():
    # Known truth: a BG/NBD log; the backtest fits the calibration weeks and asks the fit's
    # conditional count distribution (probability_of_purchases(t, n, summary)) for an 80 %
    # prediction interval of each customer's holdout count.
    log = clv.simulate.simulate_transactions(
        3000, {"r": 0.6, "alpha": 4.0, "a": 0.7, "b": 2.5}, observation_periods=104, seed=7
    )
    result = backtest(
        log, "customer_id", "date", "2021-07-01", "2021-12-28", time_unit="W", interval=0.8,
        models={"BG/NBD": clv.BetaGeoModel()},
    )  # fmt: skip
    rows = result.per_customer
    bg = rows[rows["model"] == "BG/NBD"]
    assert bg["count_lower"].notna().all() and (bg["count_lower"] <= bg["count_upper"]).all()
    coverage = result.metrics_table("purchases").loc[("2021-07-01", "BG/NBD")]
    # What the fit itself says the coverage should be: each customer's probability of
    # her interval under the fitted count distribution (discrete intervals hold >= 80 %).
    model, summary = result.fitted["2021-07-01"]["BG/NBD"][0], result.summaries["2021-07-01"]
    duration = float(summary["duration_holdout"].iloc[0])
    table = model.probability_of_purchases(duration, np.arange(101), summary).to_numpy()
    bounds = bg.set_index("customer_id").loc[summary.index]
    lower, upper = bounds["count_lower"].to_numpy(int), bounds["count_upper"].to_numpy(int)
    k = np.arange(101)[None, :]
    inside = (((k >= lower[:, None]) & (k <= upper[:, None])) * table).sum(axis=1)
    assert inside.mean() >= 0.8
    # observed against predicted: the share of the ~3,000 customers has sd <= 0.009
    assert coverage["count_interval_coverage"] == pytest.approx(inside.mean(), abs=3 * 0.009)
