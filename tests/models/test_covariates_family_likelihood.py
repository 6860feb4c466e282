"""Static covariates for the MBG/NBD, BG/BB, Gamma-Gamma and sBG: the likelihoods.

References: mpmath (40 digits) for each covariate likelihood at random points of the
parameter box with linear predictors up to |eta| = 7 (hypothesis, derandomised); the
model's no-covariate likelihood and gradient (to 1e-10) at eta = 0; central finite
differences of the summed log-likelihood for the gradient in every parameter and
coefficient.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clvmodels as clv
from clvmodels.models.beta_geo_beta_binom import gradient as bb_gradient
from clvmodels.models.beta_geo_beta_binom import math as bb_math
from clvmodels.models.gamma_gamma import gradient as gg_gradient
from clvmodels.models.gamma_gamma import math as gg_math
from clvmodels.models.modified_beta_geo import gradient as mbg_gradient
from clvmodels.models.modified_beta_geo import math as mbg_math
from clvmodels.models.shifted_beta_geo import gradient as sbg_gradient
from clvmodels.models.shifted_beta_geo.cells import subscriber_table
from tests.models.covariate_draws import (
    CHURN_EFFECTS,
    SPEND_EFFECTS,
    TRUE_EFFECTS,
    beta_geo_beta_binom_customers,
    gamma_gamma_customers,
    modified_beta_geo_customers,
    subscribers,
)

ETA = st.floats(-7.0, 7.0)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda u: 10.0**u)


@st.composite
def rfm_rows(draw):
    x = draw(st.one_of(st.just(0), st.integers(1, 30), st.integers(31, 400)))
    T = draw(st.floats(1.0, 200.0))
    t_x = 0.0 if x == 0 else draw(st.floats(0.0, 1.0)) * T
    return x, t_x, T


# -- MBG/NBD -------------------------------------------------------------------------------


def _mbg_mp(p, x, t_x, T, eta_p, eta_d):
    mpmath.mp.dps = 40
    r = mpmath.mpf(p["r"])
    alpha = mpmath.mpf(p["alpha"]) * mpmath.exp(-mpmath.mpf(eta_p))
    a, b = (mpmath.mpf(p[k]) * mpmath.exp(mpmath.mpf(eta_d)) for k in ("a", "b"))
    head = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha)
    head += mpmath.log(mpmath.beta(a, b + x + 1)) - mpmath.log(mpmath.beta(a, b))
    body = (alpha + T) ** (-(r + x)) + a / (b + x) * (alpha + t_x) ** (-(r + x))
    return float(head + mpmath.log(body))


@SETTINGS
@given(
    params=st.fixed_dictionaries({k: log_uniform(0.05, 20.0) for k in ("r", "alpha", "a", "b")}),
    row=rfm_rows(),
    eta_p=ETA,
    eta_d=ETA,
)
def test_mbgnbd_covariate_likelihood_matches_mpmath(params, row, eta_p, eta_d):
    x, t_x, T = row
    columns = {"frequency": np.array([float(x)]), "recency": np.array([t_x]), "T": np.array([T])}
    ll, _ = mbg_gradient.covariate_terms(
        np.array([params[k] for k in ("r", "alpha", "a", "b")]), columns, [eta_p], [eta_d]
    )
    reference = _mbg_mp(params, x, t_x, T, eta_p, eta_d)
    assert ll[0] == pytest.approx(reference, rel=1e-10, abs=1e-8)
    # the model's one formula at the customer's own parameters agrees too
    own = mbg_math.customer_parameters(params, eta_p, eta_d)
    via_math = mbg_math.log_likelihood(own, [x], [t_x], [T])[0]
    assert via_math == pytest.approx(reference, rel=1e-10, abs=1e-8)


def test_mbgnbd_without_covariates_is_todays_model():
    summary = clv.datasets.load_cdnow_summary()
    point = np.array([0.5, 6.0, 0.9, 2.0])
    columns = mbg_math.sufficient_statistics(summary).arrays
    zeros = np.zeros(len(columns["frequency"]))
    today_ll, today_grad = mbg_gradient.log_likelihood_gradient(point, columns)
    ll, grad = mbg_gradient.covariate_terms(point, columns, zeros, zeros)
    np.testing.assert_allclose(ll, today_ll, rtol=0, atol=1e-10)
    np.testing.assert_allclose(grad[:4], today_grad, rtol=1e-10, atol=1e-10)
    plain = clv.ModifiedBetaGeoModel().fit(summary)
    empty = clv.ModifiedBetaGeoModel(purchase_covariates=[], dropout_covariates=[]).fit(summary)
    assert empty.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-10)
    # the published-style CDNOW fit (r = 0.525, b = 1.614, see the class docstring)
    assert plain.params_["r"] == pytest.approx(0.525, abs=5e-4)


def test_mbgnbd_kernel_is_the_numpy_gradient_at_each_customers_parameters():
    rng = np.random.default_rng(0)
    n = 500
    x = rng.integers(0, 60, n).astype(float)
    T = rng.uniform(1.0, 100.0, n)
    t_x = np.where(x > 0, rng.uniform(0.0, 1.0, n) * T, 0.0)
    eta_p, eta_d = rng.uniform(-6.0, 6.0, (2, n))
    point = np.array([0.4, 7.0, 1.3, 2.2])
    columns = {"frequency": x, "recency": t_x, "T": T}
    ll, grad = mbg_gradient.covariate_terms(point, columns, eta_p, eta_d)
    base = dict(zip(("r", "alpha", "a", "b"), point, strict=True))
    own = mbg_math.customer_parameters(base, eta_p, eta_d)
    ll_np, g = mbg_gradient.row_gradient(own["r"], own["alpha"], own["a"], own["b"], x, t_x, T)
    np.testing.assert_allclose(ll, ll_np, rtol=1e-11, atol=1e-9)
    chain = np.stack(
        [
            g[0],
            g[1] * own["alpha"] / point[1],
            g[2] * own["a"] / point[2],
            g[3] * own["b"] / point[3],
            -g[1] * own["alpha"],
            g[2] * own["a"] + g[3] * own["b"],
        ]
    )
    np.testing.assert_allclose(grad, chain, rtol=1e-8, atol=1e-9)


def _check_gradient(model, stats, point, rtol=1e-6, atol=1e-5):
    def total(p):
        return float(np.dot(stats.weights, model._loglik_grad(p, stats.arrays)[0]))

    exact = model._loglik_grad(point, stats.arrays)[1] @ stats.weights
    numeric = np.empty_like(point)
    for j in range(len(point)):
        step = 1e-6 * max(1.0, abs(point[j]))
        up, down = point.copy(), point.copy()
        up[j] += step
        down[j] -= step
        numeric[j] = (total(up) - total(down)) / (2 * step)
    np.testing.assert_allclose(exact, numeric, rtol=rtol, atol=atol)
    value, summed = model._weighted_loglik_grad(point, stats.arrays, stats.weights)
    assert value == pytest.approx(total(point), rel=1e-12)
    np.testing.assert_allclose(summed, exact, rtol=1e-10, atol=1e-9)


def test_mbgnbd_gradient_matches_finite_differences():
    base = {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 3.0}
    summary = modified_beta_geo_customers(400, base, TRUE_EFFECTS, seed=4)
    model = clv.ModifiedBetaGeoModel(
        purchase_covariates=["gender", "channel"],
        dropout_covariates=["gender", "channel"],
        equal_effects=["gender"],
    )
    stats = model._sufficient_statistics(summary, None)
    assert model.param_names[4:] == (
        "purchase:channel[online]",
        "purchase:channel[store]",
        "dropout:channel[online]",
        "dropout:channel[store]",
        "both:gender",
    )
    _check_gradient(model, stats, np.array([*base.values(), -0.3, 0.2, 0.5, -0.4, 0.3]))


# -- BG/BB -------------------------------------------------------------------------------


def _bb_mp(p, x, t_x, n, eta_p, eta_d):
    mpmath.mp.dps = 40
    alpha = mpmath.mpf(p["alpha"]) * mpmath.exp(mpmath.mpf(eta_p))
    gamma = mpmath.mpf(p["gamma"]) * mpmath.exp(mpmath.mpf(eta_d))
    beta, delta = mpmath.mpf(p["beta"]), mpmath.mpf(p["delta"])
    B = mpmath.beta
    norm = B(alpha, beta) * B(gamma, delta)
    total = B(alpha + x, beta + n - x) * B(gamma, delta + n) / norm
    for i in range(int(n - t_x)):
        total += B(alpha + x, beta + t_x - x + i) * B(gamma + 1, delta + t_x + i) / norm
    return float(mpmath.log(total))


@st.composite
def opportunity_rows(draw):
    n = draw(st.integers(1, 40))
    x = draw(st.integers(0, n))
    t_x = 0 if x == 0 else draw(st.integers(x, n))
    return x, t_x, n


@SETTINGS
@given(
    params=st.fixed_dictionaries(
        {k: log_uniform(0.05, 20.0) for k in ("alpha", "beta", "gamma", "delta")}
    ),
    row=opportunity_rows(),
    eta_p=ETA,
    eta_d=ETA,
)
def test_bgbb_covariate_likelihood_matches_mpmath(params, row, eta_p, eta_d):
    x, t_x, n = row
    columns = {
        "frequency": np.array([float(x)]),
        "recency": np.array([float(t_x)]),
        "n_periods": np.array([float(n)]),
    }
    point = np.array([params[k] for k in ("alpha", "beta", "gamma", "delta")])
    ll, _ = bb_gradient.covariate_terms(point, columns, [eta_p], [eta_d])
    reference = _bb_mp(params, x, t_x, n, eta_p, eta_d)
    assert ll[0] == pytest.approx(reference, rel=1e-10, abs=1e-9)
    # the gradient's recurrence and the model's one formula (math.py) agree
    own = bb_math.customer_parameters(params, eta_p, eta_d)
    via_math = bb_math.log_likelihood(own, [x], [t_x], [n])[0]
    assert via_math == pytest.approx(reference, rel=1e-10, abs=1e-9)


def test_bgbb_without_covariates_is_todays_model():
    donations = clv.datasets.load_donations()
    weights = donations["count"].to_numpy(float)
    stats = bb_math.sufficient_statistics(donations, weights)
    point = np.array([1.2, 0.75, 0.66, 2.78])
    zeros = np.zeros(len(stats.weights))
    today_ll, today_grad = bb_gradient.log_likelihood_gradient(point, stats.arrays)
    ll, grad = bb_gradient.covariate_terms(point, stats.arrays, zeros, zeros)
    np.testing.assert_allclose(ll, today_ll, rtol=0, atol=1e-10)
    # today's gradient is by central differences (step 1e-6): agreement to its accuracy
    np.testing.assert_allclose(grad[:4], today_grad, rtol=1e-6, atol=1e-7)
    plain = clv.BetaGeoBetaBinomModel().fit(donations, weights=weights)
    # Fader, Hardie & Shang (2010), the donations: LL -33225.6
    assert plain.log_likelihood_ == pytest.approx(-33225.6, abs=0.1)
    empty = clv.BetaGeoBetaBinomModel(purchase_covariates=[]).fit(donations, weights=weights)
    assert empty.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-10)


def test_bgbb_gradient_matches_finite_differences():
    base = {"alpha": 1.2, "beta": 0.75, "gamma": 0.65, "delta": 2.8}
    table = beta_geo_beta_binom_customers(600, base, TRUE_EFFECTS, seed=4)
    model = clv.BetaGeoBetaBinomModel(
        purchase_covariates=["gender", "channel"],
        dropout_covariates=["gender", "channel"],
        equal_effects=["gender"],
    )
    stats = model._sufficient_statistics(table, None)
    _check_gradient(model, stats, np.array([*base.values(), -0.3, 0.2, 0.5, -0.4, 0.3]))


# -- Gamma-Gamma ---------------------------------------------------------------------------


def _gg_mp(par, x, m, eta):
    mpmath.mp.dps = 40
    p, q = mpmath.mpf(par["p"]), mpmath.mpf(par["q"])
    v = mpmath.mpf(par["v"]) * mpmath.exp(mpmath.mpf(eta))
    x, m = mpmath.mpf(x), mpmath.mpf(m)
    value = mpmath.loggamma(p * x + q) - mpmath.loggamma(p * x) - mpmath.loggamma(q)
    value += q * mpmath.log(v) + (p * x - 1) * mpmath.log(m) + p * x * mpmath.log(x)
    return float(value - (p * x + q) * mpmath.log(v + m * x))


def _gg_columns(x, m):
    x_unique, x_index = np.unique(np.atleast_1d(np.asarray(x, float)), return_inverse=True)
    return {
        "x_unique": x_unique,
        "x_index": x_index.astype(float),
        "monetary_value": np.atleast_1d(np.asarray(m, float)),
    }


@SETTINGS
@given(
    params=st.fixed_dictionaries({k: log_uniform(0.1, 50.0) for k in ("p", "q", "v")}),
    x=st.integers(1, 500),
    m=log_uniform(0.01, 1e4),
    eta=ETA,
)
def test_gamma_gamma_covariate_likelihood_matches_mpmath(params, x, m, eta):
    point = np.array([params[k] for k in ("p", "q", "v")])
    ll, _ = gg_gradient.covariate_terms(point, _gg_columns(x, m), np.array([eta]))
    assert ll[0] == pytest.approx(_gg_mp(params, x, m, eta), rel=1e-10, abs=1e-8)


def test_gamma_gamma_without_covariates_is_todays_model():
    summary = clv.datasets.load_cdnow_summary()
    stats = gg_math.sufficient_statistics(summary)
    point = np.array([6.25, 3.74, 15.44])
    today_ll, today_grad = gg_gradient.log_likelihood_gradient(point, stats.arrays)
    ll, grad = gg_gradient.covariate_terms(point, stats.arrays, np.zeros(len(stats.weights)))
    np.testing.assert_allclose(ll, today_ll, rtol=0, atol=1e-10)
    np.testing.assert_allclose(grad[:3], today_grad, rtol=1e-9, atol=1e-10)
    plain = clv.GammaGammaModel().fit(summary)
    empty = clv.GammaGammaModel(spend_covariates=[]).fit(summary)
    assert empty.log_likelihood_ == pytest.approx(plain.log_likelihood_, abs=1e-10)
    # Fader, Hardie & Lee (2005, RFM and CLV): p = 6.25, q = 3.74, gamma = 15.44 on CDNOW
    assert plain.params_["p"] == pytest.approx(6.25, abs=0.01)


def test_gamma_gamma_gradient_matches_finite_differences():
    base = {"p": 6.0, "q": 4.0, "v": 15.0}
    summary = gamma_gamma_customers(500, base, SPEND_EFFECTS, seed=4)
    model = clv.GammaGammaModel(spend_covariates=["gender", "channel"])
    stats = model._sufficient_statistics(summary, None)
    assert model.param_names == (
        "p",
        "q",
        "v",
        "spend:gender",
        "spend:channel[online]",
        "spend:channel[store]",
    )
    _check_gradient(model, stats, np.array([*base.values(), 0.3, -0.2, 0.1]))


# -- sBG per subscriber ---------------------------------------------------------------------


def _sbg_mp(par, t, survived, eta):
    mpmath.mp.dps = 40
    alpha = mpmath.mpf(par["alpha"]) * mpmath.exp(mpmath.mpf(eta))
    beta = mpmath.mpf(par["beta"])
    B = mpmath.beta
    if survived:  # S(t) = P(T > t)
        return float(mpmath.log(B(alpha, beta + t) / B(alpha, beta)))
    return float(mpmath.log(B(alpha + 1, beta + t - 1) / B(alpha, beta)))


@SETTINGS
@given(
    params=st.fixed_dictionaries({k: log_uniform(0.05, 20.0) for k in ("alpha", "beta")}),
    t=st.integers(1, 300),
    survived=st.booleans(),
    eta=ETA,
)
def test_sbg_covariate_likelihood_matches_mpmath(params, t, survived, eta):
    columns = {"t": np.array([float(t)]), "survived": np.array([float(survived)])}
    point = np.array([params["alpha"], params["beta"]])
    ll, _ = sbg_gradient.covariate_terms(point, columns, np.array([eta]))
    assert ll[0] == pytest.approx(_sbg_mp(params, t, survived, eta), rel=1e-10, abs=1e-10)


def test_sbg_subscribers_without_covariates_are_todays_cohort_model():
    counts = clv.datasets.load_retention_cohorts()["regular"].to_numpy()
    # one row per customer of the cohort: churned at t, or still active at the last t
    tenure = np.repeat(np.arange(1, len(counts)), (counts[:-1] - counts[1:]).astype(int))
    tenure = np.concatenate([tenure, np.full(int(counts[-1]), len(counts) - 1)])
    churned = np.arange(len(tenure)) < len(tenure) - counts[-1]
    cohort = clv.ShiftedBetaGeoModel().fit(counts)
    per_subscriber = clv.ShiftedBetaGeoModel().fit_customers(tenure, churned)
    assert per_subscriber.log_likelihood_ == pytest.approx(cohort.log_likelihood_, abs=1e-10)
    for name in ("alpha", "beta"):
        assert per_subscriber.params_[name] == pytest.approx(cohort.params_[name], rel=1e-6)
    # Fader & Hardie (2007), regular customers: alpha = 0.704, beta = 1.182
    assert cohort.params_["alpha"] == pytest.approx(0.704, abs=1e-3)
    stats = per_subscriber._sufficient_statistics(subscriber_table(tenure, churned), None)
    point = np.array([0.7, 1.2])
    today = sbg_gradient.log_likelihood_gradient(point, stats.arrays)
    ll, grad = sbg_gradient.covariate_terms(point, stats.arrays, np.zeros(len(stats.weights)))
    np.testing.assert_allclose(ll, today[0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(grad[:2], today[1], rtol=1e-10, atol=1e-12)


def test_sbg_gradient_matches_finite_differences():
    table = subscribers(800, {"alpha": 0.7, "beta": 1.2}, CHURN_EFFECTS, seed=4)
    model = clv.ShiftedBetaGeoModel(churn_covariates=["gender", "channel"])
    stats = model._sufficient_statistics(table, None)
    assert model.param_names == (
        "alpha",
        "beta",
        "churn:gender",
        "churn:channel[online]",
        "churn:channel[store]",
    )
    _check_gradient(model, stats, np.array([0.7, 1.2, 0.5, -0.3, 0.2]))
