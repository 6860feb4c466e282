"""The one list of models: what the CLI, the report and the conformance tests read.

Adding a model is one folder under ``models/`` (``math.py``, ``spec.py``, ``mle.py``,
``bayes.py``; see ``docs/architecture.md, "Recipe: add a model"``) and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from clvmodels.estimation.spec import ModelSpec
from clvmodels.models import (
    beta_geo,
    beta_geo_beta_binom,
    gamma_gamma,
    gamma_gompertz_nbd,
    modified_beta_geo,
    pareto_nbd,
    shifted_beta_geo,
)

__all__ = ["MODELS", "RegisteredModel", "by_class", "by_key"]


@dataclass(frozen=True)
class RegisteredModel:
    """A model's specification and its estimators."""

    spec: ModelSpec
    mle: type
    bayes: type | None


def _entry(package: ModuleType, mle: str, bayes: str | None) -> RegisteredModel:
    """The entry of a model folder: its ``SPEC`` and the named estimator classes."""
    return RegisteredModel(
        package.SPEC, getattr(package, mle), None if bayes is None else getattr(package, bayes)
    )


#: Key (the CLI's name) -> entry, in the order the CLI and the report list them.
MODELS: dict[str, RegisteredModel] = {
    entry.spec.key: entry
    for entry in (
        _entry(beta_geo, "BetaGeoModel", "BayesianBetaGeoModel"),
        _entry(pareto_nbd, "ParetoNBDModel", "BayesianParetoNBDModel"),
        _entry(modified_beta_geo, "ModifiedBetaGeoModel", "BayesianModifiedBetaGeoModel"),
        _entry(gamma_gamma, "GammaGammaModel", "BayesianGammaGammaModel"),
        _entry(shifted_beta_geo, "ShiftedBetaGeoModel", "BayesianShiftedBetaGeoModel"),
        _entry(beta_geo_beta_binom, "BetaGeoBetaBinomModel", "BayesianBetaGeoBetaBinomModel"),
        _entry(gamma_gompertz_nbd, "GammaGompertzNBDModel", None),
    )
}


def by_key(key: str) -> RegisteredModel:
    """The model registered as ``key`` (e.g. ``"bgnbd"``).

    Raises
    ------
    KeyError
        Naming the registered keys.
    """
    if key not in MODELS:
        raise KeyError(f"no model registered as {key!r}; the models are {sorted(MODELS)}")
    return MODELS[key]


def by_class(model: Any) -> RegisteredModel | None:
    """The entry whose MLE or Bayesian class ``model`` is an instance of (or is), or None."""
    cls = model if isinstance(model, type) else type(model)
    for entry in MODELS.values():
        if cls in (entry.mle, entry.bayes):
            return entry
    return None
