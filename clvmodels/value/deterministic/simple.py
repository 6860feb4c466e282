"""Simple, undiscounted textbook CLV rules of thumb.

:func:`simple_clv` (spend x frequency x (1 - churn)), :func:`time_weighted_clv`
(the textbook "time-weighted" variant, which multiplies by 1 + k) and
:func:`run_rate_clv` (yearly profit x expected years - acquisition cost).  The
conventions shared by all deterministic formulas are described in
:mod:`clvmodels.value.deterministic`.
"""

from __future__ import annotations

from clvmodels.value.deterministic._checks import (
    _NON_NEGATIVE,
    _PROBABILITY,
    _RATE,
    ArrayLike,
    Result,
    _combine,
    _finish,
    _to_array,
)

__all__ = ["run_rate_clv", "simple_clv", "time_weighted_clv"]


def simple_clv(
    average_spend: ArrayLike,
    purchase_frequency: ArrayLike,
    churn_rate: ArrayLike,
) -> Result:
    r"""Compute the simple customer lifetime value: spend x frequency x (1 - churn).

    .. math:: \mathrm{CLV} = \bar{s} \times f \times (1 - c)

    A one-period, undiscounted rule of thumb: the value of next period's
    purchases from a customer who survives with probability ``1 - c``.

    Parameters
    ----------
    average_spend : float or array-like
        Average spend per purchase, :math:`\bar{s}` (any finite amount).
    purchase_frequency : float or array-like
        Purchases per period, :math:`f` (non-negative).
    churn_rate : float or array-like
        Probability of churning during the period, :math:`c`, in ``[0, 1]``.

    Returns
    -------
    float, ndarray or Series
        The value per customer (return types: see
        :mod:`clvmodels.value.deterministic`).

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative frequency, churn outside ``[0, 1]``,
        mismatched shapes or Series with different indexes.

    References
    ----------
    .. [1] Kotler, P., & Keller, K. L. *Marketing Management*. Pearson (any
       recent edition), chapter on customer lifetime value.
    .. [2] Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal
       of Interactive Marketing*, 17(1), 9-24.

    Examples
    --------
    >>> simple_clv(50.0, 4.0, 0.25)
    150.0
    """
    (spend, frequency, churn), labels, all_scalar = _combine(
        average_spend=_to_array(average_spend, "average_spend"),
        purchase_frequency=_to_array(purchase_frequency, "purchase_frequency", _NON_NEGATIVE),
        churn_rate=_to_array(churn_rate, "churn_rate", _PROBABILITY),
    )
    return _finish(spend * frequency * (1.0 - churn), labels, all_scalar, "simple_clv")


def time_weighted_clv(
    average_spend: ArrayLike,
    purchase_frequency: ArrayLike,
    churn_rate: ArrayLike,
    cost_of_capital: ArrayLike,
) -> Result:
    r"""Time-weighted CLV as printed in textbooks: simple CLV x (1 + k).

    .. math:: \mathrm{CLV}_{tw} = \bar{s} \times f \times (1 - c) \times (1 + k)

    .. warning::
       Despite its name this formula does **not** discount anything.  It
       *multiplies* by :math:`1 + k`, so a higher cost of capital gives a
       *higher* value, the opposite of discounting (which divides by
       :math:`(1 + k)^t`).  It is provided because introductory texts print
       it; for a present value use :func:`discounted_cash_flow_clv`,
       :func:`loyal_customer_lifetime_value` or :func:`retention_clv`.

    Parameters
    ----------
    average_spend : float or array-like
        Average spend per purchase, :math:`\bar{s}` (any finite amount).
    purchase_frequency : float or array-like
        Purchases per period, :math:`f` (non-negative).
    churn_rate : float or array-like
        Churn probability per period, :math:`c`, in ``[0, 1]``.
    cost_of_capital : float or array-like
        Cost of capital per period, :math:`k`, greater than ``-1``.

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    Raises
    ------
    DataValidationError
        As :func:`simple_clv`, and when ``cost_of_capital <= -1``.

    References
    ----------
    .. [1] Kotler, P., & Keller, K. L. *Marketing Management*. Pearson (any
       recent edition), for the simple CLV it extends.
    .. [2] Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal
       of Interactive Marketing*, 17(1), 9-24 (for correct discounting).

    Examples
    --------
    >>> time_weighted_clv(50.0, 4.0, 0.25, 0.1)
    165.0
    """
    (spend, frequency, churn, capital), labels, all_scalar = _combine(
        average_spend=_to_array(average_spend, "average_spend"),
        purchase_frequency=_to_array(purchase_frequency, "purchase_frequency", _NON_NEGATIVE),
        churn_rate=_to_array(churn_rate, "churn_rate", _PROBABILITY),
        cost_of_capital=_to_array(cost_of_capital, "cost_of_capital", _RATE),
    )
    value = spend * frequency * (1.0 - churn) * (1.0 + capital)
    return _finish(value, labels, all_scalar, "time_weighted_clv")


def run_rate_clv(
    annual_revenue: ArrayLike,
    annual_cost: ArrayLike,
    expected_years: ArrayLike,
    acquisition_cost: ArrayLike = 0.0,
) -> Result:
    r"""Run-rate CLV: yearly profit times expected years, less acquisition cost.

    .. math:: \mathrm{CLV} = (R - C) \times n - A

    Undiscounted: every year of the relationship counts the same.

    Parameters
    ----------
    annual_revenue : float or array-like
        Revenue per year, :math:`R`.
    annual_cost : float or array-like
        Cost of serving the customer per year, :math:`C`.
    expected_years : float or array-like
        Expected length of the relationship in years, :math:`n`
        (non-negative; fractions allowed).
    acquisition_cost : float or array-like, default 0.0
        One-off acquisition cost, :math:`A`.

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative ``expected_years`` or shape mismatch.

    References
    ----------
    .. [1] Kotler, P., & Keller, K. L. *Marketing Management*. Pearson (any
       recent edition), chapter on customer lifetime value.

    Examples
    --------
    A customer worth 100 a year for 10 years, acquired for 80:

    >>> run_rate_clv(100.0, 0.0, 10, acquisition_cost=80.0)
    920.0
    """
    (revenue, cost, years, acquisition), labels, all_scalar = _combine(
        annual_revenue=_to_array(annual_revenue, "annual_revenue"),
        annual_cost=_to_array(annual_cost, "annual_cost"),
        expected_years=_to_array(expected_years, "expected_years", _NON_NEGATIVE),
        acquisition_cost=_to_array(acquisition_cost, "acquisition_cost"),
    )
    value = (revenue - cost) * years - acquisition
    return _finish(value, labels, all_scalar, "run_rate_clv")
