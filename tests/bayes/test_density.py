"""The compiled posterior nutpie samples is the PyMC model's posterior (bayes/density.py).

The reference is PyTensor's log-density and automatic gradient of the model that
``build_model`` returns, an independent evaluation of the same posterior.
"""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.bayes import (
    BayesianBetaGeoModel,
    BayesianGammaGammaModel,
    BayesianParetoNBDModel,
)
from clvmodels.bayes.density import log_posterior, nutpie_model

BOX = (1e-2, 1.0, 1e3)


@pytest.fixture(scope="module")
def edge_summary(cdnow_summary):
    """CDNOW plus histories from the edges of the box: many purchases, long and short lives."""
    extra = pd.DataFrame(
        {
            "frequency": [0.0, 1.0, 1000.0, 1000.0, 0.0],
            "recency": [0.0, 1e-3, 5000.0, 1.0, 0.0],
            "T": [5000.0, 5000.0, 5000.0, 5000.0, 1e-3],
        }
    )
    columns = ["frequency", "recency", "T"]
    return pd.concat([cdnow_summary[columns], extra], ignore_index=True)


def _pymc_density(model):
    """PyTensor's log-density and gradient of a PyMC model, in log-parameter order."""
    logp, dlogp = model.compile_logp(), model.compile_dlogp()
    names = [v.name for v in model.value_vars]

    def evaluate(theta):
        point = dict(zip(names, theta, strict=True))
        return logp(point), dlogp(point)

    return names, evaluate


def _check_against_pymc(bayes, data, points, gradient_tolerance):
    """The compiled posterior and its gradient equal the PyMC model's at ``points``."""
    stats = bayes._statistics(data)
    names, reference = _pymc_density(bayes.build_model(data))
    assert names == [f"log_{name}" for name in bayes.param_names]
    priors = [bayes.priors_for(stats)[name] for name in bayes.param_names]
    ours = log_posterior(
        bayes._log_likelihood_function(stats),
        [prior.mu for prior in priors],
        [prior.sigma for prior in priors],
    )
    for theta in points:
        value, gradient = ours(theta)
        expected_value, expected_gradient = reference(theta)
        assert value == pytest.approx(expected_value, rel=1e-10), theta
        scale = np.abs(expected_gradient).max()
        np.testing.assert_allclose(
            gradient, expected_gradient, atol=gradient_tolerance * scale, err_msg=theta
        )


def test_bgnbd_density_and_gradient_are_the_pymc_models(edge_summary):
    points = [np.log([0.243, 4.414, 0.793, 2.426])]
    points += [np.log(corner) for corner in itertools.product(BOX, repeat=4)]
    bayes = BayesianBetaGeoModel(priors={"b": (0.5, 1.5)})
    _check_against_pymc(bayes, edge_summary, points, 1e-9)


def test_pareto_nbd_density_and_gradient_are_the_pymc_models(edge_summary):
    # the PyMC graph of the quadrature is slow to compile: every 7th row
    points = [np.log([0.55, 10.58, 0.61, 11.67])]
    points += [np.log(corner) for corner in itertools.product((1e-2, 1.0, 1e2), repeat=4)]
    _check_against_pymc(BayesianParetoNBDModel(), edge_summary.iloc[::7], points, 1e-8)


def test_gamma_gamma_density_and_gradient_are_the_pymc_models(cdnow_summary):
    extra = pd.DataFrame(
        {"frequency": [1.0, 1000.0, 3.0], "monetary_value": [1e-3, 1e4, 1e6], "T": 1.0}
    )
    data = pd.concat([cdnow_summary, extra], ignore_index=True).fillna(0.0)
    points = [np.log([6.25, 3.74, 15.44])]
    points += [np.log(corner) for corner in itertools.product((1e-2, 1.0, 1e3), repeat=3)]
    _check_against_pymc(BayesianGammaGammaModel(), data, points, 1e-9)


def test_a_likelihood_that_is_not_finite_gives_minus_infinity():
    def broken(params):
        return np.nan, np.zeros_like(params)

    value, gradient = log_posterior(broken, [0.0, 0.0], [1.0, 1.0])(np.zeros(2))
    assert value == -np.inf
    assert np.all(gradient == 0.0)


def test_with_a_flat_likelihood_nutpie_draws_the_prior():
    nutpie = pytest.importorskip("nutpie")

    def flat(params):
        return 0.0, np.zeros_like(params)

    model = nutpie_model(flat, ("r", "s"), [0.0, 2.0], [1.0, 0.5])
    draws = nutpie.sample(model, draws=1000, tune=500, chains=2, seed=1, progress_bar=False)
    posterior = draws["posterior"]
    assert set(posterior.data_vars) == {"log_r", "log_s", "r", "s"}  # as the PyMC model's
    # 2,000 draws: Monte Carlo error of the mean ~ sd / 40 (ESS ~ 1,500 or more)
    for name, mu, sigma in [("log_r", 0.0, 1.0), ("log_s", 2.0, 0.5)]:
        values = posterior[name].values
        assert values.mean() == pytest.approx(mu, abs=0.15 * sigma), name
        assert values.std() == pytest.approx(sigma, rel=0.1), name
    np.testing.assert_allclose(posterior["s"].values, np.exp(posterior["log_s"].values))


def test_bgnbd_nutpie_fit_samples_the_compiled_likelihood(cdnow_summary):
    pytest.importorskip("nutpie")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)
        fit = BayesianBetaGeoModel().fit(
            cdnow_summary.iloc[:300], draws=200, tune=200, chains=2, cores=1, random_seed=3
        )
    posterior = fit.idata["posterior"]
    assert fit.sampler_ == "nutpie"
    assert posterior.attrs["compile_time"] < 1.0  # nothing for nutpie to compile
    np.testing.assert_allclose(posterior["r"].values, np.exp(posterior["log_r"].values))
