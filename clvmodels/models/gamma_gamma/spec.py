"""What the Gamma-Gamma states about itself: names, data, starting values, priors, words.

Read by the estimators (:mod:`.mle`, :mod:`.bayes`) and by the registry
(:mod:`clvmodels.models.registry`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clvmodels.estimation.rows import CompressedRows
from clvmodels.estimation.spec import ModelSpec, no_limits
from clvmodels.models.gamma_gamma.math import (
    PARAM_NAMES,
    population_mean_spend,
    sufficient_statistics,
)

__all__ = ["SPEC"]


def _mean_spend(rows: CompressedRows) -> float:
    """The repeat buyers' mean spend, weighted by their counts."""
    return float(np.dot(rows.weights, rows.columns["monetary_value"]) / rows.weights.sum())


def starting_values(rows: CompressedRows) -> list[np.ndarray]:
    """Three starts; v (the papers' gamma) is in money units, so it scales with the mean spend."""
    mean = _mean_spend(rows)
    return [
        np.array([1.0, 2.0, mean]),
        np.array([5.0, 4.0, 3.0 * mean]),
        np.array([0.5, 1.5, 0.5 * mean]),
    ]


def default_priors(rows: CompressedRows) -> dict[str, tuple[float, float]]:
    """Weakly informative Normal priors on the log-parameters.

    ``log p ~ Normal(0, 2)``, ``log q ~ Normal(1, 1.5)`` (q > 1 is needed for a finite mean
    spend; this puts 90 % of the prior mass there) and ``log v ~ Normal(ln mean(m), 2.5)``,
    centred on the mean spend because v (the papers' gamma) is in money units.
    """
    return {"p": (0.0, 2.0), "q": (1.0, 1.5), "v": (float(np.log(_mean_spend(rows))), 2.5)}


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """What fitted Gamma-Gamma parameters mean: the spread of spend and its population mean."""
    sentences = [
        f"Spend per purchase varies around each customer's own mean with shape p = "
        f"{p['p']:.3g}; customers' means vary with shape q = {p['q']:.3g} and scale "
        f"v = {p['v']:.3g}."
    ]
    if p["q"] > 1e4:
        sentences.append(
            f"q and v are so large that customers' mean spends are practically the same: "
            f"every customer is expected to spend about {population_mean_spend(p):,.2f} "
            "per purchase, whatever their own average (p v / (q - 1))."
        )
    elif p["q"] > 1:
        sentences.append(
            f"The average customer spends {population_mean_spend(p):,.2f} per purchase "
            "(p v / (q - 1)); a customer's expected spend moves from the population mean "
            "towards their own average the more purchases they have made."
        )
    return sentences


SPEC = ModelSpec(
    key="gamma_gamma",
    label="Gamma-Gamma",
    kind="spend",
    parameters=PARAM_NAMES,
    data_columns=("frequency", "monetary_value"),
    rows=sufficient_statistics,
    starting_values=starting_values,
    limits=no_limits,
    default_priors=default_priors,
    words=words,
    references=(
        "Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value "
        "curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.",
        "Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value. "
        "http://brucehardie.com/notes/025/",
    ),
)
