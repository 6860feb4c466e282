r"""Repeat transactions of a cohort per period: what happened and what a model expects.

The data of the tracking plot (Fader, Hardie & Lee 2005, Figures 2 and 3). Two views:

* :func:`expected_cumulative_transactions` (``lifetimes.utils`` has the same name): from
  the start of a log, the cumulative repeat transactions of everybody acquired so far, and
  what the model expects of them, :math:`\sum_i E[X(t - a_i)]` over the customers acquired
  at :math:`a_i < t` (:func:`cohort_expected_purchases`);
* the backtest's table (:func:`expected_repeat_transactions`): periods are time units
  counted from the calibration end (period 0 ends on it, period 1 is the first of the
  holdout), so the holdout is cut in whole periods; the calibration part is the same
  cohort sum.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.checks import whole_number
from clvmodels.data.summary import purchase_periods, summary_units
from clvmodels.data.units import check_same_unit
from clvmodels.deprecation import renamed_column_arguments

__all__ = [
    "actual_repeat_transactions",
    "cohort_expected_purchases",
    "expected_cumulative_transactions",
    "expected_repeat_transactions",
]


def cohort_expected_purchases(
    expected_purchases: Callable[[np.ndarray], ArrayLike], acquired: ArrayLike, at: ArrayLike
) -> np.ndarray:
    r"""Expected repeat purchases of a cohort up to each time of ``at``.

    .. math:: E[\text{repeats by } t] = \sum_i E[X(\max(t - a_i, 0))]

    over the customers acquired at times :math:`a_i` (Fader, Hardie & Lee 2005, note 008,
    p. 8: the model's cumulative sales forecast, a customer contributing from her first
    purchase on).

    Parameters
    ----------
    expected_purchases
        E[X(t)] of a new customer, vectorised over t (a model's ``expected_purchases``).
    acquired
        Each customer's first-purchase time, in the model's time unit.
    at
        Times at which to sum, in the same unit and origin.

    Returns
    -------
    numpy.ndarray
        One expected total per time of ``at``.
    """
    times, counts = np.unique(np.asarray(acquired, dtype=np.float64), return_counts=True)
    at = np.atleast_1d(np.asarray(at, dtype=np.float64))
    ages = np.clip(at[:, None] - times[None, :], 0.0, None)
    expected = np.asarray(expected_purchases(ages.ravel()), np.float64).reshape(ages.shape)
    return expected @ counts


def expected_cumulative_transactions(
    model: Any,
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    t: int,
    freq: str = "D",
    time_unit: str | None = None,
    datetime_format: str | None = None,
) -> pd.DataFrame:
    """Cumulative repeat transactions of a log's customers over time, actual and expected.

    Time runs from the log's first purchase period, in ``time_unit``. At the end of the
    k-th time unit (k = 1..``t``), ``actual`` counts the repeat purchases made so far
    (purchases counted per period of ``freq``, each customer's first one left out, as in
    :func:`~clvmodels.rfm_summary`) and ``predicted`` is the model's
    :func:`cohort_expected_purchases` of the customers acquired so far. This is
    ``lifetimes.utils.expected_cumulative_transactions(model, transactions, datetime_col,
    customer_id_col, t * m, freq=freq, freq_multiplier=m)`` with m ``freq`` periods per
    time unit, whose row k - 1 is our row k.

    Parameters
    ----------
    model
        A fitted purchase model offering ``expected_purchases(t)`` (vectorised) in
        ``time_unit``.
    transactions, customer_id_col, datetime_col, freq, datetime_format
        As in :func:`~clvmodels.rfm_summary`.
    t
        Number of time units to track, >= 1.
    time_unit
        Unit of the model's times; defaults to ``freq``. Must be the model's unit.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (1..t): ``actual`` and ``predicted``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). A note on implementing the
    Pareto/NBD model in MATLAB. http://brucehardie.com/notes/008/
    """
    t = whole_number(t, "t", at_least=1)
    _, unit, num, den = summary_units(freq, time_unit)
    check_same_unit(getattr(model, "time_unit_", None), unit, f"time_unit={unit!r}")
    pairs = purchase_periods(transactions, customer_id_col, datetime_col, freq, datetime_format)
    offset = (pairs["period"] - pairs["period"].min()).to_numpy(np.float64) * num / den
    first = pairs["first"].to_numpy()
    ends = np.arange(1, t + 1, dtype=np.float64)
    # a repeat purchase in the period starting at `offset` counts once that period began
    repeats = np.sort(offset[~first])
    actual = np.searchsorted(repeats, ends - 1e-9 * ends, side="right")
    predicted = cohort_expected_purchases(model.expected_purchases, offset[first], ends)
    return pd.DataFrame(
        {"actual": actual, "predicted": predicted},
        index=pd.Index(np.arange(1, t + 1), name="period"),
    )


@renamed_column_arguments
def actual_repeat_transactions(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    customers: pd.Index,
    freq: str,
    cut_off: pd.Timestamp,
    end: pd.Timestamp,
    step_days: float,
) -> pd.Series:
    """Repeat transactions of the cohort ``customers`` per period, from the log.

    Purchases are counted per ``freq`` period (as in the summary); each customer's first
    purchase period is not a repeat. Returns counts indexed by period number: day ``d``
    after ``cut_off`` (``d >= 1``) lies in period ``ceil(d / step_days)``, days on or
    before it in periods ``<= 0``. Transactions after ``end`` are left out.
    """
    log = transactions[[customer_id_col, datetime_col]].copy()
    log[datetime_col] = pd.to_datetime(log[datetime_col])
    if log[datetime_col].dt.tz is not None:  # compared in UTC, as rfm_summary does
        log[datetime_col] = log[datetime_col].dt.tz_convert("UTC").dt.tz_localize(None)
    log = log[log[customer_id_col].isin(customers) & (log[datetime_col].dt.normalize() <= end)]
    start = log[datetime_col].dt.to_period(freq).dt.start_time
    pairs = pd.DataFrame({"customer": log[customer_id_col].to_numpy(), "start": start.to_numpy()})
    pairs = pairs.drop_duplicates().sort_values(["customer", "start"])
    repeats = pairs[pairs.duplicated("customer")]  # every purchase period but the first
    offset_days = (repeats["start"] - cut_off.normalize()).dt.days.to_numpy(np.float64)
    # Day d after the cut-off (d >= 1) lies in period ceil(d / step); days <= 0 in calibration.
    period = np.ceil(offset_days / step_days).astype(np.int64)
    return pd.Series(period).value_counts().sort_index()


def expected_repeat_transactions(
    name: str,
    purchase: Any,
    calibration: pd.DataFrame,
    periods: np.ndarray,
    duration: float,
    actual_at_cut_off: float,
) -> pd.DataFrame:
    """Expected repeat transactions of the cohort per period under one fitted model.

    In calibration (periods <= 0), the fit: ``sum_i expected_purchases(T_i + period)``
    over the customers' ages, for a model that offers ``expected_purchases(t)`` (NaN
    otherwise, and for a model with covariates, whose ``expected_purchases(t)`` describes
    the reference customer only). In the holdout, the forecast: ``actual_at_cut_off``
    plus the sum of
    ``conditional_expected_purchases(min(period, duration), calibration)``, which every
    model of the prediction protocol offers. Returns ``model``, ``period``,
    ``incremental`` and ``cumulative``.
    """
    cumulative = np.full(len(periods), np.nan)
    incremental = np.full(len(periods), np.nan)
    unconditional = getattr(purchase, "expected_purchases", None)
    if getattr(purchase, "has_covariates", False):  # the reference customer's, not the cohort's
        unconditional = None
    T = calibration["T"].to_numpy(np.float64)
    in_calibration = periods <= 0
    if callable(unconditional) and in_calibration.any():
        # customers acquired T before the cut-off, summed at the period ends
        expected = cohort_expected_purchases(unconditional, -T, periods[in_calibration])
        cumulative[in_calibration] = expected
        incremental[in_calibration] = np.diff(expected, prepend=0.0)
    holdout = np.flatnonzero(~in_calibration)
    forecast = np.array(
        [
            float(
                np.sum(
                    purchase.conditional_expected_purchases(min(float(h), duration), calibration)
                )
            )
            for h in periods[holdout]
        ]
    )
    cumulative[holdout] = actual_at_cut_off + forecast
    incremental[holdout] = np.diff(forecast, prepend=0.0)
    return pd.DataFrame(
        {"model": name, "period": periods, "incremental": incremental, "cumulative": cumulative}
    )
