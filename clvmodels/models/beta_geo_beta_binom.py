r"""BG/BB: the beta-geometric / beta-Bernoulli model for discrete "opportunity" data.

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
from scipy import special

from clvmodels.checks import positive_parameters
from clvmodels.data.units import TIME_UNIT_ATTR, check_same_unit, time_unit_of
from clvmodels.data.validation import Problems, require_frame
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.protocols import PurchaseCapabilities
from clvmodels.estimation.rows import SufficientStatistics
from clvmodels.models.namespace import NUMPY

__all__ = [
    "BetaGeoBetaBinomModel",
    "check_opportunity_summary",
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "log_likelihood",
    "opportunity_summary",
    "probability_alive",
]

PARAM_NAMES = ("alpha", "beta", "gamma", "delta")
COLUMNS = ("frequency", "recency", "n_periods")


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "BG/BB")


def _whole(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if np.any(~np.isfinite(array)) or np.any(array < 0) or np.any(array != np.round(array)):
        raise ValueError(f"{name} must be whole numbers >= 0, e.g. {name}=6; got {array}")
    return array


# -- data -------------------------------------------------------------------------------------
def check_opportunity_summary(summary: object, what: str = "summary") -> pd.DataFrame:
    """Validate an (x, t_x, n) table and return it unchanged.

    Rules: columns ``frequency``, ``recency``, ``n_periods`` exist and are finite whole
    numbers >= 0; ``frequency <= recency <= n_periods``; ``recency == 0`` exactly when
    ``frequency == 0``.

    Raises
    ------
    DataValidationError
        Listing every rule broken, with the number of rows and an example row.
    """
    frame = require_frame(summary, what, COLUMNS)
    problems = Problems(frame, what)
    arrays = {}
    for column in COLUMNS:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        problems.add_rows(column, f"{column} is a whole number >= 0", bad, COLUMNS)
        arrays[column] = values
    x, t_x, n = (arrays[c] for c in COLUMNS)
    problems.add_rows("recency", "frequency <= recency", x > t_x, COLUMNS)
    problems.add_rows("recency", "recency <= n_periods", t_x > n, COLUMNS)
    problems.add_rows(
        "recency", "recency == 0 exactly when frequency == 0", (x == 0) != (t_x == 0), COLUMNS
    )
    problems.raise_if_any()
    return frame


def opportunity_summary(
    log: pd.DataFrame,
    customer_id_col: str,
    period_col: str,
    n_periods: int,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Turn a log of the periods in which customers transacted into the BG/BB's (x, t_x, n).

    Parameters
    ----------
    log
        One row per (customer, period with a transaction); periods are whole numbers,
        0 for the acquisition (trial) period and 1..``n_periods`` for the repeat
        opportunities. Every customer must appear (with period 0 at least); repeated rows
        for one period count once.
    customer_id_col, period_col
        Column names.
    n_periods
        The number of repeat opportunities observed, n.
    time_unit
        The length of one period (e.g. ``"Y"``), stored in ``attrs["time_unit"]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id with ``frequency`` (periods 1..n with a transaction),
        ``recency`` (the last of them, 0 if none) and ``n_periods``.
    """
    frame = require_frame(log, "log", [customer_id_col, period_col])
    period = pd.to_numeric(frame[period_col], errors="coerce").to_numpy(np.float64)
    problems = Problems(frame, "log")
    problems.add_rows(
        period_col,
        f"{period_col} is a whole number in 0..{n_periods} (0 = the acquisition period)",
        ~np.isfinite(period) | (period < 0) | (period > n_periods) | (period != np.round(period)),
        [customer_id_col, period_col],
    )
    problems.raise_if_any()
    pairs = pd.DataFrame({"id": frame[customer_id_col].to_numpy(), "period": period})
    pairs = pairs.drop_duplicates()
    repeat = pairs[pairs["period"] > 0].groupby("id")["period"]
    ids = pd.Index(pd.unique(pairs["id"]), name=customer_id_col)
    summary = pd.DataFrame(
        {
            "frequency": repeat.size().reindex(ids, fill_value=0).astype(np.int64),
            "recency": repeat.max().reindex(ids, fill_value=0).astype(np.int64),
            "n_periods": np.int64(n_periods),
        },
        index=ids,
    )
    if time_unit is not None:
        summary.attrs[TIME_UNIT_ATTR] = time_unit
    return summary


# -- likelihood -------------------------------------------------------------------------------
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
    alpha, beta, gamma, delta = (params[name] for name in PARAM_NAMES)
    x, t_x, n = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, n_periods))
    gap = n - t_x
    i = np.arange(int(np.max(gap, initial=0.0)), dtype=np.float64)
    shared = xp.betaln(alpha, beta) + xp.betaln(gamma, delta)
    alive = xp.betaln(alpha + x, beta + n - x) + xp.betaln(gamma, delta + n) - shared
    if i.size == 0:  # every customer transacted in the last period: no "died" terms
        return alive
    x_, t_x_ = x[..., None], t_x[..., None]
    died = (
        xp.betaln(alpha[..., None] + x_, beta[..., None] + t_x_ - x_ + i)
        + xp.betaln(gamma[..., None] + 1.0, delta[..., None] + t_x_ + i)
        - shared[..., None]
    )
    # the i = 0 term is the largest of the sum (both beta functions fall with i)
    top = xp.maximum(alive, xp.where(gap > 0, died[..., 0], alive))
    mask = i < gap[..., None]
    total = xp.exp(alive - top) + xp.sum(
        xp.where(mask, xp.exp(xp.minimum(died - top[..., None], 0.0)), 0.0), axis=-1
    )
    return top + xp.log(total)


def _posterior_alive(
    params: Mapping[str, ArrayLike], x: np.ndarray, t_x: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """log P(alive after period n | x, t_x, n): the alive term's share of the likelihood."""
    alpha, beta, gamma, delta = _unpack(params)
    shared = special.betaln(alpha, beta) + special.betaln(gamma, delta)
    alive = special.betaln(alpha + x, beta + n - x) + special.betaln(gamma, delta + n) - shared
    return alive - log_likelihood(params, x, t_x, n)


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
    survive = special.betaln(gamma, delta + n + m) - special.betaln(gamma, delta + n)
    return np.exp(_posterior_alive(params, x, t_x, n) + survive)


def _survival_sum(
    gamma: np.ndarray, delta_n: np.ndarray, periods: np.ndarray, discount: float = 0.0
) -> np.ndarray:
    r""":math:`\sum_{k=1}^{K} B(\gamma, \delta_n + k) / B(\gamma, \delta_n) (1+d)^{-k}`.

    K = ``periods`` (whole numbers) broadcasts against the parameters and data.
    """
    periods = np.asarray(periods, dtype=np.float64)
    k = np.arange(1.0, float(np.max(periods, initial=0.0)) + 1.0)
    g, dn = np.asarray(gamma)[..., None], np.asarray(delta_n)[..., None]
    log_terms = (
        special.gammaln(dn + k)
        - special.gammaln(dn)
        - special.gammaln(g + dn + k)
        + special.gammaln(g + dn)
        - k * np.log1p(discount)
    )
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


class BetaGeoBetaBinomModel(PurchaseCapabilities, MaximumLikelihoodModel):
    """BG/BB model of discrete-time transactions and dropout, fitted by maximum likelihood.

    Fit it on an (x, t_x, n) table (:func:`opportunity_summary`, or an aggregated table
    with ``weights`` = the number of customers in each row, as
    :func:`clvmodels.datasets.load_donations`).

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (alpha^2 + beta^2 + gamma^2 + delta^2)`` added to the
        mean negative log-likelihood per customer.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta`` (transaction probability), ``gamma``, ``delta`` (dropout
        probability).
    log_likelihood_ : float
        The full log-likelihood at the estimate.

    Examples
    --------
    >>> import clvmodels as clv
    >>> donations = clv.datasets.load_donations()
    >>> bb = clv.BetaGeoBetaBinomModel().fit(donations, weights=donations["count"])
    >>> round(bb.params_["alpha"], 3), round(bb.params_["delta"], 3)
    (1.204, 2.783)

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
    discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086-1108.
    """

    param_names = PARAM_NAMES
    #: conditional_expected_purchases takes an array of horizons (used by the CLV).
    accepts_many_horizons = True

    def _sufficient_statistics(self, data: Any, weights: Any) -> SufficientStatistics:
        check_opportunity_summary(data)
        return SufficientStatistics.from_frame(data, COLUMNS, weights)

    def _starting_values(self, stats: SufficientStatistics) -> list[np.ndarray]:
        return [
            np.array([1.0, 1.0, 1.0, 1.0]),
            np.array([0.5, 0.5, 0.5, 2.0]),
            np.array([2.0, 1.0, 0.5, 5.0]),
        ]

    @staticmethod
    def _loglik_grad(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
        """Per-row log-likelihood and its gradient by central differences in log-parameters.

        The BG/BB's data have few distinct rows (22 for the donations), so 8 extra
        evaluations cost nothing; the step is 1e-6 relative.
        """
        x, t_x, n = (columns[c] for c in COLUMNS)
        named = dict(zip(PARAM_NAMES, params, strict=True))
        ll = log_likelihood(named, x, t_x, n)
        grad = np.empty((4, len(x)))
        for j, name in enumerate(PARAM_NAMES):
            h = 1e-6 * params[j]
            up = log_likelihood(named | {name: params[j] + h}, x, t_x, n)
            down = log_likelihood(named | {name: params[j] - h}, x, t_x, n)
            grad[j] = (up - down) / (2.0 * h)
        return ll, grad

    # -- predictions --------------------------------------------------------------------
    def _frame_arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
        check_opportunity_summary(summary)
        check_same_unit(self.time_unit_, time_unit_of(summary), "the summary")
        return tuple(summary[name].to_numpy(np.float64) for name in COLUMNS)

    def expected_purchases(self, n: ArrayLike) -> np.ndarray | float:
        """E[X(n)] for a new customer (see :func:`expected_purchases`)."""
        self._check_fitted()
        out = expected_purchases(self.params_, n)
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(
        self, t: ArrayLike, summary: pd.DataFrame
    ) -> pd.Series | pd.DataFrame:
        """Expected transactions in the next ``t`` periods (whole numbers), per customer.

        A scalar ``t`` gives a Series; a 1-D array of horizons gives a DataFrame with one
        column per horizon.
        """
        self._check_fitted()
        x, t_x, n = self._frame_arrays(summary)
        horizons = np.asarray(t, dtype=np.float64)
        if horizons.ndim == 0:
            values = conditional_expected_purchases(self.params_, horizons, x, t_x, n)
            return pd.Series(values, index=summary.index, name="expected_purchases")
        if horizons.ndim != 1:
            raise ValueError(
                f"t must be a number or a 1-D array of horizons, got shape {horizons.shape}"
            )
        values = conditional_expected_purchases(self.params_, horizons[:, None], x, t_x, n)
        return pd.DataFrame(values.T, index=summary.index, columns=pd.Index(horizons, name="t"))

    def probability_alive(self, summary: pd.DataFrame, periods_ahead: int = 1) -> pd.Series:
        """P(alive in period n + ``periods_ahead``) per customer (:func:`probability_alive`)."""
        self._check_fitted()
        x, t_x, n = self._frame_arrays(summary)
        values = probability_alive(self.params_, x, t_x, n, periods_ahead)
        return pd.Series(values, index=summary.index, name="p_alive")

    def discounted_expected_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """DERT per customer (see :func:`discounted_expected_residual_transactions`)."""
        self._check_fitted()
        x, t_x, n = self._frame_arrays(summary)
        values = discounted_expected_residual_transactions(self.params_, discount_rate, x, t_x, n)
        return pd.Series(values, index=summary.index, name="dert")
