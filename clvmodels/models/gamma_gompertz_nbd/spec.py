"""The Gamma-Gompertz/NBD's specification (:class:`~clvmodels.estimation.spec.ModelSpec`)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from clvmodels.estimation.rows import CompressedRows, mean_age, mean_rate
from clvmodels.estimation.spec import ModelSpec
from clvmodels.models.gamma_gompertz_nbd.math import PARAM_NAMES, sufficient_statistics

__all__ = ["LIMIT", "SPEC"]

#: A shape parameter this large is reported as the model's limit.
LIMIT = 1e4

#: Below these b and beta (per time unit) the Gompertz acceleration is reported as absent.
PARETO_B, PARETO_BETA = 1e-5, 1e-3


def starting_values(rows: CompressedRows) -> list[np.ndarray]:
    """Starts around the data's mean purchase rate and mean customer age.

    An exponential lifetime (beta = 1, mean s b ~ 1 / age), a Pareto/NBD-like one (small b
    and beta with beta / b ~ age) and a Gompertz-like one (a rising hazard).
    """
    rate, age = mean_rate(rows), max(mean_age(rows), 1e-6)
    return [
        np.array([1.0, 1.0 / rate, 1.0 / age, 1.0, 1.0]),
        np.array([0.5, 0.5 / rate, 0.01 / age, 0.5, 0.01]),
        np.array([2.0, 2.0 / rate, 1.0 / age, 2.0, 10.0]),
    ]


def limits(params: Mapping[str, float]) -> list[str]:
    """The limits of the Gamma-Gompertz/NBD, reached when the likelihood is flat towards them.

    b -> 0 with beta / b fixed: the Pareto/NBD (an exponential lifetime with
    Gamma(s, beta / b) rates); s, beta -> inf with s / beta fixed: one Gompertz eta for all;
    r, alpha -> inf: one purchase rate for all.
    """
    r, alpha, b, s, beta = (params[name] for name in PARAM_NAMES)
    found = []
    if b < PARETO_B and beta < PARETO_BETA:
        found.append(
            "no evidence of a Gompertz acceleration of dropout: the Gamma-Gompertz/NBD "
            f"reduces to the Pareto/NBD (b = {b:.3g} -> 0) with s = {s:.4g} and dropout "
            f"scale beta / b = {beta / b:.4g}; fit clv.ParetoNBDModel"
        )
    if s > LIMIT:
        found.append(
            "no evidence of heterogeneity in lifetimes: every customer has the Gompertz "
            f"hazard b eta e^(b t) with eta = s/beta = {s / beta:.4g} (s = {s:.3g} -> inf)"
        )
    if r > LIMIT:
        found.append(
            "no evidence of heterogeneity in purchase rates: every customer buys at the "
            f"same rate r/alpha = {r / alpha:.4g} per unit of time (r = {r:.3g} -> inf)"
        )
    return found


def default_priors(rows: CompressedRows) -> dict[str, tuple[float, float]]:
    """``log r, log s ~ Normal(0, 2)``; ``log alpha ~ Normal(ln mean(T), 2.5)``; b, beta wide.

    alpha is a time scale and b a rate in the summary's unit, so their priors are centred
    on the mean customer age; beta is a ratio (no unit).
    """
    log_age = float(np.log(mean_age(rows)))
    return {
        "r": (0.0, 2.0),
        "alpha": (log_age, 2.5),
        "b": (-log_age, 3.0),
        "s": (0.0, 2.0),
        "beta": (0.0, 3.0),
    }


def median_lifetime(b: float, s: float, beta: float) -> float:
    """The median Gamma/Gompertz lifetime, (1/b) ln(beta (2^(1/s) - 1) + 1)."""
    return math.log1p(beta * math.expm1(math.log(2.0) / s)) / b


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """What fitted Gamma-Gompertz/NBD parameters mean: purchase rate and lifetimes."""
    median = median_lifetime(p["b"], p["s"], p["beta"])
    if p["beta"] > p["s"] + 1.0:
        mode = math.log((p["beta"] - 1.0) / p["s"]) / p["b"]
        shape = f"peaks at {mode:.3g} {unit}s (the hazard rises with age: a Gompertz acceleration)"
    else:
        shape = "is highest at the start (the weakest customers leave first)"
    return [
        f"While active, the average customer buys {p['r'] / p['alpha']:.3g} times per {unit} "
        f"(r / alpha = {p['r']:.3g} / {p['alpha']:.3g}).",
        f"Half of the customers are gone within {median:.3g} {unit}s; the density of "
        f"lifetimes {shape}.",
    ]


SPEC = ModelSpec(
    key="ggompertz",
    label="Gamma-Gompertz/NBD",
    kind="purchase",
    parameters=PARAM_NAMES,
    data_columns=("frequency", "recency", "T"),
    rows=sufficient_statistics,
    starting_values=starting_values,
    limits=limits,
    default_priors=default_priors,
    words=words,
    references=(
        "Bemmaor, A. C. & Glady, N. (2012). Modeling purchasing behavior with sudden "
        '"death": a flexible customer lifetime model. Management Science, 58(5), 1012-1021.',
    ),
)
