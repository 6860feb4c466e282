"""A command's transaction log: the file read, its columns checked and made ready, once.

``fit`` and ``score`` read a log the same way, with the same options (``--customer-col``,
``--date-col``, ``--amount-col``, ``--date-format``, ``--id-type``, ``--sep``,
``--decimal``, ``--engine``):

1. the file is read (:func:`clvmodels.cli.inputs.read_log_file`), its separator and
   decimal mark given or detected; one line on stderr says which when the file is
   not plain ``,`` and ``.`` CSV;
2. the column options are checked against its columns;
3. ids, dates and amounts are made ready (:func:`clvmodels.cli.columns.prepare_log`),
   so that every later step (summary, holdout split, backtest, score) reads the same
   parsed dates; warnings (ids that collide) are said on stderr.

How it was read is returned as a record for ``--json`` and ``run.json``. A folder or a
glob goes to DuckDB instead (its columns are checked; DuckDB parses the dates with the
same ``--date-format``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

import click
import pandas as pd

from clvmodels.cli.columns import prepare_log
from clvmodels.cli.dialect import Dialect
from clvmodels.cli.inputs import (
    check_columns,
    duckdb_source,
    is_many_files,
    log_columns,
    read_log_file,
)

__all__ = ["is_duckdb", "prepare_frame", "read_frame", "read_log", "say"]

#: A step runner, as in :mod:`clvmodels.cli.pipeline`.
Steps = Callable[[str], AbstractContextManager]


def say(options: Mapping[str, Any], text: str) -> None:
    """One line on stderr about how the input was read, unless ``--quiet``."""
    if not options.get("quiet"):
        click.echo(f"clvmodels: {text}", err=True)


def is_duckdb(path: str, options: Mapping[str, Any]) -> bool:
    """Whether ``--engine`` (or ``auto`` with a folder or a glob) sends ``path`` to DuckDB."""
    engine = options.get("engine", "auto")
    return engine == "duckdb" or (engine == "auto" and is_many_files(path))


def _text_columns(settings: Any) -> list[str]:
    return [c for c in (settings.customer_col, settings.date_col, settings.amount_col) if c]


def read_frame(
    path: str, options: Mapping[str, Any], settings: Any, steps: Steps
) -> tuple[pd.DataFrame, Dialect | None]:
    """The file at ``path`` read into memory (ids, dates and amounts as text), its dialect said.

    ``settings`` names the columns (``customer_col``, ``date_col``, ``amount_col``).
    """
    with steps(f"Reading {path}"):
        frame, dialect = read_log_file(
            path, _text_columns(settings), options.get("sep"), options.get("decimal")
        )
    if dialect is not None and not dialect.is_plain:
        say(options, f"read {path}: {dialect.describe()}")
    return frame, dialect


def prepare_frame(
    frame: pd.DataFrame,
    dialect: Dialect | None,
    path: str,
    options: Mapping[str, Any],
    settings: Any,
    wanted: dict[str, str | None],
    advice: str = "",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check the columns ``wanted`` (option -> column), make the log ready; the record."""
    check_columns(frame, wanted, path, advice)
    id_type = options.get("id_type") or "text"
    log, warnings = prepare_log(
        frame,
        settings.customer_col,
        settings.date_col,
        settings.amount_col,
        date_format=settings.date_format,
        decimal=dialect.decimal if dialect is not None else ".",
        id_type=id_type,
        source=path,
    )
    for warning in warnings:
        say(options, f"warning: {warning}")
    reading: dict[str, Any] = {"file": path, "engine": "pandas"}
    reading["format"] = "csv" if dialect is not None else "parquet"
    reading.update(dialect.to_dict() if dialect is not None else {})
    reading.update({"id_type": id_type, "warnings": warnings})
    return log, reading


def read_log(
    path: str,
    options: Mapping[str, Any],
    settings: Any,
    wanted: dict[str, str | None],
    steps: Steps,
    advice: str = "",
) -> tuple[pd.DataFrame | str, dict[str, Any]]:
    """The log at ``path`` made ready (or the glob DuckDB reads), and how it was read.

    Parameters
    ----------
    path
        A file, a folder or a glob.
    options
        The command's options (``engine``, ``sep``, ``decimal``, ``id_type``, ``quiet``).
    settings
        Names ``customer_col``, ``date_col``, ``amount_col`` and ``date_format``.
    wanted
        Option name -> the column it names, checked against the file's columns.
    steps
        The progress step runner.
    advice
        Added to the message about a missing column (e.g. which options name them).
    """
    if is_duckdb(path, options):
        source = duckdb_source(path)
        check_columns(log_columns(source, None), wanted, path, advice)
        return source, {"file": path, "engine": "duckdb"}
    frame, dialect = read_frame(path, options, settings, steps)
    return prepare_frame(frame, dialect, path, options, settings, wanted, advice)
