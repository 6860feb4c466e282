"""Year-by-year lifetime-value table for one acquired cohort.

:func:`cohort_value_table` follows a cohort from acquisition (year 0) through
``n_years`` trading years: active customers, revenue, costs, discounted profit,
cumulative net present value and lifetime value per acquired customer.  The
conventions shared by all deterministic formulas are described in
:mod:`clvmodels.value.deterministic`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clvmodels.checks import finite_scalar, whole_number
from clvmodels.exceptions import DataValidationError
from clvmodels.value.deterministic._checks import (
    _PROBABILITY,
    ArrayLike,
    _scalar_or_sequence,
    _to_array,
)

__all__ = ["cohort_value_table"]


def cohort_value_table(
    n_customers: float,
    retention_rate: ArrayLike,
    revenue_per_customer: ArrayLike,
    discount_rate: float,
    n_years: int,
    *,
    cost_per_customer: ArrayLike | None = None,
    cost_ratio: ArrayLike | None = None,
    acquisition_cost: float = 0.0,
) -> pd.DataFrame:
    r"""Year-by-year lifetime-value table for one acquired cohort.

    Conventions (the table is indexed by ``year`` 0..n_years):

    * **Year 0** is acquisition.  All :math:`N` customers are active, there
      is no revenue, and the cost is the acquisition spend
      :math:`N \times A` (``acquisition_cost`` is *per customer*).  Its
      discount factor is 1.
    * **Year 1** is the first trading year; all :math:`N` customers are
      active.  Active customers then follow
      :math:`N_{t+1} = N_t \, r_t`, where :math:`r_t` is the share of
      year-:math:`t` customers still active in year :math:`t + 1`.
    * Cash flows of year :math:`t \ge 1` arrive at its end and are
      discounted by :math:`1 / (1 + d)^t`, matching
      :func:`loyal_customer_lifetime_value` and the default of
      :func:`discounted_cash_flow_clv`.

    For year :math:`t \ge 1`:

    .. math::

       \text{revenue}_t = N_t R_t, \quad
       \text{costs}_t = N_t c_t \ \text{(or } k_t \, \text{revenue}_t), \quad
       \text{profit}_t = \text{revenue}_t - \text{costs}_t

    and for every year

    .. math::

       \text{discounted profit}_t = \frac{\text{profit}_t}{(1 + d)^t}, \quad
       \text{NPV}_t = \sum_{s=0}^{t} \text{discounted profit}_s, \quad
       \text{LTV}_t = \text{NPV}_t / N.

    ``ltv_per_customer`` in the last row is the lifetime value of one
    originally acquired customer over ``n_years`` years, net of the
    acquisition cost.

    Parameters
    ----------
    n_customers : float
        Number of customers acquired, :math:`N` (positive).
    retention_rate : float or array-like
        Retention rate in ``[0, 1]``: a scalar, or one value per year.  A
        sequence of length ``n_years`` gives :math:`r_1..r_n` (the last value
        only matters beyond the horizon and does not change the table); one
        of length ``n_years - 1`` gives just the transitions
        :math:`r_1..r_{n-1}` that the table uses.
    revenue_per_customer : float or array-like
        Revenue per active customer :math:`R_t`: a scalar or one value per
        year 1..n.
    discount_rate : float
        Yearly discount rate :math:`d > -1`.
    n_years : int
        Number of trading years (non-negative).
    cost_per_customer : float or array-like, optional
        Cost per active customer :math:`c_t` (scalar or per year).
    cost_ratio : float or array-like, optional
        Costs as a share of revenue :math:`k_t` (scalar or per year).  Give
        at most one of ``cost_per_customer`` and ``cost_ratio``; with
        neither, yearly costs are 0.
    acquisition_cost : float, default 0.0
        Acquisition cost per customer :math:`A`, booked in year 0.

    Returns
    -------
    DataFrame
        Indexed by ``year`` (0..n_years) with columns ``active_customers``,
        ``revenue``, ``costs``, ``profit``, ``discount_factor``,
        ``discounted_profit``, ``cumulative_npv`` and ``ltv_per_customer``.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, non-positive ``n_customers``, retention
        outside ``[0, 1]``, ``discount_rate <= -1``, per-year sequences of
        the wrong length, both cost arguments given, or a negative
        ``n_years``.

    References
    ----------
    .. [1] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.
    .. [2] Blattberg, R. C., Kim, B.-D., & Neslin, S. A. (2008). *Database
       Marketing: Analyzing and Managing Customers*. Springer.

    Examples
    --------
    >>> table = cohort_value_table(100, 0.5, 10.0, 0.0, 2, acquisition_cost=5.0)
    >>> table["active_customers"].tolist()
    [100.0, 100.0, 50.0]
    >>> float(table["ltv_per_customer"].iloc[-1])
    10.0
    """
    n = finite_scalar(n_customers, "n_customers", greater_than=0)
    years = whole_number(n_years, "n_years")
    rate = finite_scalar(discount_rate, "discount_rate", greater_than=-1)
    acquisition = finite_scalar(acquisition_cost, "acquisition_cost")

    retention, _ = _to_array(retention_rate, "retention_rate", _PROBABILITY)
    if retention.ndim == 0:
        transitions = np.full(max(years - 1, 0), float(retention))
    elif retention.shape in {(years,), (max(years - 1, 0),)}:
        transitions = retention[: max(years - 1, 0)]
    else:
        raise DataValidationError(
            f"retention_rate must be a scalar or hold one value per year (shape ({years},)) "
            f"or per transition (shape ({max(years - 1, 0)},)); got shape {retention.shape}"
        )
    revenue_pc = _scalar_or_sequence(
        revenue_per_customer, "revenue_per_customer", years, f"year 1..{years}"
    )

    if cost_per_customer is not None and cost_ratio is not None:
        raise DataValidationError("give at most one of cost_per_customer and cost_ratio; got both")
    active = n * np.concatenate(([1.0], np.cumprod(transitions)))[:years]
    revenue = active * revenue_pc
    if cost_ratio is not None:
        costs = _scalar_or_sequence(cost_ratio, "cost_ratio", years, f"year 1..{years}") * revenue
    elif cost_per_customer is not None:
        costs = (
            _scalar_or_sequence(cost_per_customer, "cost_per_customer", years, f"year 1..{years}")
            * active
        )
    else:
        costs = np.zeros(years)

    year_index = np.arange(years + 1)
    active_all = np.concatenate(([n], active))
    revenue_all = np.concatenate(([0.0], revenue))
    costs_all = np.concatenate(([n * acquisition], costs))
    profit = revenue_all - costs_all
    discount = (1.0 + rate) ** -year_index.astype(float)
    discounted = profit * discount
    cumulative = np.cumsum(discounted)
    return pd.DataFrame(
        {
            "active_customers": active_all,
            "revenue": revenue_all,
            "costs": costs_all,
            "profit": profit,
            "discount_factor": discount,
            "discounted_profit": discounted,
            "cumulative_npv": cumulative,
            "ltv_per_customer": cumulative / n,
        },
        index=pd.Index(year_index, name="year"),
    )
