"""Repeat transactions of a whole log over time, actual vs a fitted model (lifetimes' names).

The data are :func:`clvmodels.evaluation.tracking.expected_cumulative_transactions`: from the
log's first purchase period, the repeat purchases made so far and what the model expects of
the customers acquired so far. The backtest's own tracking plot is
:func:`~clvmodels.plotting.plot_tracking`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.evaluation.tracking import expected_cumulative_transactions
from clvmodels.plotting.axes import axes_or_new

__all__ = ["plot_cumulative_transactions", "plot_incremental_transactions"]


def _draw(table: pd.DataFrame, t_cal: float, what: str, unit: str, ax: Any) -> Any:
    ax = axes_or_new(ax)
    x = table.index.to_numpy()
    ax.plot(x, table["actual"], color="black", label="actual")
    ax.plot(x, table["predicted"], linestyle="--", label="model")
    ax.axvline(float(t_cal), color="grey", linestyle=":", label="calibration end")
    ax.set_xlabel(f"{unit} since the log's first purchase period")
    ax.set_ylabel(f"{what} repeat transactions")
    ax.set_title(f"Tracking {what.lower()} repeat transactions")
    ax.legend()
    return ax


def plot_cumulative_transactions(
    model: Any,
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    t: int,
    t_cal: float,
    freq: str = "D",
    time_unit: str | None = None,
    datetime_format: str | None = None,
    ax: Any = None,
) -> Any:
    """Cumulative repeat transactions at the end of each time unit, actual and expected.

    Parameters
    ----------
    model
        A fitted purchase model (``expected_purchases(t)``) in ``time_unit``.
    transactions, customer_id_col, datetime_col, freq, datetime_format
        As in :func:`~clvmodels.rfm_summary`. (``lifetimes`` takes ``datetime_col`` before
        ``customer_id_col``; pass them by name to move between the two.)
    t
        Number of time units drawn, from the log's first purchase period.
    t_cal
        Where the calibration period ends, in time units (a vertical line).
    time_unit
        The model's unit; defaults to ``freq``.
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        Lines ``actual`` and ``model`` at x = 1..t and a vertical line at ``t_cal``.
    """
    table = expected_cumulative_transactions(
        model, transactions, customer_id_col, datetime_col, t, freq, time_unit, datetime_format
    )
    unit = time_unit or freq
    return _draw(table, t_cal, "Cumulative", unit, ax)


def plot_incremental_transactions(
    model: Any,
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    t: int,
    t_cal: float,
    freq: str = "D",
    time_unit: str | None = None,
    datetime_format: str | None = None,
    ax: Any = None,
) -> Any:
    """Repeat transactions in each time unit, actual and expected (differences of the above).

    Parameters and return as :func:`plot_cumulative_transactions`; the first time unit's
    value is its cumulative one (``lifetimes`` leaves it out).
    """
    table = expected_cumulative_transactions(
        model, transactions, customer_id_col, datetime_col, t, freq, time_unit, datetime_format
    )
    increments = table.apply(lambda column: np.diff(column.to_numpy(np.float64), prepend=0.0))
    return _draw(increments, t_cal, "Incremental", time_unit or freq, ax)
