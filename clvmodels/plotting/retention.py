"""Retention curves: observed survival of a cohort next to the sBG fit and projection."""

from __future__ import annotations

from typing import Any

import numpy as np

from clvmodels.checks import whole_number
from clvmodels.data.cohorts import cohort_counts
from clvmodels.plotting.axes import axes_or_new

__all__ = ["plot_retention"]


def plot_retention(
    model: Any,
    alive: Any,
    n_periods: int | None = None,
    fitted_periods: int | None = None,
    quantity: str = "survival",
    band: tuple[Any, Any] | None = None,
    ax: Any = None,
) -> Any:
    """Observed survival (or retention rates) of one cohort vs the sBG fit and projection.

    Parameters
    ----------
    model
        A fitted retention model offering ``survival(t)`` and ``retention_rate(t)``
        (e.g. :class:`~clvmodels.ShiftedBetaGeoModel`).
    alive
        The cohort's customers alive at t = 0..n (sequence or Series).
    n_periods
        Last period of the model line (default: the last observed period).
    fitted_periods
        Number of periods the model was fitted on; a vertical line marks its end.
    quantity
        ``"survival"`` (share alive, S(t)) or ``"retention_rate"`` (r_t = S(t)/S(t-1)).
    band
        Optional (lower, upper) arrays over t = 0..n_periods (``survival``) or
        1..n_periods (``retention_rate``), e.g. a Bayesian credible band; drawn shaded.
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        Lines "observed" (markers) and "sBG" (model), and the band as a filled area.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal
    of Interactive Marketing*, 21(1), 76-90, Figures 3 and 4.
    """
    if quantity not in ("survival", "retention_rate"):
        raise ValueError(f"quantity must be 'survival' or 'retention_rate'; got {quantity!r}")
    (counts,) = cohort_counts(alive, "alive").values()
    last = (
        len(counts) - 1 if n_periods is None else whole_number(n_periods, "n_periods", at_least=1)
    )
    observed_t = np.arange(len(counts))
    if quantity == "survival":
        observed, model_t = counts / counts[0], np.arange(last + 1)
        curve = np.asarray(model.survival(model_t), dtype=np.float64)
    else:
        observed_t = observed_t[1:]
        observed = counts[1:] / counts[:-1]
        model_t = np.arange(1, last + 1)
        curve = np.asarray(model.retention_rate(model_t), dtype=np.float64)
    ax = axes_or_new(ax)
    ax.plot(observed_t, observed, color="black", marker="o", linestyle="none", label="observed")
    ax.plot(model_t, curve, color="C0", label="sBG")
    if band is not None:
        lower, upper = (np.asarray(b, dtype=np.float64) for b in band)
        if lower.shape != model_t.shape or upper.shape != model_t.shape:
            raise ValueError(
                f"band must be two arrays of {len(model_t)} values (one per period drawn)"
            )
        ax.fill_between(model_t, lower, upper, color="C0", alpha=0.2, label="credible band")
    if fitted_periods is not None:
        ax.axvline(whole_number(fitted_periods, "fitted_periods"), color="grey", linestyle=":")
    ax.set_xlabel("period")
    ax.set_ylabel("share of the cohort alive" if quantity == "survival" else "retention rate")
    ax.set_title("Retention: observed vs shifted-beta-geometric")
    ax.legend()
    return ax
