"""The Gamma-Gompertz/NBD log-likelihood with its gradient, for the optimiser.

One compiled row (:func:`._kernel.row`) serves both maximum-likelihood fits: with static
covariates (:func:`covariate_terms`) and without (:func:`log_likelihood_gradient` is
:func:`covariate_terms` at eta = 0). The gradient differentiates under the integral sign
on the same quadrature nodes; ``tests/models/test_gamma_gompertz_nbd.py`` pins it to
finite differences of :func:`.math.log_likelihood`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clvmodels.models._compiled_sums import contiguous, over_rows
from clvmodels.models.gamma_gompertz_nbd import _kernel
from clvmodels.models.gamma_gompertz_nbd.quadrature import NODES, WEIGHTS

__all__ = ["covariate_terms", "log_likelihood_gradient"]


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood and its gradient in (r, alpha, b, s, beta): ``(n,), (5, n)``.

    ``columns`` holds ``frequency``, ``recency`` and ``T``, and may hold the quadrature
    rule as ``quadrature_nodes`` and ``quadrature_weights`` (the 64-point rule otherwise).
    """
    zeros = np.zeros(len(columns["frequency"]))
    ll, grad = covariate_terms(params, columns, zeros, zeros)
    return ll, grad[:5]


def covariate_terms(
    params: np.ndarray,
    columns: dict[str, np.ndarray],
    eta_purchase: np.ndarray,
    eta_dropout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood with static covariates and its derivatives (7 x rows).

    The likelihood of :func:`.math.log_likelihood` at each customer's parameters
    (:func:`.math.customer_parameters`), on the quadrature rule in ``columns``, in one
    compiled pass (:func:`._kernel.covariate_rows`; ranges of rows in parallel threads).
    Gradient rows: r, alpha, b, s, beta, then d/d eta_purchase and d/d eta_dropout.
    """
    arrays = _kernel_arrays(columns, eta_purchase, eta_dropout)
    n = len(arrays[0])
    ll, grad = np.empty(n), np.empty((7, n))
    r, alpha, b, s, beta = (float(v) for v in params)

    def run(start: int, stop: int) -> None:
        _kernel.covariate_rows(r, alpha, b, s, beta, *arrays, ll, grad, start, stop)

    over_rows(run, n)
    return ll, grad


def _kernel_arrays(columns: dict[str, np.ndarray], eta_purchase: Any, eta_dropout: Any) -> tuple:
    """x, t_x, T, the two predictors and the quadrature rule, as the row loops take them."""
    return (
        *(contiguous(columns[name]) for name in ("frequency", "recency", "T")),
        contiguous(eta_purchase),
        contiguous(eta_dropout),
        contiguous(columns.get("quadrature_nodes", NODES)),
        contiguous(columns.get("quadrature_weights", WEIGHTS)),
    )
