"""Bayesian BG/NBD and Pareto/NBD with static covariates.

The references are independent of the code under test: customers simulated from the
models' stories with known effects (tests/models/covariate_draws.py, numpy draws only), the
maximum-likelihood fits of the same data (their coefficients and standard errors), the
models' numpy functions evaluated at each customer's parameters, and PyMC's own log-density
of the Normal and HalfNormal priors.
"""

from __future__ import annotations

import json
import warnings

import arviz as az
import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.bayes import (
    BayesianBetaGeoModel,
    BayesianModifiedBetaGeoModel,
    BayesianParetoNBDModel,
)
from clvmodels.estimation.covariate_priors import CoefficientPrior
from clvmodels.exceptions import DataValidationError, ModelFileError
from clvmodels.models import beta_geo
from clvmodels.models.beta_geo import math as beta_geo_math
from clvmodels.models.modified_beta_geo import math as modified_beta_geo_math
from clvmodels.models.pareto_nbd import math as pareto_nbd_math
from clvmodels.value import value_customers
from tests.models.covariate_draws import (
    TRUE_EFFECTS,
    beta_geo_customers,
    pareto_nbd_customers,
    predictors,
)

BG_TRUTH = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PNBD_TRUTH = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}
BOTH = dict(purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"])
FLAT = CoefficientPrior(scale=100.0, hierarchical=False)


def _nuts(model, summary, **keywords):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)
        options = dict(draws=400, tune=400, chains=2, random_seed=7) | keywords
        return model.fit(summary, **options)


@pytest.fixture(scope="module")
def bg_summary():
    return beta_geo_customers(6000, BG_TRUTH, TRUE_EFFECTS, seed=11)


def test_the_posterior_covers_the_true_effects(bg_summary):
    model = _nuts(BayesianBetaGeoModel(**BOTH), bg_summary)
    table = model.summary(hdi=0.94)
    expected = BG_TRUTH | TRUE_EFFECTS
    assert list(table.index) == [*expected, "tau_purchase", "tau_dropout"]
    for name, value in expected.items():
        low, high = table.at[name, "hdi94_lb"], table.at[name, "hdi94_ub"]
        assert low <= value <= high, (name, low, value, high)
    # measured, not merely consistent with anything: the purchase effects are tight
    assert table.at["purchase:gender", "sd"] < 0.1
    assert table.at["purchase:gender", "hdi94_lb"] > 0.0
    assert (table["r_hat"] < 1.05).all()


def test_a_process_of_null_covariates_is_shrunk_towards_zero():
    rng = np.random.default_rng(5)
    summary = beta_geo_customers(2000, BG_TRUTH, TRUE_EFFECTS, seed=5)
    noise = [f"noise{k}" for k in range(4)]
    for name in noise:
        summary[name] = rng.normal(0.0, 1.0, len(summary))
    keywords = dict(purchase_covariates=noise, dropout_covariates=["gender"])
    mle = clv.BetaGeoModel(**keywords).fit(summary)
    table = _nuts(BayesianBetaGeoModel(**keywords), summary, draws=300, tune=300).summary()
    names = [f"purchase:{n}" for n in noise]
    estimates = np.array([mle.params_[n] for n in names])
    errors = np.array([mle.standard_errors_[n] for n in names])
    # the likelihood alone (the MLE) spreads them by their standard errors; the
    # hierarchical prior pulls them together towards 0, with less spread
    assert np.abs(table.loc[names, "mean"]).sum() < 0.7 * np.abs(estimates).sum()
    assert (table.loc[names, "sd"].to_numpy() < errors).all()
    assert (np.abs(table.loc[names, "mean"].to_numpy()) < 2 * errors).all()
    assert table.at["tau_purchase", "mean"] < 0.3


@pytest.mark.parametrize(
    "cls,mle_cls",
    [
        (BayesianBetaGeoModel, clv.BetaGeoModel),
        (BayesianModifiedBetaGeoModel, clv.ModifiedBetaGeoModel),
    ],
    ids=["beta_geo", "modified_beta_geo"],
)
def test_map_with_a_flat_prior_is_the_mle(bg_summary, cls, mle_cls):
    mle = mle_cls(**BOTH).fit(bg_summary)
    bayes = cls(**BOTH, coefficient_prior=FLAT).fit(bg_summary, method="map")
    mode = bayes.posterior_mean_params()
    assert list(mode) == list(mle.params_)
    for name, value in mle.params_.items():
        assert abs(mode[name] - value) < mle.standard_errors_[name] / 10, name


def test_pareto_nbd_map_with_a_flat_prior_is_the_mle():
    summary = pareto_nbd_customers(1500, PNBD_TRUTH, TRUE_EFFECTS, seed=3)
    keywords = dict(BOTH, equal_effects=["gender"])
    mle = clv.ParetoNBDModel(**keywords).fit(summary)
    bayes = BayesianParetoNBDModel(**keywords, coefficient_prior=FLAT).fit(summary, method="map")
    mode = bayes.posterior_mean_params()
    assert "both:gender" in mode and "purchase:gender" not in mode
    for name, value in mle.params_.items():
        assert abs(mode[name] - value) < mle.standard_errors_[name] / 10, name


def _at(cls, summary, draws, **keywords):
    """A fitted ``cls`` whose posterior is ``draws`` (name -> (chain, draw))."""
    model = cls(**keywords)
    stats = model._statistics(summary)
    idata = az.from_dict({"posterior": {k: np.asarray(v, float) for k, v in draws.items()}})
    model._store(idata, stats, "advi")
    return model


@pytest.mark.parametrize(
    "cls,mle_cls,draw,truth",
    [
        (BayesianBetaGeoModel, clv.BetaGeoModel, beta_geo_customers, BG_TRUTH),
        (BayesianParetoNBDModel, clv.ParetoNBDModel, pareto_nbd_customers, PNBD_TRUTH),
        (
            BayesianModifiedBetaGeoModel,
            clv.ModifiedBetaGeoModel,
            beta_geo_customers,
            BG_TRUTH,
        ),
    ],
    ids=["beta_geo", "pareto_nbd", "modified_beta_geo"],
)
def test_predictions_use_each_customers_covariates(cls, mle_cls, draw, truth):
    summary = draw(400, truth, TRUE_EFFECTS, seed=1)
    mle = mle_cls(**BOTH).fit(summary)
    # one draw at the MLE: the posterior predictions are the MLE's, customer by customer
    point = _at(cls, summary, {k: [[v]] for k, v in mle.params_.items()}, **BOTH)
    np.testing.assert_allclose(
        point.probability_alive(summary), mle.probability_alive(summary), rtol=1e-10
    )
    horizons = np.array([4.0, 13.0, 52.0])
    np.testing.assert_allclose(
        point.conditional_expected_purchases(horizons, summary).to_numpy(),
        mle.conditional_expected_purchases(horizons, summary).to_numpy(),
        rtol=1e-10,
    )
    weights = np.array([0.5, 0.3, 0.2])
    path = mle.conditional_expected_purchases(horizons, summary).to_numpy()
    np.testing.assert_allclose(
        point.conditional_expected_purchases(horizons, summary, weights=weights),
        path @ weights,
        rtol=1e-10,
    )
    # several draws: each customer's draws are the numpy functions at her own parameters
    rng = np.random.default_rng(2)
    draws = {k: v * np.exp(rng.normal(0, 0.1, (2, 3))) for k, v in mle.params_.items()}
    model = _at(cls, summary, draws, **BOTH)
    got = model.probability_alive(summary, draws=True).values
    functions = {
        BayesianBetaGeoModel: beta_geo_math,
        BayesianParetoNBDModel: pareto_nbd_math,
        BayesianModifiedBetaGeoModel: modified_beta_geo_math,
    }[cls]
    x, t_x, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    for c in range(2):
        for d in range(3):
            effects = {k: v[c, d] for k, v in draws.items() if ":" in k}
            eta_p, eta_d = predictors(summary, effects)
            base = {k: v[c, d] for k, v in draws.items() if ":" not in k}
            own = functions.customer_parameters(base, eta_p, eta_d)
            expected = functions.probability_alive(own, x, t_x, T)
            np.testing.assert_allclose(got[c, d], expected, rtol=1e-10)


def test_without_covariates_the_model_is_the_plain_one(cdnow_summary):
    plain = BayesianBetaGeoModel()
    assert plain.get_params() == {
        "priors": {},
        "purchase_covariates": [],
        "dropout_covariates": [],
        "equal_effects": [],
        "coefficient_prior": None,
    }
    stats = plain._statistics(cdnow_summary)
    assert stats.fingerprint() == beta_geo.sufficient_statistics(cdnow_summary).fingerprint()
    assert plain.param_names == ("r", "alpha", "a", "b")
    theta = np.log([0.243, 4.414, 0.793, 2.426])
    value, gradient = plain._log_likelihood_function(stats)(np.exp(theta))
    expected, expected_gradient = beta_geo.weighted_log_likelihood(stats)(np.exp(theta))
    assert value == expected
    np.testing.assert_array_equal(gradient, expected_gradient)
    fitted = plain.fit(cdnow_summary, method="map")
    assert set(fitted.idata["posterior"].data_vars) == {
        "r", "alpha", "a", "b", "log_r", "log_alpha", "log_a", "log_b"
    }  # fmt: skip


def test_zero_coefficients_give_the_plain_likelihood(bg_summary):
    model = BayesianBetaGeoModel(**BOTH)
    stats = model._statistics(bg_summary)
    base = np.array([0.3, 5.0, 0.9, 2.0])
    value, gradient = model._log_likelihood_function(stats)(np.concatenate([base, np.zeros(6)]))
    plain = beta_geo.sufficient_statistics(bg_summary)
    expected, expected_gradient = beta_geo.weighted_log_likelihood(plain)(base)
    assert value == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(gradient[:4], expected_gradient, rtol=1e-8)


@pytest.mark.parametrize(
    "keywords,pattern",
    [
        (dict(purchase_covariates="gender"), r"purchase_covariates must be a list.*\['gender'\]"),
        (
            dict(purchase_covariates=["gender"], equal_effects=["gender"]),
            r"equal_effects names 'gender', which must be in both",
        ),
        (dict(coefficient_prior=(0.0, 1.0)), r"coefficient_prior must be a CoefficientPrior"),
    ],
)
def test_bad_settings_are_named_errors(keywords, pattern):
    with pytest.raises(ValueError, match=pattern):
        BayesianBetaGeoModel(**keywords)


def test_bad_prior_scales_are_named_errors():
    with pytest.raises(ValueError, match=r"scale must be finite and > 0, e.g. scale=1.0"):
        CoefficientPrior(scale=-1.0)
    with pytest.raises(ValueError, match=r"hierarchical must be True"):
        CoefficientPrior(hierarchical="yes")


def test_bad_covariate_data_are_named_errors(bg_summary):
    with pytest.raises(DataValidationError, match=r"lacks the covariate column\(s\) \['age'\]"):
        BayesianBetaGeoModel(purchase_covariates=["age"]).fit(bg_summary)
    constant = bg_summary.assign(gender=1.0)
    with pytest.raises(DataValidationError, match=r"'gender' is constant"):
        BayesianBetaGeoModel(purchase_covariates=["gender"]).fit(constant)
    with pytest.raises(ValueError, match=r"method='map' with covariates needs a fixed prior"):
        BayesianBetaGeoModel(**BOTH).fit(bg_summary, method="map")


def test_predictions_need_the_covariates_of_the_summary(bg_summary):
    model = BayesianBetaGeoModel(**BOTH, coefficient_prior=FLAT).fit(
        bg_summary.iloc[:500], method="map"
    )
    with pytest.raises(DataValidationError, match=r"prediction summary lacks .*'channel'"):
        model.probability_alive(bg_summary.drop(columns="channel"))
    unseen = bg_summary.assign(channel="phone")
    with pytest.raises(DataValidationError, match=r"level 'phone'.*the fit did not see"):
        model.conditional_expected_purchases(10.0, unseen)


def test_a_saved_covariate_model_predicts_as_the_fitted_one(bg_summary, tmp_path):
    data = bg_summary.iloc[:800]
    model = _nuts(BayesianBetaGeoModel(**BOTH, equal_effects=["gender"]), data, draws=50, tune=50)
    model.save(tmp_path / "bg")
    again = BayesianBetaGeoModel.load(tmp_path / "bg", data)
    assert again.get_params() == model.get_params()
    assert again.param_names == model.param_names
    assert list(again.summary().index) == list(model.summary().index)
    np.testing.assert_array_equal(again.probability_alive(data), model.probability_alive(data))
    # a file whose design would predict with another encoding is refused, naming the field
    document = json.loads((tmp_path / "bg" / "model.json").read_text())
    document["extra"]["covariates"]["design"]["names"][0] = "channel[phone]"
    (tmp_path / "bg" / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=r"covariates.design.names"):
        BayesianBetaGeoModel.load(tmp_path / "bg")


class _ConstantSpend:
    def expected_spend(self, summary):
        return pd.Series(25.0, index=summary.index, name="expected_spend")


def test_the_posterior_clv_uses_each_customers_categorical_covariates():
    summary = beta_geo_customers(400, BG_TRUTH, TRUE_EFFECTS, seed=9)
    summary.attrs["time_unit"] = "W"
    mle = clv.BetaGeoModel(**BOTH).fit(summary)
    point = _at(
        BayesianBetaGeoModel, summary, {k: [[v, v]] for k, v in mle.params_.items()}, **BOTH
    )
    options = dict(horizon=12, horizon_unit="M", discount_rate=0.1, discount_period="Y")
    expected = value_customers(mle, _ConstantSpend(), summary, **options)
    got = value_customers(point, _ConstantSpend(), summary, **options)
    assert got["clv"].std() > 0.1 * got["clv"].mean()  # customers differ
    np.testing.assert_allclose(got["clv"], expected["clv"], rtol=1e-10)
