"""Repeat transactions of a cohort per period: what happened and what a model expects.

The data of the tracking plot (Fader, Hardie & Lee 2005, Figures 2 and 3): periods are
time units counted from the calibration end (period 0 ends on it, period 1 is the first
of the holdout), so the holdout is cut in whole periods.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["actual_repeat_transactions", "expected_repeat_transactions"]


def actual_repeat_transactions(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
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
    log = transactions[[customer_col, date_col]].copy()
    log[date_col] = pd.to_datetime(log[date_col])
    if log[date_col].dt.tz is not None:  # compared in UTC, as rfm_summary does
        log[date_col] = log[date_col].dt.tz_convert("UTC").dt.tz_localize(None)
    log = log[log[customer_col].isin(customers) & (log[date_col].dt.normalize() <= end)]
    start = log[date_col].dt.to_period(freq).dt.start_time
    pairs = pd.DataFrame({"customer": log[customer_col].to_numpy(), "start": start.to_numpy()})
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
    otherwise). In the holdout, the forecast: ``actual_at_cut_off`` plus the sum of
    ``conditional_expected_purchases(min(period, duration), calibration)``, which every
    model of the prediction protocol offers. Returns ``model``, ``period``,
    ``incremental`` and ``cumulative``.
    """
    cumulative = np.full(len(periods), np.nan)
    incremental = np.full(len(periods), np.nan)
    unconditional = getattr(purchase, "expected_purchases", None)
    T = calibration["T"].to_numpy(np.float64)
    in_calibration = periods <= 0
    if callable(unconditional) and in_calibration.any():
        ages, counts = np.unique(T, return_counts=True)
        at = np.clip(ages[None, :] + periods[in_calibration][:, None], 0.0, None)
        expected = np.asarray(unconditional(at.ravel()), np.float64).reshape(at.shape) @ counts
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
