"""Pareto/NBD with time-varying covariates: the likelihood against independent values.

References: the plain Pareto/NBD (:func:`pareto_nbd.math.log_likelihood`) at zero effects
(to 1e-10) and the static-covariate model for covariates constant over time (to 1e-8);
an independent two-dimensional numerical integration (scipy ``dblquad``) of the elementary
conditional likelihood over the gamma mixing of lambda and mu; central finite differences
for the gradient; simulated customers with known effects (Wald bands).
"""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from scipy import integrate

import clvmodels as clv
from clvmodels.models.pareto_nbd import dynamic
from clvmodels.models.pareto_nbd import math as pnbd_math
from tests.models.dynamic_draws import PNBD_EFFECTS, PNBD_TRUTH, assert_gradient, draw

NAMES = ("r", "alpha", "s", "beta")
# the CDNOW estimates, a steep purchase process with slow dropout, and the reverse
PARAMS = [
    (0.55, 10.5, 0.6, 11.6),
    (2.0, 0.05, 0.1, 300.0),
    (0.05, 200.0, 5.0, 0.01),
]


def _paths(seed: int = 3, n: int = 300, k: int = 3):
    """Random customers over weekly periods, with random covariate rows (k columns)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 60, n).astype(float)
    x[:4] = [0, 1, 150, 300]
    T = rng.uniform(0.5, 104, n)
    t_x = np.where(x > 0, rng.uniform(0, 1, n) * T, 0.0)
    t_x[7] = T[7]
    offset = rng.uniform(0, 1, n)
    periods = np.ceil(T + offset - 1e-9).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(periods)[:-1]])
    arrays = {
        "frequency": x,
        "recency": t_x,
        "T": T,
        "path_start": start,
        "path_periods": periods,
        "path_offset": offset,
        "path_design": rng.normal(size=(periods.sum(), k)),
        "path_period": np.array([1.0]),
    }
    return arrays, rng


@pytest.mark.parametrize("params", PARAMS)
def test_zero_effects_are_the_plain_model(params):
    arrays, _ = _paths()
    ll, _, _ = dynamic.log_likelihood_terms(np.array(params), np.zeros(3), np.zeros(3), arrays)
    plain = pnbd_math.log_likelihood(
        dict(zip(NAMES, params, strict=True)), arrays["frequency"], arrays["recency"], arrays["T"]
    )
    np.testing.assert_allclose(ll, plain, rtol=0, atol=1e-10)


@pytest.mark.parametrize("params", PARAMS)
def test_covariates_constant_over_time_are_the_static_model(params):
    arrays, rng = _paths()
    n = len(arrays["T"])
    z = rng.normal(size=(n, 3))
    arrays["path_design"] = np.repeat(z, arrays["path_periods"], axis=0)
    arrays["purchase_sums"] = z * arrays["frequency"][:, None]
    beta_p, beta_d = np.array([0.3, -0.5, 1.0]), np.array([-0.7, 0.2, 0.4])
    ll, _, _ = dynamic.log_likelihood_terms(np.array(params), beta_p, beta_d, arrays)
    static = pnbd_math.log_likelihood(
        pnbd_math.customer_parameters(
            dict(zip(NAMES, params, strict=True)), z @ beta_p, z @ beta_d
        ),
        arrays["frequency"],
        arrays["recency"],
        arrays["T"],
    )
    np.testing.assert_allclose(ll, static, rtol=0, atol=1e-8)


@pytest.mark.parametrize("params", PARAMS)
def test_gradient_is_the_derivative_of_the_likelihood(params):
    arrays, rng = _paths(n=80)
    arrays["purchase_sums"] = rng.normal(size=(80, 3))
    theta = np.concatenate([params, [0.3, -0.5, 1.0], [-0.7, 0.2, 0.4]])
    assert_gradient(dynamic.log_likelihood_terms, theta, arrays, 3)


def _conditional(lam, mu, a, b, widths, x, t_x, sums):
    """The likelihood given lambda and mu, elementary per period (no mixing)."""
    big_a = big_b = u0 = died = 0.0
    for a_k, b_k, w_k in zip(a, b, widths, strict=True):
        u1 = u0 + w_k
        lo = max(u0, t_x)
        if u1 > lo:
            a0, b0 = big_a + a_k * (lo - u0), big_b + b_k * (lo - u0)
            k = lam * a_k + mu * b_k
            died += mu * b_k * math.exp(-lam * a0 - mu * b0) * -math.expm1(-k * (u1 - lo)) / k
        big_a, big_b, u0 = big_a + a_k * w_k, big_b + b_k * w_k, u1
    return lam**x * math.exp(sums) * (math.exp(-lam * big_a - mu * big_b) + died)


@pytest.mark.parametrize("x,t_x", [(0, 0.0), (2, 1.9), (3, 3.1)])
def test_likelihood_matches_a_numerical_integral_over_the_mixing(x, t_x):
    r, alpha, s, beta = 0.7, 4.0, 0.9, 8.0
    a, b = [1.5, 0.6, 2.0, 1.0], [0.5, 2.5, 1.0, 1.3]
    widths = [0.4, 1.0, 1.0, 0.7]  # her first period began 0.6 before her birth
    sums = 0.3 * x

    log_norm = r * math.log(alpha) - math.lgamma(r) + s * math.log(beta) - math.lgamma(s)

    def integrand(mu, lam):
        if lam <= 0.0 or mu <= 0.0:
            return 0.0
        log_density = (r - 1) * math.log(lam) - alpha * lam + (s - 1) * math.log(mu) - beta * mu
        return _conditional(lam, mu, a, b, widths, x, t_x, sums) * math.exp(log_density + log_norm)

    reference, _ = integrate.dblquad(integrand, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-10)
    arrays = {
        "frequency": np.array([float(x)]),
        "recency": np.array([t_x]),
        "T": np.array([sum(widths)]),
        "path_start": np.array([0]),
        "path_periods": np.array([4]),
        "path_offset": np.array([0.6]),
        "path_design": np.column_stack([np.log(a), np.log(b)]),
        "path_period": np.array([1.0]),
        "purchase_sums": np.array([[sums, 0.0]]),
    }
    ll, _, _ = dynamic.log_likelihood_terms(
        np.array([r, alpha, s, beta]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), arrays
    )
    assert ll[0] == pytest.approx(np.log(reference), abs=1e-9)


TRUTH, EFFECTS = PNBD_TRUTH, PNBD_EFFECTS


def test_known_effects_recovered_within_three_standard_errors():
    summary, frame, log = draw("pareto_nbd", 4000, TRUTH, EFFECTS, seed=11)
    model = clv.ParetoNBDModel(
        purchase_covariates=["season", "contact"], dropout_covariates=["contact", "gender"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    table = model.summary()
    expected = TRUTH | EFFECTS
    assert list(table.index) == list(expected)
    for name, value in expected.items():
        estimate, se = table.at[name, "estimate"], table.at[name, "std_error"]
        assert abs(estimate - value) < 3 * se, (name, estimate, se, value)
    assert table.at["purchase:season", "std_error"] < 0.05


def test_a_covariate_constant_over_time_fits_as_the_static_model():
    summary, frame, log = draw("pareto_nbd", 1500, TRUTH, {"dropout:gender": 0.4}, seed=5)
    static = summary.join(frame.groupby("customer_id")["gender"].first())
    settings = {"purchase_covariates": ["gender"], "dropout_covariates": ["gender"]}
    fixed = clv.ParetoNBDModel(**settings).fit(static)
    varying = clv.ParetoNBDModel(**settings).fit(
        summary, dynamic_covariates=frame, transactions=log
    )
    assert varying.log_likelihood_ == pytest.approx(fixed.log_likelihood_, abs=1e-6)
    for name, value in fixed.params_.items():
        assert varying.params_[name] == pytest.approx(value, rel=1e-4, abs=1e-5)
    # and so are its predictions at the same parameters (the fit's frame covers 8 weeks
    # after the end); the two optimisers stop a few 1e-6 apart, so the time-varying model
    # predicts here with the static fit's estimates
    varying.params_ = dict(fixed.params_)
    np.testing.assert_allclose(
        varying.probability_alive(summary), fixed.probability_alive(static), rtol=1e-9
    )
    np.testing.assert_allclose(
        varying.conditional_expected_purchases([2.5, 8.0], summary),
        fixed.conditional_expected_purchases([2.5, 8.0], static),
        rtol=1e-9,
    )
    # DERT over the 8 covered weeks: the static model's expected purchases, discounted
    # step by step (midpoint rule on 4000 steps)
    delta, grid = 0.01, np.linspace(0.0, 8.0, 4001)
    path = fixed.conditional_expected_purchases(grid[1:], static).to_numpy()
    steps = np.diff(np.column_stack([np.zeros(len(static)), path]), axis=1)
    reference = steps @ np.exp(-delta * (grid[1:] + grid[:-1]) / 2)
    dert = varying.discounted_expected_residual_transactions(delta, summary, horizon=8.0)
    np.testing.assert_allclose(dert, reference, rtol=1e-6)


def test_each_period_integral_matches_mpmath_over_the_rules():
    """The rules of PIECE_RULES and the split of wide pieces against 20-digit mpmath."""
    from clvmodels.models.pareto_nbd.dynamic.likelihood import piece, piece_rules

    mpmath.mp.dps = 20
    rules = piece_rules()
    rng = np.random.default_rng(2021)
    out = np.empty(6)
    for _ in range(24):
        p, q = 10 ** rng.uniform(-2, 3, 2)
        a, b = np.exp(rng.uniform(-3, 3, 2))
        m, n, d = 10 ** rng.uniform(-1.5, 2.5), 1 + 10 ** rng.uniform(-1.5, 1.5), rng.uniform(0, 1)
        mine = piece(p, a, q, b, d, m, n, *rules, out)

        def f(u, p=p, a=a, q=q, b=b, m=m, n=n):
            return b * (p + a * u) ** (-m) * (q + b * u) ** (-n)

        # a steep start: geometric edges towards 0
        edges = [0] + [d * mpmath.mpf(2) ** -j for j in range(24, -1, -1)]
        reference = float(mpmath.log(mpmath.quad(f, edges)))
        assert mine == pytest.approx(reference, abs=1e-9), (p, a, q, b, d, m, n)


def test_a_time_varying_fit_is_not_saved_as_a_static_model(tmp_path):
    """Its file is marked time-varying; loaded, it never predicts as a static model would
    (from summary columns): without a covariate frame it names what to pass."""
    summary, frame, log = draw("pareto_nbd", 300, TRUTH, {"dropout:gender": 0.4}, seed=8)
    model = clv.ParetoNBDModel(dropout_covariates=["gender"]).fit(summary, dynamic_covariates=frame)
    model.save(tmp_path / "model.json")
    document = json.loads((tmp_path / "model.json").read_text())
    assert document["covariates"]["time_varying"]["columns"] == ["gender"]
    loaded = clv.ParetoNBDModel.load(tmp_path / "model.json")
    static = summary.join(frame.groupby("customer_id")[["gender"]].first())
    with pytest.raises(ValueError, match="pass dynamic_covariates=frame"):
        loaded.conditional_expected_purchases(2.0, static)
