"""MBG/NBD: CDNOW estimates, lifetimes as an independent implementation, brute-force sums.

Sources: Batislam, Denizel & Filiztekin (2007), IJRM 24(3), and the CDNOW estimates that
``lifetimes`` (``test_estimation.py``, ``TestModifiedBetaGammaFitter``) and
``pymc-marketing`` (``tests/clv/models/test_modified_beta_geo.py``) check:
r = 0.525, alpha = 6.183, a = 0.891, b = 1.614 on the 2,357-customer cohort in weeks.
"""

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import clvmodels as clv
from clvmodels.models import modified_beta_geo

CDNOW = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}


@pytest.fixture(scope="module")
def mbg_cdnow(cdnow_summary):
    return clv.ModifiedBetaGeoModel().fit(cdnow_summary)


def test_cdnow_estimates_match_the_published_values(mbg_cdnow):
    """Batislam et al. (2007) via lifetimes' and pymc-marketing's CDNOW tests."""
    for name, value in CDNOW.items():
        assert mbg_cdnow.params_[name] == pytest.approx(value, abs=1e-3), name


def reference_log_likelihood(p, x, t_x, T):
    """Batislam et al. (2007) eq. 4, literally, at 40 digits."""
    with mp.workdps(40):
        r, alpha, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
        x, t_x, T = mp.mpf(x), mp.mpf(t_x), mp.mpf(T)
        head = mp.gamma(r + x) * alpha**r / mp.gamma(r) * mp.beta(a, b + x + 1) / mp.beta(a, b)
        bracket = (alpha + T) ** -(r + x) + a / (b + x) * (alpha + t_x) ** -(r + x)
        return float(mp.log(head * bracket))


@pytest.mark.parametrize(
    ("p", "x", "t_x", "T"),
    [
        (CDNOW, 0, 0.0, 38.0),
        (CDNOW, 26, 30.86, 31.0),
        (CDNOW, 1000, 4000.0, 5000.0),
        ({"r": 1e-4, "alpha": 1e4, "a": 1e4, "b": 1e-4}, 700, 3.0, 4000.0),
        ({"r": 1e4, "alpha": 1e-4, "a": 1e-4, "b": 1e4}, 3, 0.5, 10.0),
    ],
)
def test_log_likelihood_matches_mpmath(p, x, t_x, T):
    ours = modified_beta_geo.log_likelihood(p, x, t_x, T)
    assert ours == pytest.approx(reference_log_likelihood(p, x, t_x, T), rel=1e-11)


def test_agrees_with_lifetimes_on_cdnow(mbg_cdnow, cdnow_summary):
    lifetimes = pytest.importorskip("lifetimes")
    other = lifetimes.ModifiedBetaGeoFitter()
    other.params_ = pd.Series(mbg_cdnow.params_)
    x, t_x, T = (cdnow_summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(
        mbg_cdnow.probability_alive(cdnow_summary),
        other.conditional_probability_alive(x, t_x, T),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        mbg_cdnow.conditional_expected_purchases(10.0, cdnow_summary),
        other.conditional_expected_number_of_purchases_up_to_time(10.0, x, t_x, T),
        rtol=1e-9,
    )
    t = np.arange(1.0, 40.0)
    np.testing.assert_allclose(
        mbg_cdnow.expected_purchases(t), other.expected_number_of_purchases_up_to_time(t), rtol=1e-9
    )


@pytest.mark.parametrize(
    "p",
    [
        CDNOW,
        {"r": 2.0, "alpha": 3.0, "a": 1.0, "b": 2.5},
        {"r": 0.3, "alpha": 1.0, "a": 4.0, "b": 0.2},
    ],
)
def test_expected_purchases_is_the_brute_force_sum(p):
    """E[X(t)] = sum_n P(N(t) >= n) E[(1-p)^n]: alive after the trial purchase's coin flip."""
    t = 7.0
    n = np.arange(1, 20_000)
    survive = np.exp(special.betaln(p["a"], p["b"] + n) - special.betaln(p["a"], p["b"]))
    brute = (stats.nbinom.sf(n - 1, p["r"], p["alpha"] / (p["alpha"] + t)) * survive).sum()
    assert modified_beta_geo.expected_purchases(p, t) == pytest.approx(brute, rel=1e-9)
    # a new customer is a customer with x = t_x = T = 0
    assert modified_beta_geo.conditional_expected_purchases(p, t, 0, 0.0, 0.0) == pytest.approx(
        brute, rel=1e-9
    )


def test_probability_of_purchases_is_a_distribution_with_mean_e_x():
    n = np.arange(0, 5000)
    probs = modified_beta_geo.probability_of_purchases(CDNOW, 30.0, n)
    assert probs.sum() == pytest.approx(1.0, abs=1e-10)
    assert (n * probs).sum() == pytest.approx(
        modified_beta_geo.expected_purchases(CDNOW, 30.0), rel=1e-9
    )
    assert modified_beta_geo.probability_of_purchases(CDNOW, 0.0, 0) == pytest.approx(
        1.0, abs=1e-15
    )
    # with time, X = 0 only for those who dropped out right after the trial: a / (a + b)
    never = modified_beta_geo.probability_of_purchases(CDNOW, 1e30, 0)
    assert never == pytest.approx(0.891 / (0.891 + 1.614), rel=1e-12)


def test_non_repeaters_are_not_all_alive():
    """The difference from the BG/NBD: P(alive | x = 0) = 1 / (1 + a / b (1 + T / alpha)^r)."""
    p = modified_beta_geo.probability_alive(CDNOW, 0, 0.0, 38.0)
    assert p == pytest.approx(1.0 / (1.0 + 0.891 / 1.614 * (1 + 38.0 / 6.183) ** 0.525), rel=1e-13)
    assert p < 0.6


@pytest.mark.parametrize("p", [[0.525, 6.183, 0.891, 1.614], [1e-3, 1e3, 50.0, 1e-2]])
def test_gradient_is_the_derivative_of_log_likelihood(p):
    p = np.array(p)
    x = np.array([0.0, 1.0, 26.0, 1000.0])
    t_x = np.array([0.0, 2.0, 30.86, 4000.0])
    T = np.array([5.0, 30.0, 31.0, 5000.0])
    ll, grad = modified_beta_geo._loglik_grad(p, {"frequency": x, "recency": t_x, "T": T})
    named = dict(zip(modified_beta_geo.PARAM_NAMES, p, strict=True))
    np.testing.assert_allclose(ll, modified_beta_geo.log_likelihood(named, x, t_x, T), rtol=1e-14)
    for j, name in enumerate(modified_beta_geo.PARAM_NAMES):
        h = 1e-5 * p[j]
        up = modified_beta_geo.log_likelihood(named | {name: p[j] + h}, x, t_x, T)
        down = modified_beta_geo.log_likelihood(named | {name: p[j] - h}, x, t_x, T)
        np.testing.assert_allclose(grad[j], (up - down) / (2 * h), rtol=1e-6, atol=1e-6)


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="MBG/NBD parameter 'a' must be finite and > 0"):
        modified_beta_geo.probability_alive(CDNOW | {"a": np.nan}, 1, 1.0, 2.0)
