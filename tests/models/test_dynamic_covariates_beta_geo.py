"""BG/NBD with time-varying covariates (the analogue in models/beta_geo/dynamic.py).

References: the plain BG/NBD at zero effects (to 1e-10); an independent two-dimensional
numerical integration (scipy ``dblquad``) of the conditional likelihood over the gamma
mixing of lambda and the beta mixing of p; central finite differences for the gradient;
simulated customers with known effects (Wald bands).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import clvmodels as clv
from clvmodels.data.dynamic_covariates import covariate_paths
from clvmodels.estimation.dynamic_covariates import path_arrays
from clvmodels.models.beta_geo import dynamic
from clvmodels.models.beta_geo import math as bg_math
from tests.models.dynamic_draws import assert_gradient, draw

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
    with pytest.raises(NotImplementedError, match="P\\(alive\\) only"):
        model.conditional_expected_purchases(4.0, summary)
