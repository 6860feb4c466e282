"""Checks after sampling: divergences, r_hat and bulk ESS give warnings saying what to try."""

import arviz as az
import numpy as np
import pytest

from clvmodels.bayes import BayesianBetaGeoModel
from clvmodels.bayes.intervals import hdi


def _fitted_with(posterior, diverging):
    model = BayesianBetaGeoModel()
    model.idata_ = az.from_dict({"posterior": posterior, "sample_stats": {"diverging": diverging}})
    model.method_ = "nuts"
    return model


def test_good_draws_raise_nothing():
    rng = np.random.default_rng(1)
    posterior = {n: rng.lognormal(size=(4, 1000)) for n in ["r", "alpha", "a", "b"]}
    model = _fitted_with(posterior, np.zeros((4, 1000), bool))
    assert model.diagnostics_messages() == []


def test_disagreeing_chains_few_draws_and_divergences_are_named():
    rng = np.random.default_rng(2)
    posterior = {n: rng.lognormal(size=(2, 100)) for n in ["r", "alpha", "a", "b"]}
    posterior["b"] = posterior["b"] + np.array([[0.0], [5.0]])  # chain 2 elsewhere
    diverging = np.zeros((2, 100), bool)
    diverging[0, :3] = True
    messages = _fitted_with(posterior, diverging).diagnostics_messages()
    assert any("3 divergent transitions" in m and "target_accept" in m for m in messages)
    assert any("r_hat > 1.01" in m and "'b'" in m for m in messages)
    assert any("bulk ESS < 400" in m and "Increase draws" in m for m in messages)


def test_hdi_is_the_narrowest_interval():
    # for a right-skewed sample the HDI sits left of the equal-tailed interval
    draws = np.random.default_rng(3).exponential(size=100_000)
    lower, upper = hdi(draws, 0.9)
    assert lower == pytest.approx(0.0, abs=1e-3)
    assert upper == pytest.approx(-np.log(0.1), rel=0.02)  # the exponential's 90 % HDI
    np.testing.assert_array_equal(hdi(np.arange(10.0), 0.5), [0.0, 5.0])  # 6 draws, as arviz
