"""The summary computed by Spark SQL on a Spark DataFrame (a log that lives in a cluster).

The DataFrame is exposed as the ``clv_log`` view of :mod:`.spec` (Spark
dialect below) and the shared SQL does the rest; the summary stays a Spark
DataFrame, and only small results (checks, the reduction) reach the driver.

Dates: ``DATE`` and ``TIMESTAMP_NTZ`` columns are calendar days as written.
Spark ``TIMESTAMP`` values are instants; their day is taken in UTC, whatever
``spark.sql.session.timeZone`` says (as the pandas path does with
time-zone-aware dates). Strings are refused: parse them first with
``to_timestamp`` (strings with a zone offset) or ``to_timestamp_ntz``
(calendar dates and times).
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from clvmodels.data.engines import spec
from clvmodels.exceptions import DataValidationError

__all__ = ["FINITE", "SparkLog"]

FINITE = "NOT isnan({x}) AND abs({x}) < CAST('Infinity' AS DOUBLE)"
_NUMERIC = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")
_views = itertools.count()


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class SparkLog:
    """A Spark DataFrame of transactions, exposed as the ``clv_log`` view of :mod:`.spec`.

    The view is a temporary view of the DataFrame's session under a name of
    its own, so that several logs can be summarised in one session.
    """

    def __init__(
        self,
        transactions: Any,
        customer_id_col: str,
        datetime_col: str,
        monetary_value_col: str | None,
        datetime_format: str | None,
    ) -> None:
        self._spark = transactions.sparkSession
        self.shown = [customer_id_col, datetime_col] + (
            [monetary_value_col] if monetary_value_col else []
        )
        types = {field.name: field.dataType.simpleString() for field in transactions.schema}
        missing = [c for c in self.shown if c not in types]
        if missing:
            raise DataValidationError(
                f"transactions: missing column(s) {missing}; it has {list(types)}"
            )
        problems = []
        if datetime_format is not None:
            problems.append(
                "datetime_format is not used with a Spark DataFrame: parse the dates first "
                f"with to_timestamp_ntz({datetime_col!r}, <Spark datetime pattern>)"
            )
        day, self.has_zone = self._day(datetime_col, types[datetime_col], problems)
        spend = "CAST(0.0 AS DOUBLE)"
        if monetary_value_col:
            kind = types[monetary_value_col]
            if not kind.startswith(_NUMERIC):
                problems.append(f"column '{monetary_value_col}': must be numeric, has type {kind}")
            spend = f"CAST({_quote(monetary_value_col)} AS DOUBLE)"
        if problems:
            lines = "\n  - ".join(problems)
            raise DataValidationError(f"invalid transactions:\n  - {lines}")
        number = next(_views)
        source = f"clv_source_{number}"
        self._view = f"clv_log_{number}"
        transactions.createOrReplaceTempView(source)
        shown = ", ".join(f"{_quote(c)} AS shown_{i}" for i, c in enumerate(self.shown))
        self._spark.sql(
            f"""
CREATE OR REPLACE TEMPORARY VIEW {self._view} AS
SELECT cid, day, year(d) AS yr, month(d) AS mon, spend, date_missing,
       {", ".join(f"shown_{i}" for i in range(len(self.shown)))}
FROM (
  SELECT cid, day, date_add(DATE '1970-01-01', day) AS d, spend, date_missing,
         {", ".join(f"shown_{i}" for i in range(len(self.shown)))}
  FROM (
    SELECT {_quote(customer_id_col)} AS cid, {day} AS day, {spend} AS spend,
           {_quote(datetime_col)} IS NULL AS date_missing, {shown}
    FROM {source}
  ) AS raw
) AS parsed
"""
        )

    @staticmethod
    def _day(column: str, kind: str, problems: list[str]) -> tuple[str, bool]:
        """SQL for the day number of each transaction, and whether dates are instants."""
        name = _quote(column)
        if kind == "date":
            return f"datediff({name}, DATE '1970-01-01')", False
        if kind == "timestamp_ntz":
            return f"datediff(CAST({name} AS DATE), DATE '1970-01-01')", False
        if kind == "timestamp":
            return f"CAST(FLOOR(unix_micros({name}) / 86400000000.0) AS INT)", True
        if kind.startswith(_NUMERIC):
            problems.append(
                f"column '{column}': holds numbers ({kind}), not dates (rule '{column} is a "
                "datetime or a date string'); convert first, e.g. "
                f"to_date(CAST({column} AS STRING), 'yyyyMMdd') for 19970101-style days or "
                f"timestamp_seconds({column}) for epoch seconds"
            )
        elif kind == "string":
            problems.append(
                f"column '{column}': holds strings; parse them first with "
                f"to_timestamp_ntz({column}) (calendar dates) or to_timestamp({column}) "
                "(strings with a zone offset, compared in UTC)"
            )
        else:
            problems.append(f"column '{column}': must hold dates, has type {kind}")
        return "NULL", False

    def _sql(self, sql: str) -> Any:
        return self._spark.sql(sql.replace(spec.LOG_VIEW, self._view))

    def fetch(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` over the ``clv_log`` view; the (small) result on the driver."""
        return self._sql(sql).toPandas()

    def finish(
        self,
        sql: str,
        customer_id_col: str,
        has_spend: bool,
        attrs: dict[str, object],
        duration_holdout: float | None = None,
    ) -> Any:
        """Run a summary query; the result as a Spark DataFrame named like the pandas path's."""
        del attrs  # a Spark DataFrame holds no attrs; the caller states the unit when scoring
        frame = self._sql(sql).withColumnRenamed("cid", customer_id_col)
        if not has_spend:
            frame = frame.drop(*[c for c in frame.columns if c.startswith("monetary")])
        if duration_holdout is not None:
            from pyspark.sql import functions

            frame = frame.withColumn(
                "duration_holdout", functions.lit(float(duration_holdout)).cast("double")
            )
        return frame
