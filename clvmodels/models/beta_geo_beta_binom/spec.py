"""What the BG/BB states about itself: names, data, starting values, priors, words.

Read by the estimators (:mod:`.mle`, :mod:`.bayes`) and by the registry
(:mod:`clvmodels.models.registry`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clvmodels.data.opportunities import COLUMNS
from clvmodels.estimation.spec import ModelSpec, no_limits
from clvmodels.models.beta_geo_beta_binom.math import PARAM_NAMES, sufficient_statistics

__all__ = ["SPEC"]


def starting_values(rows: object) -> list[np.ndarray]:
    """Three starts; the four parameters are shapes of beta distributions, without a unit."""
    return [
        np.array([1.0, 1.0, 1.0, 1.0]),
        np.array([0.5, 0.5, 0.5, 2.0]),
        np.array([2.0, 1.0, 0.5, 5.0]),
    ]


def default_priors(rows: object) -> dict[str, tuple[float, float]]:
    """``Normal(0, 2)`` on each log-parameter.

    The four are shapes of beta distributions of probabilities, without a unit, and
    values from 1/55 to 55 cover transaction and dropout probabilities from nearly uniform
    to tightly concentrated.
    """
    return {name: (0.0, 2.0) for name in PARAM_NAMES}


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """What fitted BG/BB parameters mean: the mean transaction and dropout probabilities."""
    buys = p["alpha"] / (p["alpha"] + p["beta"])
    drops = p["gamma"] / (p["gamma"] + p["delta"])
    return [
        f"While active, the average customer transacts in {buys:.1%} of the {unit}s "
        f"(alpha / (alpha + beta) = {p['alpha']:.3g} / ({p['alpha']:.3g} + {p['beta']:.3g})).",
        f"At the start of each {unit} a customer stops for good with probability {drops:.1%} "
        "on average (gamma / (gamma + delta)).",
    ]


SPEC = ModelSpec(
    key="bgbb",
    label="BG/BB",
    kind="purchase",
    parameters=PARAM_NAMES,
    data_columns=COLUMNS,
    rows=sufficient_statistics,
    starting_values=starting_values,
    limits=no_limits,
    default_priors=default_priors,
    words=words,
    references=(
        "Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a "
        "discrete-time noncontractual setting. Marketing Science, 29(6), 1086-1108.",
    ),
)
