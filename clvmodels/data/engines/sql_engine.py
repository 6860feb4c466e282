"""Engines that run the shared SQL of :mod:`.spec`: DuckDB (files, relations) and Spark.

Each exposes the user's log as the ``clv_log`` view (its own module says how) and then
runs the same checks and queries (:mod:`.plan`). DuckDB and PySpark are imported only
when such a log arrives: recognising one looks at paths and type names only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd

from clvmodels.data.engines import duckdb_engine, plan, spark_engine
from clvmodels.data.engines.spec import SummarySpec, reduction_of

__all__ = ["DUCKDB", "SPARK", "SQLEngine", "is_spark_dataframe"]


def is_spark_dataframe(source: object) -> bool:
    """Whether ``source`` is a PySpark DataFrame (by its type's module; no import)."""
    return type(source).__module__.startswith("pyspark.")


class SQLEngine:
    """An engine whose log is exposed as the ``clv_log`` view and summarised by SQL.

    Parameters
    ----------
    name
        The registry name (``"duckdb"``, ``"spark"``).
    accepted
        What it takes, in words, for error messages.
    accepts
        Whether a source is this engine's.
    open_log
        ``open_log(source, customer_id_col, datetime_col, monetary_value_col,
        datetime_format)``: the log exposed as the view (see :class:`.plan.Engine`).
    finite
        The engine's SQL predicate for a finite double, with ``{x}`` for the value.
    """

    def __init__(
        self,
        name: str,
        accepted: str,
        accepts: Callable[[object], bool],
        open_log: Callable[..., plan.Engine],
        finite: str,
    ) -> None:
        self.name = name
        self.accepted = accepted
        self._accepts = accepts
        self._open_log = open_log
        self.finite = finite

    def __repr__(self) -> str:
        return f"SQLEngine({self.name!r})"

    def accepts(self, source: object) -> bool:
        """Whether ``source`` is this engine's."""
        return self._accepts(source)

    def open(self, source: object, spec: SummarySpec) -> plan.Engine:
        """The log of ``source`` exposed as the ``clv_log`` view."""
        return self._open_log(
            source,
            spec.customer_id_col,
            spec.datetime_col,
            spec.monetary_value_col,
            spec.datetime_format,
        )

    def summarise(self, source: object, spec: SummarySpec) -> Any:
        """The RFM summary (a Spark DataFrame for Spark, without ``attrs``)."""
        log = self.open(source, spec)
        sql, attrs = plan.summary_plan(log, self.finite, spec)
        return log.finish(sql, spec.customer_id_col, spec.monetary_value_col is not None, attrs)

    def split(self, source: object, spec: SummarySpec, calibration_period_end: object) -> Any:
        """The calibration/holdout split (see :func:`clvmodels.calibration_holdout_split`)."""
        log = self.open(source, spec)
        sql, duration, attrs = plan.holdout_plan(log, self.finite, spec, calibration_period_end)
        return log.finish(
            sql,
            spec.customer_id_col,
            spec.monetary_value_col is not None,
            attrs,
            duration_holdout=duration,
        )

    def reduce(self, source: object, spec: SummarySpec) -> pd.DataFrame:
        """Distinct (frequency, recency, T) rows with counts, computed where the log is."""
        spec = replace(spec, monetary_value_col=None, include_first=False)
        log = self.open(source, spec)
        sql, attrs = plan.summary_plan(log, self.finite, spec)
        stats = log.fetch(reduction_of(sql))
        stats.attrs = attrs
        return stats


#: CSV/Parquet paths, globs or lists of them, and DuckDB relations.
DUCKDB = SQLEngine(
    "duckdb",
    "a path, glob or list of CSV/Parquet files, or a DuckDB relation",
    duckdb_engine.is_duckdb_input,
    duckdb_engine.open_log,
    duckdb_engine.FINITE,
)

#: Spark DataFrames (the log stays in the cluster).
SPARK = SQLEngine(
    "spark",
    "a Spark DataFrame",
    is_spark_dataframe,
    spark_engine.SparkLog,
    spark_engine.FINITE,
)
