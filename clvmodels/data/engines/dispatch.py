"""The previous entry points of the engines, kept for their callers: use :mod:`.registry`.

:func:`clvmodels.rfm_summary` and its siblings build one
:class:`~clvmodels.data.engines.spec.SummarySpec` and hand it to the engine that
:func:`~clvmodels.data.engines.registry.engine_for` picks. The functions below answer
in the terms of the earlier layout (an engine name, an opened SQL log).
"""

from __future__ import annotations

from typing import Any

from clvmodels.data.engines.registry import engine_for, registered_engines
from clvmodels.data.engines.spec import SummarySpec
from clvmodels.data.engines.sql_engine import SQLEngine

__all__ = ["engine_name", "open_engine"]


def engine_name(transactions: object) -> str | None:
    """The name of the engine that takes ``transactions``, or None when none does.

    ``"pandas"``, ``"duckdb"``, ``"spark"`` or a name registered later.
    """
    for engine in registered_engines().values():
        if engine.accepts(transactions):
            return engine.name
    return None


def open_engine(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
) -> tuple[Any, str]:
    """The SQL engine's log of ``transactions`` and its finite-number predicate.

    For DuckDB and Spark inputs: the log is exposed as the ``clv_log`` view.
    """
    engine = engine_for(transactions)
    if not isinstance(engine, SQLEngine):
        raise TypeError(
            f"open_engine exposes a log to SQL; the {engine.name!r} engine runs no SQL "
            "(pass files, a DuckDB relation or a Spark DataFrame)"
        )
    spec = SummarySpec.of(
        customer_id_col, datetime_col, monetary_value_col, None, datetime_format=datetime_format
    )
    return engine.open(transactions, spec), engine.finite
