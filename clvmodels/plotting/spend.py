r"""Observed mean spend per customer next to the distribution a fitted Gamma-Gamma implies.

Under the Gamma-Gamma model a customer with :math:`x` repeat purchases has a mean spend
:math:`\bar z \mid \nu \sim \mathrm{Gamma}(p x, \nu x)` (shape, rate) with
:math:`\nu \sim \mathrm{Gamma}(q, \gamma)`, so :math:`x \bar z / \gamma` follows a beta
prime distribution with parameters :math:`(p x, q)`:

.. math::

    f(\bar z \mid x) = \frac{x}{\gamma}\,
        \frac{(x \bar z / \gamma)^{p x - 1} (1 + x \bar z / \gamma)^{-(p x + q)}}{B(p x, q)}

The model line is the mixture of these densities over the customers' observed
:math:`x` (Fader, Hardie & Lee 2005, RFM and CLV, Figure 3).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.models.gamma_gamma import mean_spend_density
from clvmodels.plotting.axes import axes_or_new

__all__ = ["mean_spend_density", "plot_spend_distribution"]


def plot_spend_distribution(
    spend_model: Any, summary: pd.DataFrame, bins: int = 50, quantile: float = 0.99, ax: Any = None
) -> Any:
    """Histogram of the repeat buyers' mean spend and the fitted Gamma-Gamma density.

    Parameters
    ----------
    spend_model
        A fitted :class:`~clvmodels.GammaGammaModel` (``params_`` with p, q, v).
    summary
        ``frequency`` and ``monetary_value`` per customer; repeat buyers with positive
        spend are shown.
    bins
        Histogram bins.
    quantile
        The x axis stops at this quantile of the observed mean spend (long tail).
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        Histogram bars (density) and one line, the model density.
    """
    frequency = summary["frequency"].to_numpy(np.float64)
    spend = summary["monetary_value"].to_numpy(np.float64)
    keep = (frequency > 0) & (spend > 0)
    if not keep.any():
        raise ValueError("the summary has no repeat buyer with positive spend to show")
    frequency, spend = frequency[keep], spend[keep]
    top = float(np.quantile(spend, quantile))
    ax = axes_or_new(ax)
    ax.hist(spend[spend <= top], bins=bins, density=True, color="lightgrey", label="observed")
    grid = np.linspace(top / 500.0, top, 400)
    density = mean_spend_density(spend_model.params_, frequency, grid)
    ax.plot(grid, density, color="C3", label="Gamma-Gamma")
    ax.set_xlabel("mean spend per repeat purchase")
    ax.set_ylabel("density")
    ax.set_title(f"Mean spend of {keep.sum():,} repeat buyers")
    ax.legend()
    return ax
