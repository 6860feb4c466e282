"""Predictions for new customers given only their covariates, against simulation and closed forms.

A model fitted with covariates is given fixed parameters (its fitted state set by hand), so
the references are exact: the BG/NBD and MBG/NBD means by simulating 400 000 customers of
each covariate profile from the models' stories (numpy only; within 4 Monte-Carlo standard
errors), the Pareto/NBD's by its closed form written out here, P(X(t) = n) of the BG/NBD
by simulation too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from tests.models.covariate_draws import (
    CHURN_EFFECTS,
    SPEND_EFFECTS,
    TRUE_EFFECTS,
    beta_geo_beta_binom_customers,
    beta_geo_customers,
    gamma_gamma_customers,
    linear_predictor,
    predictors,
    subscribers,
)

NEW = pd.DataFrame(
    {"gender": [0.0, 1.0, 1.0, 0.0], "channel": ["email", "online", "store", "online"]},
    index=pd.Index(["n1", "n2", "n3", "n4"], name="customer_id"),
)
BG = {"r": 0.6, "alpha": 4.0, "a": 0.8, "b": 2.5}
EFFECTS = TRUE_EFFECTS | {"purchase:channel[store]": 0.2, "dropout:channel[store]": -0.3}


def _fixed(cls, base):
    """A model laid out on simulated data (not fitted), its parameters ``base`` and EFFECTS."""
    summary = beta_geo_customers(500, BG, TRUE_EFFECTS, seed=1)
    model = cls(purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"])
    model._sufficient_statistics(summary, None)  # lays out the design and coefficient names
    model.params_ = dict(base) | {name: EFFECTS[name] for name in model.param_names[4:]}
    model.time_unit_ = None
    return model


def _simulated_mean(base, eta_p, eta_d, t, trial_coin, rng, n=400_000):
    lam = rng.gamma(base["r"], 1.0 / (base["alpha"] * np.exp(-eta_p)), n)
    p = rng.beta(base["a"] * np.exp(eta_d), base["b"] * np.exp(eta_d), n)
    events = rng.poisson(lam * t)
    made = rng.geometric(p) - (1 if trial_coin else 0)
    x = np.minimum(events, made)
    return x


@pytest.mark.parametrize(
    "cls,trial_coin", [(clv.BetaGeoModel, False), (clv.ModifiedBetaGeoModel, True)]
)
def test_new_customer_means_match_simulation(cls, trial_coin):
    model = _fixed(cls, BG)
    t = 30.0
    values = model.expected_purchases(t, covariates=NEW)
    assert list(values.index) == list(NEW.index)
    eta_p, eta_d = predictors(NEW, EFFECTS)
    rng = np.random.default_rng(7)
    for i, name in enumerate(NEW.index):
        x = _simulated_mean(BG, eta_p[i], eta_d[i], t, trial_coin, rng)
        se = x.std() / np.sqrt(len(x))
        assert abs(values[name] - x.mean()) < 4 * se, (name, values[name], x.mean(), se)
        if cls is clv.BetaGeoModel:
            p2 = model.probability_of_purchases(t, 2, covariates=NEW.loc[[name]]).iloc[0]
            share = np.mean(x == 2)
            assert abs(p2 - share) < 4 * np.sqrt(share * (1 - share) / len(x))
    # the reference customer (every covariate 0) is the model without covariates' answer
    assert values["n1"] == pytest.approx(model.expected_purchases(t), rel=1e-14)
    # many horizons: one row per new customer, one column per horizon
    many = model.expected_purchases(np.array([10.0, 30.0]), covariates=NEW)
    np.testing.assert_allclose(many[30.0].to_numpy(), values.to_numpy(), rtol=1e-12)


def test_pareto_nbd_new_customers_follow_the_closed_form():
    base = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.6}
    model = _fixed(clv.ParetoNBDModel, base)
    t = 52.0
    values = model.expected_purchases(t, covariates=NEW)
    eta_p, eta_d = predictors(NEW, EFFECTS)
    alpha = base["alpha"] * np.exp(-eta_p)
    beta = base["beta"] * np.exp(-eta_d)
    s = base["s"]
    # Schmittlein, Morrison & Colombo (1987); Fader & Hardie note 009, eq. 17
    closed = base["r"] * beta / (alpha * (s - 1.0)) * (1.0 - (beta / (beta + t)) ** (s - 1.0))
    np.testing.assert_allclose(values.to_numpy(), closed, rtol=1e-12)


def test_new_customers_alive_at_acquisition():
    """P(alive) at (0, 0, T -> 0): 1 for the BG/NBD, b_i / (a_i + b_i) for the MBG/NBD."""
    eta_p, eta_d = predictors(NEW, EFFECTS)
    fresh = NEW.assign(frequency=0.0, recency=0.0, T=1e-12)
    bg = _fixed(clv.BetaGeoModel, BG).probability_alive(fresh)
    np.testing.assert_allclose(bg.to_numpy(), 1.0)
    mbg = _fixed(clv.ModifiedBetaGeoModel, BG).probability_alive(fresh)
    a, b = BG["a"] * np.exp(eta_d), BG["b"] * np.exp(eta_d)
    np.testing.assert_allclose(mbg.to_numpy(), b / (a + b), rtol=1e-9)


def test_new_customer_arguments_are_checked():
    model = _fixed(clv.BetaGeoModel, BG)
    with pytest.raises(TypeError, match="covariates must be a DataFrame"):
        model.expected_purchases(10.0, covariates={"gender": [1.0]})
    with pytest.raises(clv.exceptions.DataValidationError, match=r"lacks the covariate column"):
        model.expected_purchases(10.0, covariates=NEW[["gender"]])
    with pytest.raises(clv.exceptions.DataValidationError, match=r"level 'phone'"):
        model.expected_purchases(10.0, covariates=NEW.assign(channel="phone"))
    with pytest.raises(ValueError, match="n must be one whole number"):
        model.probability_of_purchases(10.0, [1, 2], covariates=NEW)
    plain = clv.BetaGeoModel().fit(clv.datasets.load_cdnow_summary())
    same = plain.expected_purchases(10.0, covariates=NEW)
    np.testing.assert_allclose(same.to_numpy(), plain.expected_purchases(10.0))


def test_bgbb_new_customers_match_simulation():
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.65, "delta": 2.8}
    table = beta_geo_beta_binom_customers(300, truth, TRUE_EFFECTS, seed=1)
    model = clv.BetaGeoBetaBinomModel(
        purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"]
    )
    model._sufficient_statistics(table, None)
    model.params_ = truth | {name: EFFECTS[name] for name in model.param_names[4:]}
    values = model.expected_purchases(6, covariates=NEW)
    etas = predictors(NEW, EFFECTS)
    rng = np.random.default_rng(3)
    for i, name in enumerate(NEW.index):
        size = 200_000
        p = rng.beta(truth["alpha"] * np.exp(etas[0][i]), truth["beta"], size)
        theta = rng.beta(truth["gamma"] * np.exp(etas[1][i]), truth["delta"], size)
        alive_for = np.minimum(rng.geometric(theta) - 1, 6)
        x = rng.binomial(alive_for, p)
        se = x.std() / np.sqrt(len(x))
        assert abs(values[name] - x.mean()) < 4 * se, (name, values[name], x.mean(), se)
    many = model.expected_purchases(np.array([1, 6]), covariates=NEW)
    np.testing.assert_allclose(many[6.0].to_numpy(), values.to_numpy(), rtol=1e-12)
    assert values.iloc[0] == pytest.approx(model.expected_purchases(6), rel=1e-14)


def test_gamma_gamma_new_customers_mean_spend():
    truth = {"p": 6.0, "q": 4.0, "v": 15.0}
    summary = gamma_gamma_customers(300, truth, SPEND_EFFECTS, seed=1)
    model = clv.GammaGammaModel(spend_covariates=["gender", "channel"])
    model._sufficient_statistics(summary, None)
    model.params_ = truth | {name: SPEND_EFFECTS[name] for name in model.param_names[3:]}
    values = model.mean_spend(NEW)
    eta = linear_predictor(NEW, SPEND_EFFECTS, "spend")
    # Fader, Hardie & Lee (2005, RFM and CLV, eq. 5) at v_i = v e^eta: p v_i / (q - 1)
    closed = truth["p"] * truth["v"] * np.exp(eta) / (truth["q"] - 1.0)
    np.testing.assert_allclose(values.to_numpy(), closed, rtol=1e-13)
    rng = np.random.default_rng(5)
    for i, name in enumerate(NEW.index):
        nu = rng.gamma(truth["q"], 1.0 / (truth["v"] * np.exp(eta[i])), 400_000)
        spend = rng.gamma(truth["p"], 1.0 / nu)
        se = spend.std() / np.sqrt(len(spend))
        assert abs(values[name] - spend.mean()) < 4 * se
    assert model.mean_spend() == pytest.approx(values["n1"], rel=1e-14)  # the reference
    # a customer without repeat purchases is expected to spend the mean of her profile
    fresh = NEW.assign(frequency=0.0, monetary_value=0.0)
    np.testing.assert_allclose(model.expected_spend(fresh).to_numpy(), closed, rtol=1e-13)


def test_sbg_new_subscribers_survival_and_lifetime():
    truth = {"alpha": 0.7, "beta": 1.2}
    table = subscribers(300, truth, CHURN_EFFECTS, seed=1)
    model = clv.ShiftedBetaGeoModel(churn_covariates=["gender", "channel"])
    model._sufficient_statistics(table, None)
    model.params_ = truth | {name: CHURN_EFFECTS[name] for name in model.param_names[2:]}
    eta = linear_predictor(NEW, CHURN_EFFECTS, "churn")
    alpha = truth["alpha"] * np.exp(eta)
    t = np.arange(0, 8)
    # S(t) = prod_{j < t} (beta + j) / (alpha_i + beta + j) (Fader & Hardie 2007)
    closed = np.array(
        [
            [
                np.prod((truth["beta"] + np.arange(k)) / (a + truth["beta"] + np.arange(k)))
                for k in t
            ]
            for a in alpha
        ]
    )
    np.testing.assert_allclose(model.survival(t, covariates=NEW).to_numpy(), closed, rtol=1e-12)
    assert model.survival(0, covariates=NEW).eq(1.0).all()  # a new subscriber is a customer
    rng = np.random.default_rng(9)
    lifetimes = model.discounted_expected_lifetime(0.1, covariates=NEW)
    for i, name in enumerate(NEW.index):
        theta = rng.beta(alpha[i], truth["beta"], 400_000)
        lifetime = rng.geometric(theta)  # payments at t = 0 .. T - 1
        value = (1.0 - 1.1 ** (-lifetime.astype(float))) / (1.0 - 1.0 / 1.1)
        se = value.std() / np.sqrt(len(value))
        assert abs(lifetimes[name] - value.mean()) < 4 * se, (name, lifetimes[name], value.mean())
    churn = model.churn_probability(3, covariates=NEW)
    np.testing.assert_allclose(churn.to_numpy(), closed[:, 2] - closed[:, 3], rtol=1e-10)
    derl = model.discounted_expected_residual_lifetime(0.1, 2, covariates=NEW)
    # DEL = 1 + DERL(d | 0) / (1 + d) (Fader & Hardie 2010)
    derl0 = model.discounted_expected_residual_lifetime(0.1, 0, covariates=NEW)
    np.testing.assert_allclose(lifetimes.to_numpy(), 1 + derl0.to_numpy() / 1.1, rtol=1e-12)
    assert (derl > derl0).all()  # survivors of two renewals are the loyal ones
    assert lifetimes["n1"] == pytest.approx(model.discounted_expected_lifetime(0.1), rel=1e-14)
