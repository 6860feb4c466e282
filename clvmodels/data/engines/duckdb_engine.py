"""The summary computed inside DuckDB: CSV/Parquet paths or globs, or a DuckDB relation.

DuckDB streams the files and spills to disk, so a log larger than memory is
summarised out of core. The log is exposed as the ``clv_log`` view of
:mod:`.spec` (DuckDB dialect below) and the shared SQL does the rest.

Dates: ``DATE`` and ``TIMESTAMP`` columns are calendar days as written;
``TIMESTAMP WITH TIME ZONE`` values are instants, taken in UTC (as the pandas
path does with time-zone-aware dates). Text columns (the date column of CSV
files is always read as text) are parsed here: ISO 8601 dates and times, all
with a zone offset or all without, never a mix, as in the pandas path; other
layouts need ``datetime_format`` (``strptime`` codes). Unlike pandas, no
layout is guessed: ``01/02/2024`` without a format is refused, not read
month first.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from typing import Any

import pandas as pd

from clvmodels.data.engines import plan, spec
from clvmodels.exceptions import DataValidationError

__all__ = ["DuckDBLog", "connection_config", "is_duckdb_input", "open_log", "relation"]

FINITE = "isfinite({x})"
#: A zone after a time of day (``10:00Z``, ``10:00:00+01:00``, ``10:00 -0500``); a date
#: alone (``2024-01-02``) ends in digits that look like an offset and has no zone.
_ZONE = r"[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
)
_GIB = 2**30
_CSV = (".csv", ".csv.gz", ".csv.zst", ".tsv", ".txt")
_PARQUET = (".parquet", ".pq", ".parq")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _paths(transactions: object) -> list[str] | None:
    """The file paths or globs given, or None when ``transactions`` is not paths."""
    if isinstance(transactions, str | os.PathLike):
        return [os.fspath(transactions)]
    if (
        isinstance(transactions, Sequence)
        and not isinstance(transactions, str | bytes)
        and transactions
        and all(isinstance(p, str | os.PathLike) for p in transactions)
    ):
        return [os.fspath(p) for p in transactions]
    return None


def is_duckdb_input(transactions: object) -> bool:
    """Whether ``transactions`` is a path, glob or list of them, or a DuckDB relation."""
    if _paths(transactions) is not None:
        return True
    return type(transactions).__module__.split(".")[0] in ("duckdb", "_duckdb")


def connection_config() -> dict[str, object]:
    """DuckDB settings of the connections opened here for paths and globs.

    - ``memory_limit``: a quarter of the machine's memory, at least 1 GiB and at
      most 6 GiB. DuckDB's own default (80 % of memory) lets one summary take the
      machine; past the limit DuckDB spills its hash tables to disk instead, so a
      log of any size is summarised in bounded memory. The result frame comes on
      top of it (about 40 bytes per customer, held twice while it is converted).
    - ``temp_directory``: where it spills, a new folder in the system's temporary
      directory (not ``.tmp`` in the working directory, DuckDB's default), which
      DuckDB removes when the connection closes.
    - ``preserve_insertion_order = false``: the rows are sorted by customer id
      afterwards, so DuckDB need not keep their order (which costs memory).

    A DuckDB relation from the user's own connection keeps that connection's
    settings.
    """
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        physical = 8 * _GIB
    limit = min(max(physical // 4, _GIB), 6 * _GIB)
    return {
        "memory_limit": f"{limit // 2**20}MiB",
        "temp_directory": os.path.join(
            tempfile.gettempdir(), f"clvmodels-duckdb-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        ),
        "preserve_insertion_order": False,
    }


def relation(transactions: object, datetime_col: str | None = None) -> Any:
    """A DuckDB relation over the files (or the relation given).

    The date column of CSV files is read as text and parsed by the rules of
    :class:`DuckDBLog` (ISO 8601, or ``datetime_format``), not by DuckDB's
    sniffer, which may read ``01/02/2024`` day first.
    """
    paths = _paths(transactions)
    kind = None
    if paths is not None:
        lower = [p.lower() for p in paths]
        if all(p.endswith(_PARQUET) for p in lower):
            kind = "parquet"
        elif all(p.endswith(_CSV) for p in lower):
            kind = "csv"
        else:
            raise ValueError(
                f"transactions={paths!r}: give paths or globs of CSV files ({', '.join(_CSV)}) "
                f"or of Parquet files ({', '.join(_PARQUET)}), all of one kind, "
                "e.g. 'logs/*.parquet'"
            )
    try:
        import duckdb
    except ImportError as err:  # pragma: no cover - depends on the installation
        raise ImportError(
            "summarising CSV/Parquet files or a DuckDB relation needs DuckDB: "
            "pip install 'clvmodels[duckdb]'"
        ) from err
    if kind is None:
        return transactions
    connection = duckdb.connect(config=connection_config())
    if kind == "parquet":
        return connection.read_parquet(paths)
    return connection.read_csv(paths, dtype={datetime_col: "VARCHAR"} if datetime_col else None)


class DuckDBLog:
    """A transaction log in DuckDB, exposed as the ``clv_log`` view of :mod:`.spec`.

    Parameters
    ----------
    transactions
        A path, glob or list of CSV or Parquet files, or a DuckDB relation.
    customer_id_col, datetime_col, monetary_value_col, datetime_format
        As in :func:`clvmodels.rfm_summary` (``datetime_format`` uses
        ``strptime`` codes, read by DuckDB's ``strptime``).
    """

    def __init__(
        self,
        transactions: object,
        customer_id_col: str,
        datetime_col: str,
        monetary_value_col: str | None,
        datetime_format: str | None,
    ) -> None:
        self._source = relation(transactions, datetime_col)
        self.shown = [customer_id_col, datetime_col] + (
            [monetary_value_col] if monetary_value_col else []
        )
        types = dict(zip(self._source.columns, map(str, self._source.types), strict=True))
        missing = [c for c in self.shown if c not in types]
        if missing:
            raise DataValidationError(
                f"transactions: missing column(s) {missing}; it has {list(types)}"
            )
        problems = []
        day, self.has_zone = self._day_expression(
            datetime_col, types[datetime_col], datetime_format, problems
        )
        spend = "0.0"
        if monetary_value_col:
            kind = types[monetary_value_col]
            if not kind.startswith(_NUMERIC + ("DECIMAL",)):
                problems.append(f"column '{monetary_value_col}': must be numeric, has type {kind}")
            spend = f"CAST({_quote(monetary_value_col)} AS DOUBLE)"
        if problems:
            lines = "\n  - ".join(problems)
            raise DataValidationError(f"invalid transactions:\n  - {lines}")
        date = _quote(datetime_col)
        shown = ", ".join(f"{_quote(c)} AS shown_{i}" for i, c in enumerate(self.shown))
        self._view = f"""
SELECT cid, date_diff('day', DATE '1970-01-01', d) AS day, year(d) AS yr, month(d) AS mon,
       spend, date_missing, {", ".join(f"shown_{i}" for i in range(len(self.shown)))}
FROM (
  SELECT {_quote(customer_id_col)} AS cid, {day} AS d, {spend} AS spend,
         {date} IS NULL AS date_missing, {shown}
  FROM clv_source
) AS parsed
"""
        self._log = self._source.query("clv_source", self._view)

    def _day_expression(
        self, column: str, kind: str, datetime_format: str | None, problems: list[str]
    ) -> tuple[str, bool]:
        """SQL for the calendar day (DATE) of each transaction, and whether dates had zones."""
        name = _quote(column)
        if kind == "DATE":
            return name, False
        if kind.startswith("TIMESTAMP WITH TIME ZONE"):
            return f"CAST(timezone('UTC', {name}) AS DATE)", True
        if kind.startswith("TIMESTAMP"):
            return f"CAST({name} AS DATE)", False
        if kind.startswith(_NUMERIC + ("DECIMAL",)):
            problems.append(
                f"column '{column}': holds numbers ({kind}), not dates (rule '{column} is a "
                f"datetime or a date string'). Numbers are not read as dates: convert first, "
                f"e.g. strptime(CAST({column} AS VARCHAR), '%Y%m%d') for 19970101-style days "
                f"or to_timestamp({column}) for epoch seconds"
            )
            return "NULL", False
        if kind != "VARCHAR":
            problems.append(f"column '{column}': must hold dates, has type {kind}")
            return "NULL", False
        if datetime_format is not None:
            fmt = _literal(datetime_format)
            zoned = "%z" in datetime_format or "%Z" in datetime_format
            parsed = f"try_strptime({name}, {fmt})"
            return (
                (f"CAST(timezone('UTC', {parsed}) AS DATE)", True)
                if zoned
                else (
                    f"CAST({parsed} AS DATE)",
                    False,
                )
            )
        counts = self._source.query(
            "clv_source",
            f"SELECT COALESCE(SUM(CASE WHEN regexp_matches(trim({name}), {_literal(_ZONE)}) "
            f"THEN 1 ELSE 0 END), 0) AS zoned, COUNT({name}) AS n FROM clv_source",
        ).fetchall()[0]
        zoned, n = int(counts[0]), int(counts[1])
        if 0 < zoned < n:
            minority = "" if n - zoned <= zoned else "NOT "
            example = self._source.query(
                "clv_source",
                f"SELECT {name} FROM clv_source WHERE {name} IS NOT NULL AND {minority}"
                f"regexp_matches(trim({name}), {_literal(_ZONE)}) LIMIT 1",
            ).fetchall()[0][0]
            problems.append(
                f"column '{column}': {min(zoned, n - zoned)} of {n} rows break the rule "
                f"'{column} values all have a time zone or none has (mixed time zones)'; "
                f"e.g. {column}={example!r}"
            )
            return "NULL", False
        if zoned:
            return f"CAST(timezone('UTC', TRY_CAST({name} AS TIMESTAMPTZ)) AS DATE)", True
        return f"CAST(TRY_CAST({name} AS TIMESTAMP) AS DATE)", False

    def fetch(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` over the ``clv_log`` view; the result as a pandas DataFrame."""
        return self._log.query(spec.LOG_VIEW, sql).df()

    def finish(
        self,
        sql: str,
        customer_id_col: str,
        has_spend: bool,
        attrs: dict[str, object],
        duration_holdout: float | None = None,
    ) -> pd.DataFrame:
        """Run a summary query; the result shaped as the pandas path returns it."""
        frame = plan.as_summary_frame(self.fetch(sql), customer_id_col, has_spend, attrs)
        if duration_holdout is not None:
            frame["duration_holdout"] = duration_holdout
        return frame


def open_log(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
) -> DuckDBLog:
    """Open ``transactions`` (paths, globs or a relation) as a :class:`DuckDBLog`."""
    return DuckDBLog(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
