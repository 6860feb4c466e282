"""Retention-based CLV and customer-lifetime arithmetic.

:func:`retention_clv` is the infinite-horizon value under a constant margin and
retention rate; :func:`expected_lifetime`, :func:`customer_base_lifetime` and
:func:`replacement_customers_needed` relate churn, the size of the customer base
and the average lifetime.  The conventions shared by all deterministic formulas
are described in :mod:`clvmodels.value.deterministic`.
"""

from __future__ import annotations

import numpy as np

from clvmodels.exceptions import DataValidationError
from clvmodels.value.deterministic._checks import (
    _NON_NEGATIVE,
    _POSITIVE,
    _PROBABILITY,
    _RATE,
    ArrayLike,
    Result,
    _combine,
    _describe_position,
    _finish,
    _fmt,
    _require,
    _to_array,
)

__all__ = [
    "customer_base_lifetime",
    "expected_lifetime",
    "replacement_customers_needed",
    "retention_clv",
]


def retention_clv(
    margin: ArrayLike,
    retention_rate: ArrayLike,
    discount_rate: ArrayLike,
    include_first_period: bool = True,
) -> Result:
    r"""Infinite-horizon CLV with a constant margin and retention rate.

    With the first margin received now (``include_first_period=True``):

    .. math::

       \mathrm{CLV} = \sum_{t=0}^{\infty} \frac{m\, r^t}{(1 + d)^t}
                    = m \, \frac{1 + d}{1 + d - r}

    and without it, the customer having to survive the first period
    (``include_first_period=False``):

    .. math::

       \mathrm{CLV} = \sum_{t=1}^{\infty} \frac{m\, r^t}{(1 + d)^t}
                    = m \, \frac{r}{1 + d - r}

    The two differ by exactly :math:`m`.  The series converges only when
    :math:`r < 1 + d`; this is checked.  The formula assumes every
    customer has the same retention rate; under heterogeneity the
    aggregate retention rate rises over time and the formula understates
    the value of a cohort (Fader & Hardie, 2010).

    Parameters
    ----------
    margin : float or array-like
        Margin per period, :math:`m`.
    retention_rate : float or array-like
        Retention probability per period, :math:`r`, in ``[0, 1]``.
    discount_rate : float or array-like
        Discount rate per period, :math:`d > -1`.
    include_first_period : bool, default True
        Whether the current period's margin is counted (undiscounted).

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, retention outside ``[0, 1]``,
        ``discount_rate <= -1``, ``retention_rate >= 1 + discount_rate`` or
        shape mismatch.

    References
    ----------
    .. [1] Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal
       of Interactive Marketing*, 17(1), 9-24.
    .. [2] Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation
       in a contract setting: The perils of ignoring heterogeneity.
       *Marketing Science*, 29(1), 85-93.

    Examples
    --------
    >>> round(retention_clv(100.0, 0.8, 0.1), 6)
    366.666667
    >>> round(retention_clv(100.0, 0.8, 0.1, include_first_period=False), 6)
    266.666667
    """
    (m, retention, rate), labels, all_scalar = _combine(
        margin=_to_array(margin, "margin"),
        retention_rate=_to_array(retention_rate, "retention_rate", _PROBABILITY),
        discount_rate=_to_array(discount_rate, "discount_rate", _RATE),
    )
    denominator = 1.0 + rate - retention
    diverges = np.flatnonzero(~(denominator > 0).ravel())
    if diverges.size:
        flat = int(diverges[0])
        where = _describe_position(flat, retention.shape, labels)
        raise DataValidationError(
            "retention_rate must be below 1 + discount_rate for the infinite sum to converge; "
            f"got retention_rate {_fmt(retention.ravel()[flat])} with discount_rate "
            f"{_fmt(rate.ravel()[flat])}{where}"
        )
    numerator = 1.0 + rate if include_first_period else retention
    return _finish(m * numerator / denominator, labels, all_scalar, "retention_clv")


def expected_lifetime(churn_rate: ArrayLike) -> Result:
    r"""Return the expected customer lifetime under constant churn: 1 / c.

    .. math:: E[L] = \frac{1}{c}

    The mean of a geometric lifetime that counts the period in which the
    customer churns (churn 20 % a year -> 5 years).

    Parameters
    ----------
    churn_rate : float or array-like
        Churn probability per period, :math:`c`, in ``(0, 1]`` (zero churn
        would mean an infinite lifetime and is rejected).

    Returns
    -------
    float, ndarray or Series
        Expected lifetime in periods.

    Raises
    ------
    DataValidationError
        On NaN/infinite input or churn outside ``(0, 1]``.

    References
    ----------
    .. [1] Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal
       of Interactive Marketing*, 17(1), 9-24.

    Examples
    --------
    >>> expected_lifetime(0.2)
    5.0
    """
    churn, labels = _to_array(churn_rate, "churn_rate", _PROBABILITY)
    _require(
        churn > 0,
        churn,
        "churn_rate",
        "must be positive (a churn rate of 0 means an infinite lifetime)",
        labels,
    )
    return _finish(1.0 / churn, labels, churn.ndim == 0, "expected_lifetime")


def customer_base_lifetime(n_customers: ArrayLike, lost_per_year: ArrayLike) -> Result:
    r"""Average customer lifetime from the size of the base and yearly losses.

    .. math:: L = \frac{N}{M}

    With :math:`N` customers of whom :math:`M` are lost each year, a
    customer stays :math:`N / M` years on average (100 customers, 20 lost a
    year -> 5 years).

    Parameters
    ----------
    n_customers : float or array-like
        Size of the customer base :math:`N` (non-negative).
    lost_per_year : float or array-like
        Customers lost per year :math:`M` (positive).

    Returns
    -------
    float, ndarray or Series
        Average lifetime in years.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative ``n_customers``, non-positive
        ``lost_per_year`` or shape mismatch.

    References
    ----------
    .. [1] Kotler, P., & Keller, K. L. *Marketing Management*. Pearson (any
       recent edition).

    Examples
    --------
    >>> customer_base_lifetime(100, 20)
    5.0
    """
    (n, lost), labels, all_scalar = _combine(
        n_customers=_to_array(n_customers, "n_customers", _NON_NEGATIVE),
        lost_per_year=_to_array(lost_per_year, "lost_per_year", _POSITIVE),
    )
    return _finish(n / lost, labels, all_scalar, "customer_base_lifetime")


def replacement_customers_needed(n_customers: ArrayLike, lifetime_years: ArrayLike) -> Result:
    r"""Return the new customers needed each year to hold the customer base steady.

    .. math:: M = \frac{N}{L}

    A base of :math:`N` customers with an average lifetime of :math:`L`
    years loses :math:`N / L` customers a year, which must be replaced (100
    customers staying 5 years -> 20 new customers a year).

    Parameters
    ----------
    n_customers : float or array-like
        Size of the customer base :math:`N` (non-negative).
    lifetime_years : float or array-like
        Average customer lifetime :math:`L` in years (positive), e.g. from
        :func:`customer_base_lifetime` or :func:`expected_lifetime`.

    Returns
    -------
    float, ndarray or Series
        New customers needed per year.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative ``n_customers``, non-positive
        ``lifetime_years`` or shape mismatch.

    References
    ----------
    .. [1] Kotler, P., & Keller, K. L. *Marketing Management*. Pearson (any
       recent edition).

    Examples
    --------
    >>> replacement_customers_needed(100, 5)
    20.0
    """
    (n, lifetime), labels, all_scalar = _combine(
        n_customers=_to_array(n_customers, "n_customers", _NON_NEGATIVE),
        lifetime_years=_to_array(lifetime_years, "lifetime_years", _POSITIVE),
    )
    return _finish(n / lifetime, labels, all_scalar, "replacement_customers_needed")
