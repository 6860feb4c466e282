"""The positive series of :mod:`clvmodels.models._special`, compiled by numba.

E[X(t)] = sum_n P(N = n) S_n, one customer at a time (``flat``) or over (draw, horizon,
distinct (x, T)) with the partial sums S_n shared between the T and horizons of a draw
and frequency (``grid``). The mathematics, the tail bound and where the series is used
are described in :mod:`clvmodels.models._special`.

The functions are module-level (numba's disk cache cannot reload compiled closures that
call other closures: those were recompiled in every process); :mod:`._special` imports
this module on first use, so importing clvmodels does not import numba.
"""

from __future__ import annotations

import numba
import numpy as np


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
    return (r * tau + 10.0 * np.sqrt(r * tau * (1.0 + tau)) + 35.0 * (1.0 + tau) < max_terms) and (
        r * np.log1p(tau) < 600.0
    )


@numba.njit(cache=True, nogil=True)
def flat(r, tau, a, b, max_terms, total, done):  # pragma: no cover - compiled
    partial = np.zeros(max_terms + 1)
    survival = np.ones(max_terms + 1)
    for i in range(r.shape[0]):
        total[i], done[i], _ = series_sum(r[i], tau[i], a[i], b[i], partial, survival, 0, max_terms)


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
