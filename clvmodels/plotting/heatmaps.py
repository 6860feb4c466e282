"""Frequency/recency heat maps of expected purchases and P(alive) of a fitted model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.estimation.rfm_predictions import cells_as_matrix, frequency_recency_grid
from clvmodels.plotting.axes import axes_or_new

__all__ = ["frequency_recency_matrix", "plot_frequency_recency_matrix"]

_QUANTITIES = ("expected_purchases", "probability_alive")


def frequency_recency_matrix(
    model: Any,
    T: float,
    max_frequency: int,
    quantity: str = "expected_purchases",
    t: float = 1.0,
    n_recency: int | None = None,
) -> pd.DataFrame:
    """A model's prediction for every (frequency, recency) of customers of age ``T``.

    Rows are frequencies 0..``max_frequency``, columns recencies from 0 to ``T``
    (``n_recency`` of them; default one per time unit). Impossible cells (a repeat
    purchase at recency 0, or recency > 0 without one) are NaN.

    Parameters
    ----------
    model
        A fitted purchase model offering ``conditional_expected_purchases(t, summary)``
        and, for ``quantity="probability_alive"``, ``probability_alive(summary)``.
    T
        Age of the customers (time since the first purchase) in the model's time unit.
    max_frequency
        Largest frequency (number of repeat purchases) shown.
    quantity
        ``"expected_purchases"`` (in the next ``t`` time units) or
        ``"probability_alive"``.
    t
        Horizon of the expected purchases.
    n_recency
        Number of recency columns.
    """
    if quantity not in _QUANTITIES:
        raise ValueError(f"quantity must be one of {_QUANTITIES}; got {quantity!r}")
    cells, frequency, recency, valid = frequency_recency_grid(max_frequency, T, n_recency)
    cells.attrs["time_unit"] = getattr(model, "time_unit_", None)
    if quantity == "probability_alive":
        values = model.probability_alive(cells)
    else:
        values = model.conditional_expected_purchases(t, cells)
    return cells_as_matrix(values, frequency, recency, valid)


def plot_frequency_recency_matrix(
    model: Any,
    T: float,
    max_frequency: int,
    quantity: str = "expected_purchases",
    t: float = 1.0,
    n_recency: int | None = None,
    ax: Any = None,
) -> Any:
    """Heat map of :func:`frequency_recency_matrix` (recency across, frequency up).

    Returns
    -------
    matplotlib.axes.Axes
        One image whose array is the matrix (NaN cells masked) and a colour bar.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
    curves for customer base analysis. *Journal of Marketing Research*, 42(4),
    415-430 (the iso-value plots of expected purchases by frequency and recency).
    """
    matrix = frequency_recency_matrix(model, T, max_frequency, quantity, t, n_recency)
    ax = axes_or_new(ax)
    recency = matrix.columns.to_numpy()
    half = (recency[1] - recency[0]) / 2.0
    image = ax.imshow(
        np.ma.masked_invalid(matrix.to_numpy()),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        extent=(-half, recency[-1] + half, -0.5, matrix.index[-1] + 0.5),
    )
    label = "P(alive)" if quantity == "probability_alive" else f"expected purchases in {t:g}"
    ax.figure.colorbar(image, ax=ax, label=label)
    unit = getattr(model, "time_unit_", None) or "time units"
    ax.set_xlabel(f"recency ({unit}; customers of age T = {T:g})")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(f"{label} by frequency and recency")
    return ax
