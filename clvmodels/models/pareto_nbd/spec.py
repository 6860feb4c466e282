"""The Pareto/NBD's specification (:class:`~clvmodels.estimation.spec.ModelSpec`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clvmodels.estimation.rows import CompressedRows, mean_age, mean_rate
from clvmodels.estimation.spec import ModelSpec
from clvmodels.models.pareto_nbd.math import PARAM_NAMES, sufficient_statistics

__all__ = ["LIMIT", "SPEC"]

#: A shape parameter this large is reported as the model's limit.
LIMIT = 1e4


def starting_values(rows: CompressedRows) -> list[np.ndarray]:
    """Three starts around the data's mean purchase rate and mean customer age."""
    rate, age = mean_rate(rows), max(mean_age(rows), 1e-6)
    return [np.array([k, k / rate, k, m * age]) for k, m in ((1.0, 1.0), (0.5, 0.5), (2.0, 4.0))]


def limits(params: Mapping[str, float]) -> list[str]:
    """The Pareto/NBD's limits, reached when the likelihood is flat towards them.

    s, beta -> inf with s / beta -> 0: the NBD (no dropout); s, beta -> inf with s / beta
    fixed: one dropout rate for all; r, alpha -> inf: one purchase rate for all.
    """
    r, alpha, s, beta = (params[name] for name in PARAM_NAMES)
    found = []
    if beta > LIMIT and s / beta < 1e-6:
        found.append(
            f"no evidence of dropout: Pareto/NBD reduces to the NBD (beta = {beta:.3g} -> "
            f"inf, mean dropout rate s/beta = {s / beta:.2g})"
        )
    elif s > LIMIT:
        found.append(
            "no evidence of heterogeneity in dropout: every customer drops out at the same "
            f"rate s/beta = {s / beta:.4g} per unit of time (s = {s:.3g} -> inf)"
        )
    if r > LIMIT:
        found.append(
            "no evidence of heterogeneity in purchase rates: every customer buys at the "
            f"same rate r/alpha = {r / alpha:.4g} per unit of time (r = {r:.3g} -> inf)"
        )
    return found


def default_priors(rows: CompressedRows) -> dict[str, tuple[float, float]]:
    """``log r, log s ~ Normal(0, 2)``; ``log alpha, log beta ~ Normal(ln mean(T), 2.5)``.

    alpha and beta are time scales in the summary's unit, so their priors are centred on
    the mean customer age (the prior says the same in days as in weeks).
    """
    log_age = float(np.log(mean_age(rows)))
    return {"r": (0.0, 2.0), "alpha": (log_age, 2.5), "s": (0.0, 2.0), "beta": (log_age, 2.5)}


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """What fitted Pareto/NBD parameters mean: mean purchase and dropout rates."""
    return [
        f"While active, the average customer buys {p['r'] / p['alpha']:.3g} times per {unit} "
        f"(r / alpha = {p['r']:.3g} / {p['alpha']:.3g}).",
        f"Customers drop out at {p['s'] / p['beta']:.3g} per {unit} on average (s / beta), "
        "at any time, not only after a purchase.",
    ]


SPEC = ModelSpec(
    key="pareto",
    label="Pareto/NBD",
    kind="purchase",
    parameters=PARAM_NAMES,
    data_columns=("frequency", "recency", "T"),
    rows=sufficient_statistics,
    starting_values=starting_values,
    limits=limits,
    default_priors=default_priors,
    words=words,
    references=(
        "Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: "
        "who are they and what will they do next? Management Science, 33(1), 1-24.",
    ),
)
