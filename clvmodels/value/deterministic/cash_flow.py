"""Discounted-cash-flow CLV and the loyal-customer lifetime values.

:func:`discounted_cash_flow_clv` discounts arbitrary per-period cash flows;
:func:`loyal_customer_lifetime_value` values a constant yearly income over a fixed
number of years, with its revenue-, profit- and contribution-based variants as
wrappers.  The conventions shared by all deterministic formulas are described in
:mod:`clvmodels.value.deterministic`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clvmodels.checks import whole_number
from clvmodels.exceptions import DataValidationError
from clvmodels.value.deterministic._checks import (
    _RATE,
    _WHOLE,
    ArrayLike,
    Result,
    _combine,
    _common_labels,
    _finish,
    _Rule,
    _to_array,
)

__all__ = [
    "contribution_based_lifetime_value",
    "discounted_cash_flow_clv",
    "loyal_customer_lifetime_value",
    "profit_based_lifetime_value",
    "revenue_based_lifetime_value",
]


def _annuity_factor(rate: np.ndarray, n_periods: np.ndarray) -> np.ndarray:
    """Return ``sum_{t=1}^{n} (1 + r)^-t``, accurate also for ``r`` near 0."""
    is_zero = rate == 0
    safe_rate = np.where(is_zero, 1.0, rate)
    factor = -np.expm1(-n_periods * np.log1p(safe_rate)) / safe_rate
    return np.where(is_zero, n_periods, factor)


def _match_flows(value: object, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Validate a margin/cost argument against the revenue shape."""
    array, _ = _to_array(value, name)
    try:
        fits = np.broadcast_shapes(array.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise DataValidationError(
            f"{name} has shape {array.shape}, which does not fit revenues of shape {shape}; "
            f"give a scalar, one value per period (shape ({shape[-1]},)) or the full array"
        )
    return array


def _per_customer(
    value: object, name: str, n_customers: int | None, *rules: _Rule
) -> tuple[np.ndarray, pd.Index | None]:
    """Validate an argument that is a scalar or one value per customer."""
    array, labels = _to_array(value, name, *rules)
    if array.ndim == 0:
        return array, None
    if n_customers is None:
        raise TypeError(
            f"{name} must be a single number when revenues is 1-D (one customer); "
            f"got an array of shape {array.shape}"
        )
    if array.shape != (n_customers,):
        raise DataValidationError(
            f"{name} must be a scalar or hold one value per customer (shape ({n_customers},)); "
            f"got shape {array.shape}"
        )
    return array, labels


def discounted_cash_flow_clv(
    revenues: ArrayLike | pd.DataFrame,
    discount_rate: ArrayLike,
    margins: ArrayLike | pd.DataFrame | None = None,
    costs: ArrayLike | pd.DataFrame | None = None,
    acquisition_cost: ArrayLike = 0.0,
    first_period: int = 1,
) -> Result:
    r"""Net present value of a customer's projected cash flows.

    .. math::

       \mathrm{CLV} = \sum_{j=0}^{T-1}
           \frac{R_j \, m_j - C_j}{(1 + r)^{t_0 + j}} - A

    where column ``j`` of ``revenues`` is discounted over
    :math:`t = t_0 + j` periods and :math:`t_0` is ``first_period``.

    Parameters
    ----------
    revenues : array-like or DataFrame
        Projected revenue per period.  1-D: one customer's periods (returns
        a float).  2-D: customers in rows, periods in columns (returns one
        value per customer; a DataFrame's index labels the result).
    discount_rate : float or array-like
        Discount rate per period, :math:`r > -1`; a scalar, or one value per
        customer for 2-D ``revenues``.  It is constant over periods.
    margins : float or array-like, optional
        Margin applied to revenue, :math:`m` (e.g. 0.3 for 30 %).  A scalar,
        one value per period (length ``T``) or an array of the revenue shape;
        give per-customer margins as a column of shape ``(n_customers, 1)``.
        ``None`` (default) means ``revenues`` are already margins (m = 1).
    costs : float or array-like, optional
        Cost per period, :math:`C`, broadcast like ``margins``; ``None``
        means 0.
    acquisition_cost : float or array-like, default 0.0
        Acquisition cost :math:`A`, paid at time 0 and not discounted; a
        scalar or one value per customer.
    first_period : int, default 1
        Exponent :math:`t_0` of the first column.  The default 1 puts cash
        flows at the *end* of each period (the first one is discounted
        once); use 0 for flows at the *start* of each period (the first one
        is not discounted).

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, ``discount_rate <= -1``, ``revenues`` that
        are not 1-D or 2-D or have no periods, ``margins``/``costs`` that do
        not fit the revenue shape, or a negative ``first_period``.

    References
    ----------
    .. [1] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.
    .. [2] Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal
       of Interactive Marketing*, 17(1), 9-24.

    Examples
    --------
    >>> round(discounted_cash_flow_clv([110.0, 121.0], 0.1), 6)
    200.0
    """
    flows, labels = _to_array(revenues, "revenues")
    if flows.ndim not in (1, 2):
        raise DataValidationError(
            "revenues must be 1-D (one customer's periods) or 2-D (customers x periods); "
            f"got {flows.ndim}-D"
        )
    if flows.shape[-1] == 0:
        raise DataValidationError("revenues must contain at least one period; got 0 columns")
    one_customer = flows.ndim == 1
    n_customers = None if one_customer else flows.shape[0]
    start = whole_number(first_period, "first_period")

    margin = 1.0 if margins is None else _match_flows(margins, "margins", flows.shape)
    cost = 0.0 if costs is None else _match_flows(costs, "costs", flows.shape)
    rate, rate_labels = _per_customer(discount_rate, "discount_rate", n_customers, _RATE)
    acquisition, acquisition_labels = _per_customer(
        acquisition_cost, "acquisition_cost", n_customers
    )
    labels = _common_labels(
        {
            "revenues": None if one_customer else labels,
            "discount_rate": rate_labels,
            "acquisition_cost": acquisition_labels,
        }
    )

    exponents = start + np.arange(flows.shape[-1], dtype=float)
    rate_column = rate if rate.ndim == 0 else rate[:, np.newaxis]
    discount = (1.0 + rate_column) ** -exponents
    value = ((flows * margin - cost) * discount).sum(axis=-1) - acquisition
    return _finish(value, labels, one_customer, "discounted_cash_flow_clv")


def loyal_customer_lifetime_value(
    annual_income: ArrayLike,
    years: ArrayLike,
    discount_rate: ArrayLike,
    annual_cost: ArrayLike = 0.0,
    initial_purchase: ArrayLike = 0.0,
    acquisition_cost: ArrayLike = 0.0,
) -> Result:
    r"""Lifetime value of a loyal customer over a fixed number of years.

    .. math::

       \mathrm{CLV} = P_0 - C_0 + \sum_{t=1}^{n} \frac{I - C}{(1 + r)^t}

    with initial purchase :math:`P_0` and acquisition cost :math:`C_0` at
    time 0 (undiscounted) and a constant yearly income :math:`I` and cost
    :math:`C` received at the end of years 1..n.  The choice of :math:`C`
    gives the three textbook variants, also available as wrappers:

    * revenue-based: :math:`C = 0`
      (:func:`revenue_based_lifetime_value`);
    * profit-based: :math:`C` = full yearly cost
      (:func:`profit_based_lifetime_value`);
    * contribution-based: :math:`C` = direct cost of serving the customer
      (:func:`contribution_based_lifetime_value`).

    The sum is evaluated in closed form as
    :math:`(I - C)\,(1 - (1 + r)^{-n}) / r` (and :math:`(I - C)\,n` at
    :math:`r = 0`).

    Parameters
    ----------
    annual_income : float or array-like
        Yearly income from the customer, :math:`I`.
    years : int or array-like
        Number of years :math:`n`, a non-negative whole number.
    discount_rate : float or array-like
        Yearly discount rate :math:`r > -1`.
    annual_cost : float or array-like, default 0.0
        Yearly cost :math:`C`.
    initial_purchase : float or array-like, default 0.0
        First purchase :math:`P_0` at time 0.
    acquisition_cost : float or array-like, default 0.0
        Acquisition cost :math:`C_0` at time 0.

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, ``years`` not a non-negative whole number,
        ``discount_rate <= -1`` or shape mismatch.

    References
    ----------
    .. [1] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.
    .. [2] Kotler, P., & Keller, K. L. *Marketing Management*. Pearson (any
       recent edition).

    Examples
    --------
    >>> round(loyal_customer_lifetime_value(500.0, 5, 0.09, annual_cost=200.0), 1)
    1166.9
    """
    (income, n_years, rate, cost, initial, acquisition), labels, all_scalar = _combine(
        annual_income=_to_array(annual_income, "annual_income"),
        years=_to_array(years, "years", _WHOLE),
        discount_rate=_to_array(discount_rate, "discount_rate", _RATE),
        annual_cost=_to_array(annual_cost, "annual_cost"),
        initial_purchase=_to_array(initial_purchase, "initial_purchase"),
        acquisition_cost=_to_array(acquisition_cost, "acquisition_cost"),
    )
    value = initial - acquisition + (income - cost) * _annuity_factor(rate, n_years)
    return _finish(value, labels, all_scalar, "loyal_customer_lifetime_value")


def revenue_based_lifetime_value(
    annual_income: ArrayLike,
    years: ArrayLike,
    discount_rate: ArrayLike,
    initial_purchase: ArrayLike = 0.0,
    acquisition_cost: ArrayLike = 0.0,
) -> Result:
    r"""Revenue-based loyal-customer value (yearly cost :math:`C = 0`).

    .. math:: \mathrm{CLV} = P_0 - C_0 + \sum_{t=1}^{n} \frac{I}{(1 + r)^t}

    See :func:`loyal_customer_lifetime_value` for the arguments.

    Parameters
    ----------
    annual_income, years, discount_rate, initial_purchase, acquisition_cost
        As in :func:`loyal_customer_lifetime_value`.

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    References
    ----------
    .. [1] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.

    Examples
    --------
    >>> round(revenue_based_lifetime_value(500.0, 5, 0.09), 1)
    1944.8
    """
    return loyal_customer_lifetime_value(
        annual_income,
        years,
        discount_rate,
        annual_cost=0.0,
        initial_purchase=initial_purchase,
        acquisition_cost=acquisition_cost,
    )


def profit_based_lifetime_value(
    annual_income: ArrayLike,
    annual_total_cost: ArrayLike,
    years: ArrayLike,
    discount_rate: ArrayLike,
    initial_purchase: ArrayLike = 0.0,
    acquisition_cost: ArrayLike = 0.0,
) -> Result:
    r"""Profit-based loyal-customer value (:math:`C` = full yearly cost).

    .. math:: \mathrm{CLV} = P_0 - C_0 + \sum_{t=1}^{n} \frac{I - C_{full}}{(1 + r)^t}

    :math:`C_{full}` includes the customer's share of overheads, not only
    the direct cost of serving them.

    Parameters
    ----------
    annual_income : float or array-like
        Yearly income :math:`I`.
    annual_total_cost : float or array-like
        Full yearly cost :math:`C_{full}` (direct and allocated).
    years, discount_rate, initial_purchase, acquisition_cost
        As in :func:`loyal_customer_lifetime_value`.

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    References
    ----------
    .. [1] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.

    Examples
    --------
    >>> round(profit_based_lifetime_value(500.0, 500.0, 5, 0.09), 1)
    0.0
    """
    return loyal_customer_lifetime_value(
        annual_income,
        years,
        discount_rate,
        annual_cost=annual_total_cost,
        initial_purchase=initial_purchase,
        acquisition_cost=acquisition_cost,
    )


def contribution_based_lifetime_value(
    annual_income: ArrayLike,
    annual_direct_cost: ArrayLike,
    years: ArrayLike,
    discount_rate: ArrayLike,
    initial_purchase: ArrayLike = 0.0,
    acquisition_cost: ArrayLike = 0.0,
) -> Result:
    r"""Contribution-based loyal-customer value (:math:`C` = direct service cost).

    .. math:: \mathrm{CLV} = P_0 - C_0 + \sum_{t=1}^{n} \frac{I - C_s}{(1 + r)^t}

    Parameters
    ----------
    annual_income : float or array-like
        Yearly income :math:`I`.
    annual_direct_cost : float or array-like
        Direct yearly cost of serving the customer :math:`C_s`.
    years, discount_rate, initial_purchase, acquisition_cost
        As in :func:`loyal_customer_lifetime_value`.

    Returns
    -------
    float, ndarray or Series
        The value per customer.

    References
    ----------
    .. [1] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.

    Examples
    --------
    >>> round(contribution_based_lifetime_value(450.0, 100.0, 5, 0.09), 1)
    1361.4
    """
    return loyal_customer_lifetime_value(
        annual_income,
        years,
        discount_rate,
        annual_cost=annual_direct_cost,
        initial_purchase=initial_purchase,
        acquisition_cost=acquisition_cost,
    )
