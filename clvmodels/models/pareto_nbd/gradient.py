"""The Pareto/NBD log-likelihood with its gradient, for the optimiser and the sampler.

One compiled row (:func:`._kernel.row`) serves them all: the sampler's weighted sums, and
the optimiser's per-row values and gradients with or without covariates (without, the
linear predictors are 0: :func:`log_likelihood_gradient` is :func:`covariate_terms` at
eta = 0). It is :func:`.math.log_likelihood` on the same quadrature (differentiation under
the integral sign on the same nodes); ``tests/models/test_pareto_nbd.py`` pins the
gradient to finite differences and ``tests/bayes/test_density.py`` the kernel to the PyMC
model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clvmodels.models._compiled_sums import bind, over_rows
from clvmodels.models.pareto_nbd.math import PARAM_NAMES
from clvmodels.models.pareto_nbd.quadrature import NODES, WEIGHTS

__all__ = [
    "covariate_curvature",
    "covariate_terms",
    "log_likelihood_gradient",
    "weighted_log_likelihood",
]


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood and its gradient in (r, alpha, s, beta).

    :func:`covariate_terms` with both linear predictors 0 (the covariate form is the only
    form): one compiled pass, ranges of rows in parallel threads. The gradient
    differentiates under the integral sign on the same quadrature nodes;
    ``tests/models/test_pareto_nbd.py`` pins it to finite differences of
    :func:`log_likelihood`. ``columns`` may hold the quadrature rule as
    ``quadrature_nodes`` and ``quadrature_weights`` (the 64-point rule otherwise).
    """
    zeros = np.zeros(len(columns["frequency"]))
    ll, grad = covariate_terms(params, columns, zeros, zeros)
    return ll, grad[:4]


def weighted_log_likelihood(stats: Any) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``params -> (sum of weighted log-likelihoods, its gradient)`` for ``stats``'s rows.

    The 64-node likelihood of :func:`log_likelihood` and the gradient of
    :func:`log_likelihood_gradient` in one compiled pass per call (:mod:`._kernel`: 3.7 ms
    against numpy's 9.1 ms on CDNOW's 1,016 rows, and without the GIL), the data bound
    once: for a sampler (:mod:`clvmodels.bayes.density`).

    Parameters
    ----------
    stats
        Distinct rows with counts: ``columns`` with ``frequency``, ``recency`` and ``T``,
        and ``weights`` (e.g. :func:`sufficient_statistics`).
    """
    from clvmodels.models.pareto_nbd import _kernel

    data = [stats.columns[name] for name in ("frequency", "recency", "T")]
    return bind(
        _kernel.weighted_at,
        (*data, stats.weights, NODES, WEIGHTS),
        len(PARAM_NAMES),
    )


def covariate_terms(
    params: np.ndarray,
    columns: dict[str, np.ndarray],
    eta_purchase: np.ndarray,
    eta_dropout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood with static covariates and its derivatives (6 x rows).

    The likelihood of :func:`.math.log_likelihood` at each customer's parameters
    (:func:`.math.customer_parameters`), on the quadrature rule in ``columns`` (64 points
    otherwise), in one compiled pass (:func:`._kernel.covariate_rows`); gradient rows:
    r, alpha, s, beta, then d/d eta_purchase and d/d eta_dropout.
    ``tests/models/test_covariates_likelihood.py`` pins it to the math function, to mpmath
    and to finite differences. Ranges of rows run in parallel threads
    (:func:`clvmodels.models._compiled_sums.over_rows`).
    """
    from clvmodels.models.pareto_nbd import _kernel

    arrays = _kernel_arrays(columns, eta_purchase, eta_dropout)
    n = len(arrays[0])
    ll, grad = np.empty(n), np.empty((6, n))
    r, alpha, s, beta = (float(v) for v in params)

    def run(start: int, stop: int) -> None:
        _kernel.covariate_rows(r, alpha, s, beta, *arrays, ll, grad, start, stop)

    over_rows(run, n)
    return ll, grad


def covariate_curvature(
    params: np.ndarray,
    columns: dict[str, np.ndarray],
    eta_purchase: np.ndarray,
    eta_dropout: np.ndarray,
) -> np.ndarray:
    """Each row's Hessian in its own (ln r, ln alpha_i, ln s, ln beta_i): ``(4, 4, rows)``.

    The second derivatives of :func:`covariate_terms`' likelihood on the same quadrature
    rule, in one compiled pass (:func:`._kernel.covariate_curvature_rows`, ranges of rows
    in parallel threads); ``tests/models/test_covariate_curvature.py`` pins it to
    differences of the gradient.
    """
    from clvmodels.models.pareto_nbd import _kernel

    arrays = _kernel_arrays(columns, eta_purchase, eta_dropout)
    n = len(arrays[0])
    upper = np.empty((n, 10))
    r, alpha, s, beta = (float(v) for v in params)

    def run(start: int, stop: int) -> None:
        _kernel.covariate_curvature_rows(r, alpha, s, beta, *arrays, upper, start, stop)

    over_rows(run, n)
    rows, cols = np.triu_indices(4)
    out = np.empty((4, 4, n))
    out[rows, cols] = upper.T
    out[cols, rows] = upper.T
    return out


def _kernel_arrays(columns: dict[str, np.ndarray], eta_purchase: Any, eta_dropout: Any) -> tuple:
    """x, t_x, T, the two predictors and the quadrature rule, as the row loops take them."""

    def dense(values: Any) -> np.ndarray:
        return np.require(values, np.float64, ["C", "W"])

    return (
        *(dense(columns[name]) for name in ("frequency", "recency", "T")),
        dense(eta_purchase),
        dense(eta_dropout),
        dense(columns.get("quadrature_nodes", NODES)),
        dense(columns.get("quadrature_weights", WEIGHTS)),
    )
