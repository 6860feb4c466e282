r"""MBG/NBD math: the BG/NBD in which a customer may also drop out right after her first purchase.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after
*every* purchase, the first (trial) one included, she drops out with probability
p ~ Beta(a, b). In the BG/NBD the trial purchase carries no dropout, so a customer with no
repeat purchase is alive for sure; here she is alive with probability below one
(Batislam, Denizel & Filiztekin 2007).

The expectations reduce to the BG/NBD's, whose 2F1 is evaluated by
:func:`~clvmodels.models._special.beta_geometric_nbd_mean` (right to 1e-8 everywhere):

* a customer alive at T who survived x + 1 coin flips has p ~ Beta(a, b + x + 1) and, from T
  on, buys exactly as a BG/NBD customer, so
  :math:`E[Y(t) \mid x, t_x, T] = P(\text{alive})\, E_{BG}[X(t) \mid r+x, \alpha+T, a, b+x+1]`;
* a new customer is that customer at x = t_x = T = 0:
  :math:`E[X(t)] = \frac{b}{a+b}\, E_{BG}[X(t) \mid r, \alpha, a, b+1]
  = \frac{b}{a-1}\big[1 - (\tfrac{\alpha}{\alpha+t})^r
  \, {}_2F_1(r, b+1; a+b; \tfrac{t}{\alpha+t})\big]`.

  This is the form of Wagner & Hoppe's (2008) erratum (``lifetimes`` uses it too): it is the
  conditional expectation at x = t_x = T = 0, its t -> inf limit is
  :math:`E[(1-p)/p] = b/(a-1)`, and it equals the brute-force sum
  :math:`\sum_n P(N(t) \ge n)\,E[(1-p)^n]` (tested).

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing*, 24(3),
201-209.

Wagner, U. & Hoppe, D. (2008). Erratum on the MBG/NBD model. *International Journal of
Research in Marketing*, 25(3), 225-226.

Static covariates scale the parameters as in the BG/NBD
(:func:`~clvmodels.models.beta_geo.math.customer_parameters`, re-exported here: the
MBG/NBD's r, alpha, a, b have the BG/NBD's meaning).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from clvmodels.checks import positive_parameters
from clvmodels.data.validation import check_summary
from clvmodels.estimation.rows import CompressedRows
from clvmodels.models._special import beta_geometric_nbd_mean
from clvmodels.models.beta_geo.math import (
    CUSTOMER_LOG_SHIFTS,
    check_horizon,
    customer_parameters,
    dropout_log_odds,
)
from clvmodels.models.namespace import NUMPY

__all__ = [
    "PARAM_NAMES",
    "conditional_expected_purchases",
    "CUSTOMER_LOG_SHIFTS",
    "customer_parameters",
    "expected_purchases",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
    "terms",
]

PARAM_NAMES = ("r", "alpha", "a", "b")


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "MBG/NBD")


def terms(params: Mapping[str, Any], x: Any, t_x: Any, T: Any, xp: Any) -> tuple:
    """x-only part, 'alive at T' and 'dropped out after the last purchase' log terms."""
    r, alpha, a, b = (params[name] for name in PARAM_NAMES)
    head = (
        xp.gammaln(r + x)
        - xp.gammaln(r)
        + r * xp.log(alpha)
        + xp.gammaln(a + b)
        + xp.gammaln(b + x + 1.0)
        - xp.gammaln(b)
        - xp.gammaln(a + b + x + 1.0)
    )
    alive = -(r + x) * xp.log(alpha + T)
    dropped = xp.log(a) - xp.log(b + x) - (r + x) * xp.log(alpha + t_x)
    return head, alive, dropped


def log_likelihood(
    params: Mapping[str, Any],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""Log-likelihood of each customer's (x, t_x, T) under the MBG/NBD.

    .. math::

        \ell = \ln\frac{\Gamma(r+x)\alpha^r}{\Gamma(r)} + \ln\frac{B(a, b+x+1)}{B(a, b)}
             + \ln\Big[(\alpha+T)^{-(r+x)} + \frac{a}{b+x}(\alpha+t_x)^{-(r+x)}\Big]

    (Batislam, Denizel & Filiztekin 2007, eq. 4), the bracket as a ``logaddexp``; unlike
    the BG/NBD, the second term is there for x = 0 too.

    Parameters
    ----------
    params
        ``r, alpha, a, b``: numbers or arrays that broadcast against the data (checked to be
        finite and > 0 with ``xp=NUMPY``).
    frequency, recency, T
        x, t_x and T of each customer.
    xp
        The array namespace (:mod:`clvmodels.models.namespace`).
    """
    if xp is NUMPY:
        params = dict(zip(PARAM_NAMES, _unpack(params), strict=True))
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    head, alive, dropped = terms(params, x, t_x, T, xp)
    return head + xp.logaddexp(alive, dropped)


def probability_alive(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""P(alive at T | x, t_x, T).

    .. math::

        P = \Big[1 + \frac{a}{b+x}\Big(\frac{\alpha+T}{\alpha+t_x}\Big)^{r+x}\Big]^{-1}

    (Batislam et al. 2007, eq. 5), as ``expit`` of the log odds; below 1 for x = 0 too.
    """
    r, alpha, a, b = _unpack(params)
    x = np.asarray(frequency, dtype=np.float64)
    log_odds_dead = dropout_log_odds(r, alpha, np.log(a) - np.log(b + x), x, recency, T)
    return special.expit(-log_odds_dead)


def expected_purchases(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""E[X(t)]: expected repeat purchases of a new customer in (0, t].

    .. math::

        E[X(t)] = \frac{b}{a-1}\Big[1 - \Big(\frac{\alpha}{\alpha+t}\Big)^r
                  {}_2F_1\big(r, b+1; a+b; \tfrac{t}{\alpha+t}\big)\Big]
                = \frac{b}{a+b}\,E_{\mathrm{BG/NBD}}[X(t) \mid r, \alpha, a, b+1]

    (Wagner & Hoppe 2008; the module docstring derives it).
    """
    r, alpha, a, b = _unpack(params)
    t = check_horizon(t)
    return b / (a + b) * beta_geometric_nbd_mean(r, alpha, a, b + 1.0, t)


def conditional_expected_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with that history.

    .. math::

        E = \frac{a+b+x}{a-1}\Big[1-\Big(\frac{\alpha+T}{\alpha+T+t}\Big)^{r+x}
            {}_2F_1\big(r+x, b+x+1; a+b+x; \tfrac{t}{\alpha+T+t}\big)\Big]
            P(\text{alive} \mid x, t_x, T)

    (Batislam et al. 2007, eq. 6): the BG/NBD mean at ``(r + x, alpha + T, a, b + x + 1)``.
    ``t`` broadcasts against the data: pass ``t[:, None]`` for (horizons x customers).
    """
    r, alpha, a, b = _unpack(params)
    t = check_horizon(t)
    x, T_arr = np.asarray(frequency, np.float64), np.asarray(T, np.float64)
    bracket = beta_geometric_nbd_mean(r + x, alpha + T_arr, a, b + x + 1.0, t)
    return bracket * probability_alive(params, x, recency, T_arr)


def probability_of_purchases(
    params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike
) -> np.ndarray:
    r"""P(X(t) = n) for a new customer.

    .. math::

        P(X(t)=n) = \frac{B(a,b+n+1)}{B(a,b)}\,\mathrm{NB}\big(n; r, \tfrac{\alpha}{\alpha+t}\big)
          + \frac{B(a+1,b+n)}{B(a,b)}\,
            P\big(\mathrm{NB}(r, \tfrac{\alpha}{\alpha+t}) \ge n\big)

    (alive after n + 1 coin flips and n purchases by t; or dropped out at the flip after the
    n-th purchase, having made at least n by t).
    """
    r, alpha, a, b = _unpack(params)
    t = check_horizon(t)
    n = np.asarray(n)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(f"n must be whole numbers >= 0, e.g. n=[0, 1, 2]; got {n}")
    n = n.astype(np.float64)
    p = alpha / (alpha + t)
    log_beta_ab = special.betaln(a, b)
    alive = special.betaln(a, b + n + 1.0) - log_beta_ab + stats.nbinom.logpmf(n, r, p)
    dropped = special.betaln(a + 1.0, b + n) - log_beta_ab + stats.nbinom.logsf(n - 1.0, r, p)
    return np.exp(np.logaddexp(alive, dropped))


def sufficient_statistics(data: Any, weights: Any = None) -> CompressedRows:
    """The checked summary's distinct (x, t_x, T) rows with their counts (for the MLE)."""
    check_summary(data)
    return CompressedRows.from_frame(data, ("frequency", "recency", "T"), weights)
