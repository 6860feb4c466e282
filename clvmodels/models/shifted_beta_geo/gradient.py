"""The sBG log-likelihood's gradient, written out for the optimiser (no compiled kernel).

The likelihood has a few dozen distinct cells, so numpy and scipy are fast enough; the
sampler lets PyTensor differentiate :func:`.math.cell_log_likelihood`.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clvmodels.models.shifted_beta_geo.math import cell_log_likelihood

__all__ = ["log_likelihood_gradient"]


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    r"""Per-cell log-likelihood (:func:`cell_log_likelihood`) and its exact gradient.

    The gradient in (alpha, beta) is pinned by ``tests/models/test_shared_likelihood.py``
    to PyTensor's automatic derivative of :func:`cell_log_likelihood`.

    With :math:`\partial_a \ln B(a, b) = \psi(a) - \psi(a+b)`:
    churned at t: d/dalpha = 1/alpha - psi(alpha+beta+t) + psi(alpha+beta),
    d/dbeta = psi(beta+t-1) - psi(beta) - psi(alpha+beta+t) + psi(alpha+beta);
    alive at t: d/dalpha = psi(alpha+beta) - psi(alpha+beta+t),
    d/dbeta = psi(beta+t) - psi(beta) - psi(alpha+beta+t) + psi(alpha+beta).
    """
    alpha, beta = params
    t, survived = columns["t"], columns["survived"]
    ll = cell_log_likelihood({"alpha": alpha, "beta": beta}, t, survived)
    psi = special.digamma
    common = psi(alpha + beta) - psi(alpha + beta + t)
    alive = survived > 0
    grad = np.empty((2, len(t)))
    grad[0] = common + np.where(alive, 0.0, 1.0 / alpha)
    grad[1] = common - psi(beta) + psi(beta + np.where(alive, t, t - 1.0))
    return ll, grad
