"""Curvature of a maximum-likelihood objective, and BFGS started from it.

Hessians by forward differences of the gradient; the Hessian of a likelihood with static
covariates assembled from each row's small Hessian in its own log-parameters (the outer
structure of the linear predictors); and BFGS whose first step uses the inverse of one.

The objectives are :meth:`MaximumLikelihoodModel._objective`'s form,
``objective(working, stats) -> (value, gradient)`` on the optimiser's (working) scale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import optimize

__all__ = ["bfgs_with_curvature", "covariate_hessian", "forward_hessian"]


def forward_hessian(objective: Any, working: np.ndarray, stats: Any) -> np.ndarray:
    """Symmetrised forward-difference Hessian of ``objective``'s gradient at ``working``.

    ``objective(working, stats)`` returns ``(value, gradient)``; k + 1 gradients for k
    parameters (central differences take 2k).
    """
    _, gradient = objective(working, stats)
    hessian = np.empty((len(working), len(working)))
    for j in range(len(working)):
        step = 1e-5 * max(1.0, abs(working[j]))
        shifted = working.copy()
        shifted[j] += step
        hessian[:, j] = (objective(shifted, stats)[1] - gradient) / step
    return 0.5 * (hessian + hessian.T)


def covariate_hessian(
    row_hessians: np.ndarray,
    weights: np.ndarray,
    matrix: np.ndarray,
    selections: Sequence[np.ndarray],
    shifts: Sequence[np.ndarray],
) -> np.ndarray:
    r"""Hessian of :math:`\sum_i w_i \ell_i` in (log base parameters, coefficients).

    Row i's likelihood depends on the base parameters and the coefficients only through
    its own log-parameters

    .. math::

        \ln\theta_i = \ln\theta + \sum_p m_p\, z_i' S_p \gamma

    (``shifts`` = the :math:`m_p`, one per linear predictor: how a unit of the predictor
    moves each log-parameter; ``selections`` = the :math:`S_p`, coefficients -> columns of
    the design ``matrix``). With :math:`H_i` the Hessian of :math:`\ell_i` in
    :math:`\ln\theta_i` and :math:`J_i = [I, \sum_p m_p z_i' S_p]` the (constant)
    Jacobian of :math:`\ln\theta_i`, the Hessian is :math:`\sum_i w_i J_i' H_i J_i`,
    exactly: the base block is :math:`\sum_i w_i H_i`, the others weighted products
    :math:`Z' \operatorname{diag}(w\, m_p' H m_q) Z` -- three passes over the rows instead
    of a full gradient per coefficient.

    Parameters
    ----------
    row_hessians
        ``(k, k, rows)``: each row's Hessian in its k log-parameters (symmetric).
    weights
        Customers per row.
    matrix
        ``(rows, columns)``: the design.
    selections
        Per predictor, ``(columns, coefficients)``.
    shifts
        Per predictor, the length-k vector :math:`m_p`.
    """
    k = row_hessians.shape[0]
    base = np.einsum("jkn,n->jk", row_hessians, weights)
    along = [np.einsum("jkn,k->jn", row_hessians, np.asarray(m, np.float64)) for m in shifts]
    cross = sum(
        ((weights * h) @ matrix) @ selection for h, selection in zip(along, selections, strict=True)
    )
    coefficients = 0.0
    for m_p, s_p in zip(shifts, selections, strict=True):
        for h_q, s_q in zip(along, selections, strict=True):
            # m_p' H_i m_q per row: Z' diag(w m_p' H m_q) Z between the two predictors
            scale = weights * (np.asarray(m_p, np.float64) @ h_q)
            inner = (matrix * scale[:, None]).T @ matrix
            coefficients = coefficients + s_p.T @ inner @ s_q
    n_coef = selections[0].shape[1]
    hessian = np.empty((k + n_coef, k + n_coef))
    hessian[:k, :k] = base
    hessian[:k, k:] = cross
    hessian[k:, :k] = np.asarray(cross).T
    hessian[k:, k:] = coefficients
    return 0.5 * (hessian + hessian.T)


def bfgs_with_curvature(
    objective: Any,
    working: np.ndarray,
    stats: Any,
    curvature: Any,
    gtol: float,
    hessian_of: Callable[[np.ndarray, Any], np.ndarray] | None = None,
) -> Any:
    """BFGS on ``stats`` from ``working``, started with the inverse Hessian there.

    The Hessian is ``hessian_of(working, curvature)`` (default :func:`forward_hessian` of
    ``objective``) on ``curvature`` (``stats`` or a sample of it); where it is not finite or
    its inverse is not positive definite, BFGS starts from the identity as usual.
    """
    if hessian_of is None:
        hessian = forward_hessian(objective, working, curvature)
    else:
        hessian = hessian_of(working, curvature)
    hess_inv0 = None
    if np.all(np.isfinite(hessian)):
        try:  # the inverse Hessian where the start is in a convex region
            inverse = np.linalg.inv(hessian)
            hess_inv0 = 0.5 * (inverse + inverse.T)
            np.linalg.cholesky(hess_inv0)
        except np.linalg.LinAlgError:
            hess_inv0 = None
    return optimize.minimize(
        objective,
        working,
        args=(stats,),
        jac=True,
        method="BFGS",
        options={"gtol": gtol, "maxiter": 1000, "hess_inv0": hess_inv0},
    )
