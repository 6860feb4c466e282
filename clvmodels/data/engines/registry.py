"""Which engine summarises a transaction log: one registry, asked once per call.

Every engine is an object with a ``name``, a description of what it ``accepted`` (for
messages), ``accepts(source)``, and the three operations, each taking the one
:class:`~clvmodels.data.engines.spec.SummarySpec`:

- ``summarise(source, spec)``: the RFM summary;
- ``split(source, spec, calibration_period_end)``: the calibration/holdout split;
- ``reduce(source, spec)``: distinct (frequency, recency, T) rows with
  ``n_customers`` (unsorted types; :func:`clvmodels.data.rfm_sufficient_statistics`
  finishes them).

Registered here, in the order they are asked: ``pandas`` (a DataFrame), ``spark`` (a
Spark DataFrame), ``duckdb`` (paths, globs, lists of files, a DuckDB relation). Adding
an engine is one object with these parts and one :func:`register_engine` call; the
conformance tests (``tests/data/engines/test_conformance.py``) say whether it computes
the same summary as the others.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pandas as pd

from clvmodels.data.engines.pandas_engine import PANDAS
from clvmodels.data.engines.spec import SummarySpec
from clvmodels.data.engines.sql_engine import DUCKDB, SPARK

__all__ = [
    "SummaryEngine",
    "engine_for",
    "get_engine",
    "register_engine",
    "registered_engines",
    "unregister_engine",
]


@runtime_checkable
class SummaryEngine(Protocol):
    """What the registry requires of an engine."""

    name: str
    accepted: str

    def accepts(self, source: object) -> bool:
        """Whether ``source`` is a log this engine summarises."""
        ...

    def summarise(self, source: Any, spec: SummarySpec) -> Any:
        """The RFM summary of ``source``."""
        ...

    def split(self, source: Any, spec: SummarySpec, calibration_period_end: object) -> Any:
        """The calibration/holdout split of ``source``."""
        ...

    def reduce(self, source: Any, spec: SummarySpec) -> pd.DataFrame:
        """Distinct (frequency, recency, T) rows of ``source`` with ``n_customers``."""
        ...


_ENGINES: dict[str, SummaryEngine] = {}


def register_engine(engine: SummaryEngine, *, replace: bool = False) -> SummaryEngine:
    """Add ``engine`` to the registry (asked after those already there); returns it.

    Raises
    ------
    TypeError
        If ``engine`` lacks a part of :class:`SummaryEngine`.
    ValueError
        If its name is taken and ``replace`` is false.
    """
    if not isinstance(engine, SummaryEngine):
        missing = [
            part
            for part in ("name", "accepted", "accepts", "summarise", "split", "reduce")
            if not hasattr(engine, part)
        ]
        raise TypeError(f"an engine needs {missing} (see SummaryEngine); got {engine!r}")
    if engine.name in _ENGINES and not replace:
        raise ValueError(
            f"an engine named {engine.name!r} is registered already; "
            "pass replace=True to replace it"
        )
    _ENGINES[engine.name] = engine
    return engine


def unregister_engine(name: str) -> SummaryEngine:
    """Remove the engine registered as ``name``; returns it."""
    engine = get_engine(name)
    del _ENGINES[name]
    return engine


def registered_engines() -> dict[str, SummaryEngine]:
    """The registered engines by name, in the order they are asked."""
    return dict(_ENGINES)


def get_engine(name: str) -> SummaryEngine:
    """The engine registered as ``name``."""
    try:
        return _ENGINES[name]
    except KeyError:
        raise ValueError(f"no engine named {name!r}; registered: {list(_ENGINES)}") from None


def engine_for(source: object, what: str = "transactions") -> SummaryEngine:
    """The first registered engine that accepts ``source``.

    Raises
    ------
    TypeError
        When none does; the message lists what each engine takes.
    """
    for engine in _ENGINES.values():
        if engine.accepts(source):
            return engine
    takes = "; ".join(f"{e.accepted} ({e.name!r})" for e in _ENGINES.values())
    raise TypeError(
        f"{what} must be a pandas DataFrame or another log an engine takes: {takes}; "
        f"got {type(source).__name__}, e.g. pass pd.read_csv(path) or the path itself"
    )


for _engine in (PANDAS, SPARK, DUCKDB):
    register_engine(_engine)
