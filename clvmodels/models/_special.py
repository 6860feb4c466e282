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

import functools
from types import SimpleNamespace

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.exceptions import NumericalPrecisionError

__all__ = ["beta_geometric_nbd_mean", "beta_geometric_nbd_mean_grid"]

#: Relative accuracy promised by :func:`beta_geometric_nbd_mean`.
RELATIVE_TOLERANCE = 1e-8

#: Rows evaluated together (bounds the (rows x nodes) temporaries to ~20 MB).
_CHUNK = 8192


def _log_sigmoid(q: np.ndarray) -> np.ndarray:
    """log(1 / (1 + exp(-q))) without overflow."""
    return -np.logaddexp(0.0, -q)


def _log1mexp(y: np.ndarray) -> np.ndarray:
    """log(1 - exp(-y)) for y > 0, accurate at both ends (Maechler 2012)."""
    small = y < np.log(2.0)
    return np.where(
        small,
        np.log(-np.expm1(-np.where(small, y, 1.0))),
        np.log1p(-np.exp(-np.where(small, 1.0, y))),
    )


def _log_phi(log_u: np.ndarray, r: np.ndarray) -> np.ndarray:
    """log phi(u) = log[(1 - (1 + u)^-r) / (r u)], from log u; 0 where u underflows."""
    tiny = log_u < -600.0
    safe_log_u = np.where(tiny, 0.0, log_u)
    u = np.exp(safe_log_u)
    y = r * np.log1p(u)
    value = _log1mexp(y) - np.log(r) - safe_log_u
    return np.where(tiny, 0.0, value)


def _slope(q: np.ndarray, log_tau: np.ndarray, r, a, b) -> np.ndarray:
    """d/dq of the log integrand, divided by sigmoid(-q): (a + eta(u)) - b exp(q).

    eta(u) = u phi'(u) / phi(u) = r u / ((1 + u) expm1(r log1p(u))) - 1 lies in (-1, 0]
    and decreases in u, so the slope decreases in q and has one root (the mode).
    """
    log_u = log_tau + _log_sigmoid(q)
    tiny = log_u < -600.0
    u = np.exp(np.where(tiny, 0.0, log_u))
    ratio = r * u / ((1.0 + u) * np.expm1(r * np.log1p(u)))
    eta = np.where(tiny, 0.0, np.where(np.isfinite(ratio), ratio, 0.0) - 1.0)
    return a + eta - b * np.exp(np.minimum(q, 700.0))


def _mode(log_tau, r, a, b, steps: int = 40) -> np.ndarray:
    """Bisection for the mode of the log integrand in q = logit(p).

    The Beta density alone peaks at q = log(a / b); phi only pulls the mode left, and at
    800 below the slope is positive for every valid input.
    """
    hi = np.log(a) - np.log(b)
    lo = hi - 800.0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        positive = _slope(mid, log_tau, r, a, b) > 0.0
        lo = np.where(positive, mid, lo)
        hi = np.where(positive, hi, mid)
    return 0.5 * (lo + hi)


def _stirling_error(x: np.ndarray) -> np.ndarray:
    """delta(x) = ln Gamma(x) - [(x - 1/2) ln x - x + ln(2 pi) / 2], without cancellation.

    The asymptotic series (Abramowitz & Stegun 6.1.41) above x = 10, where its truncation
    error is below 1e-13; the direct difference below, where it does not cancel.
    """
    big = x >= 10.0
    xb = np.where(big, x, 10.0)
    series = (
        1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * xb * xb)) / (xb * xb)) / (xb * xb)
    ) / xb
    xs = np.where(big, 1.0, x)
    direct = special.gammaln(xs) - ((xs - 0.5) * np.log(xs) - xs + 0.5 * np.log(2.0 * np.pi))
    return np.where(big, series, direct)


def _log_beta_normaliser(a, b) -> np.ndarray:
    """ln of p^a (1 - p)^b / B(a, b) at p = a / (a + b), accurate for large a and b.

    ln B(a, b) itself is some 1e8 for a, b ~ 1e8 and scipy's ``betaln`` loses 1e-6 there;
    this is the O(ln a) remainder, from Stirling's formula with its error term.
    """
    n = a + b
    return (
        0.5 * (np.log(a) + np.log(b) - np.log(n) - np.log(2.0 * np.pi))
        - _stirling_error(a)
        - _stirling_error(b)
        + _stirling_error(n)
    )


def _log1p_share_expm1(d: np.ndarray, log_share, log_rest) -> np.ndarray:
    """ln(1 + s (e^d - 1)) for a share 0 < s < 1 given as ln s and ln(1 - s).

    log1p/expm1 near d = 0, where the value is small and must keep its relative accuracy;
    a log-sum-exp elsewhere, where e^d may overflow.
    """
    near = np.abs(d) < 1.0
    small = np.log1p(np.exp(log_share) * np.expm1(np.where(near, d, 0.0)))
    large = np.logaddexp(log_rest, log_share + np.where(near, 0.0, d))
    return np.where(near, small, large)


def _log_integrand(d, log_tau, r, a, b) -> np.ndarray:
    """log of the integrand at q = ln(a / b) + d, less :func:`_log_beta_normaliser`.

    The Beta part a ln p + b ln(1 - p) is written relative to its value at the mean
    p = a / (a + b) (where q = ln(a / b)), as a function of the offset d: a and b may be
    1e8, and an absolute error of 1e-16 in ln p would become 1e-8.
    """
    log_share = -np.log1p(b / a)  # ln(a / (a + b))
    log_rest = -np.log1p(a / b)  # ln(b / (a + b))
    beta_part = a * (d - _log1p_share_expm1(d, log_share, log_rest)) + b * (
        -d - _log1p_share_expm1(-d, log_rest, log_share)
    )
    log_p = _log_sigmoid(np.log(a) - np.log(b) + d)
    return beta_part + _log_phi(log_tau + log_p, r)


def _distance_to_drop(mode, peak, drop: float, side: float, log_tau, r, a, b) -> np.ndarray:
    """Distance from the mode at which the log integrand has fallen by ``drop`` on one side.

    Bisection in log distance over (e^-14, e^16), to about 2% of the distance.
    """
    lo = np.full(mode.shape, -14.0)
    hi = np.full(mode.shape, 16.0)
    for _ in range(11):
        mid = 0.5 * (lo + hi)
        above = _log_integrand(mode + side * np.exp(mid), log_tau, r, a, b) > peak - drop
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.exp(0.5 * (lo + hi))


#: Nodes per side of the mode in the first pass; flagged values are redone with 4x.
_NODES = 128
#: The lower end of the w grid: x = x_small * exp(-3.5 - e^3.5) ~ x_small * 1e-16.
_W_LOW = -3.5


def _log_integral(log_tau, r, a, b, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """log E_p[phi(p tau)] and the relative change from the rule with half the nodes.

    On each side of the mode the distance is mapped as x = x_small exp(w - e^-w): double
    exponential towards the mode (where the integrand is flat), uniform in log x beyond
    x_small, where the integrand may change on any scale up to its tail x_tail. The
    trapezoidal rule in w then converges geometrically once both ends are negligible.
    """
    mode = _mode(log_tau, r, a, b) - (np.log(a) - np.log(b))  # as an offset d
    peak = _log_integrand(mode, log_tau, r, a, b)
    # Trapezoidal sums with n and n/2 intervals (nested: the same evaluations).
    sums = np.zeros((2, *mode.shape))
    grid = np.linspace(0.0, 1.0, nodes + 1)
    for side in (-1.0, 1.0):
        x_small = _distance_to_drop(mode, peak, 1e-3, side, log_tau, r, a, b)
        x_tail = _distance_to_drop(mode, peak, 1.0, side, log_tau, r, a, b)
        # Beyond 40 x_tail the integrand is below e^-39 of its peak (log-concavity).
        w_high = np.log(40.0 * x_tail / x_small) + 1.0
        length = w_high - _W_LOW
        w = _W_LOW + length[..., None] * grid
        log_x = np.log(x_small)[..., None] + w - np.exp(-w)
        d = mode[..., None] + side * np.exp(log_x)
        log_f = _log_integrand(d, log_tau[..., None], r[..., None], a[..., None], b[..., None])
        terms = np.exp(log_f - peak[..., None] + log_x) * (1.0 + np.exp(-w))
        ends = 0.5 * (terms[..., 0] + terms[..., -1])
        for level, stride in enumerate((1, 2)):
            sums[level] += stride * length / nodes * (terms[..., ::stride].sum(axis=-1) - ends)
    log_value = np.log(sums[0]) + peak + _log_beta_normaliser(a, b)
    # The change from the rule with half the nodes bounds the error of the coarser sum;
    # for a geometrically converging rule that is a generous bound for the finer one.
    error = np.abs(sums[0] - sums[1]) / sums[0]
    return log_value, error


def _log_mean(log_tau, r, a, b, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """log E_p[phi(p tau)] for p ~ Beta(a, b), and its relative error estimate.

    The integrand over q is log-concave when a + b >= 1 (the Beta part contributes
    -(a + b) s(1 - s) to the second derivative, phi at most s(1 - s)). Below that,
    E[f] = b/(a+b) E_{B(a, b+1)}[f] + a/(a+b) E_{B(a+1, b)}[f] splits it into two
    log-concave integrals of positive terms.
    """
    split = a + b < 1.0
    log_value, error = _log_integral(log_tau, r, a, b, nodes)
    if np.any(split):
        ts, rs, as_, bs = log_tau[split], r[split], a[split], b[split]
        left, left_error = _log_integral(ts, rs, as_, bs + 1.0, nodes)
        right, right_error = _log_integral(ts, rs, as_ + 1.0, bs, nodes)
        log_left = np.log(bs) + left
        log_right = np.log(as_) + right
        log_value[split] = np.logaddexp(log_left, log_right) - np.log(as_ + bs)
        # Each part's relative error, weighted by its share of the sum.
        share_left = special.expit(log_left - log_right)
        error[split] = share_left * left_error + (1.0 - share_left) * right_error
    return log_value, error


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


@functools.cache
def _kernels() -> SimpleNamespace:
    """Compile the series loops on first use (numba caches them on disk)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def series_sum(r, tau, a, b, partial, survival, filled, max_terms):  # pragma: no cover
        """One series; ``partial[n] = S_n`` and ``survival[n]`` are filled up to ``filled``.

        S_n depends on (a, b) only, so callers that keep (a, b) share the table between
        calls (the Bayesian predictions: one table per draw and frequency). Returns the
        sum, whether its tail was certified negligible, and the new ``filled``.
        """
        z = tau / (1.0 + tau)
        pmf = np.exp(-r * np.log1p(tau))
        running = 0.0
        for n in range(1, max_terms + 1):
            pmf *= z * (r + (n - 1.0)) / n
            if n > filled:
                partial[n] = partial[n - 1] + survival[n - 1]
                survival[n] = survival[n - 1] * ((b + (n - 1.0)) / (a + b + (n - 1.0)))
                filled = n
            running += pmf * partial[n]
            if n % 4 == 0:
                # Tail bound: S_m <= m and P(N = m + 1) / P(N = m) <= rho for m >= n.
                rho = z * max(1.0, (r + n) / (n + 1.0))
                if rho < 1.0:
                    tail = pmf * (n * rho / (1.0 - rho) + rho / (1.0 - rho) ** 2)
                    if tail <= 1e-14 * running:
                        return running, True, filled
        return running, False, filled

    @numba.njit(cache=True, nogil=True)
    def is_short(r, tau, max_terms):  # pragma: no cover - compiled
        """The series is tried where it is short: few expected purchases, a light tail."""
        return (
            r * tau + 10.0 * np.sqrt(r * tau * (1.0 + tau)) + 35.0 * (1.0 + tau) < max_terms
        ) and (r * np.log1p(tau) < 600.0)

    @numba.njit(cache=True, nogil=True)
    def flat(r, tau, a, b, max_terms, total, done):  # pragma: no cover - compiled
        partial = np.zeros(max_terms + 1)
        survival = np.ones(max_terms + 1)
        for i in range(r.shape[0]):
            total[i], done[i], _ = series_sum(
                r[i], tau[i], a[i], b[i], partial, survival, 0, max_terms
            )

    @numba.njit(cache=True, nogil=True)
    def grid(r, alpha, a, b, x, T, t, order, max_terms, out, done):  # pragma: no cover
        partial = np.zeros(max_terms + 1)
        survival = np.ones(max_terms + 1)
        for d in range(r.shape[0]):
            filled = 0
            for k in range(order.shape[0]):
                p = order[k]
                if k > 0 and x[p] != x[order[k - 1]]:
                    filled = 0  # a new frequency: a new (a, b + x)
                r_x = r[d] + x[p]
                alpha_T = alpha[d] + T[p]
                b_x = b[d] + x[p]
                for h in range(t.shape[0]):
                    if t[h] <= 0.0:
                        out[d, h, p] = 0.0
                        done[d, h, p] = True
                        continue
                    tau = t[h] / alpha_T
                    if is_short(r_x, tau, max_terms):
                        value, converged, filled = series_sum(
                            r_x, tau, a[d], b_x, partial, survival, filled, max_terms
                        )
                        if converged:
                            out[d, h, p] = value
                            done[d, h, p] = True

    return SimpleNamespace(flat=flat, grid=grid)


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
    r, alpha, a, b, x, T, t = (
        np.ascontiguousarray(v, dtype=np.float64).reshape(-1) for v in (r, alpha, a, b, x, T, t)
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
    """exp(log(r tau) + log I), refining the rule where the error estimate is too large."""
    log_value = np.empty(r.shape)
    todo = np.arange(len(r))
    for nodes in _REFINEMENTS:
        value, error = _log_mean(log_tau[todo], r[todo], a[todo], b[todo], nodes)
        log_value[todo] = value
        todo = todo[~(error < RELATIVE_TOLERANCE)]
        if len(todo) == 0:
            return np.exp(np.log(r) + log_tau + log_value)
    i = todo[0]
    raise NumericalPrecisionError(
        "the BG/NBD expectation cannot be certified to a relative error of "
        f"{RELATIVE_TOLERANCE:g} in double precision at r={r[i]!r}, a={a[i]!r}, "
        f"b={b[i]!r}, t/alpha={np.exp(log_tau[i])!r} ({len(todo)} value(s) affected)"
    )
