r"""BG/NBD count distributions and future P(alive), from one customer's history.

A customer alive at T with history (x, t_x, T) has, by Bayes' rule on the likelihood's
"alive" term, lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x) (she survived x
coin flips), and from T on she buys and drops out exactly as a new customer with those
parameters (the Poisson process has no memory, and dropout happens only right after a
purchase). A customer dead at T buys nothing more. Hence, with
:math:`P_A = P(\text{alive at } T \mid x, t_x, T)`,

.. math::

    P(Y(t) = k \mid x, t_x, T) = P_A\, P_{\text{new}}(X(t) = k \mid r+x, \alpha+T, a, b+x)
                                 + (1 - P_A)\, 1_{k=0}

(Fader, Hardie & Lee 2005, "Counting your customers the easy way", eq. 8 for the new
customer, at the posterior parameters; the same mixture as their eq. 10 for the mean).

New customer, with :math:`N \sim \mathrm{NB}(r, \alpha/(\alpha+t))` the purchases she would
make if she never dropped out: :math:`X(t) \ge k` (k >= 1) exactly when :math:`N \ge k` and
she survived the flips after her first k - 1 purchases, so

.. math::

    P(X(t) \ge k) = \frac{B(a, b+k-1)}{B(a, b)}\, P(N \ge k),

a product of positive terms (no ``1 - sum`` cancellation in small tails).

Future P(alive). Given lambda and p, she survives (T, T + s] when none of her purchases
there is followed by dropout: :math:`E[(1-p)^{N(s)}] = e^{-\lambda p s}`. Hence
:math:`P(\text{dies in } (T, T+s] \mid \lambda, p) = 1 - e^{-\lambda p s}
= p\, E[X(s) \mid \lambda, p]` (the BG/NBD mean given lambda and p is
:math:`(1 - e^{-\lambda p s})/p`), and mixing over the posterior, p's density times p is
a Beta(a + 1, b + x) density times a / (a + b + x):

.. math::

    P(\text{alive at } T+s \mid x, t_x, T) = P_A \Big[1 - \frac{a}{a+b+x}
        E_{\text{BG/NBD}}[X(s) \mid r+x, \alpha+T, a+1, b+x]\Big],

the mean computed by :func:`~clvmodels.models._special.beta_geometric_nbd_mean` (relative
error below 1e-8, so the bracket is right to about 1e-8 absolute).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from clvmodels.checks import positive_parameters
from clvmodels.models._special import beta_geometric_nbd_mean
from clvmodels.models.beta_geo.math import PARAM_NAMES, check_horizon, dropout_log_odds

__all__ = [
    "check_counts",
    "conditional_counts",
    "conditional_probability_of_purchases",
    "log_new_customer_pmf",
    "log_new_customer_tail",
    "mix_with_dead",
    "probability_alive_after",
    "probability_at_least",
]


def check_counts(n: ArrayLike, name: str = "n") -> np.ndarray:
    """``n`` as a float array of whole numbers >= 0 (a named error otherwise)."""
    counts = np.asarray(n, dtype=np.float64)
    if np.any(~np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError(f"{name} must be whole numbers >= 0, e.g. {name}=[0, 1, 2]; got {n}")
    return counts


def log_new_customer_pmf(r, alpha, a, b, t, n) -> np.ndarray:
    r"""ln P(X(t) = n) of a new BG/NBD customer (Fader, Hardie & Lee 2005, eq. 8).

    .. math::

        P(X(t)=n) = \frac{B(a,b+n)}{B(a,b)}\,P(N = n)
          + 1_{n>0}\frac{B(a+1,b+n-1)}{B(a,b)}\,P(N \ge n)

    with :math:`N \sim \mathrm{NB}(r, \alpha/(\alpha+t))`; arguments broadcast.
    """
    r, alpha, a, b, t, n = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (r, alpha, a, b, t, n))
    )
    p = alpha / (alpha + t)
    log_beta_ab = special.betaln(a, b)
    with np.errstate(divide="ignore"):
        first = special.betaln(a, b + n) - log_beta_ab + stats.nbinom.logpmf(n, r, p)
        n1 = np.maximum(n, 1.0)
        tail = (
            special.betaln(a + 1.0, b + n1 - 1.0) - log_beta_ab + stats.nbinom.logsf(n1 - 1.0, r, p)
        )
    return np.logaddexp(first, np.where(n > 0, tail, -np.inf))


def log_new_customer_tail(r, alpha, a, b, t, k, flips_before: float = -1.0) -> np.ndarray:
    r"""ln P(X(t) >= k) of a new BG/NBD customer: ln[B(a, b+k-1)/B(a, b) P(N >= k)], k >= 1.

    ``flips_before`` is the number of dropout flips before the k-th purchase less k
    (-1 for the BG/NBD; 0 for the MBG/NBD, whose customer also flips after her first,
    trial, purchase). 0 for k = 0.
    """
    r, alpha, a, b, t, k = np.broadcast_arrays(
        *(np.asarray(v, np.float64) for v in (r, alpha, a, b, t, k))
    )
    positive = k > 0
    k1 = np.where(positive, k, 1.0)
    with np.errstate(divide="ignore"):
        survived = special.betaln(a, b + k1 + flips_before) - special.betaln(a, b)
        value = survived + stats.nbinom.logsf(k1 - 1.0, r, alpha / (alpha + t))
    return np.where(positive, value, 0.0)


def mix_with_dead(
    log_alive: np.ndarray, log_odds_dead: np.ndarray, counts: np.ndarray, tail: bool
) -> np.ndarray:
    r"""P_A e^{log_alive} + (1 - P_A) [k = 0 (pmf) or k <= 0 (tail)], P_A = expit(-log odds).

    Both shares come from the log odds (no ``1 - P_A`` cancellation); every term is >= 0.
    """
    p_alive = special.expit(-log_odds_dead)
    p_dead = special.expit(log_odds_dead)
    dead_part = (counts <= 0) if tail else (counts == 0)
    return p_alive * np.exp(log_alive) + p_dead * dead_part


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return positive_parameters(params, PARAM_NAMES, "BG/NBD")


def conditional_counts(
    log_new: tuple, posterior: tuple, t: ArrayLike, n: ArrayLike, at_least: bool
) -> np.ndarray:
    """P_A times the new customer's P(X(t) = n) (or >= n) at the posterior, plus the dead's share.

    ``log_new`` is the model's (log pmf, log tail) of a new customer, ``posterior`` the
    posterior parameters of a customer alive at T and the log odds that she is dead.
    """
    t, n = check_horizon(t), check_counts(n)
    parameters, log_odds_dead = posterior
    function = log_new[1 if at_least else 0]
    arrays = np.broadcast_arrays(*parameters)
    if arrays[0].ndim == 1 and arrays[0].size > 2000 and t.ndim == 0:
        # one evaluation per distinct posterior (summaries repeat (x, T) a lot)
        distinct, codes = np.unique(np.stack(arrays), axis=1, return_inverse=True)
        log_alive = np.take(function(*distinct, t, n), codes.reshape(-1), axis=-1)
    else:
        log_alive = function(*parameters, t, n)
    return mix_with_dead(log_alive, log_odds_dead, n, tail=at_least)


def _posterior(params: Mapping[str, ArrayLike], frequency, recency, T) -> tuple:
    """Alive at T: (r + x, alpha + T, a, b + x); and the log odds of dead (-inf for x = 0)."""
    r, alpha, a, b = _unpack(params)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    log_weight = np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0)
    log_odds = np.where(x > 0, dropout_log_odds(r, alpha, log_weight, x, t_x, T), -np.inf)
    return (r + x, alpha + T, a, b + x), log_odds


def conditional_probability_of_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    n: ArrayLike,
    *history: ArrayLike,
    at_least: bool = False,
) -> np.ndarray:
    r"""P(Y(t) = n | x, t_x, T): n purchases in (T, T + t] given the history (module docstring).

    ``history`` is (frequency, recency, T); ``n`` broadcasts against it: pass ``n[:, None]``
    for a (counts x customers) array. The parameters may be per customer (covariates) or
    draws ``(chain, draw, 1[, 1])``. ``at_least=True``: P(Y(t) >= n | x, t_x, T) =
    :math:`P_A\,B(a, b+x+n-1)/B(a, b+x)\,P(N \ge n)` for n >= 1, N ~ NB(r + x, (alpha + T)
    / (alpha + T + t)), and 1 for n = 0.
    """
    new = (log_new_customer_pmf, log_new_customer_tail)
    return conditional_counts(new, _posterior(params, *history), t, n, at_least)


def probability_at_least(params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike) -> np.ndarray:
    """P(X(t) >= n) of a new customer (module docstring)."""
    r, alpha, a, b = _unpack(params)
    return np.exp(log_new_customer_tail(r, alpha, a, b, check_horizon(t), check_counts(n)))


def probability_alive_after(
    params: Mapping[str, ArrayLike],
    at: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""P(alive at T + ``at`` | x, t_x, T), derived in the module docstring.

    At ``at = 0`` it is :func:`~clvmodels.models.beta_geo.math.probability_alive` exactly.
    """
    at = check_horizon(at)
    (r_x, alpha_T, a, b_x), log_odds_dead = _posterior(params, frequency, recency, T)
    died = a / (a + b_x) * beta_geometric_nbd_mean(r_x, alpha_T, a + 1.0, b_x, at)
    return special.expit(-log_odds_dead) * np.clip(1.0 - died, 0.0, 1.0)
