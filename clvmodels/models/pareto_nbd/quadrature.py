r"""The quadrature of the Pareto/NBD's one non-elementary term (see :mod:`.math`).

Gauss-Legendre rules on [0, 1] and the log-spaced nodes of the integral
:math:`I = \int_{t_x}^{T} (\alpha+\tau)^{-(r+x)} (\beta+\tau)^{-(s+1)} d\tau`, written
once for numpy and PyTensor; the compiled kernel (:mod:`._kernel`) reads the cut-off
:data:`TAIL_CUT` from here.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

__all__ = [
    "BLOCK",
    "FAST_NODES",
    "FAST_WEIGHTS",
    "NODES",
    "TAIL_CUT",
    "WEIGHTS",
    "gauss_legendre_01",
    "log_spaced_nodes",
    "tail_integral",
]


def gauss_legendre_01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights of ``n`` points on [0, 1]."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return (nodes + 1.0) / 2.0, weights / 2.0


#: The rule of the log-likelihood integral: right to ~1e-9 across the whole box.
NODES, WEIGHTS = gauss_legendre_01(64)


#: A 20-point rule that is exact to ~1e-13 on the rows real data give (it spans a few
#: decades of the log-spaced variable). The fit optimises with it and then checks every
#: row against the 64-point rule (:meth:`ParetoNBDModel._fit_statistics`).
FAST_NODES, FAST_WEIGHTS = gauss_legendre_01(20)


#: Rows per block in the fit's objective: keeps the (rows x nodes) temporaries in cache.
BLOCK = 4096


#: Beyond this, e^-l is below 2e-22 relative to the integrand's start: the integral is cut
#: (here and in the compiled kernel, :mod:`._kernel`, which reads it from here).
TAIL_CUT = 50.0


def log_spaced_nodes(
    scale: Any,
    upper: Any,
    xp: SimpleNamespace,
    nodes: np.ndarray = NODES,
    weights: np.ndarray = WEIGHTS,
) -> tuple:
    r"""Nodes and weights for :math:`\int_0^{U} g(\ell)\, d\ell`, g falling on a scale ``s``.

    The nodes are :math:`\ell = s\,(e^{v \ln(1 + U/s)} - 1)`, v the Gauss-Legendre nodes on
    [0, 1] (``nodes``, ``weights``), so the rule resolves every scale from ``s`` (at
    most 1) to ``U``.

    Returns
    -------
    ell, weights
        Arrays of the data's shape + (n,): the integral is ``sum(weights * g(ell))``.
    """
    span = xp.log1p(upper / scale)
    grow = xp.exp(nodes * span[..., None])
    return scale[..., None] * (grow - 1.0), weights * (scale * span)[..., None] * grow


def tail_integral(
    r: Any,
    alpha: Any,
    s: Any,
    beta: Any,
    x: Any,
    t_x: Any,
    T: Any,
    xp: SimpleNamespace,
    rule: tuple[np.ndarray, np.ndarray] = (NODES, WEIGHTS),
    with_gradient: bool = True,
) -> SimpleNamespace:
    r"""ln I, I the integral in the module docstring, and what its gradient needs.

    ``rule`` is the Gauss-Legendre rule on [0, 1] (the 64-point one unless the fit's
    faster rule is asked for); with ``with_gradient=False`` only ``log_integral`` is
    returned.

    Returns
    -------
    SimpleNamespace
        ``log_integral`` (``-inf`` where T = t_x); at the nodes (last axis): ``share`` (each
        node's share of I), ``log_c_tau`` = ln(c + tau), ``shrink`` = (c' + tau) / (c + tau)
        and its log ``log_shrink``, and ``inverse_c_tau`` = 1 / (c + tau), where c and c'
        are the larger and smaller of alpha and beta (``alpha_larger`` says which).
    """
    m = r + s + x
    alpha_larger = alpha >= beta
    c = xp.where(alpha_larger, alpha, beta)
    q = xp.where(alpha_larger, s + 1.0, r + x)
    base = c + t_x
    log_base = xp.log(base)
    z = xp.where(alpha_larger, alpha - beta, beta - alpha) / base
    # 1 - z = (min(alpha, beta) + t_x) / (c + t_x), exactly even when z is close to 1
    one_minus_z = (xp.where(alpha_larger, beta, alpha) + t_x) / base
    upper = m * xp.log1p((T - t_x) / base)
    positive = upper > 0.0
    upper = xp.where(positive, xp.minimum(upper, TAIL_CUT), 1.0)
    # rho(l) / rho(0) falls by 1/e within about m (1 - z) / (q z); min(that, 1) written as
    # a ratio whose denominator is never 0, so that its derivative is finite at alpha = beta
    # (z = 0), where PyMC starts when both priors have the same centre
    width = m * one_minus_z
    scale = xp.minimum(width / xp.maximum(q * z, width), upper)
    log1m_z = xp.log(one_minus_z)
    ell, weights = log_spaced_nodes(scale, upper, xp, *rule)
    ell_over_m = ell / m[..., None]
    decay_m1 = xp.expm1(-ell_over_m)  # e^(-l/m) - 1 = (c + t_x) / (c + tau) - 1
    # ln(1 - z e^(-l/m)) = ln((1 - z) + z (1 - e^(-l/m))), no cancellation
    shrink = one_minus_z[..., None] - z[..., None] * decay_m1
    log_shrink = xp.log(shrink)
    log_ratio = -q[..., None] * (log_shrink - log1m_z[..., None])
    terms = weights * xp.exp(log_ratio - ell)
    integral = xp.sum(terms, axis=-1)
    log_integral = xp.where(
        positive, -m * log_base - xp.log(m) - q * log1m_z + xp.log(integral), -np.inf
    )
    if not with_gradient:
        return SimpleNamespace(log_integral=log_integral)
    return SimpleNamespace(
        log_integral=log_integral,
        share=terms / integral[..., None],
        log_c_tau=log_base[..., None] + ell_over_m,
        log_shrink=log_shrink,
        shrink=shrink,
        inverse_c_tau=(1.0 + decay_m1) / base[..., None],
        alpha_larger=alpha_larger[..., None],
    )
