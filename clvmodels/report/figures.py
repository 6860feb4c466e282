"""Small matplotlib figures for the report, returned as embeddable PNG data URIs.

Each function draws already computed numbers (it fits and predicts nothing) on a
fresh figure with the non-interactive Agg canvas, so it works without a display and
leaves pyplot's global state alone. When :mod:`clvmodels.plotting` lands, the report
can take its Axes functions instead; :func:`png_data_uri` embeds any figure.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "bar_chart",
    "drawn",
    "histogram",
    "png_data_uri",
    "retention_curves",
]

_BLUE, _ORANGE, _GREY = "#1f5f99", "#d9822b", "#8a8a8a"


def _figure(width: float = 6.4, height: float = 3.4):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_data_uri(figure) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def histogram(values: pd.Series, title: str, xlabel: str, log_x: bool = False) -> str:
    """Histogram of per-customer values (the share of customers per bin)."""
    figure = _figure()
    ax = figure.add_subplot()
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    bins: int | np.ndarray = 40
    if log_x:
        data = data[data > 0]
        low, high = np.log10(max(data.min(), 1e-2)), np.log10(data.max())
        if high - low < 1e-6:  # every customer the same value: one bar, a decade wide
            low, high = low - 0.5, high + 0.5
        bins = np.logspace(low, high, 40)
        ax.set_xscale("log")
    elif len(data) and np.ptp(data) < 1e-12 * max(1.0, abs(float(data[0]))):
        bins = np.linspace(data[0] - 0.5, data[0] + 0.5, 40)  # one value: one bar
    ax.hist(data, bins=bins, weights=np.full(len(data), 100 / max(len(data), 1)), color=_BLUE)
    ax.set(title=title, xlabel=xlabel, ylabel="% of customers")
    ax.spines[["top", "right"]].set_visible(False)
    return png_data_uri(figure)


def bar_chart(values: pd.Series, title: str, ylabel: str) -> str:
    """One bar per index entry (e.g. customer equity by valuation method), amounts in full."""
    from matplotlib.ticker import FuncFormatter

    figure = _figure(6.4, 3.0)
    ax = figure.add_subplot()
    colours = [_BLUE] + [_GREY] * (len(values) - 1)
    ax.bar([str(i) for i in values.index], values.to_numpy(dtype=float), color=colours)
    ax.set(title=title, ylabel=ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.spines[["top", "right"]].set_visible(False)
    return png_data_uri(figure)


def retention_curves(curves: dict[str, pd.DataFrame], period: str) -> str:
    """Observed and sBG-expected customers alive per cohort (solid: fit, dashed: projection)."""
    figure = _figure()
    ax = figure.add_subplot()
    for colour, (name, frame) in zip([_BLUE, _ORANGE, _GREY], curves.items(), strict=False):
        observed = frame["observed"].dropna()
        last = observed.index.max()
        ax.plot(observed.index, observed, "o", color=colour, label=f"{name}: observed")
        fit = frame.loc[:last, "expected"]
        ahead = frame.loc[last:, "expected"]
        ax.plot(fit.index, fit, "-", color=colour, label=f"{name}: sBG fit")
        ax.plot(ahead.index, ahead, "--", color=colour, label=f"{name}: projection")
    ax.set(title="Customers still active", xlabel=period, ylabel="customers")
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return png_data_uri(figure)


def drawn(plot: Callable[..., Any], *args: Any, dates: bool = False, **kwargs: Any) -> str:
    """A :mod:`clvmodels.plotting` function's figure (it draws on the Axes it is given).

    With ``dates``, the x tick labels (dates) are slanted so that they do not overlap.
    """
    figure = _figure(6.4, 3.8)
    plot(*args, ax=figure.add_subplot(), **kwargs)
    if dates:
        figure.autofmt_xdate()
    return png_data_uri(figure)
