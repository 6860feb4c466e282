"""Summaries of logs that are not pandas DataFrames: DuckDB (files, relations) and Spark.

:func:`clvmodels.rfm_summary` and :func:`clvmodels.calibration_holdout_split`
check ``freq`` and ``time_unit`` and hand any other input to
:func:`summarise` or :func:`split` here. DuckDB and PySpark are imported only
when such an input arrives.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvmodels.data.engines import duckdb_engine, plan

__all__ = ["engine_name", "open_engine", "split", "summarise"]


def engine_name(transactions: object) -> str | None:
    """``"duckdb"``, ``"spark"`` or None (anything else, left to the pandas path)."""
    if isinstance(transactions, pd.DataFrame):
        return None
    if type(transactions).__module__.startswith("pyspark."):
        return "spark"
    if duckdb_engine.is_duckdb_input(transactions):
        return "duckdb"
    return None


def open_engine(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
) -> tuple[Any, str]:
    """The engine holding the log and its finite-number predicate."""
    if engine_name(transactions) == "spark":
        from clvmodels.data.engines import spark_engine

        log = spark_engine.SparkLog(
            transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
        )
        return log, spark_engine.FINITE
    log = duckdb_engine.open_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    return log, duckdb_engine.FINITE


def summarise(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    observation_period_end: object,
    datetime_format: str | None,
    alias: str,
    unit: str,
    num: float,
    den: float,
    include_first_transaction: bool = False,
) -> Any:
    """The RFM summary of a DuckDB or Spark log (see :func:`clvmodels.rfm_summary`).

    Returns a pandas DataFrame for DuckDB inputs and a Spark DataFrame for a
    Spark input (the summary stays in the cluster; its ``attrs`` cannot, so
    the unit is given again when scoring it).
    """
    log, finite = open_engine(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    names = {"id": customer_id_col, "date": datetime_col, "spend": monetary_value_col}
    sql, attrs = plan.summary_plan(
        log, finite, names, observation_period_end, alias, unit, num, den, include_first_transaction
    )
    return log.finish(sql, customer_id_col, monetary_value_col is not None, attrs)


def split(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: object,
    observation_period_end: object,
    monetary_value_col: str | None,
    datetime_format: str | None,
    alias: str,
    unit: str,
    num: float,
    den: float,
    include_first_transaction: bool = False,
) -> Any:
    """The calibration/holdout split of a DuckDB or Spark log.

    See :func:`clvmodels.calibration_holdout_split`.
    """
    log, finite = open_engine(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    names = {"id": customer_id_col, "date": datetime_col, "spend": monetary_value_col}
    sql, duration, attrs = plan.holdout_plan(
        log,
        finite,
        names,
        calibration_period_end,
        observation_period_end,
        alias,
        unit,
        num,
        den,
        include_first_transaction,
    )
    return log.finish(
        sql, customer_id_col, monetary_value_col is not None, attrs, duration_holdout=duration
    )
