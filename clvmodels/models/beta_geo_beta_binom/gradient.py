"""The BG/BB log-likelihood's gradient for the optimiser.

Without covariates by central differences (no kernel): the BG/BB's data have few distinct
rows (22 for the donations), so 8 extra evaluations of :func:`.math.log_likelihood` cost
nothing and need no second formula. With static covariates the rows are distinct
(x, t_x, n, covariate profile), tens of thousands of them, and the chain rule needs the
derivatives at each row's parameters: :func:`covariate_terms` evaluates the likelihood
and its derivatives in one compiled pass (:mod:`._kernel`, a second evaluation of
:func:`.math.log_likelihood`'s formula by products of rational factors, pinned to it, to
mpmath and to finite differences by ``tests/models/test_covariates_family_likelihood.py``).
"""

from __future__ import annotations

import numpy as np

from clvmodels.data.opportunities import COLUMNS
from clvmodels.models._compiled_sums import contiguous
from clvmodels.models.beta_geo_beta_binom.math import PARAM_NAMES, log_likelihood

__all__ = ["covariate_terms", "log_likelihood_gradient"]

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
    gamma_i dl/dgamma_i. One compiled pass over the rows (:mod:`._kernel`).
    """
    from clvmodels.models.beta_geo_beta_binom import _kernel

    data = [contiguous(columns[c]) for c in COLUMNS]
    n_rows = len(data[0])
    ll, grad = np.empty(n_rows), np.empty((6, n_rows))
    _kernel.covariate_rows(
        *(float(v) for v in params),
        *data,
        contiguous(np.broadcast_to(eta_purchase, (n_rows,))),
        contiguous(np.broadcast_to(eta_dropout, (n_rows,))),
        ll,
        grad,
    )
    return ll, grad
