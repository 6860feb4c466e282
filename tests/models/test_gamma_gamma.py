"""Gamma-Gamma against Fader, Hardie & Lee (2005, JMR) and lifetimes."""

import numpy as np
import pytest
from lifetimes import GammaGammaFitter
from scipy import optimize

import clvmodels as clv
from clvmodels.models import gamma_gamma


def test_reproduces_published_estimates(gamma_gamma_cdnow):
    # Fader, Hardie & Lee (2005), "RFM and CLV", 946 repeat buyers: p = 6.25, q = 3.74,
    # gamma = 15.44.
    assert gamma_gamma_cdnow.params_["p"] == pytest.approx(6.25, abs=5e-3)
    assert gamma_gamma_cdnow.params_["q"] == pytest.approx(3.74, abs=5e-3)
    assert gamma_gamma_cdnow.params_["v"] == pytest.approx(15.44, abs=1e-2)
    assert gamma_gamma_cdnow.n_customers_ == 946


@pytest.fixture(scope="module")
def lifetimes_fit(cdnow_summary):
    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    return GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])


def test_agrees_with_lifetimes(gamma_gamma_cdnow, lifetimes_fit, cdnow_summary):
    ours = gamma_gamma_cdnow
    np.testing.assert_allclose(
        list(ours.params_.values()), lifetimes_fit.params_.to_numpy(), rtol=1e-4
    )
    np.testing.assert_allclose(
        ours.summary()["std_error"], lifetimes_fit.summary["se(coef)"], rtol=1e-3
    )
    theirs = GammaGammaFitter()
    theirs.params_ = lifetimes_fit.params_.copy()
    theirs.params_[:] = list(ours.params_.values())
    np.testing.assert_allclose(
        ours.expected_spend(cdnow_summary),
        theirs.conditional_expected_average_profit(
            cdnow_summary["frequency"], cdnow_summary["monetary_value"]
        ),
        rtol=1e-12,
    )


def test_penalizer_agrees_with_lifetimes(cdnow_summary):
    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    theirs = GammaGammaFitter(penalizer_coef=0.1).fit(repeat["frequency"], repeat["monetary_value"])
    ours = clv.GammaGammaModel(penalizer_coef=0.1).fit(cdnow_summary)
    np.testing.assert_allclose(list(ours.params_.values()), theirs.params_.to_numpy(), rtol=1e-4)


def test_expected_spend_shrinks_towards_the_population_mean(gamma_gamma_cdnow):
    p, q, v = (gamma_gamma_cdnow.params_[k] for k in "pqv")
    population = p * v / (q - 1)
    assert gamma_gamma_cdnow.population_mean_spend_ == pytest.approx(population)
    x = np.array([0, 1, 10, 1000])
    spend = gamma_gamma.expected_spend(gamma_gamma_cdnow.params_, x, np.full(4, 100.0))
    assert spend[0] == pytest.approx(population)
    assert np.all(np.diff(spend) > 0) and spend[-1] == pytest.approx(100.0, rel=1e-2)


def test_gradient_matches_finite_differences(cdnow_summary):
    stats = clv.GammaGammaModel()._sufficient_statistics(cdnow_summary, None)
    point = np.array([3.0, 5.0, 20.0])
    numeric = optimize.approx_fprime(
        point, lambda p: np.dot(stats.weights, gamma_gamma._loglik_grad(p, stats.arrays)[0]), 1e-7
    )
    exact = gamma_gamma._loglik_grad(point, stats.arrays)[1] @ stats.weights
    np.testing.assert_allclose(exact, numeric, rtol=1e-5)


def test_extreme_frequencies_are_finite():
    params = {"p": 6.25, "q": 3.74, "v": 15.44}
    x = np.array([1.0, 300.0, 5000.0])
    m = np.array([1e-3, 50.0, 1e6])
    assert np.all(np.isfinite(gamma_gamma.log_likelihood(params, x, m)))
    assert np.all(np.isfinite(gamma_gamma.expected_spend(params, x, m)))


def test_mean_spend_needs_q_above_one():
    with pytest.raises(ValueError, match="q > 1"):
        gamma_gamma.expected_spend({"p": 1.0, "q": 0.9, "v": 1.0}, 2, 10.0)


def test_fitting_terms_equal_the_published_log_likelihood(cdnow_summary):
    # The estimator's grouped-by-x evaluation against the plain eq. 1a, row by row.
    stats = clv.GammaGammaModel()._sufficient_statistics(cdnow_summary, None)
    params = np.array([3.0, 5.0, 20.0])
    grouped = gamma_gamma._loglik_grad(params, stats.arrays)[0]
    plain = gamma_gamma.log_likelihood(
        dict(zip("pqv", params, strict=True)),
        stats.columns["frequency"],
        stats.columns["monetary_value"],
    )
    np.testing.assert_allclose(grouped, plain, rtol=1e-12)
