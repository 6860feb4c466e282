r"""BG/BB math: the likelihood's terms and the predictions built from them, written once.

Each period (e.g. each year's donation drive) is one opportunity to transact. While alive,
a customer transacts in a period with probability p ~ Beta(alpha, beta); at the start of
each period she dies with probability theta ~ Beta(gamma, delta). A customer's history of n
opportunities enters only through (x, t_x, n): the number of periods with a transaction,
the last such period (0 if none), and n.

Every quantity is a finite sum of beta-function ratios, evaluated in log space:

* the likelihood (FHS eq. 5) sums the "alive through n" term and the n - t_x "died after
  period t_x + i" terms;
* a customer alive at n has p ~ Beta(alpha + x, beta + n - x) and theta ~ Beta(gamma,
  delta + n), and is alive at n + k with probability
  :math:`\rho_k = B(\gamma, \delta+n+k) / B(\gamma, \delta+n)`; expected transactions in the
  next n* periods are :math:`P(\text{alive at } n)\,E[p]\sum_{k \le n^*} \rho_k` and DERT is
  the same sum discounted by :math:`(1+d)^{-k}` over all k (FHS eq. 13 and 14, whose
  :math:`\delta / (\gamma - 1)` and 2F1 forms these sums are, without the removable
  singularity at gamma = 1).

References
----------
Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086-1108.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.checks import positive_parameters
from clvmodels.data.opportunities import COLUMNS, check_opportunity_summary
from clvmodels.estimation.rows import CompressedRows, weighted_rows
from clvmodels.models.namespace import NUMPY

__all__ = [
    "COLUMNS",
    "PARAM_NAMES",
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "customer_parameters",
    "log_alive_term",
    "log_died_terms",
    "log_likelihood",
    "log_survival",
    "opportunity_rows",
    "probability_alive",
    "sufficient_statistics",
]

PARAM_NAMES = ("alpha", "beta", "gamma", "delta")


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "BG/BB")


def _whole(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as float64, checked to be whole numbers >= 0."""
    array = np.asarray(values, dtype=np.float64)
    if np.any(~np.isfinite(array)) or np.any(array < 0) or np.any(array != np.round(array)):
        raise ValueError(f"{name} must be whole numbers >= 0, e.g. {name}=6; got {array}")
    return array


def log_likelihood(
    params: Mapping[str, Any],
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""Log-likelihood of each customer's (x, t_x, n) under the BG/BB.

    .. math::

        L = \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}
            \frac{B(\gamma, \delta+n)}{B(\gamma,\delta)}
          + \sum_{i=0}^{n-t_x-1} \frac{B(\alpha+x, \beta+t_x-x+i)}{B(\alpha,\beta)}
            \frac{B(\gamma+1, \delta+t_x+i)}{B(\gamma,\delta)}

    (Fader, Hardie & Shang 2010, eq. 5). The sum runs to the largest n - t_x of the data,
    the terms past a row's own n - t_x masked; all terms are scaled by the largest before
    they are exponentiated.

    Parameters
    ----------
    params
        ``alpha, beta, gamma, delta``: numbers or arrays that broadcast against the data.
    frequency, recency, n_periods
        x, t_x and n of each customer (whole numbers, concrete arrays).
    xp
        The array namespace (:mod:`clvmodels.models.namespace`).
    """
    if xp is NUMPY:
        params = dict(zip(PARAM_NAMES, _unpack(params), strict=True))
    x, t_x, n = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, n_periods))
    gap = n - t_x
    i = np.arange(int(np.max(gap, initial=0.0)), dtype=np.float64)
    alive = log_alive_term(params, x, n, xp)
    if i.size == 0:  # every customer transacted in the last period: no "died" terms
        return alive
    died = log_died_terms(params, x, t_x, i, xp)
    # the i = 0 term is the largest of the sum (both beta functions fall with i)
    top = xp.maximum(alive, xp.where(gap > 0, died[..., 0], alive))
    mask = i < gap[..., None]
    total = xp.exp(alive - top) + xp.sum(
        xp.where(mask, xp.exp(xp.minimum(died - top[..., None], 0.0)), 0.0), axis=-1
    )
    return top + xp.log(total)


def log_died_terms(
    params: Mapping[str, Any],
    x: ArrayLike,
    t_x: ArrayLike,
    i: np.ndarray,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""The likelihood's "died after period t_x + i" terms, in logs, on a last axis of ``i``.

    .. math::

        \ln\frac{B(\alpha+x, \beta+t_x-x+i)}{B(\alpha,\beta)}
            \frac{B(\gamma+1, \delta+t_x+i)}{B(\gamma,\delta)}

    (Fader, Hardie & Shang 2010, eq. 5); read by :func:`log_likelihood` and by the
    gradient (:mod:`.gradient`).
    """
    alpha, beta, gamma, delta = (params[name] for name in PARAM_NAMES)
    shared = xp.betaln(alpha, beta) + xp.betaln(gamma, delta)
    x_, t_x_ = np.asarray(x)[..., None], np.asarray(t_x)[..., None]
    return (
        xp.betaln(alpha[..., None] + x_, beta[..., None] + t_x_ - x_ + i)
        + xp.betaln(gamma[..., None] + 1.0, delta[..., None] + t_x_ + i)
        - shared[..., None]
    )


def log_alive_term(
    params: Mapping[str, Any], x: ArrayLike, n: ArrayLike, xp: SimpleNamespace = NUMPY
) -> Any:
    r"""The likelihood's "alive through period n" term, in logs.

    .. math::

        \ln\frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}
            \frac{B(\gamma, \delta+n)}{B(\gamma,\delta)}

    (Fader, Hardie & Shang 2010, eq. 5): x transactions in n opportunities, then alive.
    Read by :func:`log_likelihood` and, as its share of the likelihood, by P(alive).
    """
    alpha, beta, gamma, delta = (params[name] for name in PARAM_NAMES)
    shared = xp.betaln(alpha, beta) + xp.betaln(gamma, delta)
    return xp.betaln(alpha + x, beta + n - x) + xp.betaln(gamma, delta + n) - shared


def log_survival(gamma: Any, delta_n: Any, k: Any, xp: SimpleNamespace = NUMPY) -> Any:
    r""":math:`\ln B(\gamma, \delta_n + k) / B(\gamma, \delta_n)`: alive k periods later.

    The probability that a customer alive after period n (whose dropout probability is
    then Beta(gamma, delta + n), so ``delta_n = delta + n``) is alive after period n + k.
    """
    return xp.betaln(gamma, delta_n + k) - xp.betaln(gamma, delta_n)


def _posterior_alive(
    params: Mapping[str, ArrayLike], x: np.ndarray, t_x: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """log P(alive after period n | x, t_x, n): the alive term's share of the likelihood."""
    named = dict(zip(PARAM_NAMES, _unpack(params), strict=True))
    return log_alive_term(named, x, n) - log_likelihood(named, x, t_x, n)


def probability_alive(
    params: Mapping[str, ArrayLike],
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
    periods_ahead: ArrayLike = 1,
) -> np.ndarray:
    r"""P(alive in period n + m | x, t_x, n), m = ``periods_ahead``.

    .. math::

        P = \frac{B(\alpha+x, \beta+n-x)}{B(\alpha,\beta)}
            \frac{B(\gamma, \delta+n+m)}{B(\gamma,\delta)} \Big/ L

    (Fader, Hardie & Shang 2010, eq. 11 for m = 1, the default, which is what the paper
    reports as P(alive)). m = 0 gives P(alive after period n).
    """
    _, _, gamma, delta = _unpack(params)
    x = _whole(frequency, "frequency")
    t_x, n = _whole(recency, "recency"), _whole(n_periods, "n_periods")
    m = _whole(periods_ahead, "periods_ahead")
    return np.exp(_posterior_alive(params, x, t_x, n) + log_survival(gamma, delta + n, m))


def _survival_sum(
    gamma: np.ndarray, delta_n: np.ndarray, periods: np.ndarray, discount: float = 0.0
) -> np.ndarray:
    r""":math:`\sum_{k=1}^{K} B(\gamma, \delta_n + k) / B(\gamma, \delta_n) (1+d)^{-k}`.

    The terms are :func:`log_survival`'s. K = ``periods`` (whole numbers) broadcasts
    against the parameters and data.
    """
    periods = np.asarray(periods, dtype=np.float64)
    k = np.arange(1.0, float(np.max(periods, initial=0.0)) + 1.0)
    g, dn = np.asarray(gamma)[..., None], np.asarray(delta_n)[..., None]
    log_terms = log_survival(g, dn, k) - k * np.log1p(discount)
    terms = np.where(k <= periods[..., None], np.exp(log_terms), 0.0)
    return terms.sum(axis=-1)


def expected_purchases(params: Mapping[str, ArrayLike], n: ArrayLike) -> np.ndarray:
    r"""E[X(n)]: expected transactions of a new customer in the first n opportunities.

    .. math::

        E[X(n)] = \frac{\alpha}{\alpha+\beta} \sum_{k=1}^{n}
                  \frac{B(\gamma, \delta+k)}{B(\gamma,\delta)}
                = \frac{\alpha}{\alpha+\beta}\frac{\delta}{\gamma-1}
                  \Big[1 - \frac{\Gamma(\gamma+\delta)\Gamma(1+\delta+n)}
                                {\Gamma(\gamma+\delta+n)\Gamma(1+\delta)}\Big]

    (Fader, Hardie & Shang 2010, eq. 7), the sum having no singularity at gamma = 1.
    """
    alpha, beta, gamma, delta = _unpack(params)
    n = _whole(n, "n")
    return alpha / (alpha + beta) * _survival_sum(gamma, delta, n)


def conditional_expected_purchases(
    params: Mapping[str, ArrayLike],
    periods_ahead: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
) -> np.ndarray:
    r"""E[X(n, n + n*) | x, t_x, n]: expected transactions in the next n* opportunities.

    .. math::

        E = P(\text{alive after } n)\,\frac{\alpha+x}{\alpha+\beta+n}
            \sum_{k=1}^{n^*}\frac{B(\gamma, \delta+n+k)}{B(\gamma,\delta+n)}

    (Fader, Hardie & Shang 2010, eq. 13). ``periods_ahead`` (whole numbers) broadcasts
    against the data: pass ``periods[:, None]`` for a (horizons x customers) array.
    """
    alpha, beta, gamma, delta = _unpack(params)
    x = _whole(frequency, "frequency")
    t_x, n = _whole(recency, "recency"), _whole(n_periods, "n_periods")
    periods = _whole(periods_ahead, "periods_ahead")
    p_alive = np.exp(_posterior_alive(params, x, t_x, n))
    mean_p = (alpha + x) / (alpha + beta + n)
    shape = np.broadcast_shapes(periods.shape, p_alive.shape)
    total = _survival_sum(gamma, np.broadcast_to(delta + n, shape), np.broadcast_to(periods, shape))
    return p_alive * mean_p * total


def discounted_expected_residual_transactions(
    params: Mapping[str, ArrayLike],
    discount_rate: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    n_periods: ArrayLike,
) -> np.ndarray:
    r"""DERT: expected future transactions, the one in period n + k discounted by (1+d)^-k.

    .. math::

        \mathrm{DERT}(d) = P(\text{alive after } n)\,\frac{\alpha+x}{\alpha+\beta+n}
            \sum_{k=1}^{\infty}\frac{B(\gamma, \delta+n+k)}{B(\gamma,\delta+n)}(1+d)^{-k}

    which is eq. 14 of Fader, Hardie & Shang (2010) with its 2F1 written as the series it is.
    The series is summed until :math:`(1+d)^{-k} < 10^{-17}`.

    Parameters
    ----------
    discount_rate
        d per period, at least 1e-4 (e.g. 0.1 for 10 % a year with yearly periods).
    """
    d = float(discount_rate)
    if not (np.isfinite(d) and d >= 1e-4):
        raise ValueError(
            f"discount_rate must be a rate per period >= 1e-4, e.g. 0.1; got {discount_rate}"
        )
    alpha, beta, gamma, delta = _unpack(params)
    x = _whole(frequency, "frequency")
    t_x, n = _whole(recency, "recency"), _whole(n_periods, "n_periods")
    p_alive = np.exp(_posterior_alive(params, x, t_x, n))
    mean_p = (alpha + x) / (alpha + beta + n)
    n_terms = np.ceil(np.log(1e17) / np.log1p(d))
    delta_n = np.broadcast_to(delta + n, p_alive.shape)
    return p_alive * mean_p * _survival_sum(gamma, delta_n, np.full(p_alive.shape, n_terms), d)


def sufficient_statistics(data: Any, weights: Any = None) -> CompressedRows:
    """The checked table's distinct (x, t_x, n) rows with their counts, as the MLE fits them."""
    check_opportunity_summary(data)
    return CompressedRows.from_frame(data, COLUMNS, weights)


def opportunity_rows(table: pd.DataFrame, weights: ArrayLike | None = None) -> CompressedRows:
    """As :func:`sufficient_statistics`, without rows of weight 0 (a Bayesian fit's data)."""
    check_opportunity_summary(table)
    return weighted_rows(table, COLUMNS, weights)


def customer_parameters(
    params: Mapping[str, Any], eta_purchase: ArrayLike, eta_dropout: ArrayLike
) -> dict[str, Any]:
    r"""Each customer's (alpha, beta, gamma, delta) under static covariates.

    .. math::

        \alpha_i = \alpha\, e^{\gamma_P' z_i}, \qquad \gamma_i = \gamma\, e^{\gamma_D' z_i}

    with beta and delta shared. The first shape of each beta distribution is scaled, so
    the odds :math:`\alpha_i / \beta` of the mean transaction probability and
    :math:`\gamma_i / \delta` of the mean dropout probability are multiplied by
    :math:`e^{\gamma' z_i}`: a positive purchase coefficient means more transactions, a
    positive dropout coefficient earlier dropout. No published BG/BB has covariates
    (CLVTools has no BG/BB); this is clvmodels' own choice, the analogue of CLVTools'
    scaling of one parameter of each mixing distribution (Bachmann, Meierer & Naef 2021),
    and the sBG's churn covariates scale its alpha the same way.
    """
    return {
        "alpha": params["alpha"] * np.exp(np.asarray(eta_purchase, dtype=np.float64)),
        "beta": params["beta"],
        "gamma": params["gamma"] * np.exp(np.asarray(eta_dropout, dtype=np.float64)),
        "delta": params["delta"],
    }
