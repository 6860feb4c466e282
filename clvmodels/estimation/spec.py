"""What a model states about itself, in one place: :class:`ModelSpec`.

Each model folder has a ``spec.py`` holding one ``SPEC``; the estimators read their
parameter names, starting values, limits and default priors from it, and the registry
(:mod:`clvmodels.models.registry`) lists the specs for the CLI, the report and the
conformance tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from clvmodels.estimation.rows import CompressedRows

__all__ = ["ModelSpec", "SpecifiedModel", "no_limits"]


def no_limits(params: Mapping[str, float]) -> list[str]:
    """The ``limits`` of a model that reports none: its estimates are read as they are."""
    return []


@dataclass(frozen=True)
class ModelSpec:
    """A model's description: names, data, and its estimation hooks as plain functions.

    Attributes
    ----------
    key
        The short name the CLI takes (``"bgnbd"``).
    label
        What the report and the messages call it (``"BG/NBD"``).
    kind
        ``"purchase"``, ``"spend"`` or ``"retention"``: which protocol it satisfies
        (:mod:`clvmodels.estimation.protocols`).
    parameters
        Parameter names, in the order of the likelihood's gradient.
    data_columns
        The columns of the data the likelihood reads (its sufficient statistics).
    starting_values
        ``rows -> [start, ...]``: starting points of the optimiser (natural scale).
    limits
        ``params -> [sentence, ...]``: the model's limits that an estimate has reached.
    default_priors
        ``rows -> {name: (mu, sigma)}``: Normal priors on the log-parameters.
    words
        ``(params, unit) -> [sentence, ...]``: what the fitted parameters mean, for the
        report.
    references
        The papers of the model.
    rows
        ``(data, weights) -> CompressedRows``: the checked data, compressed, as the
        maximum-likelihood fit reads them (else the estimator's own
        ``_sufficient_statistics``).
    """

    key: str
    label: str
    kind: Literal["purchase", "spend", "retention"]
    parameters: tuple[str, ...]
    data_columns: tuple[str, ...]
    starting_values: Callable[[CompressedRows], list[np.ndarray]]
    limits: Callable[[Mapping[str, float]], list[str]]
    default_priors: Callable[[CompressedRows], dict[str, tuple[float, float]]]
    words: Callable[[Mapping[str, float], str], list[str]]
    references: tuple[str, ...] = ()
    rows: Callable[..., CompressedRows] | None = None

    def describe(self, params: Mapping[str, Any], unit: str) -> list[str]:
        """Sentences on what fitted ``params`` mean (``unit`` in words, e.g. ``"week"``)."""
        return self.words({name: float(params[name]) for name in self.parameters}, unit)


class SpecifiedModel:
    """Base of the estimator templates: a subclass with a ``spec`` takes its names from it."""

    param_names: ClassVar[tuple[str, ...]] = ()
    spec: ClassVar[ModelSpec | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Set ``param_names`` from the class's own ``spec`` unless it states them."""
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is not None and "param_names" not in cls.__dict__:
            cls.param_names = spec.parameters
