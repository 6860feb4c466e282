"""Posterior and trace plots of a Bayesian fit, through arviz 1.x (arviz-plots).

These hand the posterior to arviz, so they accept what arviz accepts: an
``xarray.DataTree`` / InferenceData with a ``posterior`` group (dims ``chain``, ``draw``),
as the Bayesian models of :mod:`clvmodels.bayes` return, or a dict for
``arviz.from_dict``. arviz is imported on the first call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["plot_posterior", "plot_trace"]


def _posterior(data: Any) -> Any:
    import arviz as az

    if isinstance(data, dict):
        return az.from_dict({"posterior": data})
    return data


def plot_posterior(
    posterior: Any, var_names: Sequence[str] | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Marginal posterior density of each parameter, with credible interval and mean.

    Parameters
    ----------
    posterior
        An arviz 1.x posterior (DataTree / InferenceData) or ``{name: draws}`` with draws
        shaped (chain, draw).
    var_names
        Parameters to draw (default: all).
    **kwargs
        Passed to ``arviz.plot_dist``.

    Returns
    -------
    dict
        Parameter name -> its matplotlib Axes.
    """
    import arviz as az

    collection = az.plot_dist(
        _posterior(posterior), var_names=var_names, backend="matplotlib", **kwargs
    )
    plots = collection.viz["plot"]
    return {name: plots[name].item() for name in plots.data_vars}


def plot_trace(posterior: Any, var_names: Sequence[str] | None = None, **kwargs: Any) -> Any:
    """Trace and per-chain density of each parameter (``arviz.plot_trace_dist``).

    Returns
    -------
    arviz_plots.PlotCollection
        arviz's collection; ``.viz["plot"]`` holds the Axes and
        ``.savefig(path)`` saves the figure.
    """
    import arviz as az

    return az.plot_trace_dist(
        _posterior(posterior), var_names=var_names, backend="matplotlib", **kwargs
    )
