"""Reads of a DuckDB or Spark log other than its summary: its extent and some of its columns.

The command line reports how many transactions a log has and its first day, and
the backtest needs the log in memory; for a log held by an engine both are
computed here, where the engine's SQL lives, so that callers write none.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from clvmodels.data.engines import dispatch, duckdb_engine, spec

__all__ = ["log_extent", "read_columns"]

_EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def log_extent(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    datetime_format: str | None = None,
) -> tuple[int, pd.Timestamp]:
    """Number of transactions and the first day (midnight UTC) of a DuckDB or Spark log.

    One pass inside the engine, with the summary's own date rules (see
    :func:`clvmodels.rfm_summary`): a date the summary would refuse is refused here.

    Parameters
    ----------
    transactions
        A path, glob or list of CSV/Parquet files, a DuckDB relation or a Spark DataFrame.
    customer_id_col, datetime_col, datetime_format
        As in :func:`clvmodels.rfm_summary`.

    Returns
    -------
    n_rows, first
        The number of rows and the earliest transaction day.
    """
    log, _ = dispatch.open_engine(
        transactions, customer_id_col, datetime_col, None, datetime_format
    )
    row = log.fetch(f"SELECT COUNT(*) AS n, MIN(day) AS first FROM {spec.LOG_VIEW}").iloc[0]
    return int(row["n"]), _EPOCH + pd.Timedelta(days=int(row["first"]))


def read_columns(
    transactions: object, columns: Sequence[str], datetime_col: str | None = None
) -> pd.DataFrame:
    """The given columns of a DuckDB log (files, globs or a relation) as a pandas DataFrame.

    Parameters
    ----------
    transactions
        A path, glob or list of CSV/Parquet files, or a DuckDB relation.
    columns
        The columns to read; nothing else is read from Parquet files.
    datetime_col
        The date column: in CSV files it is read as text (parsed later by the
        summary's rules), not by DuckDB's sniffer.

    Returns
    -------
    pandas.DataFrame
        One row per transaction, the ``columns`` in order.
    """
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    return duckdb_engine.relation(transactions, datetime_col).project(quoted).df()
