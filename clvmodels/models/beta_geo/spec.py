"""The BG/NBD's specification: what its estimators and the registry read.

Names, data columns, starting values, the model's limits, default priors and the
sentences the report prints.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clvmodels.estimation.rows import CompressedRows, mean_age, mean_rate
from clvmodels.estimation.spec import ModelSpec
from clvmodels.models.beta_geo.math import PARAM_NAMES, sufficient_statistics

__all__ = ["LIMIT_RATIO", "SPEC"]

#: A shape parameter (or ratio) this large is reported as the model's limit.
LIMIT_RATIO = 1e4


def starting_values(rows: CompressedRows) -> list[np.ndarray]:
    """Three starts around the data's mean purchase rate (alpha is a time scale)."""
    rate = mean_rate(rows)
    return [
        np.array([1.0, 1.0 / rate, 1.0, 3.0]),
        np.array([0.5, 0.5 / rate, 0.5, 2.0]),
        np.array([2.0, 2.0 / rate, 2.0, 8.0]),
    ]


def limits(params: Mapping[str, float], label: str = "BG/NBD") -> list[str]:
    """The BG/NBD's limits (and the MBG/NBD's: ``label``), where the likelihood is flat.

    b -> inf with E[p] = a / (a + b) -> 0: the NBD; a + b -> inf with b / a fixed: one
    dropout probability for all; r, alpha -> inf with r / alpha fixed: one purchase rate
    for all (Fader, Hardie & Lee 2005, sec. 3). The predictions are continuous into each
    limit.
    """
    r, alpha, a, b = (params[name] for name in PARAM_NAMES)
    found = []
    if b > LIMIT_RATIO and a / (a + b) < 1e-3:
        found.append(
            f"no evidence of dropout: {label} reduces to the NBD (b = {b:.3g} -> inf, "
            f"mean dropout probability a/(a+b) = {a / (a + b):.2g})"
        )
    elif a + b > LIMIT_RATIO:
        found.append(
            "no evidence of heterogeneity in dropout: every customer drops out after a "
            f"purchase with the same probability a/(a+b) = {a / (a + b):.4g} "
            f"(a = {a:.3g}, b = {b:.3g} -> inf)"
        )
    if r > LIMIT_RATIO:
        found.append(
            "no evidence of heterogeneity in purchase rates: every customer buys at the "
            f"same rate r/alpha = {r / alpha:.4g} per unit of time "
            f"(r = {r:.3g}, alpha = {alpha:.3g} -> inf)"
        )
    return found


def default_priors(rows: CompressedRows) -> dict[str, tuple[float, float]]:
    """Weakly informative Normal priors on the log-parameters.

    ``log r, log a, log b ~ Normal(0, 2)`` (each within a factor of e^4 ~ 55 of 1 with 95 %
    probability) and ``log alpha ~ Normal(ln mean(T), 2.5)``, centred on the mean customer
    age because alpha is a time scale in the summary's unit (the prior then says the same
    in days as in weeks).
    """
    return {
        "r": (0.0, 2.0),
        "alpha": (float(np.log(mean_age(rows))), 2.5),
        "a": (0.0, 2.0),
        "b": (0.0, 2.0),
    }


#: Below this mean dropout probability the fit is at the "no dropout" boundary.
NO_DROPOUT = 1e-4


def _spread(cv: float) -> str:
    """How much purchase rates differ between customers, from their coefficient of variation."""
    if cv >= 1:
        return "vary widely between customers"
    if cv >= 0.3:
        return "vary moderately between customers"
    if cv >= 0.01:
        return "vary little between customers"
    return "are practically the same for every customer"


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """What fitted BG/NBD parameters mean: the mean purchase rate and dropout probability.

    At the no-dropout boundary (a / (a + b) below :data:`NO_DROPOUT`) the words say what
    the numbers mean there instead of quoting a dropout of 0.0 %.
    """
    rate = p["r"] / p["alpha"]
    dropout = p["a"] / (p["a"] + p["b"])
    cv = p["r"] ** -0.5
    words = [
        f"While active, the average customer buys {rate:.3g} times per {unit} "
        f"(r / alpha = {p['r']:.3g} / {p['alpha']:.3g}); purchase rates {_spread(cv)} "
        f"(coefficient of variation 1 / sqrt(r) = {cv:.2g}; 1 or more is wide).",
    ]
    if dropout < NO_DROPOUT:
        words.append(
            "The data show no dropout: the fitted chance that a customer stops buying after a "
            f"purchase is practically zero (a / (a + b) = {dropout:.1g}), so the model counts "
            "every customer as still active and P(alive) is 1 for all. This is the edge of "
            "what the model can say, not a measured loyalty: see the warning."
        )
    else:
        words.append(
            f"After each purchase a customer stops buying for good with probability "
            f"{dropout:.1%} on average (a / (a + b))."
        )
    return words


SPEC = ModelSpec(
    key="bgnbd",
    label="BG/NBD",
    kind="purchase",
    parameters=PARAM_NAMES,
    data_columns=("frequency", "recency", "T"),
    rows=sufficient_statistics,
    starting_values=starting_values,
    limits=limits,
    default_priors=default_priors,
    words=words,
    references=(
        'Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the '
        "easy way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.",
    ),
)
