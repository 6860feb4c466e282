"""The MBG/NBD log-likelihood with its hand-written gradient, for the optimiser.

``tests/models/test_modified_beta_geo.py`` pins the gradient to finite differences of
:func:`.math.log_likelihood`; ``tests/models/test_covariates_family.py`` pins
:func:`covariate_terms` to mpmath and to finite differences.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.models._compiled_sums import contiguous
from clvmodels.models.modified_beta_geo.math import PARAM_NAMES, terms
from clvmodels.models.namespace import NUMPY

__all__ = ["covariate_terms", "log_likelihood_gradient", "row_gradient"]


def row_gradient(
    r: ArrayLike,
    alpha: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood and its derivatives in (r, alpha, a, b) at per-row parameters.

    The parameters broadcast against the rows (numbers, or one value per row as with
    static covariates).
    """
    named = dict(zip(PARAM_NAMES, (r, alpha, a, b), strict=True))
    head, alive, dropped = terms(named, x, t_x, T, NUMPY)
    ll = head + np.logaddexp(alive, dropped)
    w_dropped = special.expit(dropped - alive)
    w_alive = 1.0 - w_dropped
    dig = special.digamma
    grad = np.empty((4, len(x)))
    grad[0] = (
        dig(r + x)
        - dig(r)
        + np.log(alpha)
        - w_alive * np.log(alpha + T)
        - w_dropped * np.log(alpha + t_x)
    )
    grad[1] = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x))
    common = dig(a + b) - dig(a + b + x + 1.0)
    grad[2] = common + w_dropped / a
    grad[3] = common + dig(b + x + 1.0) - dig(b) - w_dropped / (b + x)
    return ll, grad


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood (:func:`.math.log_likelihood`) and its gradient in (r, alpha, a, b).

    In numpy, on :func:`.math.terms` (the MBG/NBD has no compiled kernel: it is fitted
    on compressed rows, and sampled through PyMC's graph of the same terms).
    """
    r, alpha, a, b = params
    return row_gradient(r, alpha, a, b, columns["frequency"], columns["recency"], columns["T"])


def covariate_terms(
    params: np.ndarray,
    columns: dict[str, np.ndarray],
    eta_purchase: np.ndarray,
    eta_dropout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-row log-likelihood with static covariates and its derivatives (6 x rows).

    Customer i has :math:`\alpha_i = \alpha e^{-\eta^P_i}`, :math:`a_i = a e^{\eta^D_i}`,
    :math:`b_i = b e^{\eta^D_i}` (:func:`.math.customer_parameters`, the BG/NBD's and
    CLVTools' parametrisation) in :func:`.math.log_likelihood`. Gradient rows: r, alpha,
    a, b, then d/d eta_purchase = -alpha_i dl/dalpha_i and d/d eta_dropout =
    a_i dl/da_i + b_i dl/db_i. One compiled pass over the rows (:mod:`._kernel`), the
    terms in x alone once per distinct x; :func:`row_gradient` at the customers'
    parameters gives the same values (tested).
    """
    from clvmodels.models.modified_beta_geo import _kernel

    x, t_x, T = (contiguous(columns[name]) for name in ("frequency", "recency", "T"))
    if "x_index" in columns:
        x_unique, x_index = columns["x_unique"], contiguous(columns["x_index"])
    else:
        x_unique, index = np.unique(x, return_inverse=True)
        x_index = contiguous(index)
    r, alpha, a, b = (float(v) for v in params)
    per_x = np.ascontiguousarray(
        np.stack(
            [
                special.gammaln(r + x_unique) - special.gammaln(r),
                special.digamma(r + x_unique) - special.digamma(r),
            ],
            axis=1,
        )
    )
    n_rows = len(x)
    ll, grad = np.empty(n_rows), np.empty((6, n_rows))
    _kernel.covariate_rows(
        r,
        alpha,
        a,
        b,
        x,
        t_x,
        T,
        contiguous(np.broadcast_to(eta_purchase, (n_rows,))),
        contiguous(np.broadcast_to(eta_dropout, (n_rows,))),
        x_index,
        per_x,
        ll,
        grad,
    )
    return ll, grad
