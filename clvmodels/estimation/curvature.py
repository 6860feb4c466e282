"""Curvature of a maximum-likelihood objective, and BFGS started from it.

Hessians by forward differences of the gradient, and BFGS whose first step uses their
inverse.

The objectives are :meth:`MaximumLikelihoodModel._objective`'s form,
``objective(working, stats) -> (value, gradient)`` on the optimiser's (working) scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize

__all__ = ["bfgs_with_curvature", "forward_hessian"]


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


def bfgs_with_curvature(
    objective: Any, working: np.ndarray, stats: Any, curvature: Any, gtol: float
) -> Any:
    """BFGS on ``stats`` from ``working``, started with the inverse Hessian there.

    The Hessian is :func:`forward_hessian` on ``curvature`` (``stats`` or a sample of it);
    where it is not finite or its inverse is not positive definite, BFGS starts from the
    identity as usual.
    """
    hessian = forward_hessian(objective, working, curvature)
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
