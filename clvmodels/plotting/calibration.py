"""Calibration vs holdout: mean holdout purchases by calibration frequency, actual vs models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.plotting.axes import axes_or_new

__all__ = ["calibration_vs_holdout_table", "plot_calibration_vs_holdout"]


def calibration_vs_holdout_table(
    result_or_frame: Any, max_frequency: int = 7, calibration_period_end: str | None = None
) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency.

    Frequencies above ``max_frequency`` are pooled in its group (the papers' "7+").
    Returns a frame indexed by ``frequency`` with ``actual``, ``n_customers`` and one
    column per model.
    """
    frame = getattr(result_or_frame, "per_customer", result_or_frame)
    needed = {"model", "frequency", "actual_purchases", "predicted_purchases"}
    if not isinstance(frame, pd.DataFrame) or not needed <= set(frame.columns):
        raise TypeError(
            "takes a BacktestResult or its per_customer table (columns "
            f"{sorted(needed)}); got {type(frame).__name__}"
        )
    if "calibration_period_end" in frame:
        cut_off = calibration_period_end or frame["calibration_period_end"].iloc[0]
        frame = frame[frame["calibration_period_end"] == cut_off]
    if int(max_frequency) < 0:
        raise ValueError(f"max_frequency must be >= 0; got {max_frequency}")
    group = np.minimum(frame["frequency"].to_numpy(), int(max_frequency))
    frame = frame.assign(group=group)
    predicted = frame.pivot_table(
        index="group", columns="model", values="predicted_purchases", aggfunc="mean", sort=False
    )
    first_model = frame["model"].iloc[0]
    one = frame[frame["model"] == first_model].groupby("group")["actual_purchases"]
    table = pd.DataFrame({"actual": one.mean(), "n_customers": one.size()})
    table = table.join(predicted[list(frame["model"].unique())])
    table.index.name = "frequency"
    return table.sort_index()


def plot_calibration_vs_holdout(
    result_or_frame: Any,
    max_frequency: int = 7,
    models: Sequence[str] | None = None,
    calibration_period_end: str | None = None,
    ax: Any = None,
) -> Any:
    """Mean holdout purchases by calibration frequency: actual vs each model.

    Parameters
    ----------
    result_or_frame
        A :class:`~clvmodels.evaluation.backtest.BacktestResult` or its
        ``per_customer`` table.
    max_frequency
        Calibration frequencies above it are pooled (the last x tick reads "7+").
    models
        Models to draw (default: all).
    calibration_period_end
        Which cut-off of a rolling backtest (default: the first).
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        One line per model and a black line for the actual means, x = 0..max_frequency.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science*, 24(2), 275-284, Figure 4.
    """
    table = calibration_vs_holdout_table(result_or_frame, max_frequency, calibration_period_end)
    names = [c for c in table.columns if c not in ("actual", "n_customers")]
    if models is not None:
        unknown = sorted(set(models) - set(names))
        if unknown:
            raise ValueError(f"models {unknown} are not in the backtest; it has {names}")
        names = list(models)
    ax = axes_or_new(ax)
    x = table.index.to_numpy()
    ax.plot(x, table["actual"], color="black", marker="o", linewidth=2.0, label="actual")
    for name in names:
        ax.plot(x, table[name], marker=".", linestyle="--", label=name)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v}+" if v == x.max() and v == max_frequency else str(v) for v in x])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Conditional expectations: holdout purchases by calibration frequency")
    ax.legend()
    return ax
