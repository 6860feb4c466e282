r"""The one non-elementary term of the Pareto/NBD's count distribution, certified.

P(X(t) = n) and P(X(t) >= k) of the Pareto/NBD need, besides elementary terms, the integral

.. math::

    J(a_0, a_1, a_2; \alpha, \beta, t)
        = \int_0^t \tau^{a_0 - 1} (\alpha+\tau)^{-a_1} (\beta+\tau)^{-a_2}\, d\tau
        = \int_{-\infty}^{\ln t} e^{g(v)}\, dv,
    \qquad g(v) = a_0 v - a_1 \ln(\alpha + e^v) - a_2 \ln(\beta + e^v),

with :math:`a_0 > 0` and :math:`a_1, a_2 \ge 0` (the customer dies at tau having bought n
times; or her k-th purchase comes at tau before she dies). Written with Gauss
hypergeometric functions (Fader & Hardie 2006, note 012) its terms cancel; on the
variable :math:`u = \tau / (\alpha + \tau)` the integrand has scales many decades apart
(both raised the old ``NumericalPrecisionError`` at one point in six of the box).

In v = ln(tau) the integrand is log-concave (:math:`g'' < 0`), and its scales sit near
:math:`\ln\alpha` and :math:`\ln\beta`, each a few units of v wide. Below
:math:`v_c`, where :math:`a_1\tau/\alpha + a_2\tau/\beta = 0.05`, the integrand is
:math:`e^{a_0 v}` times a factor within 5 % of a constant: that tail is
:math:`\frac{1}{a_0}\int_0^\infty e^{-u} H(u)\,du` on :math:`v = v_c - u/a_0`, taken by
Gauss-Laguerre rules (24 and 40 nodes). From :math:`v_c` to ln t, composite Gauss-Legendre
(16 nodes per panel) on P and 2P equal panels, P = 16, 64, 256. A value is kept when both
pairs of rules agree to :data:`RELATIVE_TOLERANCE` (the finer rule's value is returned);
one that does not after the last refinement raises
:class:`~clvmodels.exceptions.NumericalPrecisionError` naming its inputs, never a wrong
number.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from clvmodels.exceptions import NumericalPrecisionError

__all__ = [
    "RELATIVE_TOLERANCE",
    "log_count_integral",
    "log_new_customer_pmf",
    "log_new_customer_tail",
]

#: Relative accuracy certified for each value of :func:`log_count_integral`.
RELATIVE_TOLERANCE = 1e-9

#: Panels tried in turn between v_c and ln t (each compared with twice as many).
PANELS = (16, 64, 256)

#: Values evaluated together (bounds the (values x nodes) temporaries).
CHUNK = 2048

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_LAGUERRE = tuple(special.roots_laguerre(n) for n in (24, 40))


def _g(v: np.ndarray, a0, a1, a2, log_alpha, log_beta) -> np.ndarray:
    """The log integrand on v = ln tau (parameters with a trailing axis of length 1)."""
    return a0 * v - a1 * np.logaddexp(log_alpha, v) - a2 * np.logaddexp(log_beta, v)


def _log_sum(log_terms: np.ndarray) -> np.ndarray:
    """log of the sum over the last axis, without overflow (-inf where all are -inf)."""
    peak = np.max(log_terms, axis=-1)
    safe = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(log_terms - safe[..., None]), axis=-1)) + safe


def _left_tail(a0, a1, a2, log_alpha, log_beta, v_c, rule) -> np.ndarray:
    """log of the integral over (-inf, v_c] by Gauss-Laguerre on v = v_c - u / a0."""
    nodes, weights = rule
    v = v_c[:, None] - nodes / a0[:, None]
    args = (a0[:, None], a1[:, None], a2[:, None], log_alpha[:, None], log_beta[:, None])
    return _log_sum(_g(v, *args) + nodes + np.log(weights)) - np.log(a0)


def _panels(a0, a1, a2, log_alpha, log_beta, v_c, upper, panels: int) -> np.ndarray:
    """log of the integral over [v_c, upper] by Gauss-Legendre on ``panels`` equal panels."""
    width = (upper - v_c) / panels
    starts = v_c[:, None] + width[:, None] * np.arange(panels)
    v = (starts[..., None] + width[:, None, None] * (_GL_NODES + 1.0) / 2.0).reshape(len(v_c), -1)
    args = (a0[:, None], a1[:, None], a2[:, None], log_alpha[:, None], log_beta[:, None])
    with np.errstate(divide="ignore"):
        log_w = np.log(np.tile(_GL_WEIGHTS, panels) / 2.0)[None, :] + np.log(width)[:, None]
        return np.where(width > 0, _log_sum(_g(v, *args) + log_w), -np.inf)


def _relative_change(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """|e^first - e^second| / e^second for logs (0 where both are -inf)."""
    both_empty = np.isneginf(first) & np.isneginf(second)
    with np.errstate(invalid="ignore"):
        change = np.abs(np.expm1(first - second))
    return np.where(both_empty, 0.0, change)


def _certified(a0, a1, a2, log_alpha, log_beta, upper) -> np.ndarray:
    """log J for flat arrays of one chunk (``upper`` = ln t, finite)."""
    # below v_c the integrand is e^(a0 v) times a factor within 5 % of a constant
    slope = a1 * np.exp(-log_alpha) + a2 * np.exp(-log_beta)
    with np.errstate(divide="ignore"):
        v_c = np.minimum(upper, np.log(0.05) - np.log(slope))
    left = _left_tail(a0, a1, a2, log_alpha, log_beta, v_c, _LAGUERRE[1])
    left_coarse = _left_tail(a0, a1, a2, log_alpha, log_beta, v_c, _LAGUERRE[0])
    out = np.full(a0.shape, np.nan)
    todo = np.arange(len(a0))
    for panels in PANELS:
        args = (a0[todo], a1[todo], a2[todo], log_alpha[todo], log_beta[todo], v_c[todo])
        coarse = _panels(*args, upper[todo], panels)
        fine = _panels(*args, upper[todo], 2 * panels)
        total = np.logaddexp(left[todo], fine)
        error = _relative_change(np.logaddexp(left[todo], coarse), total) + _relative_change(
            np.logaddexp(left_coarse[todo], fine), total
        )
        good = error < RELATIVE_TOLERANCE
        out[todo[good]] = total[good]
        todo = todo[~good]
        if len(todo) == 0:
            return out
    i = todo[0]
    shown = {
        "a0": a0[i],
        "a1": a1[i],
        "a2": a2[i],
        "alpha": np.exp(log_alpha[i]),
        "beta": np.exp(log_beta[i]),
        "t": np.exp(upper[i]),
    }
    raise NumericalPrecisionError(
        "the Pareto/NBD count integral cannot be certified to a relative error of "
        f"{RELATIVE_TOLERANCE:g} at { ({k: float(v) for k, v in shown.items()}) } "
        f"({len(todo)} value(s) affected)"
    )


def log_count_integral(
    a0: ArrayLike, a1: ArrayLike, a2: ArrayLike, alpha: ArrayLike, beta: ArrayLike, t: ArrayLike
) -> np.ndarray:
    r"""ln J, J the integral of the module docstring; ``-inf`` where t = 0.

    Parameters
    ----------
    a0, a1, a2
        Exponents: a0 > 0, a1 and a2 >= 0.
    alpha, beta
        Scales > 0.
    t
        Upper limits >= 0. All arrays broadcast.

    Returns
    -------
    numpy.ndarray
        The broadcast shape, each value certified to :data:`RELATIVE_TOLERANCE`.

    Raises
    ------
    NumericalPrecisionError
        A value that the rules of the module docstring cannot certify.
    """
    arrays = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a0, a1, a2, alpha, beta, t)))
    shape = arrays[0].shape
    a0, a1, a2, alpha, beta, t = (v.ravel() for v in arrays)
    out = np.full(a0.shape, -np.inf)
    live = np.flatnonzero(t > 0)
    for start in range(0, len(live), CHUNK):
        rows = live[start : start + CHUNK]
        out[rows] = _certified(
            a0[rows], a1[rows], a2[rows], np.log(alpha[rows]), np.log(beta[rows]), np.log(t[rows])
        )
    return out.reshape(shape)


def log_new_customer_pmf(r, alpha, s, beta, t, n) -> np.ndarray:
    r"""ln P(X(t) = n) of a new Pareto/NBD customer with parameters (r, alpha, s, beta).

    .. math::

        P(X(t)=n) = \mathrm{NB}\big(n; r, \tfrac{\alpha}{\alpha+t}\big)
                    \Big(\frac{\beta}{\beta+t}\Big)^s
          + \frac{\Gamma(r+n)\,\alpha^r s\,\beta^s}{\Gamma(r)\, n!}\,
            J(n + 1, r + n, s + 1; \alpha, \beta, t)

    alive at t having bought n times, or died at tau < t having bought n times by then
    (the lifetime's density :math:`s\beta^s/(\beta+\tau)^{s+1}` mixed over mu); the mixture
    behind Fader & Hardie (2006), "Deriving an expression for P(X(t) = x) under the
    Pareto/NBD model" (note 012), whose 2F1 form cancels. Every argument broadcasts; n are
    whole numbers >= 0.
    """
    r, alpha, s, beta, t, n = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (r, alpha, s, beta, t, n))
    )
    with np.errstate(divide="ignore"):
        alive = stats.nbinom.logpmf(n, r, alpha / (alpha + t)) - s * np.log1p(t / beta)
    log_const = (
        special.gammaln(r + n)
        - special.gammaln(r)
        - special.gammaln(n + 1.0)
        + r * np.log(alpha)
        + np.log(s)
        + s * np.log(beta)
    )
    died = log_const + log_count_integral(n + 1.0, r + n, s + 1.0, alpha, beta, t)
    return np.logaddexp(alive, died)


def log_new_customer_tail(r, alpha, s, beta, t, k) -> np.ndarray:
    r"""ln P(X(t) >= k) of a new Pareto/NBD customer (0 for k = 0).

    .. math::

        P(X(t) \ge k) = \frac{\Gamma(r+k)\,\alpha^r\beta^s}{\Gamma(r)\,\Gamma(k)}\,
            J(k, r + k, s; \alpha, \beta, t), \qquad k \ge 1:

    her k-th purchase comes at tau <= t (its time mixed over lambda has the density
    :math:`\Gamma(r+k)\alpha^r\tau^{k-1} / (\Gamma(r)\Gamma(k)(\alpha+\tau)^{r+k})`) and she
    is alive then (:math:`E[e^{-\mu\tau}] = (\beta/(\beta+\tau))^s`). A sum of positive
    terms: no ``1 - sum`` cancellation in small tails.
    """
    r, alpha, s, beta, t, k = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (r, alpha, s, beta, t, k))
    )
    positive = k > 0
    k1 = np.where(positive, k, 1.0)
    log_const = (
        special.gammaln(r + k1)
        - special.gammaln(r)
        - special.gammaln(k1)
        + r * np.log(alpha)
        + s * np.log(beta)
    )
    tail = log_const + log_count_integral(k1, r + k1, s, alpha, beta, t)
    return np.where(positive, tail, 0.0)
