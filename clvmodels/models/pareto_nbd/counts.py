r"""Pareto/NBD count distributions and future P(alive), from one customer's history.

A customer alive at T with history (x, t_x, T) has, by Bayes' rule on the likelihood's
"alive" term :math:`\lambda^x e^{-(\lambda+\mu) T}`, lambda ~ Gamma(r + x, alpha + T) and
mu ~ Gamma(s, beta + T), independent; both processes have no memory, so from T on she
is a new customer with those parameters. A customer dead at T buys nothing more. With
:math:`P_A = P(\text{alive at } T \mid x, t_x, T)` (Fader & Hardie 2005, note 009, eq. 18):

.. math::

    P(Y(t) = k \mid x, t_x, T) &= P_A\, P_{\text{new}}(X(t) = k \mid r+x, \alpha+T, s,
        \beta+T) + (1 - P_A)\, 1_{k=0}, \\
    P(Y(t) \ge k \mid x, t_x, T) &= P_A\, P_{\text{new}}(X(t) \ge k \mid r+x, \alpha+T, s,
        \beta+T), \quad k \ge 1, \\
    P(\text{alive at } T+s' \mid x, t_x, T) &= P_A\, E[e^{-\mu s'} \mid \text{alive}]
        = P_A \Big(\frac{\beta+T}{\beta+T+s'}\Big)^{s}.

The conditional distribution is written as the mixture it is (alive at T with the
posterior gammas of note 009's P(alive) and conditional expectation, eq. 18 and 22, or
dead), not as a closed form with Gauss hypergeometric functions; the new customer's
P(X(t) = k) and P(X(t) >= k) are
:func:`~clvmodels.models.pareto_nbd.count_integral.log_new_customer_pmf` and
:func:`~clvmodels.models.pareto_nbd.count_integral.log_new_customer_tail` (the mixture
behind Fader & Hardie 2006, note 012, without its cancelling 2F1 terms), each certified to
1e-9 relative.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.checks import positive_parameters
from clvmodels.models.beta_geo.counts import check_counts, mix_with_dead
from clvmodels.models.beta_geo.math import check_horizon
from clvmodels.models.namespace import NUMPY
from clvmodels.models.pareto_nbd.count_integral import (
    log_new_customer_pmf,
    log_new_customer_tail,
)
from clvmodels.models.pareto_nbd.math import (
    PARAM_NAMES,
    UNIQUE_FROM,
    blockwise,
    distinct_rows,
    parts,
)

__all__ = [
    "conditional_probability_of_purchases",
    "probability_alive_after",
    "probability_at_least",
]


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return positive_parameters(params, PARAM_NAMES, "Pareto/NBD")


def _log_odds_dead(params, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """ln P(dead at T) / P(alive at T): the likelihood's two terms (note 009, eq. 18)."""

    def block(named: dict, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        _, alive, died, _ = parts(named, x, t_x, T, NUMPY, with_gradient=False)
        return died - alive

    scalar_params = all(np.ndim(v) == 0 for v in _unpack(params))
    if scalar_params and x.ndim == t_x.ndim == T.ndim == 1 and x.size > UNIQUE_FROM:
        # one value per distinct (x, t_x, T), as probability_alive does
        codes, first = distinct_rows(x, t_x, T)
        return blockwise(block, params, x[first], t_x[first], T[first])[codes]
    return blockwise(block, params, x, t_x, T)


def _conditional(log_new, params, t, n, frequency, recency, T, *, tail: bool) -> np.ndarray:
    """P_A times the new customer's value at the posterior parameters, plus the dead's."""
    r, alpha, s, beta = _unpack(params)
    t, n = check_horizon(t), check_counts(n)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    log_odds = _log_odds_dead(params, x, t_x, T)
    shapes = (r.shape, alpha.shape, s.shape, beta.shape, t.shape)
    if all(len(shape) == 0 for shape in shapes) and x.ndim == 1 and x.shape == T.shape:
        # one quadrature per distinct (x, T) and count: summaries repeat them a lot
        pairs, codes = np.unique(np.stack([x, T]), axis=1, return_inverse=True)
        values = log_new(r + pairs[0], alpha + pairs[1], s, beta + pairs[1], t, n)
        log_alive = np.take(values, codes.reshape(-1), axis=-1)
    else:
        log_alive = log_new(r + x, alpha + T, s, beta + T, t, n)
    return mix_with_dead(log_alive, log_odds, n, tail)


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
    log_new = log_new_customer_tail if at_least else log_new_customer_pmf
    return _conditional(log_new, params, t, n, *history, tail=at_least)


def probability_at_least(params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike) -> np.ndarray:
    """P(X(t) >= n) of a new customer (1 for n = 0)."""
    r, alpha, s, beta = _unpack(params)
    t, n = check_horizon(t), check_counts(n)
    return np.exp(log_new_customer_tail(r, alpha, s, beta, t, n))


def probability_alive_after(
    params: Mapping[str, ArrayLike],
    at: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    """P(alive at T + ``at`` | x, t_x, T) = P_A ((beta + T) / (beta + T + at))^s."""
    _, _, s, beta = _unpack(params)
    at = check_horizon(at)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    p_alive = special.expit(-_log_odds_dead(params, x, t_x, T))
    return p_alive * np.exp(-s * np.log1p(at / (beta + T)))
