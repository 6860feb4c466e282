"""Calibration vs holdout: mean holdout purchases by calibration frequency, actual vs models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.plotting.axes import axes_or_new

__all__ = [
    "calibration_purchases_vs_holdout_table",
    "calibration_vs_holdout_table",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_calibration_vs_holdout",
]

#: lifetimes' kinds (``calibration_and_holdout_data`` names the columns ``*_cal``)
_KINDS = {
    "frequency_cal": "repeat purchases in the calibration period",
    "recency_cal": "age at the last purchase (recency)",
    "T_cal": "age at the end of the calibration period (T)",
    "time_since_last_purchase": "time since the last purchase (T - recency)",
}


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


def calibration_purchases_vs_holdout_table(
    model: Any, split: pd.DataFrame, kind: str = "frequency_cal", n: int = 7
) -> pd.DataFrame:
    """Mean holdout purchases, actual and predicted, per value of a calibration quantity.

    ``lifetimes.plotting.plot_calibration_purchases_vs_holdout_purchases``' data: the
    customers of ``split`` grouped by each distinct value of ``kind``, the first ``n``
    groups in increasing order, with the mean of ``frequency_holdout`` and of the model's
    ``conditional_expected_purchases(duration_holdout, calibration summary)``.

    Parameters
    ----------
    model
        A fitted purchase model.
    split
        :func:`~clvmodels.calibration_holdout_split`'s frame (``frequency``, ``recency``,
        ``T``, ``frequency_holdout``, ``duration_holdout``); lifetimes' ``*_cal`` column
        names are read too.
    kind
        ``"frequency_cal"``, ``"recency_cal"``, ``"T_cal"`` or
        ``"time_since_last_purchase"`` (T - recency); ``"frequency"``, ``"recency"`` and
        ``"T"`` name the first three as well.
    n
        Number of groups kept (the smallest values).

    Returns
    -------
    pandas.DataFrame
        Indexed by the value of ``kind``: ``actual``, ``model`` and ``n_customers``.
    """
    kind = {"frequency": "frequency_cal", "recency": "recency_cal", "T": "T_cal"}.get(kind, kind)
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {sorted(_KINDS)}; got {kind!r}")
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1 (groups shown), e.g. n=7; got {n}")
    summary = split.rename(
        columns={f"{c}_cal": c for c in ("frequency", "recency", "T") if c not in split}
    )
    needed = {"frequency", "recency", "T", "frequency_holdout", "duration_holdout"}
    if not needed <= set(summary.columns):
        raise ValueError(
            f"split needs columns {sorted(needed)} (calibration_holdout_split's frame); "
            f"got {list(split.columns)}"
        )
    duration = float(summary["duration_holdout"].iloc[0])
    predicted = np.asarray(model.conditional_expected_purchases(duration, summary), np.float64)
    if kind == "time_since_last_purchase":
        key = summary["T"] - summary["recency"]
    else:
        key = summary[kind.removesuffix("_cal")]
    frame = pd.DataFrame(
        {"actual": summary["frequency_holdout"].to_numpy(np.float64), "model": predicted},
        index=summary.index,
    )
    grouped = frame.groupby(key.rename(kind).to_numpy())
    table = grouped.mean().assign(n_customers=grouped.size()).sort_index().iloc[:n]
    table.index.name = kind
    return table


def plot_calibration_purchases_vs_holdout_purchases(
    model: Any, split: pd.DataFrame, kind: str = "frequency_cal", n: int = 7, ax: Any = None
) -> Any:
    """Mean holdout purchases by a calibration quantity: actual vs the model (lifetimes' plot).

    Parameters
    ----------
    model, split, kind, n
        As in :func:`calibration_purchases_vs_holdout_table`.
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        Two lines, ``actual`` and ``model``, over the values of ``kind``.
    """
    table = calibration_purchases_vs_holdout_table(model, split, kind, n)
    ax = axes_or_new(ax)
    x = table.index.to_numpy()
    ax.plot(x, table["actual"], color="black", marker="o", label="actual")
    ax.plot(x, table["model"], marker=".", linestyle="--", label="model")
    ax.set_xlabel(_KINDS[table.index.name])
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Actual purchases in the holdout period vs predicted")
    ax.legend()
    return ax
