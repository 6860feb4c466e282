r"""MBG/NBD count distributions and future P(alive), from one customer's history.

The MBG/NBD customer flips her dropout coin after every purchase, the first (trial) one
included. Alive at T with history (x, t_x, T) she survived x + 1 flips, so lambda ~
Gamma(r + x, alpha + T) and p ~ Beta(a, b + x + 1), and from T on she buys and drops out
as a new *BG/NBD* customer with those parameters (her next flip comes after her next
purchase). With :math:`P_A` the MBG/NBD's P(alive at T) (Batislam, Denizel & Filiztekin
2007, eq. 5, below 1 for x = 0 too):

.. math::

    P(Y(t) = k \mid x, t_x, T) &= P_A\, P_{\text{BG/NBD}}(X(t) = k \mid r+x, \alpha+T, a,
        b+x+1) + (1 - P_A)\, 1_{k=0}, \\
    P(\text{alive at } T+s \mid x, t_x, T) &= P_A \Big[1 - \frac{a}{a+b+x+1}
        E_{\text{BG/NBD}}[X(s) \mid r+x, \alpha+T, a+1, b+x+1]\Big]

(derived for the BG/NBD in :mod:`clvmodels.models.beta_geo.counts`; the same arguments
hold with one more survived flip). A new customer survives k flips before her k-th
purchase can count, so :math:`P(X(t) \ge k) = B(a, b+k)/B(a, b)\,P(N \ge k)`, N ~ NB(r,
alpha / (alpha + t)).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.checks import positive_parameters
from clvmodels.models._special import beta_geometric_nbd_mean
from clvmodels.models.beta_geo.counts import (
    check_counts,
    conditional_counts,
    log_new_customer_pmf,
    log_new_customer_tail,
)
from clvmodels.models.beta_geo.math import check_horizon, dropout_log_odds
from clvmodels.models.modified_beta_geo.math import PARAM_NAMES

__all__ = [
    "conditional_probability_of_purchases",
    "probability_alive_after",
    "probability_at_least",
]


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return positive_parameters(params, PARAM_NAMES, "MBG/NBD")


def _posterior(params: Mapping[str, ArrayLike], frequency, recency, T) -> tuple:
    """Alive at T: (r + x, alpha + T, a, b + x + 1); and the log odds that she is dead."""
    r, alpha, a, b = _unpack(params)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    log_odds_dead = dropout_log_odds(r, alpha, np.log(a) - np.log(b + x), x, t_x, T)
    return (r + x, alpha + T, a, b + x + 1.0), log_odds_dead


def conditional_probability_of_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    n: ArrayLike,
    *history: ArrayLike,
    at_least: bool = False,
) -> np.ndarray:
    """P(Y(t) = n | x, t_x, T), or P(Y(t) >= n | x, t_x, T) with ``at_least`` (module docstring).

    ``history`` is (frequency, recency, T); ``n[:, None]`` gives counts x customers.
    """
    new = (log_new_customer_pmf, log_new_customer_tail)
    return conditional_counts(new, _posterior(params, *history), t, n, at_least)


def probability_at_least(params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike) -> np.ndarray:
    """P(X(t) >= n) of a new MBG/NBD customer: B(a, b+n)/B(a, b) P(N >= n), 1 for n = 0."""
    r, alpha, a, b = _unpack(params)
    t, n = check_horizon(t), check_counts(n)
    return np.exp(log_new_customer_tail(r, alpha, a, b, t, n, flips_before=0.0))


def probability_alive_after(
    params: Mapping[str, ArrayLike],
    at: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    """P(alive at T + ``at`` | x, t_x, T) (module docstring); ``at = 0`` is P(alive at T)."""
    at = check_horizon(at)
    (r_x, alpha_T, a, b_x1), log_odds_dead = _posterior(params, frequency, recency, T)
    died = a / (a + b_x1) * beta_geometric_nbd_mean(r_x, alpha_T, a + 1.0, b_x1, at)
    return special.expit(-log_odds_dead) * np.clip(1.0 - died, 0.0, 1.0)
