"""BG/NBD with time-varying covariates (the analogue in models/beta_geo/dynamic.py).

References: the plain BG/NBD at zero effects (to 1e-10); an independent two-dimensional
numerical integration (scipy ``dblquad``) of the conditional likelihood over the gamma
mixing of lambda and the beta mixing of p; central finite differences for the gradient;
simulated customers with known effects (Wald bands).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import clvmodels as clv
from clvmodels.data.dynamic_covariates import covariate_paths
from clvmodels.estimation.dynamic_covariates import path_arrays
from clvmodels.models.beta_geo import dynamic
from clvmodels.models.beta_geo import math as bg_math
from tests.models.dynamic_draws import ORIGIN, assert_gradient, draw

TRUTH = {"r": 0.8, "alpha": 6.0, "a": 0.8, "b": 2.5}
EFFECTS = {
    "purchase:season": 0.5,
    "purchase:contact": 0.4,
    "dropout:contact": 0.6,
    "dropout:gender": -0.5,
}
COLUMNS = ["season", "contact", "gender"]


@pytest.fixture(scope="module")
def drawn():
    summary, frame, log = draw("beta_geo", 600, TRUTH, EFFECTS, seed=3)
    paths = covariate_paths(summary, frame, COLUMNS, transactions=log)
    arrays = path_arrays(paths, summary).arrays | {"purchase_sums": paths.purchase_sums()}
    return summary, arrays


def test_zero_effects_are_the_plain_model(drawn):
    summary, arrays = drawn
    params = np.array(list(TRUTH.values()))
    ll, _, _ = dynamic.log_likelihood_terms(params, np.zeros(3), np.zeros(3), arrays)
    plain = bg_math.log_likelihood(TRUTH, summary["frequency"], summary["recency"], summary["T"])
    np.testing.assert_allclose(ll, plain, rtol=0, atol=1e-10)


def test_gradient_is_the_derivative_of_the_likelihood(drawn):
    _, arrays = drawn
    theta = np.array([0.8, 6.0, 0.8, 2.5, 0.5, 0.4, 0.1, 0.2, 0.6, -0.5])
    assert_gradient(dynamic.log_likelihood_terms, theta, arrays, 3)


@pytest.mark.parametrize("x,t_x", [(0, 0.0), (1, 1.2), (3, 2.5)])
def test_likelihood_matches_a_numerical_integral_over_the_mixing(x, t_x):
    r, alpha, a, b = 0.7, 4.0, 0.9, 2.2
    rates, widths = [1.5, 0.6, 2.0, 1.0], [0.4, 1.0, 1.0, 0.7]  # per period (from birth)
    chances = [0.7, 1.8, 0.5][:x]  # e^(gamma_D' x) at each repeat purchase
    sums = 0.3 * x

    def exposure(t):
        total, u0 = 0.0, 0.0
        for rate, width in zip(rates, widths, strict=True):
            total += rate * max(0.0, min(width, t - u0))
            u0 += width
        return total

    big_c = sum(chances)
    log_norm = r * math.log(alpha) - math.lgamma(r) - math.lgamma(a) - math.lgamma(b)
    log_norm += math.lgamma(a + b)

    def integrand(p, lam):
        if lam <= 0.0 or not 0.0 < p < 1.0:
            return 0.0
        alive = math.exp(-lam * exposure(sum(widths))) * (1 - p) ** big_c
        died = 0.0
        if x:
            died = math.exp(-lam * exposure(t_x)) * (1 - p) ** (big_c - chances[-1])
            died *= 1 - (1 - p) ** chances[-1]
        density = math.exp(
            (r - 1) * math.log(lam)
            - alpha * lam
            + (a - 1) * math.log(p)
            + (b - 1) * math.log1p(-p)
            + log_norm
        )
        return lam**x * math.exp(sums) * (alive + died) * density

    reference, _ = integrate.dblquad(integrand, 0, np.inf, 0, 1, epsabs=0, epsrel=1e-10)
    arrays = {
        "frequency": np.array([float(x)]),
        "recency": np.array([t_x]),
        "T": np.array([sum(widths)]),
        "path_start": np.array([0]),
        "path_periods": np.array([4]),
        "path_offset": np.array([0.6]),
        "path_design": np.column_stack([np.log(rates), np.zeros(4)]),
        "path_period": np.array([1.0]),
        "purchase_from": np.array([0.0]),
        "purchase_period": np.array([0.0, 1.0, 2.0])[:x],
        "purchase_sums": np.array([[sums, 0.0]]),
    }
    # the dropout chances sit in the second design column at the purchases' periods
    arrays["path_design"][:3, 1] = np.log([0.7, 1.8, 0.5])
    ll, _, _ = dynamic.log_likelihood_terms(
        np.array([r, alpha, a, b]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), arrays
    )
    assert ll[0] == pytest.approx(math.log(reference), abs=1e-8)


def test_known_effects_recovered_within_three_standard_errors():
    summary, frame, log = draw("beta_geo", 4000, TRUTH, EFFECTS, seed=17)
    model = clv.BetaGeoModel(
        purchase_covariates=["season", "contact"], dropout_covariates=["contact", "gender"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    table = model.summary()
    for name, value in (TRUTH | EFFECTS).items():
        estimate, se = table.at[name, "estimate"], table.at[name, "std_error"]
        assert abs(estimate - value) < 3 * se, (name, estimate, se, value)
    assert table.at["dropout:contact", "std_error"] < 0.1
    p_alive = model.probability_alive(summary)
    assert p_alive.between(0, 1).all() and p_alive.index.equals(summary.index)
    expected = model.conditional_expected_purchases([2.0, 4.0], summary)
    assert np.isfinite(expected.to_numpy()).all() and (expected[4.0] >= expected[2.0]).all()


def test_zero_effects_predict_the_plain_models_expected_purchases():
    summary, frame, log = draw("beta_geo", 600, TRUTH, EFFECTS, seed=3)
    paths = covariate_paths(summary, frame, COLUMNS, transactions=log, horizon=8.0)
    arrays = path_arrays(paths, summary).arrays
    params = np.array(list(TRUTH.values()))
    got = dynamic.conditional_expected_purchases(
        params, np.zeros(3), np.zeros(3), arrays, [4.0, 1.0, 8.0]
    )
    for row, t in zip(got, (4.0, 1.0, 8.0), strict=True):
        plain = bg_math.conditional_expected_purchases(
            TRUTH, t, summary["frequency"], summary["recency"], summary["T"]
        )
        np.testing.assert_allclose(row, plain, rtol=1e-10)


def test_expected_purchases_match_a_numerical_integral_over_lambda_and_p():
    # Alive at T with x = 2, C_x = 2.5: lambda ~ Gamma(r + x, alpha + A(T)), p ~ Beta(a, b +
    # C_x). Given both, a period of width w (multiplier g, dropout weight c) adds
    # (e^{-lam Phi} - e^{-lam (Phi + g s w)}) / s, s = 1 - (1 - p)^c: integrated by dblquad.
    r, alpha, a, b, x, big_c = 0.7, 4.0, 0.9, 2.2, 2, 2.5
    exposure_T = 3.1
    # T = 5 on a grid of unit periods, horizon 2.3: future periods 5, 6, 7 of widths 1, 1, 0.3
    rates, chances, widths = [1.5, 0.6, 2.0], [0.7, 1.8, 0.5], [1.0, 1.0, 0.3]
    m, scale, b_post = r + x, alpha + exposure_T, b + big_c

    def given(lam, p):
        total, phi = 0.0, 0.0
        for g, c, w in zip(rates, chances, widths, strict=True):
            s = 1.0 - (1.0 - p) ** c
            total += (math.exp(-lam * phi) - math.exp(-lam * (phi + g * s * w))) / s
            phi += g * s * w
        return total

    def integrand(p, lam):
        if lam <= 0.0 or not 0.0 < p < 1.0:
            return 0.0
        log_density = (
            m * math.log(scale) - math.lgamma(m) + (m - 1) * math.log(lam) - scale * lam
            + (a - 1) * math.log(p) + (b_post - 1) * math.log1p(-p)
            - (math.lgamma(a) + math.lgamma(b_post) - math.lgamma(a + b_post))
        )  # fmt: skip
        return given(lam, p) * math.exp(log_density)

    nodes, weights = dynamic.posterior_p_nodes(a, np.array([b_post]))
    out = np.empty((1, 1))
    dynamic.future_purchases(
        np.array([m]), np.array([scale]), np.array([5.0]), np.array([0]), np.array([8]),
        np.array([0.0]), 1.0,
        np.array([1.0] * 5 + rates), np.array([1.0] * 5 + chances),
        np.array([2.3]), nodes, weights, out,
    )  # fmt: skip
    reference, _ = integrate.dblquad(integrand, 0, np.inf, 0, 1, epsabs=0, epsrel=1e-10)
    assert out[0, 0] == pytest.approx(reference, rel=1e-8)


def test_expected_purchases_match_simulated_holdouts():
    # The draw runs 60 weeks; the summary ends on day 363 (the log leaves out that day):
    # the holdout is days 364-420, (T + 1/7, T + 57/7] in weeks. At the true parameters
    # the predicted total is the expected total of the simulated counts.
    summary, frame, log = draw("beta_geo", 6000, TRUTH, EFFECTS, seed=5)
    paths = covariate_paths(summary, frame, COLUMNS, transactions=log, horizon=57 / 7)
    arrays = path_arrays(paths, summary).arrays
    params = np.array(list(TRUTH.values()))
    beta_p, beta_d = np.array([0.5, 0.4, 0.0]), np.array([0.0, 0.6, -0.5])
    both = dynamic.conditional_expected_purchases(params, beta_p, beta_d, arrays, [1 / 7, 57 / 7])
    predicted = both[1] - both[0]
    holdout = log[log["date"] >= ORIGIN + pd.Timedelta(days=364)]
    actual = holdout.groupby("customer_id").size().reindex(summary.index, fill_value=0)
    gap = actual.to_numpy() - predicted
    z = gap.sum() / (gap.std() * math.sqrt(len(gap)))
    assert abs(z) < 4, (predicted.sum(), actual.sum(), z)
