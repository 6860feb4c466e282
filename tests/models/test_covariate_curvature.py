"""Static covariates: the observed information, the optimum and the threaded row loops.

The fit's Hessian is assembled from each row's Hessian in its own log-parameters
(:func:`clvmodels.estimation.curvature.covariate_hessian`); here it is checked against
central finite differences of the objective's exact gradient over all parameters (an
independent path), and its standard errors against theirs. The optimum is checked against
scipy's BFGS run from the spec's start without the fit's sample starts or curvature, and
the threaded row loops against one thread.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

import clvmodels as clv
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.models.beta_geo import gradient as bg_gradient
from clvmodels.models.beta_geo import math as bg_math
from clvmodels.models.pareto_nbd import gradient as pnbd_gradient
from clvmodels.models.pareto_nbd import math as pnbd_math
from tests.models.covariate_draws import (
    TRUE_EFFECTS,
    beta_geo_customers,
    modified_beta_geo_customers,
    pareto_nbd_customers,
)

BG = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PNBD = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}
CASES = [
    (clv.BetaGeoModel, beta_geo_customers, BG),
    (clv.ParetoNBDModel, pareto_nbd_customers, PNBD),
    # the MBG/NBD shares the BG/NBD's parametrisation and so its declared shifts
    (clv.ModifiedBetaGeoModel, modified_beta_geo_customers, BG),
]
IDS = ["beta_geo", "pareto_nbd", "modified_beta_geo"]


def _summary(draw, truth, n=4000, seed=11):
    summary = draw(n, truth, TRUE_EFFECTS, seed=seed)
    # a continuous covariate without effect, on a scale of tens (large z'z entries)
    summary["age"] = np.random.default_rng(seed).integers(18, 81, len(summary)).astype(float)
    return summary


@pytest.mark.parametrize(
    "module,params", [(bg_math, BG), (pnbd_math, PNBD)], ids=["beta_geo", "pareto_nbd"]
)
def test_customer_parameters_are_log_linear_with_the_declared_shifts(module, params):
    rng = np.random.default_rng(3)
    eta_p, eta_d = rng.normal(0, 2, 50), rng.normal(0, 2, 50)
    mine = module.customer_parameters(params, eta_p, eta_d)
    for j, name in enumerate(module.PARAM_NAMES):
        expected = (
            module.CUSTOMER_LOG_SHIFTS["purchase"][j] * eta_p
            + module.CUSTOMER_LOG_SHIFTS["dropout"][j] * eta_d
        )
        np.testing.assert_allclose(
            np.log(np.broadcast_to(mine[name], eta_p.shape) / params[name]),
            expected,
            atol=1e-12,
        )


@pytest.mark.parametrize("cls,draw,truth", CASES, ids=IDS)
@pytest.mark.parametrize(
    "settings",
    [{}, {"equal_effects": ["gender"], "covariate_penalty": 0.01, "penalizer_coef": 0.001}],
    ids=["plain", "equal_penalised"],
)
def test_observed_information_matches_central_differences(cls, draw, truth, settings):
    summary = _summary(draw, truth)
    model = cls(
        purchase_covariates=["gender", "channel", "age"],
        dropout_covariates=["gender", "channel", "age"],
        **settings,
    ).fit(summary)
    stats = model._sufficient_statistics(summary, None)
    working = model._to_working(model._params_array())
    mine = model._hessian(working, stats)
    # central differences of the exact gradient in every parameter: 2 (4 + 13) gradients
    central = MaximumLikelihoodModel._hessian(model, working, stats)
    scale = np.sqrt(np.outer(np.diag(central), np.diag(central)))
    # forward differences per row: ~1e-5 relative (the O(step) error)
    assert np.max(np.abs(mine - central) / scale) < 1e-4
    se_mine = np.sqrt(np.diag(np.linalg.inv(mine)))
    se_central = np.sqrt(np.diag(np.linalg.inv(central)))
    np.testing.assert_allclose(se_mine, se_central, rtol=1e-4)
    # the fit's standard errors are these (log scale -> natural by the delta method)
    np.testing.assert_allclose(np.sqrt(np.diag(model.log_covariance_)), se_mine, rtol=1e-9)


@pytest.mark.parametrize("cls,draw,truth", CASES, ids=IDS)
def test_optimum_matches_plain_bfgs_from_the_spec_start(cls, draw, truth):
    summary = _summary(draw, truth, n=3000, seed=5)
    columns = ["gender", "channel", "age"]
    model = cls(purchase_covariates=columns, dropout_covariates=columns).fit(summary)
    stats = model._sufficient_statistics(summary, None)
    start = model._to_working(model._starting_values(stats)[-1])
    plain = optimize.minimize(
        model._objective, start, args=(stats,), jac=True, method="BFGS", options={"gtol": 1e-9}
    )
    reference = model._to_natural(plain.x)
    ll_reference = -plain.fun * stats.n_customers
    assert model.log_likelihood_ == pytest.approx(ll_reference, rel=1e-9)
    errors = np.sqrt(np.diag(model.covariance_))
    assert np.all(np.abs(model._params_array() - reference) < errors / 100)


@pytest.mark.parametrize("module", [bg_gradient, pnbd_gradient], ids=IDS[:2])
def test_threaded_row_loops_equal_one_thread(module, monkeypatch):
    rng = np.random.default_rng(8)
    n = 50_001
    x = rng.poisson(2.0, n).astype(float)
    T = rng.integers(10, 60, n).astype(float)
    t_x = np.where(x > 0, np.floor(T * rng.uniform(size=n)), 0.0)
    columns = {"frequency": x, "recency": t_x, "T": T}
    eta_p, eta_d = rng.normal(0, 1, n), rng.normal(0, 1, n)
    params = np.array([0.5, 6.0, 0.9, 3.0])
    monkeypatch.setenv("CLVMODELS_THREADS", "1")
    ll_one, grad_one = module.covariate_terms(params, columns, eta_p, eta_d)
    monkeypatch.setenv("CLVMODELS_THREADS", "2")
    ll_two, grad_two = module.covariate_terms(params, columns, eta_p, eta_d)
    np.testing.assert_array_equal(ll_one, ll_two)
    np.testing.assert_array_equal(grad_one, grad_two)
    assert np.all(np.isfinite(ll_one))


def test_thread_setting_is_checked(monkeypatch):
    from clvmodels.models._compiled_sums import threads

    monkeypatch.setenv("CLVMODELS_THREADS", "two")
    with pytest.raises(ValueError, match="CLVMODELS_THREADS must be a whole number >= 1"):
        threads()
    monkeypatch.setenv("CLVMODELS_THREADS", "3")
    assert threads() == 3


def test_trigamma_is_scipys():
    from scipy import special

    from clvmodels.models._numba_special import trigamma

    for value in np.geomspace(1e-6, 1e8, 120):
        assert trigamma(value) == pytest.approx(special.polygamma(1, value), rel=1e-12)


@pytest.mark.parametrize(
    "params", [[0.6, 8.0, 0.8, 12.0], [2.5, 0.3, 0.05, 300.0], [0.2, 50.0, 3.0, 1.0]]
)
def test_pareto_nbd_row_hessians_are_differences_of_the_row_gradients(params):
    rng = np.random.default_rng(1)
    n = 600
    x = rng.poisson(3, n).astype(float)
    T = rng.uniform(5, 60, n)
    t_x = np.where(x > 0, T * rng.uniform(size=n), 0.0)
    # no repeat purchase, t_x = T (no tail), very many purchases, t_x just below T
    x[:5], t_x[:5] = [0, 1, 200, 40, 3], [0, T[1], 10, T[3] * 0.999, 0.5]
    columns = {"frequency": x, "recency": t_x, "T": T}
    eta_p, eta_d = rng.normal(0, 2, n), rng.normal(0, 2, n)
    params = np.array(params)
    mine = pnbd_gradient.covariate_curvature(params, columns, eta_p, eta_d)

    def log_gradient(point):
        _, terms = pnbd_gradient.covariate_terms(point, columns, eta_p, eta_d)
        return terms[:4] * point[:, None]

    central = np.empty_like(mine)
    step = 1e-5
    for j in range(4):
        up, down = params.copy(), params.copy()
        up[j] *= np.exp(step)
        down[j] *= np.exp(-step)
        central[:, j] = (log_gradient(up) - log_gradient(down)) / (2 * step)
    diagonal = np.sqrt(np.abs(np.einsum("iin->in", central)))
    scale = np.sqrt(diagonal[:, None, :] * diagonal[None, :, :]) + 1e-8
    assert np.max(np.abs(mine - central) / scale) < 1e-5
    np.testing.assert_array_equal(mine, mine.transpose(1, 0, 2))


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_row_loops_run_in_a_forked_child(monkeypatch):
    import multiprocessing

    monkeypatch.setenv("CLVMODELS_THREADS", "2")
    rng = np.random.default_rng(2)
    n = 45_000
    x = rng.poisson(1.0, n).astype(float)
    T = np.full(n, 40.0)
    columns = {"frequency": x, "recency": np.where(x > 0, 20.0, 0.0), "T": T}
    zeros = np.zeros(n)
    params = np.array([0.5, 6.0, 0.9, 3.0])
    expected = float(pnbd_gradient.covariate_terms(params, columns, zeros, zeros)[0].sum())
    # the parent's pool exists now; a forked child has its threads' objects but not the
    # threads, and must not wait on them
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        result = pool.apply_async(_child_total, (params, columns))
        assert result.get(timeout=120) == pytest.approx(expected, rel=1e-12)


def _child_total(params, columns):
    zeros = np.zeros(len(columns["frequency"]))
    return float(pnbd_gradient.covariate_terms(params, columns, zeros, zeros)[0].sum())
