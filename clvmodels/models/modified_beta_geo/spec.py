"""What the MBG/NBD states about itself; its estimation hooks are the BG/NBD's.

The MBG/NBD has the BG/NBD's parameters with the same meaning (a purchase rate
r / alpha, a dropout probability a / (a + b) at every purchase), so the starting values,
the limits, the default priors and the report's words are the BG/NBD's functions
(:mod:`clvmodels.models.beta_geo.spec`), not copies of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from clvmodels.estimation.spec import ModelSpec
from clvmodels.models.beta_geo import spec as bg
from clvmodels.models.modified_beta_geo.math import PARAM_NAMES, sufficient_statistics

__all__ = ["SPEC"]


def words(p: Mapping[str, float], unit: str) -> list[str]:
    """The BG/NBD's sentences, and that the trial purchase can be the last one too."""
    return [
        *bg.words(p, unit),
        "Unlike the BG/NBD, a customer can also stop right after the first purchase, so "
        "customers who never came back are not all counted as active.",
    ]


SPEC = ModelSpec(
    key="mbgnbd",
    label="MBG/NBD",
    kind="purchase",
    parameters=PARAM_NAMES,
    data_columns=("frequency", "recency", "T"),
    rows=sufficient_statistics,
    starting_values=bg.starting_values,
    limits=partial(bg.limits, label="MBG/NBD"),
    default_priors=bg.default_priors,
    words=words,
    references=(
        "Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and "
        "comparison of models for customer base analysis. International Journal of Research "
        "in Marketing, 24(3), 201-209.",
    ),
)
