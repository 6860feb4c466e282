"""The sBG log-likelihood's gradient, written out for the optimiser (no compiled kernel).

The likelihood has a few dozen distinct cells, so numpy and scipy are fast enough; the
sampler lets PyTensor differentiate :func:`.math.cell_log_likelihood`. With churn
covariates the cells are distinct (t, churned, covariate profile) rows
(:func:`covariate_terms`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.models.shifted_beta_geo.math import cell_log_likelihood, churn_parameters

__all__ = ["cell_gradient", "covariate_terms", "log_likelihood_gradient"]


def cell_gradient(
    alpha: ArrayLike, beta: ArrayLike, t: np.ndarray, survived: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-cell log-likelihood (:func:`cell_log_likelihood`) and its exact gradient.

    ``alpha`` and ``beta`` are numbers or one value per cell. With
    :math:`\partial_a \ln B(a, b) = \psi(a) - \psi(a+b)`:
    churned at t: d/dalpha = 1/alpha - psi(alpha+beta+t) + psi(alpha+beta),
    d/dbeta = psi(beta+t-1) - psi(beta) - psi(alpha+beta+t) + psi(alpha+beta);
    alive at t: d/dalpha = psi(alpha+beta) - psi(alpha+beta+t),
    d/dbeta = psi(beta+t) - psi(beta) - psi(alpha+beta+t) + psi(alpha+beta).
    """
    ll = cell_log_likelihood({"alpha": alpha, "beta": beta}, t, survived)
    psi = special.digamma
    common = psi(alpha + beta) - psi(alpha + beta + t)
    alive = survived > 0
    grad = np.empty((2, len(t)))
    grad[0] = common + np.where(alive, 0.0, 1.0 / alpha)
    grad[1] = common - psi(beta) + psi(beta + np.where(alive, t, t - 1.0))
    return ll, grad


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-cell log-likelihood and its gradient in (alpha, beta) (:func:`cell_gradient`).

    The gradient is pinned by ``tests/models/test_shared_likelihood.py`` to PyTensor's
    automatic derivative of :func:`cell_log_likelihood`.
    """
    alpha, beta = params
    return cell_gradient(alpha, beta, columns["t"], columns["survived"])


def covariate_terms(
    params: np.ndarray, columns: dict[str, np.ndarray], eta_churn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-row log-likelihood with churn covariates and its derivatives (3 x rows).

    Subscriber i has :math:`\alpha_i = \alpha e^{\eta^C_i}` (:func:`.math.churn_parameters`).
    Gradient rows: alpha, beta, then d/d eta_churn = alpha_i dl/dalpha_i.
    """
    alpha, beta = (float(v) for v in params)
    alpha_i = churn_parameters({"alpha": alpha, "beta": beta}, eta_churn)["alpha"]
    ll, own = cell_gradient(alpha_i, beta, columns["t"], columns["survived"])
    grad = np.empty((3, len(ll)))
    grad[0] = own[0] * alpha_i / alpha
    grad[1] = own[1]
    grad[2] = own[0] * alpha_i
    return ll, grad
