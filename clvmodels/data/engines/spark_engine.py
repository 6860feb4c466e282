"""The summary computed by Spark SQL on a Spark DataFrame (a log that lives in a cluster).

The DataFrame is exposed as the ``clv_log`` view of :mod:`.spec` (Spark
dialect below) and the shared SQL does the rest; the summary stays a Spark
DataFrame, and only small results (checks, the reduction) reach the driver.

Dates: ``DATE`` and ``TIMESTAMP_NTZ`` columns are calendar days as written.
Spark ``TIMESTAMP`` values are instants; their day is taken in UTC, whatever
``spark.sql.session.timeZone`` says (as the pandas path does with
time-zone-aware dates). Strings are read as ISO 8601 dates and times, all
with a zone offset (instants, taken in UTC) or all without (calendar days),
never a mix; other layouts are parsed first with ``to_timestamp_ntz(col,
pattern)`` (``datetime_format`` is refused: Spark's patterns are not
``strptime``'s).
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
#: A zone after a time of day (``10:00Z``, ``10:00:00+01:00``); a date alone has none.
_ZONE = "[0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"


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
        number = next(_views)
        source = f"clv_source_{number}"
        self._view = f"clv_log_{number}"
        transactions.createOrReplaceTempView(source)
        day, self.has_zone = self._day(source, datetime_col, types[datetime_col], problems)
        spend = "CAST(0.0 AS DOUBLE)"
        if monetary_value_col:
            kind = types[monetary_value_col]
            if not kind.startswith(_NUMERIC):
                problems.append(f"column '{monetary_value_col}': must be numeric, has type {kind}")
            spend = f"CAST({_quote(monetary_value_col)} AS DOUBLE)"
        if problems:
            lines = "\n  - ".join(problems)
            raise DataValidationError(f"invalid transactions:\n  - {lines}")
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

    def _day(self, source: str, column: str, kind: str, problems: list[str]) -> tuple[str, bool]:
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
            return self._text_day(source, column, problems)
        else:
            problems.append(f"column '{column}': must hold dates, has type {kind}")
        return "NULL", False

    def _text_day(self, source: str, column: str, problems: list[str]) -> tuple[str, bool]:
        """Day numbers of ISO 8601 strings: all with a zone offset (instants) or all without."""
        name = _quote(column)
        zoned = f"trim({name}) RLIKE '{_ZONE}'"
        counts = self._spark.sql(
            f"SELECT COALESCE(SUM(CASE WHEN {zoned} THEN 1 ELSE 0 END), 0) AS zoned, "
            f"COUNT({name}) AS n FROM {source}"
        ).collect()[0]
        n_zoned, n = int(counts["zoned"]), int(counts["n"])
        if 0 < n_zoned < n:
            minority = "" if n - n_zoned <= n_zoned else "NOT "
            example = self._spark.sql(
                f"SELECT {name} AS value FROM {source} "
                f"WHERE {name} IS NOT NULL AND {minority}({zoned}) LIMIT 1"
            ).collect()[0]["value"]
            problems.append(
                f"column '{column}': {min(n_zoned, n - n_zoned)} of {n} rows break the rule "
                f"'{column} values all have a time zone or none has (mixed time zones)'; "
                f"e.g. {column}={example!r}"
            )
            return "NULL", False
        if n_zoned:
            return (
                f"CAST(FLOOR(unix_micros(TRY_CAST(trim({name}) AS TIMESTAMP)) / 86400000000.0) "
                "AS INT)",
                True,
            )
        return (
            f"datediff(CAST(TRY_CAST(trim({name}) AS TIMESTAMP_NTZ) AS DATE), DATE '1970-01-01')",
            False,
        )

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
