"""Static covariates for the MBG/NBD, BG/BB, Gamma-Gamma and sBG: known effects recovered.

Customers are drawn from each model's story with covariate-scaled mixing distributions
(numpy draws only, tests/models/covariate_draws.py); every parameter, base and
coefficient, must lie within 3 standard errors of its truth (a Wald-type check), and
the equal-effect and penalty settings must act as stated.
"""

from __future__ import annotations

import pytest

import clvmodels as clv
from tests.models.covariate_draws import (
    CHURN_EFFECTS,
    SPEND_EFFECTS,
    TRUE_EFFECTS,
    beta_geo_beta_binom_customers,
    gamma_gamma_customers,
    modified_beta_geo_customers,
    subscribers,
)

MBG_TRUTH = {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 3.0}
GG_TRUTH = {"p": 6.0, "q": 4.0, "v": 15.0}
BB_TRUTH = {"alpha": 1.2, "beta": 0.75, "gamma": 0.65, "delta": 2.8}


def _within_three_se(model, expected):
    table = model.summary()
    assert list(table.index) == list(expected)
    for name, value in expected.items():
        estimate, se = table.at[name, "estimate"], table.at[name, "std_error"]
        assert abs(estimate - value) < 3 * se, (name, estimate, se, value)
    return table


def test_mbgnbd_recovers_the_true_effects():
    summary = modified_beta_geo_customers(20_000, MBG_TRUTH, TRUE_EFFECTS, seed=2026)
    model = clv.ModifiedBetaGeoModel(
        purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"]
    ).fit(summary)
    table = _within_three_se(model, MBG_TRUTH | TRUE_EFFECTS)
    assert table.at["purchase:gender", "std_error"] < 0.1


def test_mbgnbd_equal_effects_and_penalty():
    effects = TRUE_EFFECTS | {"purchase:gender": 0.35, "dropout:gender": 0.35}
    summary = modified_beta_geo_customers(20_000, MBG_TRUTH, effects, seed=11)
    model = clv.ModifiedBetaGeoModel(
        purchase_covariates=["gender", "channel"],
        dropout_covariates=["gender", "channel"],
        equal_effects=["gender"],
    ).fit(summary)
    assert "purchase:gender" not in model.params_
    assert abs(model.params_["both:gender"] - 0.35) < 3 * model.standard_errors_["both:gender"]
    plain = clv.ModifiedBetaGeoModel(purchase_covariates=["gender"]).fit(summary)
    shrunk = clv.ModifiedBetaGeoModel(
        purchase_covariates=["gender"], covariate_penalty={"purchase": 1.0}
    ).fit(summary)
    assert abs(shrunk.params_["purchase:gender"]) < abs(plain.params_["purchase:gender"])
    assert shrunk.log_likelihood_ < plain.log_likelihood_  # the data LL, without the penalty
    test = clv.evaluation.covariate_likelihood_ratio(plain, summary)
    assert test["df"] == 1 and test["p_value"] < 1e-6


def test_bgbb_recovers_the_true_effects():
    table = beta_geo_beta_binom_customers(20_000, BB_TRUTH, TRUE_EFFECTS, seed=2026)
    model = clv.BetaGeoBetaBinomModel(
        purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"]
    ).fit(table)
    summary = _within_three_se(model, BB_TRUTH | TRUE_EFFECTS)
    assert summary.at["purchase:gender", "std_error"] < 0.1
    # distinct (x, t_x, n, profile) rows, far fewer than customers
    assert model.n_unique_rows_ < 1000


def test_bgbb_equal_effects_and_penalty():
    effects = TRUE_EFFECTS | {"purchase:gender": 0.35, "dropout:gender": 0.35}
    table = beta_geo_beta_binom_customers(20_000, BB_TRUTH, effects, seed=12)
    model = clv.BetaGeoBetaBinomModel(
        purchase_covariates=["gender", "channel"],
        dropout_covariates=["gender", "channel"],
        equal_effects=["gender"],
    ).fit(table)
    assert abs(model.params_["both:gender"] - 0.35) < 3 * model.standard_errors_["both:gender"]
    plain = clv.BetaGeoBetaBinomModel(dropout_covariates=["gender"]).fit(table)
    shrunk = clv.BetaGeoBetaBinomModel(dropout_covariates=["gender"], covariate_penalty=1.0).fit(
        table
    )
    assert abs(shrunk.params_["dropout:gender"]) < abs(plain.params_["dropout:gender"])
    assert shrunk.log_likelihood_ < plain.log_likelihood_


def test_gamma_gamma_recovers_the_true_spend_effects():
    summary = gamma_gamma_customers(20_000, GG_TRUTH, SPEND_EFFECTS, seed=2026)
    model = clv.GammaGammaModel(spend_covariates=["gender", "channel"]).fit(summary)
    table = _within_three_se(model, GG_TRUTH | SPEND_EFFECTS)
    assert table.at["spend:gender", "std_error"] < 0.05
    assert model.n_customers_ == int((summary["frequency"] > 0).sum())  # repeat buyers only
    shrunk = clv.GammaGammaModel(spend_covariates=["gender"], covariate_penalty=5.0).fit(summary)
    plain = clv.GammaGammaModel(spend_covariates=["gender"]).fit(summary)
    assert abs(shrunk.params_["spend:gender"]) < abs(plain.params_["spend:gender"])
    assert shrunk.log_likelihood_ < plain.log_likelihood_


def test_sbg_recovers_the_true_churn_effects():
    truth = {"alpha": 0.7, "beta": 1.2}
    table = subscribers(20_000, truth, CHURN_EFFECTS, seed=2026)
    model = clv.ShiftedBetaGeoModel(churn_covariates=["gender", "channel"])
    model.fit_customers(table["tenure"], table["churned"], covariates=table, time_unit="M")
    summary = _within_three_se(model, truth | CHURN_EFFECTS)
    assert summary.at["churn:gender", "std_error"] < 0.1
    assert model.time_unit_ == "M"
    shrunk = clv.ShiftedBetaGeoModel(churn_covariates=["gender"], covariate_penalty=2.0)
    shrunk.fit_customers(table["tenure"], table["churned"], covariates=table)
    plain = clv.ShiftedBetaGeoModel(churn_covariates=["gender"])
    plain.fit_customers(table["tenure"], table["churned"], covariates=table)
    assert abs(shrunk.params_["churn:gender"]) < abs(plain.params_["churn:gender"])
    assert shrunk.log_likelihood_ < plain.log_likelihood_
    with pytest.raises(ValueError, match="need one row per subscriber"):
        clv.ShiftedBetaGeoModel(churn_covariates=["gender"]).fit([1000, 600, 400])
    with pytest.raises(clv.exceptions.DataValidationError, match="one row per subscriber"):
        plain.fit_customers(table["tenure"], table["churned"], covariates=table.iloc[:10])


def test_a_fitted_gamma_gamma_with_covariates_takes_the_likelihood_ratio_test():
    """The Gamma-Gamma fits the repeat buyers of the summary: the test must accept it
    fitted (its data are checked by fingerprint, not by the summary's customer count) and
    reject it against other data."""
    summary = gamma_gamma_customers(3000, GG_TRUTH, SPEND_EFFECTS, seed=9)
    model = clv.GammaGammaModel(spend_covariates=["gender", "channel"]).fit(summary)
    assert model.n_customers_ < len(summary)  # some customers have no repeat purchase
    test = clv.evaluation.covariate_likelihood_ratio(model, summary)
    assert test["df"] == 3
    # gender's effect of 0.3 on the log spend scale is found: the test rejects "no effect"
    assert test["p_value"] < 1e-6
    assert test["log_likelihood_with"] == pytest.approx(model.log_likelihood_, rel=1e-12)
    other = gamma_gamma_customers(3000, GG_TRUTH, SPEND_EFFECTS, seed=10)
    with pytest.raises(ValueError, match="do not match the data the model was fitted on"):
        clv.evaluation.covariate_likelihood_ratio(model, other)
