r"""Gamma-Gompertz/NBD count distributions and future P(alive), from one customer's history.

Purchases (lambda ~ Gamma(r, alpha)) and the lifetime (Gompertz hazard with
population survival :math:`S(t) = (\beta / (\beta - 1 + e^{bt}))^s`, Bemmaor & Glady
2012) are independent, and while alive she buys as a Poisson process. So a customer alive
at T with history (x, t_x, T) has lambda ~ Gamma(r + x, alpha + T), and her remaining
lifetime u has survival

.. math::

    \frac{S(T + u)}{S(T)} = \Big(\frac{\beta - 1 + e^{bT}}{\beta - 1 + e^{b(T+u)}}\Big)^s
        = \Big(\frac{\beta'}{\beta' - 1 + e^{bu}}\Big)^s,
    \qquad \beta' = 1 + (\beta - 1) e^{-bT},

the survival of a new customer with :math:`\beta'`. From T on she is a new customer with
parameters (r + x, alpha + T, b, s, beta'); a customer dead at T buys nothing more. With
:math:`P_A` = P(alive at T | x, t_x, T) (:func:`.math.probability_alive`):

.. math::

    P(Y(t) = k \mid x, t_x, T) &= P_A\, P_{\text{new}}(X(t) = k \mid r+x, \alpha+T, b, s,
        \beta') + (1 - P_A)\, 1_{k=0}, \\
    P(\text{alive at } T+a \mid x, t_x, T) &= P_A\, S(T + a) / S(T).

The new customer's P(X(t) = k) is :func:`.math.probability_of_purchases` (CLVTools'
``ggomnbd_PMF``, certified to 1e-9); tails P(X >= k) are 1 minus the sum below k (to
1e-9 absolute). ``tests/models/test_gamma_gompertz_counts.py`` checks them against the
Pareto/NBD's (its limit b -> 0) and against simulated customers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from clvmodels.checks import positive_parameters
from clvmodels.models.beta_geo.counts import check_counts, mix_with_dead
from clvmodels.models.beta_geo.math import check_horizon
from clvmodels.models.gamma_gompertz_nbd import math as formulas

__all__ = [
    "conditional_probability_of_purchases",
    "probability_alive_after",
    "probability_at_least",
]


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return positive_parameters(params, formulas.PARAM_NAMES, "Gamma-Gompertz/NBD")


def _log_odds_dead(params: Mapping[str, ArrayLike], *history: ArrayLike) -> np.ndarray:
    """ln[(1 - P_A) / P_A] per customer (from P_A, which the math module gives)."""
    p_alive = formulas.probability_alive(params, *history)
    with np.errstate(divide="ignore"):
        return np.log1p(-p_alive) - np.log(p_alive)


def _posterior(params: Mapping[str, ArrayLike], frequency: ArrayLike, T: ArrayLike) -> dict:
    """The new-customer parameters of a customer alive at T (module docstring)."""
    r, alpha, b, s, beta = _unpack(params)
    x, T = np.asarray(frequency, dtype=np.float64), np.asarray(T, dtype=np.float64)
    return {
        "r": r + x,
        "alpha": alpha + T,
        "b": b,
        "s": s,
        "beta": 1.0 + (beta - 1.0) * np.exp(-b * T),
    }


def _below(params: Mapping[str, ArrayLike], t: float, counts: np.ndarray) -> np.ndarray:
    """P(X(t) < n) of a new customer: the sum of the pmf below each n (0 for n = 0)."""
    top = int(counts.max(initial=0.0))
    if top == 0:
        return np.zeros(np.broadcast(counts, *params.values()).shape)
    ks = np.arange(top).reshape((top,) + (1,) * np.ndim(counts))
    pmf = formulas.probability_of_purchases(params, t, ks)
    cumulative = np.concatenate([np.zeros((1, *pmf.shape[1:])), np.cumsum(pmf, axis=0)])
    index = counts.astype(np.intp)
    index = np.broadcast_to(index, np.broadcast_shapes(index.shape, cumulative.shape[1:]))
    return np.take_along_axis(cumulative, index[None, ...], axis=0)[0]


def _new_customer(params: Mapping, t: float, counts: np.ndarray, at_least: bool) -> np.ndarray:
    """P(X(t) = n) or P(X(t) >= n) of a new customer with ``params`` (arrays broadcast)."""
    if not at_least:
        return formulas.probability_of_purchases(params, t, counts)
    return np.clip(1.0 - _below(params, t, counts), 0.0, 1.0)


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
    t, counts = check_horizon(t), check_counts(n)
    frequency, _, T = history
    alive = _new_customer(_posterior(params, frequency, T), t, counts, at_least)
    with np.errstate(divide="ignore"):
        log_alive = np.log(alive)
    return mix_with_dead(log_alive, _log_odds_dead(params, *history), counts, at_least)


def probability_at_least(params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike) -> np.ndarray:
    """P(X(t) >= n) of a new customer (1 for n = 0; 1 minus the pmf below n)."""
    _unpack(params)
    return _new_customer(params, check_horizon(t), check_counts(n), True)


def probability_alive_after(
    params: Mapping[str, ArrayLike],
    at: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    """P(alive at T + ``at`` | x, t_x, T) = P_A S(T + at) / S(T) (module docstring)."""
    at = check_horizon(at)
    T = np.asarray(T, dtype=np.float64)
    p_alive = formulas.probability_alive(params, frequency, recency, T)
    ratio = formulas.log_survival(params, T + at) - formulas.log_survival(params, T)
    return p_alive * np.exp(ratio)
