"""Tracking plot: repeat transactions per period, actual vs models, calibration | holdout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from clvmodels.plotting.axes import axes_or_new

__all__ = ["plot_tracking"]


def _tracking_frame(result_or_frame: Any) -> pd.DataFrame:
    frame = getattr(result_or_frame, "tracking", result_or_frame)
    needed = {"calibration_period_end", "model", "period", "period_end", "cumulative"}
    if not isinstance(frame, pd.DataFrame) or not needed <= set(frame.columns):
        raise TypeError(
            "plot_tracking takes a BacktestResult or its tracking table (columns "
            f"{sorted(needed)}); got {type(frame).__name__}"
        )
    return frame


def plot_tracking(
    result_or_frame: Any,
    cumulative: bool = True,
    models: Sequence[str] | None = None,
    calibration_period_end: str | None = None,
    ax: Any = None,
) -> Any:
    """Weekly (per time unit) repeat transactions of the cohort, actual vs each model.

    Parameters
    ----------
    result_or_frame
        A :class:`~clvmodels.evaluation.backtest.BacktestResult` or its ``tracking``
        table.
    cumulative
        Cumulative (default) or incremental transactions per period.
    models
        Models to draw besides ``"actual"`` (default: all).
    calibration_period_end
        Which cut-off of a rolling backtest (default: the first).
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        One line per model, labelled with its name, x = the end date of each period;
        a dashed vertical line marks the calibration end.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science*, 24(2), 275-284, Figure 2 and 3.
    """
    frame = _tracking_frame(result_or_frame)
    cut_offs = frame["calibration_period_end"].unique()
    cut_off = cut_offs[0] if calibration_period_end is None else calibration_period_end
    frame = frame[frame["calibration_period_end"] == cut_off]
    if frame.empty:
        raise ValueError(f"no tracking rows for calibration_period_end {cut_off!r}: {cut_offs}")
    names = [m for m in frame["model"].unique() if m != "actual"]
    if models is not None:
        unknown = sorted(set(models) - set(names))
        if unknown:
            raise ValueError(f"models {unknown} are not in the backtest; it has {names}")
        names = list(models)
    column = "cumulative" if cumulative else "incremental"
    ax = axes_or_new(ax)
    for name in ["actual", *names]:
        rows = frame[frame["model"] == name].dropna(subset=[column])
        style = {"color": "black", "linewidth": 2.0} if name == "actual" else {"linestyle": "--"}
        ax.plot(rows["period_end"], rows[column], label=name, **style)
    ax.axvline(pd.Timestamp(cut_off), color="grey", linestyle=":", label="calibration end")
    ax.set_xlabel("end of period")
    what = "Cumulative" if cumulative else "Incremental"
    ax.set_ylabel(f"{what} repeat transactions")
    ax.set_title(f"{what} repeat transactions: actual vs models")
    ax.legend()
    return ax
