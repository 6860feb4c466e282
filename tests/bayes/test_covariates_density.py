"""The compiled posterior of a model with covariates is the PyMC model's (bayes/density.py).

The likelihood block is checked against the models' numpy functions at each customer's
parameters (an evaluation that shares no code with the compiled kernels) and its gradient
against finite differences; the prior block against PyMC's own log-density and gradient of
the Normal and HalfNormal priors, with the log-transform's Jacobian.
"""

from __future__ import annotations

import numpy as np
import pytest

from clvmodels.bayes import BayesianBetaGeoModel, BayesianParetoNBDModel
from clvmodels.estimation.covariate_priors import CoefficientPrior
from clvmodels.estimation.density import log_posterior
from clvmodels.models.beta_geo import math as beta_geo_math
from clvmodels.models.pareto_nbd import math as pareto_nbd_math
from tests.models.covariate_draws import TRUE_EFFECTS, beta_geo_customers, pareto_nbd_customers

KEYWORDS = dict(
    purchase_covariates=["gender", "channel"],
    dropout_covariates=["gender", "channel"],
    equal_effects=["gender"],
)
CASES = [
    (BayesianBetaGeoModel, beta_geo_math, beta_geo_customers, [0.3, 5.0, 0.9, 2.0]),
    (BayesianParetoNBDModel, pareto_nbd_math, pareto_nbd_customers, [0.6, 8.0, 0.8, 12.0]),
]


def _summary(draw):
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5, "s": 0.8, "beta": 12.0}
    return draw(300, truth, TRUE_EFFECTS, seed=4)


@pytest.mark.parametrize("cls,math,draw,base", CASES, ids=["beta_geo", "pareto_nbd"])
def test_the_covariate_likelihood_is_the_math_at_each_customers_parameters(cls, math, draw, base):
    summary = _summary(draw)
    model = cls(**KEYWORDS)
    stats = model._statistics(summary)
    names = model.param_names[4:]
    assert names == (
        "purchase:channel[online]",
        "purchase:channel[store]",
        "dropout:channel[online]",
        "dropout:channel[store]",
        "both:gender",
    )
    gamma = np.array([-0.4, 0.3, 1.5, -2.0, 0.7])
    function = model._log_likelihood_function(stats)
    value, gradient = function(np.concatenate([base, gamma]))
    online = (summary["channel"] == "online").to_numpy(float)
    store = (summary["channel"] == "store").to_numpy(float)
    gender = summary["gender"].to_numpy(float)
    eta_p = gamma[0] * online + gamma[1] * store + gamma[4] * gender
    eta_d = gamma[2] * online + gamma[3] * store + gamma[4] * gender
    own = math.customer_parameters(dict(zip(cls.param_names, base, strict=True)), eta_p, eta_d)
    x, t_x, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    each = [
        math.log_likelihood({k: np.broadcast_to(v, x.shape)[i] for k, v in own.items()}, *row)
        for i, row in enumerate(zip(x, t_x, T, strict=True))
    ]
    assert value == pytest.approx(np.sum(each), rel=1e-10)
    point = np.concatenate([base, gamma])
    for j in range(len(point)):
        step = 1e-6 * max(1.0, abs(point[j]))
        up, down = point.copy(), point.copy()
        up[j] += step
        down[j] -= step
        numeric = (function(up)[0] - function(down)[0]) / (2 * step)
        assert gradient[j] == pytest.approx(numeric, rel=1e-5, abs=1e-5), j


def _pymc_density(model):
    logp, dlogp = model.compile_logp(), model.compile_dlogp()
    names = [v.name for v in model.value_vars]

    def evaluate(point):
        return logp(point), dlogp(point)

    return names, evaluate


@pytest.mark.parametrize(
    "prior", [CoefficientPrior(), CoefficientPrior(scale=2.5, hierarchical=False)]
)
def test_the_compiled_posterior_is_the_pymc_models(prior):
    summary = _summary(beta_geo_customers)
    summary["spend"] = np.random.default_rng(3).gamma(2.0, 30.0, len(summary))  # numeric
    keywords = dict(KEYWORDS, purchase_covariates=["gender", "channel", "spend"])
    bayes = BayesianBetaGeoModel(**keywords, coefficient_prior=prior)
    stats = bayes._statistics(summary)
    block = bayes.coefficient_block_
    assert block.scale_names == (
        ("tau_purchase", "tau_dropout", "tau_both") if prior.hierarchical else ()
    )
    # a numeric column's prior speaks of two standard deviations of it
    spend = list(block.names).index("purchase:spend")
    assert block.factors[spend] == pytest.approx(1 / (2 * summary["spend"].std(ddof=0)))
    priors = [bayes.priors_for(stats)[name] for name in BayesianBetaGeoModel.param_names]
    ours = log_posterior(
        bayes._log_likelihood_function(stats),
        [p.mu for p in priors],
        [p.sigma for p in priors],
        block,
    )
    names, reference = _pymc_density(bayes.build_model(summary))
    # the compiled order: log-parameters, coefficients, log scales
    order = [f"log_{n}" for n in BayesianBetaGeoModel.param_names] + list(block.names)
    order += [f"{n}_log__" for n in block.scale_names]
    assert sorted(names) == sorted(order)
    rng = np.random.default_rng(8)
    for _ in range(4):
        theta = np.concatenate(
            [
                np.log([0.3, 5.0, 0.9, 2.0]) + rng.normal(0, 0.5, 4),
                rng.normal(0, 0.3, len(block.names)) * block.factors,
                rng.normal(-1.0, 1.0, len(block.scale_names)),
            ]
        )
        point = dict(zip(order, theta, strict=True))
        value, gradient = ours(theta)
        expected, expected_gradient = reference(point)
        assert value == pytest.approx(float(expected), rel=1e-10)
        by_name = dict(zip(names, expected_gradient, strict=True))
        np.testing.assert_allclose(
            gradient, [by_name[n] for n in order], rtol=1e-8, atol=1e-8 * np.abs(gradient).max()
        )
