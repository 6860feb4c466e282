"""Bayesian sBG against Fader & Hardie (2007) and against simulated subscribers.

Fader & Hardie (2007), table 2 (MLE on years 0..7): regular alpha 0.704, beta 1.182;
high end alpha 0.668, beta 3.806. With 1,000 customers per cohort the posterior means sit
within a few percent of these (alpha and beta are skewed, so the means are a little above).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.bayes import BayesianShiftedBetaGeoModel
from clvmodels.exceptions import DataValidationError

SMALL = dict(draws=500, tune=500, chains=2, cores=1, random_seed=20070101)
PAPER = {"regular": (0.704, 1.182), "high_end": (0.668, 3.806)}


def _quiet_fit(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)
        return fit(*args, **kwargs)


@pytest.fixture(scope="module")
def regular():
    cohorts = clv.datasets.load_retention_cohorts()
    return _quiet_fit(BayesianShiftedBetaGeoModel().fit, cohorts["regular"], **SMALL)


def test_one_cohort_reproduces_the_published_estimates(regular):
    table = regular.summary()
    alpha, beta = PAPER["regular"]
    assert table.loc["alpha", "mean"] == pytest.approx(alpha, rel=0.05)
    assert table.loc["beta", "mean"] == pytest.approx(beta, rel=0.05)
    assert table.loc["alpha", "hdi94_lb"] < alpha < table.loc["alpha", "hdi94_ub"]
    assert table.loc["beta", "hdi94_lb"] < beta < table.loc["beta", "hdi94_ub"]
    assert regular.time_unit_ == "Y" and regular.n_customers_ == 1000


def test_survival_retention_and_lifetimes_with_intervals(regular):
    mle = clv.ShiftedBetaGeoModel().fit(clv.datasets.load_retention_cohorts()["regular"])
    band = regular.survival(range(1, 13), hdi=0.9)
    assert list(band.columns) == ["mean", "hdi_5%", "hdi_95%"]
    assert (band["hdi_5%"] < mle.survival(np.arange(1, 13))).all()
    assert (mle.survival(np.arange(1, 13)) < band["hdi_95%"]).all()
    # relative to S(t), the band widens as the projection moves past the 7 observed years
    width = (band["hdi_95%"] - band["hdi_5%"]) / band["mean"]
    assert width.loc[12.0] > width.loc[7.0] > width.loc[1.0]
    assert regular.retention_rate(1) == pytest.approx(mle.retention_rate(1), rel=0.02)
    # DEL at 10 %: 3.695 periods at the MLE (the README's number)
    dl = regular.discounted_expected_lifetime(0.10, hdi=0.94)
    assert dl.iloc[0]["hdi_3%"] < 3.695 < dl.iloc[0]["hdi_97%"]
    derl = regular.discounted_expected_residual_lifetime(0.10, [0, 4], draws=True)
    assert derl.dims == ("chain", "draw", "n_renewals") and derl.shape == (2, 500, 2)
    # a customer who has renewed more often is more loyal: larger DERL in every draw
    assert bool((derl[..., 1] > derl[..., 0]).all())
    projection = regular.project(clv.datasets.load_retention_cohorts()["regular"], 5)
    assert projection.loc[7, "observed"] == 241 and np.isnan(projection.loc[12, "observed"])
    assert projection.loc[12, "hdi_3%"] < projection.loc[12, "mean"] < 241
    value = regular.residual_value([100, 50], margin=1.0, discount_rate=0.1)
    assert value["hdi_3%"] < value["mean"] < value["hdi_97%"]


def test_individual_subscribers_recover_the_simulated_parameters():
    rng = np.random.default_rng(20100101)
    n = 3000
    churn = rng.beta(0.7, 1.2, n)
    lifetime = rng.geometric(churn)  # renewals until churn, 1, 2, ...
    observed = rng.integers(1, 13, n)  # each subscriber watched for 1..12 periods
    churned = lifetime <= observed
    tenure = np.where(churned, lifetime, observed)
    model = _quiet_fit(
        BayesianShiftedBetaGeoModel().fit_customers, tenure, churned, time_unit="M", **SMALL
    )
    table = model.summary()
    assert table.loc["alpha", "hdi94_lb"] < 0.7 < table.loc["alpha", "hdi94_ub"]
    assert table.loc["beta", "hdi94_lb"] < 1.2 < table.loc["beta", "hdi94_ub"]
    assert model.n_customers_ == n and model.n_unique_rows_ <= 24  # distinct (tenure, churned)


def test_subscriber_rows_are_checked():
    with pytest.raises(DataValidationError, match="churned"):
        BayesianShiftedBetaGeoModel().fit_customers([1, 2], [True, "maybe"])
    with pytest.raises(DataValidationError, match="whole number"):
        BayesianShiftedBetaGeoModel().fit_customers([1.5, 0], [True, True])
    with pytest.raises(DataValidationError, match="one entry per subscriber"):
        BayesianShiftedBetaGeoModel().fit_customers([1, 2, 3], [True, False])


@pytest.mark.slow
def test_hierarchical_fit_pulls_a_small_cohort_toward_the_population():
    cohorts = clv.datasets.load_retention_cohorts()
    small = pd.Series([40, 20, 14, 11, 9], name="small")
    frame = pd.concat([cohorts, small], axis=1)
    model = _quiet_fit(BayesianShiftedBetaGeoModel().fit, frame, **SMALL)
    table = model.summary()
    for name, (alpha, beta) in PAPER.items():
        assert table.loc[f"alpha[{name}]", "mean"] == pytest.approx(alpha, rel=0.1)
        assert table.loc[f"beta[{name}]", "mean"] == pytest.approx(beta, rel=0.1)
    # mean churn probability alpha / (alpha + beta): the small cohort alone vs pooled
    alone = clv.ShiftedBetaGeoModel().fit(small).params_
    alone_churn = alone["alpha"] / (alone["alpha"] + alone["beta"])
    pooled = model.cohort_params("small")
    pooled_churn = np.mean(pooled["alpha"] / (pooled["alpha"] + pooled["beta"]))
    new = model.cohort_params(None)
    population_churn = np.mean(new["alpha"] / (new["alpha"] + new["beta"]))
    assert abs(pooled_churn - population_churn) < abs(alone_churn - population_churn)
    assert {"mu_alpha", "sigma_alpha", "mu_beta", "sigma_beta"} <= set(table.index)
