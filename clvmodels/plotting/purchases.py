r"""Repeat purchases of a fitted purchase model against the data it describes.

* :func:`period_transactions` / :func:`plot_period_transactions`: how many customers made
  0, 1, 2, ... repeat purchases in the calibration period, actual against what the model
  expects of customers of the same ages, :math:`\sum_i P(X(T_i) = k)` (Fader, Hardie &
  Lee 2005, Figure 1; ``lifetimes.plotting.plot_period_transactions`` draws the same
  bars from one simulated base instead of the expectation);
* :func:`plot_expected_repeat_purchases`: :math:`E[X(t)]` of a new customer over the
  calibration length and half as much again (``lifetimes`` has the same name).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.checks import whole_number
from clvmodels.plotting.axes import axes_or_new

__all__ = ["period_transactions", "plot_expected_repeat_purchases", "plot_period_transactions"]


def _columns(model: Any) -> tuple[str, str, str]:
    """(frequency, recency, age) column names of the model's summaries."""
    return tuple(getattr(model, "data_columns", ("frequency", "recency", "T")))  # type: ignore[return-value]


def _ages(model: Any, summary: pd.DataFrame) -> np.ndarray:
    age = _columns(model)[2]
    if age not in summary:
        raise ValueError(
            f"the summary has no {age!r} column (each customer's age, as rfm_summary gives "
            f"it); got columns {list(summary.columns)}"
        )
    return summary[age].to_numpy(np.float64)


def period_transactions(model: Any, summary: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    r"""Customers by number of repeat purchases: actual and the model's expectation.

    The expected number of customers with :math:`k` repeat purchases is
    :math:`\sum_i P(X(T_i) = k)` over the summary's customers, each at her own age
    :math:`T_i` (``n_periods`` for the BG/BB), from the model's
    ``probability_of_purchases(t, n)`` for a new customer. The last row pools
    ``max_frequency`` and more (the papers' "7+"); both columns sum to the number of
    customers.

    Parameters
    ----------
    model
        A fitted purchase model offering ``probability_of_purchases(t, n)`` (P(X(t) = n)
        of a newly acquired customer).
    summary
        The customers it was fitted on (``frequency`` and ages, in the model's unit).
    max_frequency
        Frequencies from it up are pooled in one row, >= 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``frequency`` 0..``max_frequency`` with ``actual`` and ``expected``.
    """
    max_frequency = whole_number(max_frequency, "max_frequency", at_least=1)
    if not callable(getattr(model, "probability_of_purchases", None)):
        raise TypeError(
            "period_transactions needs a purchase model with probability_of_purchases(t, n) "
            f"(P(X(t) = n) of a new customer); {type(model).__name__} has none"
        )
    frequency = summary[_columns(model)[0]].to_numpy(np.float64)
    ages, counts = np.unique(_ages(model, summary), return_counts=True)
    below = np.arange(max_frequency)
    # one call per distinct age (a day's cohort): the public method takes one horizon
    probabilities = np.array(
        [np.asarray(model.probability_of_purchases(float(age), below), np.float64) for age in ages]
    ).reshape(len(ages), max_frequency)
    expected = counts @ probabilities
    actual = np.bincount(np.minimum(frequency, max_frequency).astype(np.int64))
    actual = np.pad(actual, (0, max_frequency + 1 - len(actual)))
    table = pd.DataFrame(
        {
            "actual": actual.astype(np.float64),
            "expected": np.append(expected, len(frequency) - expected.sum()),
        },
        index=pd.Index(np.arange(max_frequency + 1), name="frequency"),
    )
    return table


def plot_period_transactions(
    model: Any,
    summary: pd.DataFrame,
    max_frequency: int = 7,
    title: str = "Frequency of repeat transactions",
    ax: Any = None,
) -> Any:
    """Bars of customers by number of repeat purchases, actual next to the model.

    Parameters
    ----------
    model, summary, max_frequency
        As in :func:`period_transactions`.
    title
        Axes title.
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers, ``actual`` and ``model`` (the expected counts), at x =
        0..``max_frequency``; the last tick reads "7+".

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science*, 24(2), 275-284, Figure 1.
    """
    table = period_transactions(model, summary, max_frequency)
    ax = axes_or_new(ax)
    x = table.index.to_numpy()
    ax.bar(x - 0.2, table["actual"], width=0.4, color="0.3", label="actual")
    ax.bar(x + 0.2, table["expected"], width=0.4, color="C0", label="model")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{k}+" if k == x[-1] else str(k) for k in x])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("customers")
    ax.set_title(title)
    ax.legend()
    return ax


def plot_expected_repeat_purchases(
    model: Any,
    T: float | pd.DataFrame,
    n_points: int = 100,
    label: str | None = None,
    ax: Any = None,
) -> Any:
    """E[X(t)] of a new customer from 0 to ``T`` (solid) and on to 1.5 ``T`` (dashed).

    Parameters
    ----------
    model
        A fitted purchase model offering ``expected_purchases(t)`` for an array ``t``.
    T
        The calibration length in the model's time unit, or a summary (its oldest
        customer's age, as ``lifetimes`` takes ``max(T)`` of the fitted data).
    n_points
        Points per segment.
    label
        Legend label of the solid line (default: the model's class name).
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        Two lines of the same colour: ``n_points`` values on [0, T] and on [T, 1.5 T].
    """
    end = float(_ages(model, T).max()) if isinstance(T, pd.DataFrame) else float(T)
    if not (np.isfinite(end) and end > 0):
        raise ValueError(f"T must be a finite length > 0, e.g. T=39.0; got {T}")
    n_points = whole_number(n_points, "n_points", at_least=2)
    ax = axes_or_new(ax)
    inside = np.linspace(0.0, end, n_points)
    after = np.linspace(end, 1.5 * end, n_points)
    (line,) = ax.plot(
        inside,
        np.asarray(model.expected_purchases(inside), np.float64),
        label=label or type(model).__name__,
    )
    ax.plot(
        after,
        np.asarray(model.expected_purchases(after), np.float64),
        color=line.get_color(),
        linestyle="--",
        label="_forecast",
    )
    unit = getattr(model, "time_unit_", None) or "time units"
    ax.set_xlabel(f"time since first purchase ({unit})")
    ax.set_ylabel("expected repeat purchases")
    ax.set_title("Expected number of repeat purchases per customer")
    ax.legend(loc="lower right")
    return ax
