"""What the sBG states about itself: names, data, starting values, priors, words.

Read by the estimators (:mod:`.mle`, :mod:`.bayes`) and by the registry
(:mod:`clvmodels.models.registry`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clvmodels.estimation.rows import CompressedRows
from clvmodels.estimation.spec import ModelSpec, no_limits
from clvmodels.models.shifted_beta_geo.math import (
    PARAM_NAMES,
    churn_probability,
    retention_rate,
    sufficient_statistics,
)

__all__ = ["SPEC"]


def starting_values(cells: CompressedRows) -> list[np.ndarray]:
    """Three starts whose mean churn probability alpha / (alpha + beta) is the data's.

    That is the share of the cohorts' customers who churned at the first renewal, matched
    for alpha = 1, 0.3 and 3.
    """
    c, w = cells.columns, cells.weights
    first = w[(c["t"] == 1) & (c["survived"] == 0)].sum()
    churn = float(np.clip(first / cells.n_customers, 0.01, 0.99))
    return [np.array([a, a * (1.0 - churn) / churn]) for a in (1.0, 0.3, 3.0)]


def default_priors(cells: object) -> dict[str, tuple[float, float]]:
    """``log alpha, log beta ~ Normal(0, 2)``: shapes of a beta distribution, without a unit."""
    return {"alpha": (0.0, 2.0), "beta": (0.0, 2.0)}


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """What fitted sBG parameters mean: first-period churn, and retention rising with tenure."""
    churn = float(churn_probability(p, 1))
    later = float(retention_rate(p, 5))
    return [
        f"In the first {unit} {churn:.1%} of new customers leave (alpha / (alpha + beta)); "
        f"the customers who stay are the loyal ones, so retention rises with tenure, to "
        f"{later:.1%} in {unit} 5 ((beta + 4) / (alpha + beta + 4)).",
    ]


SPEC = ModelSpec(
    key="sbg",
    label="sBG",
    kind="retention",
    parameters=PARAM_NAMES,
    data_columns=("t", "survived"),
    rows=sufficient_statistics,
    starting_values=starting_values,
    limits=no_limits,
    default_priors=default_priors,
    words=words,
    references=(
        "Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. Journal "
        "of Interactive Marketing, 21(1), 76-90.",
        "Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual "
        "setting: the perils of ignoring heterogeneity. Marketing Science, 29(1), 85-93.",
    ),
)
