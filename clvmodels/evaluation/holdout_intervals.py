"""Intervals in a backtest: each candidate's holdout intervals and how often they held.

``backtest(..., interval=0.8)`` asks every candidate for two intervals per customer, where
it offers them, and scores both against the actual holdout count
(:func:`clvmodels.evaluation.metrics.interval_coverage`):

- ``purchases_lower`` / ``purchases_upper``: the interval of the *expected* holdout count,
  ``conditional_expected_purchases(t, summary, interval=p)`` (maximum-likelihood models:
  parameter uncertainty; Bayesian models: the posterior HDI). Metric
  ``interval_coverage``. It leaves out each customer's own Poisson noise, so its coverage
  of actual counts is far below p: it measures how often the expectation's interval
  happens to hold the count, not calibration.
- ``count_lower`` / ``count_upper``: a prediction interval of the count itself, from the
  model's conditional count distribution ``probability_of_purchases(t, range(K + 1),
  summary)`` (a customer x count frame) where the model offers one
  (:func:`clvmodels.estimation.prediction_intervals.count_prediction_interval`). Metric
  ``count_interval_coverage``; about p for a well-specified model.

A candidate that offers neither (the baselines) gets NaN bounds and NaN coverage.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.estimation.prediction_intervals import count_prediction_interval
from clvmodels.evaluation.metrics import interval_coverage

__all__ = ["INTERVAL_COLUMNS", "MAX_COUNT", "coverage_metrics", "holdout_intervals"]

#: Columns a backtest with ``interval=`` adds per customer.
INTERVAL_COLUMNS = ("purchases_lower", "purchases_upper", "count_lower", "count_upper")

#: Largest count of the count distribution asked for (its upper bound saturates there).
MAX_COUNT = 100


def _expected_count_bounds(
    purchase_model: Any, calibration: pd.DataFrame, duration: float, prob: float
) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        frame = purchase_model.conditional_expected_purchases(duration, calibration, interval=prob)
    except (TypeError, NotImplementedError):  # no interval= (e.g. a baseline)
        return None
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] != 3:
        return None
    return frame.iloc[:, 1].to_numpy(np.float64), frame.iloc[:, 2].to_numpy(np.float64)


def _count_bounds(
    purchase_model: Any, calibration: pd.DataFrame, duration: float, prob: float
) -> tuple[np.ndarray, np.ndarray] | None:
    function = getattr(purchase_model, "probability_of_purchases", None)
    if function is None:
        return None
    counts = np.arange(MAX_COUNT + 1)
    try:
        table = function(duration, counts, calibration)
    except (TypeError, ValueError, NotImplementedError):  # no conditional distribution
        return None
    if not isinstance(table, pd.DataFrame) or table.shape != (len(calibration), len(counts)):
        return None
    return count_prediction_interval(table.to_numpy(np.float64), prob)


def holdout_intervals(
    purchase_model: Any, calibration: pd.DataFrame, duration: float, prob: float
) -> pd.DataFrame:
    """The :data:`INTERVAL_COLUMNS` of one fitted candidate (NaN where it offers none)."""
    frame = pd.DataFrame(np.nan, index=calibration.index, columns=list(INTERVAL_COLUMNS))
    for prefix, bounds in (
        ("purchases", _expected_count_bounds(purchase_model, calibration, duration, prob)),
        ("count", _count_bounds(purchase_model, calibration, duration, prob)),
    ):
        if bounds is not None:
            frame[f"{prefix}_lower"], frame[f"{prefix}_upper"] = bounds
    return frame


def coverage_metrics(group: pd.DataFrame) -> dict[str, float]:
    """``interval_coverage`` and ``count_interval_coverage`` of one (cut-off, model) group."""
    row = {}
    for prefix, key in (("purchases", "interval_coverage"), ("count", "count_interval_coverage")):
        lower, upper = group[f"{prefix}_lower"], group[f"{prefix}_upper"]
        known = lower.notna().all() and upper.notna().all()
        row[key] = interval_coverage(group["actual_purchases"], lower, upper) if known else np.nan
    return row
