r"""Special functions of the BG/NBD family that are right for every valid input.

The BG/NBD expectations are usually written with a Gauss hypergeometric function,

.. math::

    E[X(t)] = \frac{a+b-1}{a-1}\Big[1 - \Big(\frac{\alpha}{\alpha+t}\Big)^r
              {}_2F_1\big(r, b; a+b-1; \tfrac{t}{\alpha+t}\big)\Big]

(Fader, Hardie & Lee 2005, eq. 9). In double precision that form fails in a large part of
the valid parameter space: the bracket cancels for short horizons, ``a = 1`` is a 0/0,
scipy's ``hyp2f1`` is unreliable for ``z`` close to 1 when ``c - a - b`` is an integer, and
Euler's transformation multiplies 0 by inf for large ``a`` and ``b``.

Here the same number is computed from two exact forms without cancellation. Given the
purchase rate lambda ~ Gamma(r, alpha) and the dropout probability p ~ Beta(a, b):

1. A positive series. With N ~ NegBin(r, tau / (1 + tau)), tau = t / alpha, the purchases
   the customer would make if she never dropped out, and S_n = sum_{k<n} E[(1 - p)^k] the
   expected number of them she is alive for, E[X(t)] = sum_n P(N = n) S_n. Used where it
   converges within a few hundred terms (a bounded tail is checked).
2. Elsewhere, the mixture integral

   .. math::

       E[X(t)] = r\tau \; E_p\big[\varphi(p\tau)\big], \qquad
       \varphi(u) = \frac{1 - (1+u)^{-r}}{r u},

   of a positive, bounded, smooth function against the Beta(a, b) density, taken over
   ``q = logit(p)`` (log-concave there when a + b >= 1; below, split exactly into two
   log-concave parts) by the trapezoidal rule on a grid mapped around the mode. Each value
   is checked against the rule with half the nodes; one that fails is redone with four times
   the nodes, and one that still fails raises
   :class:`~clvmodels.exceptions.NumericalPrecisionError` naming its inputs, never a silently
   wrong number.

Neither form has a special case at ``a = 1``, and both reach the limits (b -> inf: the NBD;
a, b -> inf with b / a fixed: a common dropout probability) continuously. The conditional
expectation of eq. 10 is the same function at the posterior parameters
``(r + x, alpha + T, a, b + x)``, times P(alive).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
from numpy.typing import ArrayLike

from clvmodels.exceptions import NumericalPrecisionError

__all__ = ["beta_geometric_nbd_mean", "beta_geometric_nbd_mean_grid"]

#: Relative accuracy promised by :func:`beta_geometric_nbd_mean`.
RELATIVE_TOLERANCE = 1e-8

#: Rows evaluated together (bounds the (rows x nodes) temporaries to ~20 MB).
_CHUNK = 8192


#: Nodes per side of the mode in the first pass; flagged values are redone with 4x.
_NODES = 128


#: Longest positive series summed before the quadrature takes over.
_SERIES_TERMS = 512


def _series(r, tau, a, b) -> tuple[np.ndarray, np.ndarray]:
    """E[X(t)] as the positive series sum_n P(N = n) S_n, and where it converged.

    N is the number of purchases the customer would make in (0, t] if she never dropped
    out (negative binomial: r, tau / (1 + tau)) and S_n = sum_{k<n} E[(1 - p)^k] the
    expected number of them she is still alive for. Every term is positive, so the sum is
    accurate to a few ulps per term; it is used where it converges within
    :data:`_SERIES_TERMS` terms. The loop is compiled by numba (a dependency of PyTensor),
    one customer at a time, so each stops as soon as its own tail is negligible.
    """
    total = np.zeros(r.shape)
    done = np.zeros(r.shape, dtype=bool)
    _kernels().flat(r, tau, a, b, _SERIES_TERMS, total, done)
    return total, done


def _kernels() -> ModuleType:
    """The compiled series loops (:mod:`._bgnbd_series`, imported on first use)."""
    from clvmodels.models import _bgnbd_series

    return _bgnbd_series


def quadrature_kernels() -> ModuleType:
    """The compiled quadrature (:mod:`._bgnbd_quadrature`, imported on first use)."""
    from clvmodels.models import _bgnbd_quadrature

    return _bgnbd_quadrature


def beta_geometric_nbd_mean(
    r: ArrayLike, alpha: ArrayLike, a: ArrayLike, b: ArrayLike, t: ArrayLike
) -> np.ndarray:
    r"""E[X(t)] under the BG/NBD with parameters (r, alpha, a, b), for every valid input.

    .. math::

        E[X(t)] = E_{p \sim B(a, b)}\Big[\frac{1 - (1 + p t / \alpha)^{-r}}{p}\Big]

    which equals Fader, Hardie & Lee (2005), eq. 9; with ``(r + x, alpha + T, a, b + x)``
    it is the bracket of eq. 10. Relative error below :data:`RELATIVE_TOLERANCE`.

    Parameters
    ----------
    r, alpha, a, b
        Positive, finite parameters; arrays broadcast against each other and ``t``.
    t
        Horizons, finite and >= 0.

    Returns
    -------
    numpy.ndarray
        The broadcast shape of the inputs; 0 where ``t = 0``.

    Raises
    ------
    NumericalPrecisionError
        If a value cannot be certified to the tolerance (naming the inputs).
    """
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (r, alpha, a, b, t)))
    shape = arrays[0].shape
    r, alpha, a, b, t = (v.ravel() for v in arrays)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        return _evaluate(r, alpha, a, b, t).reshape(shape)


def beta_geometric_nbd_mean_grid(
    r: ArrayLike,
    alpha: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    x: ArrayLike,
    T: ArrayLike,
    t: ArrayLike,
) -> np.ndarray:
    r"""E[X(t)] at ``(r + x, alpha + T, a, b + x)`` for every draw, horizon and (x, T) pair.

    The bracket of Fader, Hardie & Lee (2005), eq. 10, for D parameter draws, H horizons
    and P customer histories: the same number as :func:`beta_geometric_nbd_mean` (same
    series, same certified quadrature, same tolerance), computed in one compiled loop
    that shares the series' S_n = sum_{k<n} E[(1 - p)^k] (a function of ``(a, b + x)``
    only) between every T and horizon of a draw and frequency.

    Parameters
    ----------
    r, alpha, a, b
        1-D arrays of D positive, finite parameter draws.
    x, T
        1-D arrays of P frequencies and ages (x >= 0, T >= 0).
    t
        1-D array of H horizons, finite and >= 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(D, H, P)``.

    Raises
    ------
    NumericalPrecisionError
        If a value cannot be certified to the tolerance (naming the inputs).
    """
    # fresh, writeable, contiguous float arrays: one compiled signature for every caller
    # (broadcast views are read-only, and numba compiles read-only arrays separately)
    r, alpha, a, b, x, T, t = (
        np.require(np.asarray(v, dtype=np.float64).reshape(-1), np.float64, ("C", "W"))
        for v in (r, alpha, a, b, x, T, t)
    )
    shape = (len(r), len(t), len(x))
    out = np.zeros(shape)
    done = np.zeros(shape, dtype=bool)
    order = np.argsort(x, kind="stable")
    _kernels().grid(r, alpha, a, b, x, T, t, order, _SERIES_TERMS, out, done)
    todo = np.flatnonzero(~done)
    if len(todo):
        d, h, p = np.unravel_index(todo, shape)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            log_tau = np.log(t[h]) - np.log(alpha[d] + T[p])
            values = np.empty(len(todo))
            for start in range(0, len(todo), _CHUNK):
                rows = slice(start, start + _CHUNK)
                values[rows] = _certified(
                    log_tau[rows], (r[d] + x[p])[rows], a[d][rows], (b[d] + x[p])[rows]
                )
        out.reshape(-1)[todo] = values
    return out


def _evaluate(r, alpha, a, b, t) -> np.ndarray:
    """The series where it is short, the certified quadrature elsewhere (flat arrays)."""
    out = np.zeros(r.shape)
    tau = t / alpha
    # The series where it is short: few expected purchases and a light tail, and
    # P(N = 0) representable.
    short = (
        (t > 0.0)
        & (r * tau + 10.0 * np.sqrt(r * tau * (1.0 + tau)) + 35.0 * (1.0 + tau) < _SERIES_TERMS)
        & (r * np.log1p(tau) < 600.0)
    )
    if np.any(short):
        value, converged = _series(r[short], tau[short], a[short], b[short])
        out[short] = value
        short[short] = converged
    todo = np.flatnonzero((t > 0.0) & ~short)
    log_tau = np.log(t) - np.log(alpha)
    for start in range(0, len(todo), _CHUNK):
        rows = todo[start : start + _CHUNK]
        out[rows] = _certified(log_tau[rows], r[rows], a[rows], b[rows])
    return out


#: Node counts per side tried in turn; a value still unchecked after the last is refused.
_REFINEMENTS = (_NODES, 4 * _NODES, 16 * _NODES)


def _certified(log_tau, r, a, b) -> np.ndarray:
    """exp(log(r tau) + log I), refining the rule where the error estimate is too large.

    The quadrature is compiled (:mod:`clvmodels.models._bgnbd_quadrature`), one value at a
    time; a value still unchecked after the last refinement is refused.
    """
    log_tau, r, a, b = (
        np.require(np.asarray(v, dtype=np.float64).reshape(-1), np.float64, ("C", "W"))
        for v in (log_tau, r, a, b)
    )
    out = np.empty(r.shape)
    failed = np.zeros(r.shape, dtype=bool)
    refinements = np.array(_REFINEMENTS, dtype=np.int64)
    quadrature_kernels().certified(log_tau, r, a, b, refinements, RELATIVE_TOLERANCE, out, failed)
    todo = np.flatnonzero(failed)
    if len(todo) == 0:
        return out
    i = todo[0]
    raise NumericalPrecisionError(
        "the BG/NBD expectation cannot be certified to a relative error of "
        f"{RELATIVE_TOLERANCE:g} in double precision at r={r[i]!r}, a={a[i]!r}, "
        f"b={b[i]!r}, t/alpha={np.exp(log_tau[i])!r} ({len(todo)} value(s) affected)"
    )
