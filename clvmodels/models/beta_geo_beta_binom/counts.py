r"""BG/BB count distributions: P(X(n) = x) and P(X(n, n + n*) = x* | x, t_x, n).

A new customer makes x transactions in her first n opportunities either alive through
all n (x of n periods with a transaction) or dead after period i, x <= i < n (x of i)
(Fader, Hardie & Shang 2010, eq. 8):

.. math::

    P(X(n) = x) = \binom{n}{x}\frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}
                  \frac{B(\gamma, \delta+n)}{B(\gamma,\delta)}
      + \sum_{i=x}^{n-1}\binom{i}{x}\frac{B(\alpha+x, \beta+i-x)}{B(\alpha,\beta)}
                  \frac{B(\gamma+1, \delta+i)}{B(\gamma,\delta)}.

A customer alive after period n with history (x, t_x, n) has p ~ Beta(alpha + x, beta +
n - x) and theta ~ Beta(gamma, delta + n), and from there transacts and dies as a new
customer with those parameters; a dead one transacts no more. So (the conditional
distribution of Fader, Hardie & Shang 2010, appendix, written as the mixture it is)

.. math::

    P(X(n, n+n^*) = x^* \mid x, t_x, n) = P_A\, P_{\text{new}}(X(n^*) = x^* \mid
        \alpha+x, \beta+n-x, \gamma, \delta+n) + (1 - P_A)\, 1_{x^*=0},

with :math:`P_A` = P(alive after period n | x, t_x, n) (``probability_alive`` with
``periods_ahead=0``). Every term is a positive product of beta-function ratios, summed in
log space; the tail P(X >= k) is the finite sum of the pmf from k to n* (no ``1 - sum``).
The future P(alive) is
:func:`~clvmodels.models.beta_geo_beta_binom.math.probability_alive` with
``periods_ahead``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.checks import positive_parameters
from clvmodels.models.beta_geo.counts import check_counts, mix_with_dead
from clvmodels.models.beta_geo_beta_binom.math import (
    PARAM_NAMES,
    log_alive_term,
    log_likelihood,
)

__all__ = [
    "conditional_probability_of_purchases",
    "log_new_customer_pmf",
    "probability_at_least",
    "probability_of_purchases",
]


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return positive_parameters(params, PARAM_NAMES, "BG/BB")


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1.0) - special.gammaln(k + 1.0) - special.gammaln(n - k + 1.0)


def log_new_customer_pmf(alpha, beta, gamma, delta, n, x) -> np.ndarray:
    """ln P(X(n) = x) of a new customer (module docstring, FHS 2010 eq. 8); -inf for x > n.

    Every argument broadcasts; n and x are whole numbers >= 0.
    """
    alpha, beta, gamma, delta, n, x = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (alpha, beta, gamma, delta, n, x))
    )
    possible = x <= n
    x_ok = np.where(possible, x, 0.0)
    shared = special.betaln(alpha, beta) + special.betaln(gamma, delta)
    alive = (
        _log_choose(n, x_ok)
        + special.betaln(alpha + x_ok, beta + n - x_ok)
        + special.betaln(gamma, delta + n)
        - shared
    )
    i = np.arange(int(np.max(n, initial=0.0)), dtype=np.float64)
    if i.size:
        ii = i + np.zeros(x.shape + (1,))
        inside = (ii >= x_ok[..., None]) & (ii < n[..., None])
        ii = np.where(inside, ii, x_ok[..., None])
        terms = (
            _log_choose(ii, x_ok[..., None])
            + special.betaln(
                alpha[..., None] + x_ok[..., None], beta[..., None] + ii - x_ok[..., None]
            )
            + special.betaln(gamma[..., None] + 1.0, delta[..., None] + ii)
            - shared[..., None]
        )
        died = special.logsumexp(np.where(inside, terms, -np.inf), axis=-1)
        alive = np.logaddexp(alive, died)
    return np.where(possible, alive, -np.inf)


def _log_new_customer_tail(alpha, beta, gamma, delta, n, k) -> np.ndarray:
    """ln P(X(n) >= k): the pmf summed from k to n (0 for k = 0)."""
    alpha, beta, gamma, delta, n, k = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (alpha, beta, gamma, delta, n, k))
    )
    j = np.arange(int(np.max(n, initial=0.0)) + 1, dtype=np.float64)
    pmf = log_new_customer_pmf(*(v[..., None] for v in (alpha, beta, gamma, delta, n)), j)
    tail = special.logsumexp(np.where(j >= k[..., None], pmf, -np.inf), axis=-1)
    return np.where(k <= 0, 0.0, tail)


def _whole(values: ArrayLike, name: str) -> np.ndarray:
    return check_counts(values, name)


def probability_of_purchases(
    params: Mapping[str, ArrayLike], n_periods: ArrayLike, x: ArrayLike, at_least: bool = False
) -> np.ndarray:
    """P(X(n) = x): x transactions in a new customer's first n opportunities (FHS eq. 8).

    ``at_least=True``: P(X(n) >= x) (1 for x = 0).
    """
    alpha, beta, gamma, delta = _unpack(params)
    n, x = _whole(n_periods, "n_periods"), _whole(x, "n")
    log_new = _log_new_customer_tail if at_least else log_new_customer_pmf
    return np.exp(log_new(alpha, beta, gamma, delta, n, x))


def probability_at_least(
    params: Mapping[str, ArrayLike], n_periods: ArrayLike, x: ArrayLike
) -> np.ndarray:
    """P(X(n) >= x) of a new customer (1 for x = 0)."""
    return probability_of_purchases(params, n_periods, x, at_least=True)


def _conditional(log_new, params, periods_ahead, counts, frequency, recency, n_periods, tail):
    alpha, beta, gamma, delta = _unpack(params)
    ahead, counts = _whole(periods_ahead, "periods_ahead"), _whole(counts, "n")
    x, t_x = _whole(frequency, "frequency"), _whole(recency, "recency")
    n = _whole(n_periods, "n_periods")
    named = {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}
    log_odds_dead = log_likelihood(named, x, t_x, n) - log_alive_term(named, x, n)
    # ln(L / alive) = ln(1 + dead / alive) >= 0: the log odds of dead are ln(e^that - 1)
    gap = np.maximum(log_odds_dead, 0.0)
    with np.errstate(divide="ignore"):
        log_odds_dead = np.where(gap > 30.0, gap, np.log(np.expm1(gap)))
    scalar = all(np.ndim(v) == 0 for v in (alpha, beta, gamma, delta, ahead))
    if scalar and x.ndim == 1 and x.shape == n.shape:
        # one evaluation per distinct (x, n): the future depends on t_x only through P_A
        pairs, codes = np.unique(np.stack([x, n]), axis=1, return_inverse=True)
        values = log_new(
            alpha + pairs[0], beta + pairs[1] - pairs[0], gamma, delta + pairs[1], ahead, counts
        )
        log_alive = np.take(values, codes.reshape(-1), axis=-1)
    else:
        log_alive = log_new(alpha + x, beta + n - x, gamma, delta + n, ahead, counts)
    return mix_with_dead(log_alive, log_odds_dead, counts, tail)


def conditional_probability_of_purchases(
    params: Mapping[str, ArrayLike],
    periods_ahead: ArrayLike,
    n: ArrayLike,
    *history: ArrayLike,
    at_least: bool = False,
) -> np.ndarray:
    """P(n transactions in the next ``periods_ahead`` opportunities | x, t_x, n).

    Module docstring; ``history`` is (frequency, recency, n_periods), ``n`` broadcasts
    against it (``n[:, None]`` for counts x customers). ``at_least=True``: P(at least n).
    """
    log_new = _log_new_customer_tail if at_least else log_new_customer_pmf
    return _conditional(log_new, params, periods_ahead, n, *history, at_least)
