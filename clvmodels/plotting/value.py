"""CLV distribution, Lorenz curve, and predicted vs actual value by model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.plotting.axes import axes_or_new

__all__ = [
    "lorenz_curve",
    "plot_clv_distribution",
    "plot_lorenz_curve",
    "plot_predicted_vs_actual",
    "predicted_vs_actual_table",
]


def plot_clv_distribution(
    clv_values: Any, bins: int = 50, quantile: float = 0.99, ax: Any = None
) -> Any:
    """Histogram of per-customer CLV, the x axis cut at a quantile, with the mean marked.

    ``clv_values`` is a Series or array (e.g. from :func:`clvmodels.customer_lifetime_value`).
    """
    values = np.asarray(clv_values, dtype=np.float64)
    if values.ndim != 1 or not np.all(np.isfinite(values)) or len(values) == 0:
        raise ValueError("clv_values must be a non-empty 1-D array of finite values")
    top = float(np.quantile(values, quantile))
    ax = axes_or_new(ax)
    ax.hist(values[values <= top], bins=bins, color="C0")
    mean = float(values.mean())
    ax.axvline(mean, color="black", linestyle="--", label=f"mean {mean:,.2f}")
    ax.set_xlabel("customer lifetime value")
    ax.set_ylabel("customers")
    ax.set_title(f"CLV of {len(values):,} customers")
    ax.legend()
    return ax


def lorenz_curve(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Share of customers (lowest first) vs their share of the total value."""
    values = np.sort(np.asarray(values, dtype=np.float64))
    if values.ndim != 1 or len(values) == 0 or values.sum() <= 0 or np.any(values < 0):
        raise ValueError("values must be >= 0 with a positive total to draw a Lorenz curve")
    customers = np.linspace(0.0, 1.0, len(values) + 1)
    return customers, np.r_[0.0, np.cumsum(values) / values.sum()]


def plot_lorenz_curve(values: Any, ax: Any = None, label: str = "customers") -> Any:
    """Lorenz curve of per-customer value, with the line of equality.

    Returns
    -------
    matplotlib.axes.Axes
        The curve (labelled ``label``, with its Gini coefficient) and the diagonal.
    """
    share, value = lorenz_curve(values)
    gini = 1.0 - 2.0 * float(np.trapezoid(value, share))
    ax = axes_or_new(ax)
    ax.plot(share, value, label=f"{label} (Gini {gini:.2f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="equality")
    ax.set_xlabel("share of customers (lowest value first)")
    ax.set_ylabel("share of total value")
    ax.set_title("Lorenz curve")
    ax.legend()
    return ax


def predicted_vs_actual_table(
    result_or_frame: Any, target: str = "value", n_groups: int = 10
) -> pd.DataFrame:
    """Mean predicted and actual ``target`` per model, by group of predicted value.

    Customers are split into ``n_groups`` equal-size groups by each model's prediction
    (ties broken by customer order); returns ``model``, ``group`` (1 = lowest),
    ``predicted`` and ``actual`` (means of the group).
    """
    frame = getattr(result_or_frame, "per_customer", result_or_frame)
    if target not in ("value", "purchases"):
        raise ValueError(f"target must be 'value' or 'purchases'; got {target!r}")
    rows = []
    for model, group in frame.groupby("model", sort=False):
        predicted = group[f"predicted_{target}"].to_numpy(np.float64)
        actual = group[f"actual_{target}"].to_numpy(np.float64)
        order = np.argsort(predicted, kind="stable")
        for k, part in enumerate(np.array_split(order, n_groups), start=1):
            rows.append(
                {
                    "model": model,
                    "group": k,
                    "predicted": predicted[part].mean(),
                    "actual": actual[part].mean(),
                }
            )
    return pd.DataFrame(rows)


def plot_predicted_vs_actual(
    result_or_frame: Any,
    target: str = "value",
    n_groups: int = 10,
    models: Sequence[str] | None = None,
    ax: Any = None,
) -> Any:
    """Mean actual vs mean predicted holdout value per group of customers, each model.

    Probabilistic and deterministic predictions side by side against what happened: a
    model on the diagonal is right on average in every group.

    Returns
    -------
    matplotlib.axes.Axes
        One line (markers) per model, x = mean predicted, y = mean actual, and the
        diagonal.
    """
    table = predicted_vs_actual_table(result_or_frame, target, n_groups)
    names = list(table["model"].unique()) if models is None else list(models)
    ax = axes_or_new(ax)
    for name in names:
        rows = table[table["model"] == name]
        if rows.empty:
            raise ValueError(f"model {name!r} is not in the backtest")
        ax.plot(rows["predicted"], rows["actual"], marker="o", label=name)
    top = float(np.nanmax(table[["predicted", "actual"]].to_numpy()))
    ax.plot([0, top], [0, top], color="grey", linestyle=":", label="predicted = actual")
    ax.set_xlabel(f"mean predicted holdout {target} (group of customers)")
    ax.set_ylabel(f"mean actual holdout {target}")
    ax.set_title(f"Predicted vs actual holdout {target}, {n_groups} groups per model")
    ax.legend()
    return ax
