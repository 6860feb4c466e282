"""The BG/BB log-likelihood's gradient for the optimiser.

Without covariates by central differences (no kernel): the BG/BB's data have few distinct
rows (22 for the donations), so 8 extra evaluations of :func:`.math.log_likelihood` cost
nothing and need no second formula. With static covariates the rows are distinct
(x, t_x, n, covariate profile) and the chain rule needs the derivatives at each row's
parameters: :func:`covariate_terms` writes them out from the likelihood's terms
(:func:`.math.log_alive_term`, :func:`.math.log_died_terms`), pinned to finite
differences by ``tests/models/test_covariates_family_likelihood.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clvmodels.data.opportunities import COLUMNS
from clvmodels.models.beta_geo_beta_binom.math import (
    PARAM_NAMES,
    customer_parameters,
    log_alive_term,
    log_died_terms,
    log_likelihood,
)

__all__ = ["covariate_terms", "log_likelihood_gradient", "row_gradient"]

#: Relative step of the central differences.
STEP = 1e-6


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood and its gradient by central differences, step 1e-6 relative."""
    x, t_x, n = (columns[c] for c in COLUMNS)
    named = dict(zip(PARAM_NAMES, params, strict=True))
    ll = log_likelihood(named, x, t_x, n)
    grad = np.empty((4, len(x)))
    for j, name in enumerate(PARAM_NAMES):
        h = STEP * params[j]
        up = log_likelihood(named | {name: params[j] + h}, x, t_x, n)
        down = log_likelihood(named | {name: params[j] - h}, x, t_x, n)
        grad[j] = (up - down) / (2.0 * h)
    return ll, grad


def row_gradient(
    params: dict[str, np.ndarray], x: np.ndarray, t_x: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-row log-likelihood and its exact derivatives in (alpha, beta, gamma, delta).

    The likelihood is a sum of terms :math:`e^{L_j}` (the alive term and the "died after
    period t_x + i" terms, each a ratio of beta functions), so its log's derivative is
    :math:`\sum_j w_j\, \partial L_j` with :math:`w_j = e^{L_j - \ell}`, and
    :math:`\partial_p \ln B(p, q) = \psi(p) - \psi(p + q)`. ``params`` are numbers or one
    value per row.
    """
    alpha, beta, gamma, delta = (
        np.broadcast_to(np.asarray(params[k], dtype=np.float64), x.shape) for k in PARAM_NAMES
    )
    named = {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}
    psi = special.digamma
    ll = log_likelihood(named, x, t_x, n)
    w_alive = np.exp(log_alive_term(named, x, n) - ll)
    # derivatives of -ln B(alpha, beta) - ln B(gamma, delta), shared by every term
    shared = np.stack(
        [
            psi(alpha + beta) - psi(alpha),
            psi(alpha + beta) - psi(beta),
            psi(gamma + delta) - psi(gamma),
            psi(gamma + delta) - psi(delta),
        ]
    )
    grad = shared + w_alive * np.stack(
        [
            psi(alpha + x) - psi(alpha + beta + n),
            psi(beta + n - x) - psi(alpha + beta + n),
            psi(gamma) - psi(gamma + delta + n),
            psi(delta + n) - psi(gamma + delta + n),
        ]
    )
    gap = n - t_x
    i = np.arange(int(np.max(gap, initial=0.0)), dtype=np.float64)
    if i.size:
        died = log_died_terms(named, x, t_x, i)
        w = np.where(i < gap[:, None], np.exp(np.minimum(died - ll[:, None], 0.0)), 0.0)
        a_, b_, g_, d_ = (v[:, None] for v in (alpha, beta, gamma, delta))
        x_, t_ = x[:, None], t_x[:, None] + i
        grad[0] += (w * (psi(a_ + x_) - psi(a_ + b_ + t_))).sum(axis=1)
        grad[1] += (w * (psi(b_ + t_ - x_) - psi(a_ + b_ + t_))).sum(axis=1)
        grad[2] += (w * (psi(g_ + 1.0) - psi(g_ + d_ + 1.0 + t_))).sum(axis=1)
        grad[3] += (w * (psi(d_ + t_) - psi(g_ + d_ + 1.0 + t_))).sum(axis=1)
    return ll, grad


def covariate_terms(
    params: np.ndarray,
    columns: dict[str, np.ndarray],
    eta_purchase: np.ndarray,
    eta_dropout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-row log-likelihood with static covariates and its derivatives (6 x rows).

    Customer i has :math:`\alpha_i = \alpha e^{\eta^P_i}` and :math:`\gamma_i = \gamma
    e^{\eta^D_i}` (:func:`.math.customer_parameters`). Gradient rows: alpha, beta, gamma,
    delta, then d/d eta_purchase = alpha_i dl/dalpha_i and d/d eta_dropout =
    gamma_i dl/dgamma_i.
    """
    base = dict(zip(PARAM_NAMES, (float(v) for v in params), strict=True))
    own = customer_parameters(base, eta_purchase, eta_dropout)
    x, t_x, n = (np.asarray(columns[c], dtype=np.float64) for c in COLUMNS)
    ll, g = row_gradient(own, x, t_x, n)
    grad = np.empty((6, len(x)))
    grad[0] = g[0] * own["alpha"] / base["alpha"]
    grad[1] = g[1]
    grad[2] = g[2] * own["gamma"] / base["gamma"]
    grad[3] = g[3]
    grad[4] = g[0] * own["alpha"]
    grad[5] = g[2] * own["gamma"]
    return ll, grad
