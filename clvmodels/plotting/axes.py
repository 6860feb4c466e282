"""Where every plot draws: the caller's Axes, or a new figure's (matplotlib imported lazily)."""

from __future__ import annotations

from typing import Any

__all__ = ["axes_or_new"]


def axes_or_new(ax: Any = None, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None.

    matplotlib is imported here, on the first plot, so that importing clvmodels never
    needs it (nor picks a backend).
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new
