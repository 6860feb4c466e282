"""Deterministic (textbook) customer-lifetime-value formulas.

Every function here is a closed-form formula from the marketing literature or
from introductory marketing texts, written as a pure vectorised function.  No
model is fitted and nothing is random: the inputs (spend, margins, retention,
discount rate, ...) are taken as known.

Conventions shared by all functions
-----------------------------------
* **Vectorisation.**  Arguments accept Python scalars, sequences, numpy arrays
  or pandas Series, one value per customer, and are combined with numpy
  broadcasting.  All-scalar input returns a ``float``; otherwise an
  ``ndarray`` is returned, or a ``pandas.Series`` carrying the input index
  when a Series came in.  Series arguments must share one index: they are
  never aligned silently.
* **Validation.**  Invalid input raises
  :class:`~clvmodels.exceptions.DataValidationError` (a ``ValueError``) whose
  message names the argument, the rule and an offending value with its
  position, e.g. ``churn_rate must lie in [0, 1]; got 1.3 at position 4``.
  NaN and infinite values are always rejected, so no function returns NaN.
* **Rules.**  Churn, retention and share-of-wallet values must lie in
  ``[0, 1]``; discount rates (and the cost of capital) must exceed ``-1``;
  counts, frequencies, horizons and capacities must be non-negative; money
  amounts (revenue, margin, cost) only need to be finite, since cash flows
  may be negative.
* **Timing.**  Rates are per period (usually per year).  Discounted cash flows
  arrive at the *end* of each period unless stated otherwise, so the first
  period is discounted once; a payment at "time 0" (initial purchase,
  acquisition cost) is not discounted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral

import numpy as np
import numpy.typing as npt
import pandas as pd

from clvmodels.exceptions import DataValidationError

__all__ = [
    "cohort_value_table",
    "contribution_based_lifetime_value",
    "customer_base_lifetime",
    "customer_equity",
    "customer_purchase_value",
    "discounted_cash_flow_clv",
    "expected_lifetime",
    "loyal_customer_lifetime_value",
    "markov_brand_clv",
    "markov_shares",
    "profit_based_lifetime_value",
    "replacement_customers_needed",
    "retention_clv",
    "revenue_based_lifetime_value",
    "run_rate_clv",
    "simple_clv",
    "time_weighted_clv",
    "total_customer_value",
    "word_of_mouth_value",
]

#: Anything the functions accept for a per-customer quantity.
ArrayLike = float | Sequence[float] | npt.NDArray[np.floating] | pd.Series
#: What the vectorised functions return.
Result = float | npt.NDArray[np.float64] | pd.Series

_SUM_TOLERANCE = 1e-9

# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------

_Rule = tuple[Callable[[np.ndarray], np.ndarray], str]

_NON_NEGATIVE: _Rule = (lambda a: a >= 0, "must be non-negative")
_POSITIVE: _Rule = (lambda a: a > 0, "must be positive")
_PROBABILITY: _Rule = (lambda a: (a >= 0) & (a <= 1), "must lie in [0, 1]")
_RATE: _Rule = (lambda a: a > -1, "must be greater than -1")
_WHOLE: _Rule = (lambda a: (a >= 0) & (a == np.floor(a)), "must be a non-negative whole number")


def _fmt(value: float) -> str:
    """Format an offending value readably (12 significant digits)."""
    return f"{float(value):.12g}"


def _describe_position(flat_position: int, shape: tuple[int, ...], labels: pd.Index | None) -> str:
    """Say where an offending value sits (empty for a scalar)."""
    if not shape:
        return ""
    if labels is not None and len(labels) != shape[0]:
        labels = None
    if len(shape) == 1:
        where = f" at position {flat_position}"
        if labels is not None:
            where += f" (index label {labels[flat_position]!r})"
        return where
    position = tuple(int(i) for i in np.unravel_index(flat_position, shape))
    where = f" at position {position}"
    if labels is not None:
        where += f" (row label {labels[position[0]]!r})"
    return where


def _require(
    ok: np.ndarray | bool,
    values: np.ndarray,
    name: str,
    rule: str,
    labels: pd.Index | None = None,
) -> None:
    """Raise a DataValidationError at the first value where ``ok`` is false."""
    ok = np.broadcast_to(np.asarray(ok, dtype=bool), values.shape)
    if ok.all():
        return
    flat_position = int(np.flatnonzero(~ok.ravel())[0])
    bad = float(values.ravel()[flat_position])
    where = _describe_position(flat_position, values.shape, labels)
    raise DataValidationError(f"{name} {rule}; got {_fmt(bad)}{where}")


def _to_array(value: object, name: str, *rules: _Rule) -> tuple[np.ndarray, pd.Index | None]:
    """Convert ``value`` to a finite float array, check ``rules``, keep its index."""
    if value is None:
        raise DataValidationError(f"{name} must be numeric; got None")
    labels = value.index if isinstance(value, pd.Series | pd.DataFrame) else None
    try:
        if isinstance(value, pd.Series | pd.DataFrame):
            array = value.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(f"{name} must be numeric; got {value!r}") from exc
    _require(np.isfinite(array), array, name, "must be finite (no NaN or infinity)", labels)
    for check, text in rules:
        _require(check(array), array, name, text, labels)
    return array, labels


def _scalar(value: object, name: str, *rules: _Rule) -> float:
    """Convert ``value`` to a validated Python float; reject arrays."""
    array, _ = _to_array(value, name, *rules)
    if array.ndim != 0:
        raise DataValidationError(
            f"{name} must be a single number; got an array of shape {array.shape}"
        )
    return float(array)


def _whole_number(value: object, name: str) -> int:
    """Validate a non-negative integer argument such as a number of periods."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise DataValidationError(f"{name} must be a non-negative whole number; got {value!r}")
    if value < 0:
        raise DataValidationError(f"{name} must be a non-negative whole number; got {value!r}")
    return int(value)


def _common_labels(labelled: dict[str, pd.Index | None]) -> pd.Index | None:
    """Return the index shared by all Series arguments (they must agree)."""
    first_name: str | None = None
    first: pd.Index | None = None
    for name, labels in labelled.items():
        if labels is None:
            continue
        if first is None:
            first_name, first = name, labels
        elif not first.equals(labels):
            raise DataValidationError(
                f"Series arguments must share the same index; {first_name} and {name} differ "
                "(align them first, e.g. with Series.reindex)"
            )
    return first


def _broadcast(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Broadcast arrays together, naming the culprits on a shape mismatch."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} has shape {array.shape}" for name, array in arrays.items())
        raise DataValidationError(
            f"shape mismatch: {shapes}; arguments must be scalars or have broadcast-compatible "
            "shapes (one value per customer)"
        ) from None


def _combine(
    **args: tuple[np.ndarray, pd.Index | None],
) -> tuple[list[np.ndarray], pd.Index | None, bool]:
    """Broadcast validated arguments; return arrays, shared index, all-scalar flag."""
    arrays = {name: array for name, (array, _) in args.items()}
    labels = _common_labels({name: index for name, (_, index) in args.items()})
    all_scalar = all(array.ndim == 0 for array in arrays.values())
    return _broadcast(arrays), labels, all_scalar


def _finish(result: np.ndarray, labels: pd.Index | None, all_scalar: bool, name: str) -> Result:
    """Return a float, a labelled Series or a plain array, as the inputs were."""
    if all_scalar:
        return float(result)
    result = np.asarray(result, dtype=float)
    if labels is not None and result.ndim == 1 and result.shape[0] == len(labels):
        return pd.Series(result, index=labels, name=name)
    return result


def _annuity_factor(rate: np.ndarray, n_periods: np.ndarray) -> np.ndarray:
    """Return ``sum_{t=1}^{n} (1 + r)^-t``, accurate also for ``r`` near 0."""
    is_zero = rate == 0
    safe_rate = np.where(is_zero, 1.0, rate)
    factor = -np.expm1(-n_periods * np.log1p(safe_rate)) / safe_rate
    return np.where(is_zero, n_periods, factor)


# ---------------------------------------------------------------------------
# Simple textbook formulas
# ---------------------------------------------------------------------------


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
        The value per customer; see the module notes on return types.

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


# ---------------------------------------------------------------------------
# Discounted cash flows
# ---------------------------------------------------------------------------


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
        raise DataValidationError(
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
    start = _whole_number(first_period, "first_period")

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


# ---------------------------------------------------------------------------
# Retention-based formulas
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Brand-switching (Markov) model
# ---------------------------------------------------------------------------


def _transition_matrix(matrix: object) -> tuple[np.ndarray, pd.Index | None]:
    """Validate a row-stochastic transition matrix; keep DataFrame labels."""
    labels: pd.Index | None = None
    if isinstance(matrix, pd.DataFrame):
        if not matrix.index.equals(matrix.columns):
            raise DataValidationError(
                "transition_matrix must carry the same brand labels, in the same order, on "
                f"rows and columns; got rows {list(matrix.index)} and "
                f"columns {list(matrix.columns)}"
            )
        labels = matrix.columns
    p, _ = _to_array(matrix, "transition_matrix")
    if p.ndim != 2 or p.shape[0] != p.shape[1] or p.shape[0] == 0:
        raise DataValidationError(
            f"transition_matrix must be a non-empty square 2-D matrix; got shape {p.shape}"
        )
    _require(p >= 0, p, "transition_matrix", "entries must be non-negative", labels)
    row_sums = p.sum(axis=1)
    off = np.flatnonzero(np.abs(row_sums - 1.0) > _SUM_TOLERANCE)
    if off.size:
        row = int(off[0])
        label = "" if labels is None else f" (label {labels[row]!r})"
        raise DataValidationError(
            f"transition_matrix rows must sum to 1 (within {_SUM_TOLERANCE:g}); "
            f"got a sum of {_fmt(row_sums[row])} for row {row}{label}"
        )
    return p, labels


def _initial_shares(
    shares: object, n_states: int, labels: pd.Index | None
) -> tuple[np.ndarray, pd.Index | None]:
    """Validate initial shares against the transition matrix (and its labels)."""
    if isinstance(shares, pd.Series) and labels is not None:
        if set(shares.index) != set(labels) or len(shares) != len(labels):
            raise DataValidationError(
                "initial_shares must be labelled with the transition_matrix brands "
                f"{list(labels)}; got {list(shares.index)}"
            )
        shares = shares.reindex(labels)
    s, share_labels = _to_array(shares, "initial_shares", _NON_NEGATIVE)
    if s.shape != (n_states,):
        raise DataValidationError(
            f"initial_shares must hold one share per brand (shape ({n_states},)); "
            f"got shape {s.shape}"
        )
    total = float(s.sum())
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise DataValidationError(
            f"initial_shares must sum to 1 (within {_SUM_TOLERANCE:g}); got a sum of {_fmt(total)}"
        )
    return s, labels if labels is not None else share_labels


def _share_path(p: np.ndarray, s0: np.ndarray, n_periods: int) -> np.ndarray:
    """Return the (T + 1, k) array of shares S_0..S_T with S_{t+1} = S_t P."""
    path = np.empty((n_periods + 1, s0.shape[0]))
    path[0] = s0
    for t in range(n_periods):
        path[t + 1] = path[t] @ p
    return path


def markov_shares(
    initial_shares: ArrayLike,
    transition_matrix: npt.ArrayLike | pd.DataFrame,
    n_periods: int,
) -> npt.NDArray[np.float64] | pd.DataFrame:
    r"""Brand (spend) shares over time under a brand-switching Markov chain.

    .. math:: S_{t+1} = S_t P, \qquad t = 0, \dots, T - 1

    where :math:`S_t` is the row vector of shares and
    :math:`P_{ij}` the probability that a buyer of brand :math:`i` buys
    brand :math:`j` next period.

    Parameters
    ----------
    initial_shares : array-like or Series
        :math:`S_0`, one non-negative share per brand, summing to 1
        (within 1e-9).  A Series is matched to the matrix labels by name.
    transition_matrix : array-like or DataFrame
        Row-stochastic matrix :math:`P` (entries non-negative, each row
        summing to 1 within 1e-9).  A DataFrame must carry the same brand
        labels on rows and columns.
    n_periods : int
        Number of transitions :math:`T` (non-negative).

    Returns
    -------
    ndarray or DataFrame
        Shape ``(T + 1, k)``: row ``t`` is :math:`S_t`.  A DataFrame indexed
        by ``period`` with brand columns when brand labels were given.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, a non-square or non-row-stochastic matrix,
        shares that are negative, of the wrong length, mislabelled or not
        summing to 1, or a negative ``n_periods``.

    References
    ----------
    .. [1] Pfeifer, P. E., & Carraway, R. L. (2000). Modeling customer
       relationships as Markov chains. *Journal of Interactive Marketing*,
       14(2), 43-55.

    Examples
    --------
    >>> markov_shares([1.0, 0.0], [[0.9, 0.1], [0.2, 0.8]], 1)
    array([[1. , 0. ],
           [0.9, 0.1]])
    """
    p, labels = _transition_matrix(transition_matrix)
    s0, labels = _initial_shares(initial_shares, p.shape[0], labels)
    path = _share_path(p, s0, _whole_number(n_periods, "n_periods"))
    if labels is None:
        return path
    return pd.DataFrame(path, index=pd.RangeIndex(len(path), name="period"), columns=labels)


def _per_period(value: object, name: str, n_values: int, *rules: _Rule) -> np.ndarray:
    """Validate a scalar or one-value-per-period argument of length T + 1."""
    array, _ = _to_array(value, name, *rules)
    if array.ndim != 0 and array.shape != (n_values,):
        raise DataValidationError(
            f"{name} must be a scalar or hold one value per period 0..T "
            f"(shape ({n_values},)); got shape {array.shape}"
        )
    return np.broadcast_to(array, (n_values,))


def markov_brand_clv(
    initial_shares: ArrayLike,
    transition_matrix: npt.ArrayLike | pd.DataFrame,
    revenue: ArrayLike,
    discount_rate: float,
    n_periods: int,
    purchase_frequency: ArrayLike = 1.0,
) -> npt.NDArray[np.float64] | pd.Series:
    r"""Discounted expected value per brand under a brand-switching Markov chain.

    .. math::

       \mathrm{CLV}_b = \sum_{t=0}^{T} \frac{F_t \, S_{b,t} \, R_t}{(1 + r)^t}

    with the share path :math:`S_t` from :func:`markov_shares`.  Period 0
    (the current shares) is not discounted.

    Parameters
    ----------
    initial_shares : array-like or Series
        :math:`S_0`; see :func:`markov_shares`.
    transition_matrix : array-like or DataFrame
        Row-stochastic :math:`P`; see :func:`markov_shares`.
    revenue : float or array-like
        Revenue per purchase :math:`R_t`: a scalar or one value per period
        ``0..T`` (length ``T + 1``).
    discount_rate : float
        Discount rate per period, :math:`r > -1`.
    n_periods : int
        Horizon :math:`T` (non-negative); periods ``0..T`` are summed.
    purchase_frequency : float or array-like, default 1.0
        Purchases per period :math:`F_t` (non-negative): a scalar or one
        value per period ``0..T``.

    Returns
    -------
    ndarray or Series
        One value per brand; a Series named by brand when labels were given.

    Raises
    ------
    DataValidationError
        As :func:`markov_shares`, plus ``discount_rate <= -1`` or not a
        single number, and ``revenue``/``purchase_frequency`` of the wrong
        length, non-finite or (frequency) negative.

    References
    ----------
    .. [1] Pfeifer, P. E., & Carraway, R. L. (2000). Modeling customer
       relationships as Markov chains. *Journal of Interactive Marketing*,
       14(2), 43-55.
    .. [2] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.

    Examples
    --------
    >>> markov_brand_clv([1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], 100.0, 0.0, 2)
    array([300.,   0.])
    """
    p, labels = _transition_matrix(transition_matrix)
    s0, labels = _initial_shares(initial_shares, p.shape[0], labels)
    horizon = _whole_number(n_periods, "n_periods")
    rate = _scalar(discount_rate, "discount_rate", _RATE)
    revenues = _per_period(revenue, "revenue", horizon + 1)
    frequency = _per_period(purchase_frequency, "purchase_frequency", horizon + 1, _NON_NEGATIVE)
    path = _share_path(p, s0, horizon)
    discount = (1.0 + rate) ** -np.arange(horizon + 1, dtype=float)
    value = (frequency * revenues * discount) @ path
    if labels is None:
        return value
    return pd.Series(value, index=labels, name="markov_brand_clv")


# ---------------------------------------------------------------------------
# Value components
# ---------------------------------------------------------------------------


def customer_purchase_value(
    spending_capacity: ArrayLike,
    share_of_wallet: ArrayLike,
    unit_margin: ArrayLike,
) -> Result:
    r"""Value of a customer's own purchases: capacity x share of wallet x margin.

    .. math:: V_{purchase} = W \times s \times m

    Parameters
    ----------
    spending_capacity : float or array-like
        Total category spend of the customer, :math:`W` (non-negative).
    share_of_wallet : float or array-like
        Share of that spend captured by the firm, :math:`s`, in ``[0, 1]``.
    unit_margin : float or array-like
        Margin per unit of spend, :math:`m` (e.g. 0.3).

    Returns
    -------
    float, ndarray or Series
        The purchase value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative capacity, share outside ``[0, 1]``
        or shape mismatch.

    References
    ----------
    .. [1] Kumar, V. (2008). Customer lifetime value: The path to
       profitability. *Foundations and Trends in Marketing*, 2(1), 1-96.

    Examples
    --------
    >>> customer_purchase_value(1000.0, 0.5, 0.2)
    100.0
    """
    (capacity, share, margin), labels, all_scalar = _combine(
        spending_capacity=_to_array(spending_capacity, "spending_capacity", _NON_NEGATIVE),
        share_of_wallet=_to_array(share_of_wallet, "share_of_wallet", _PROBABILITY),
        unit_margin=_to_array(unit_margin, "unit_margin"),
    )
    return _finish(capacity * share * margin, labels, all_scalar, "customer_purchase_value")


def word_of_mouth_value(
    influence: ArrayLike,
    reach: ArrayLike,
    average_purchase_value: ArrayLike,
) -> Result:
    r"""Value a customer creates through word of mouth.

    .. math:: V_{wom} = q \times n \times \bar{v}

    Parameters
    ----------
    influence : float or array-like
        Purchases induced per person reached, :math:`q` (non-negative;
        typically a conversion probability).
    reach : float or array-like
        Number of people the customer reaches, :math:`n` (non-negative).
    average_purchase_value : float or array-like
        Value of one induced purchase, :math:`\bar{v}`.

    Returns
    -------
    float, ndarray or Series
        The word-of-mouth value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative influence or reach, or shape
        mismatch.

    References
    ----------
    .. [1] Kumar, V. (2008). Customer lifetime value: The path to
       profitability. *Foundations and Trends in Marketing*, 2(1), 1-96.
    .. [2] Kumar, V., Petersen, J. A., & Leone, R. P. (2007). How valuable
       is word of mouth? *Harvard Business Review*, 85(10), 139-146.

    Examples
    --------
    >>> word_of_mouth_value(0.1, 50, 40.0)
    200.0
    """
    (q, n, v), labels, all_scalar = _combine(
        influence=_to_array(influence, "influence", _NON_NEGATIVE),
        reach=_to_array(reach, "reach", _NON_NEGATIVE),
        average_purchase_value=_to_array(average_purchase_value, "average_purchase_value"),
    )
    return _finish(q * n * v, labels, all_scalar, "word_of_mouth_value")


def total_customer_value(
    purchase_value: ArrayLike,
    word_of_mouth_value: ArrayLike = 0.0,
    information_value: ArrayLike = 0.0,
    knowledge_value: ArrayLike = 0.0,
    transaction_value: ArrayLike = 0.0,
) -> Result:
    r"""Total value of a customer as the sum of its components.

    .. math::

       V = V_{purchase} + V_{wom} + V_{information} + V_{knowledge}
           + V_{transaction}

    Parameters
    ----------
    purchase_value : float or array-like
        Value of the customer's own purchases (e.g. from
        :func:`customer_purchase_value` or a CLV function).
    word_of_mouth_value : float or array-like, default 0.0
        Referral / word-of-mouth value (e.g. from :func:`word_of_mouth_value`).
    information_value : float or array-like, default 0.0
        Value of the information the customer provides.
    knowledge_value : float or array-like, default 0.0
        Value of the customer's feedback and ideas.
    transaction_value : float or array-like, default 0.0
        Other value from transactions (e.g. scale or network effects).

    Returns
    -------
    float, ndarray or Series
        The total value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input or shape mismatch.

    References
    ----------
    .. [1] Kumar, V. (2008). Customer lifetime value: The path to
       profitability. *Foundations and Trends in Marketing*, 2(1), 1-96.
    .. [2] Kumar, V., Aksoy, L., Donkers, B., Venkatesan, R., Wiesel, T., &
       Tillmanns, S. (2010). Undervalued or overvalued customers: Capturing
       total customer engagement value. *Journal of Service Research*,
       13(3), 297-310.

    Examples
    --------
    >>> total_customer_value(100.0, word_of_mouth_value=20.0, knowledge_value=5.0)
    125.0
    """
    parts, labels, all_scalar = _combine(
        purchase_value=_to_array(purchase_value, "purchase_value"),
        word_of_mouth_value=_to_array(word_of_mouth_value, "word_of_mouth_value"),
        information_value=_to_array(information_value, "information_value"),
        knowledge_value=_to_array(knowledge_value, "knowledge_value"),
        transaction_value=_to_array(transaction_value, "transaction_value"),
    )
    return _finish(sum(parts), labels, all_scalar, "total_customer_value")


def customer_equity(clv: ArrayLike) -> float:
    r"""Sum lifetime values over the customer base (customer equity).

    .. math:: CE = \sum_{i=1}^{N} \mathrm{CLV}_i

    Parameters
    ----------
    clv : float or array-like
        Lifetime value of each customer (any shape; all values are summed).

    Returns
    -------
    float
        The customer equity (0.0 for an empty base).

    Raises
    ------
    DataValidationError
        On NaN/infinite or non-numeric input.

    References
    ----------
    .. [1] Blattberg, R. C., & Deighton, J. (1996). Manage marketing by the
       customer equity test. *Harvard Business Review*, 74(4), 136-144.
    .. [2] Rust, R. T., Lemon, K. N., & Zeithaml, V. A. (2004). Return on
       marketing: Using customer equity to focus marketing strategy.
       *Journal of Marketing*, 68(1), 109-127.

    Examples
    --------
    >>> customer_equity([100.0, 250.0, -20.0])
    330.0
    """
    values, _ = _to_array(clv, "clv")
    return float(values.sum())


# ---------------------------------------------------------------------------
# Cohort table
# ---------------------------------------------------------------------------


def _per_year(value: object, name: str, n_years: int, *rules: _Rule) -> np.ndarray:
    """Validate a scalar or one-value-per-year argument (years 1..n)."""
    array, _ = _to_array(value, name, *rules)
    if array.ndim != 0 and array.shape != (n_years,):
        raise DataValidationError(
            f"{name} must be a scalar or hold one value per year 1..{n_years} "
            f"(shape ({n_years},)); got shape {array.shape}"
        )
    return np.broadcast_to(array, (n_years,)).astype(float)


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
    n = _scalar(n_customers, "n_customers", _POSITIVE)
    years = _whole_number(n_years, "n_years")
    rate = _scalar(discount_rate, "discount_rate", _RATE)
    acquisition = _scalar(acquisition_cost, "acquisition_cost")

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
    revenue_pc = _per_year(revenue_per_customer, "revenue_per_customer", years)

    if cost_per_customer is not None and cost_ratio is not None:
        raise DataValidationError("give at most one of cost_per_customer and cost_ratio; got both")
    active = n * np.concatenate(([1.0], np.cumprod(transitions)))[:years]
    revenue = active * revenue_pc
    if cost_ratio is not None:
        costs = _per_year(cost_ratio, "cost_ratio", years) * revenue
    elif cost_per_customer is not None:
        costs = _per_year(cost_per_customer, "cost_per_customer", years) * active
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
