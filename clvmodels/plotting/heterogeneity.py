r"""How customers differ: the fitted mixing distributions of purchase and dropout.

Each purchase model mixes two individual-level quantities over customers:

========== ======================================= =======================================
model      purchase                                dropout
========== ======================================= =======================================
BG/NBD     rate :math:`\lambda \sim \Gamma(r, \alpha)`  probability after a purchase
MBG/NBD                                            :math:`p \sim B(a, b)`
Pareto/NBD rate :math:`\lambda \sim \Gamma(r, \alpha)`  rate :math:`\mu \sim \Gamma(s, \beta)`
BG/BB      probability per period                  probability per period
           :math:`p \sim B(\alpha, \beta)`              :math:`\theta \sim B(\gamma, \delta)`
========== ======================================= =======================================

(gamma distributions with shape and *rate*). ``lifetimes`` draws the BG/NBD's two as
``plot_transaction_rate_heterogeneity`` and ``plot_dropout_rate_heterogeneity``; these
take the same names and every model above.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from clvmodels.checks import whole_number
from clvmodels.plotting.axes import axes_or_new

__all__ = [
    "mixing_distribution",
    "plot_dropout_rate_heterogeneity",
    "plot_transaction_rate_heterogeneity",
]

#: model key -> process -> (scipy family, parameter names, what the variable is)
_MIXING = {
    "bgnbd": {
        "purchase": ("gamma", ("r", "alpha"), "transaction rate"),
        "dropout": ("beta", ("a", "b"), "dropout probability p after each purchase"),
    },
    "mbgnbd": {
        "purchase": ("gamma", ("r", "alpha"), "transaction rate"),
        "dropout": ("beta", ("a", "b"), "dropout probability p at each purchase"),
    },
    "pareto": {
        "purchase": ("gamma", ("r", "alpha"), "transaction rate"),
        "dropout": ("gamma", ("s", "beta"), "dropout rate"),
    },
    "bgbb": {
        "purchase": ("beta", ("alpha", "beta"), "transaction probability per period"),
        "dropout": ("beta", ("gamma", "delta"), "dropout probability per period"),
    },
}


def mixing_distribution(model: Any, process: str) -> tuple[Any, str]:
    """The fitted distribution of a model's purchase or dropout quantity over customers.

    Parameters
    ----------
    model
        A fitted BG/NBD, MBG/NBD, Pareto/NBD or BG/BB: its ``params_``, or a Bayesian
        model's posterior means (``posterior_mean_params()``; the density at those
        values, not averaged over the posterior).
    process
        ``"purchase"`` or ``"dropout"``.

    Returns
    -------
    tuple
        A frozen ``scipy.stats`` distribution (gamma with ``scale = 1 / rate``, or beta)
        and the words for its variable.
    """
    key = getattr(getattr(model, "spec", None), "key", None)
    if key not in _MIXING:
        raise TypeError(
            "heterogeneity plots take a fitted BG/NBD, MBG/NBD, Pareto/NBD or BG/BB; got "
            f"{type(model).__name__}"
        )
    if process not in ("purchase", "dropout"):
        raise ValueError(f"process must be 'purchase' or 'dropout'; got {process!r}")
    params = getattr(model, "params_", None)
    if params is None and hasattr(model, "idata_"):
        params = model.posterior_mean_params()
    if params is None:
        raise ValueError(f"{type(model).__name__} is not fitted: call fit(summary) first")
    family, names, words = _MIXING[key][process]
    shape, second = (float(params[name]) for name in names)
    if family == "gamma":
        return stats.gamma(shape, scale=1.0 / second), words
    return stats.beta(shape, second), words


def _plot(model: Any, process: str, quantile: float, n_points: int, ax: Any) -> Any:
    distribution, words = mixing_distribution(model, process)
    if not 0.0 < float(quantile) <= 1.0:
        raise ValueError(f"quantile must be in (0, 1], e.g. 0.99; got {quantile}")
    n_points = whole_number(n_points, "n_points", at_least=2)
    grid = np.linspace(0.0, float(distribution.ppf(quantile)), n_points)
    ax = axes_or_new(ax)
    ax.plot(grid, distribution.pdf(grid), label=words)
    mean, variance = distribution.mean(), distribution.var()
    ax.set_title(f"Heterogeneity in {words}\nmean: {mean:.3f}, var: {variance:.3f}")
    unit = getattr(model, "time_unit_", None)
    rate = "rate" in words and unit is not None
    ax.set_xlabel(f"{words} (per {unit})" if rate else words)
    ax.set_ylabel("density")
    return ax


def plot_transaction_rate_heterogeneity(
    model: Any, quantile: float = 0.99, n_points: int = 100, ax: Any = None
) -> Any:
    """Density of the purchase rate (or per-period probability) over customers.

    Parameters
    ----------
    model
        A fitted BG/NBD, MBG/NBD, Pareto/NBD or BG/BB.
    quantile
        The x axis runs from 0 to this quantile of the distribution (``lifetimes``:
        0.99).
    n_points
        Points on the line.
    ax
        Axes to draw on; a new figure's by default.

    Returns
    -------
    matplotlib.axes.Axes
        One line, the density (gamma with shape r and rate alpha; for the BG/BB, beta
        with alpha and beta); the title gives its mean and variance.
    """
    return _plot(model, "purchase", quantile, n_points, ax)


def plot_dropout_rate_heterogeneity(
    model: Any, quantile: float = 0.99, n_points: int = 100, ax: Any = None
) -> Any:
    """Density of the dropout probability (or rate) over customers.

    Parameters
    ----------
    model
        A fitted BG/NBD, MBG/NBD (beta with a and b), Pareto/NBD (gamma with shape s and
        rate beta) or BG/BB (beta with gamma and delta).
    quantile, n_points, ax
        As in :func:`plot_transaction_rate_heterogeneity`.

    Returns
    -------
    matplotlib.axes.Axes
        One line, the density; the title gives its mean and variance.
    """
    return _plot(model, "dropout", quantile, n_points, ax)
