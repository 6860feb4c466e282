"""One customer's purchases and her probability of being alive over time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.checks import whole_number
from clvmodels.data.dates import parse_end
from clvmodels.data.units import days_per_unit, period_alias
from clvmodels.deprecation import renamed_column_arguments
from clvmodels.plotting.axes import axes_or_new

__all__ = ["plot_probability_alive_history", "probability_alive_history"]


@renamed_column_arguments
def probability_alive_history(
    model: Any,
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    customer_id: Any,
    end: object = None,
    freq: str = "D",
    n_points: int = 200,
) -> pd.DataFrame:
    """P(alive) of one customer at dates from her first purchase to ``end``.

    At each date the customer's summary is what :func:`clvmodels.rfm_summary` would
    give as of that date (purchases counted per ``freq`` period, times in the model's
    time unit); the model's ``probability_alive`` is evaluated on those rows. Nothing
    is fitted.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``frequency``, ``recency``, ``T``, ``p_alive``; ``attrs["purchases"]``
        holds the dates of her purchase periods.
    """
    unit = getattr(model, "time_unit_", None)
    if unit is None:
        raise ValueError(
            "the model states no time unit (fit it on a summary from clvmodels.rfm_summary)"
        )
    n_points = whole_number(n_points, "n_points", at_least=2)
    rows = transactions[transactions[customer_id_col] == customer_id]
    if rows.empty:
        raise ValueError(
            f"customer {customer_id!r} has no transaction in column {customer_id_col!r}"
        )
    log_dates = pd.to_datetime(rows[datetime_col])
    if log_dates.dt.tz is not None:  # compared in UTC, as rfm_summary does
        log_dates = log_dates.dt.tz_convert("UTC").dt.tz_localize(None)
    starts = log_dates.dt.to_period(period_alias(freq)).dt.start_time.unique()
    purchases = np.sort(starts.to_numpy())
    stop = pd.Timestamp(purchases[-1]) if end is None else parse_end(end, "end", False)
    first = pd.Timestamp(purchases[0])
    if stop < first:
        raise ValueError(f"end ({stop.date()}) is before the first purchase ({first.date()})")
    dates = pd.date_range(first, stop, periods=n_points).normalize().unique()
    per_unit = days_per_unit(unit)
    purchase_times = (purchases - purchases[0]) / np.timedelta64(1, "D") / per_unit
    T = ((dates - first) / pd.Timedelta(days=1)).to_numpy() / per_unit
    seen = np.searchsorted(purchase_times, T, side="right")  # purchases up to each date
    history = pd.DataFrame(
        {
            "date": dates,
            "frequency": seen - 1,
            "recency": purchase_times[seen - 1],
            "T": T,
        }
    )
    history.attrs["time_unit"] = unit
    history["p_alive"] = np.asarray(model.probability_alive(history), dtype=np.float64)
    history.attrs["purchases"] = pd.DatetimeIndex(purchases)
    return history


@renamed_column_arguments
def plot_probability_alive_history(
    model: Any,
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    customer_id: Any,
    end: object = None,
    freq: str = "D",
    n_points: int = 200,
    ax: Any = None,
) -> Any:
    """A customer's P(alive) over time, with her purchases as vertical lines.

    See :func:`probability_alive_history` for the arguments.

    Returns
    -------
    matplotlib.axes.Axes
        One line (the P(alive) history) and one dotted vertical line per purchase.
    """
    history = probability_alive_history(
        model, transactions, customer_id_col, datetime_col, customer_id, end, freq, n_points
    )
    ax = axes_or_new(ax)
    ax.plot(history["date"], history["p_alive"], color="C0", label="P(alive)")
    for i, day in enumerate(history.attrs["purchases"]):
        ax.axvline(day, color="grey", linestyle=":", label="purchase" if i == 0 else None)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("date")
    ax.set_ylabel("P(alive)")
    ax.set_title(f"Customer {customer_id}: purchases and P(alive)")
    ax.legend(loc="lower left")
    return ax
