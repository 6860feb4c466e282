"""Reading the user's files for the ``clvmodels`` command, with one-line errors.

A transaction log is a CSV file (``.csv``, optionally compressed, or any other
suffix read as CSV) or a Parquet file (``.parquet``, ``.pq``; pandas reads it with
pyarrow or fastparquet). A CSV file's separator and decimal mark are given
(``--sep``, ``--decimal``) or detected (:mod:`clvmodels.cli.dialect`); its rows are
labelled by their line in the file (the header is line 1), so that messages about
a row name the line to open. What can go wrong before any model is fitted is said in one
:class:`InputError` naming the file: it does not exist, it is empty, its format
needs a package that is not installed, a column option names a column that is not
there (with the closest names in the file).

A folder or a glob (``'logs/*.parquet'``, quoted so that the shell leaves it alone)
is read through DuckDB, out of core (:func:`duckdb_source`): the summary is computed
inside DuckDB and only one row per customer comes back.
"""

from __future__ import annotations

import difflib
import glob
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from clvmodels.cli.dialect import SEPARATORS, Dialect, sniff_dialect
from clvmodels.data.validation import FILE_LINE

__all__ = [
    "EXIT_DATA",
    "EXIT_USAGE",
    "InputError",
    "check_columns",
    "closest_names",
    "duckdb_source",
    "is_many_files",
    "log_columns",
    "read_files",
    "read_log_file",
    "read_table",
]

#: Exit status for a wrong option, a missing file or an unknown column name.
EXIT_USAGE = 2
#: Exit status for a file that is there but whose content cannot be used.
EXIT_DATA = 3

_PARQUET = (".parquet", ".pq")


class InputError(Exception):
    """A problem with the command's input, said in one line, with its exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def closest_names(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The names in ``candidates`` closest to ``name`` (case differences first).

    Examples
    --------
    >>> closest_names("customer", ["Customer ID", "date", "amount", "customer_id"])
    ['customer_id', 'Customer ID']
    """
    candidates = [str(c) for c in candidates]
    same_case = [c for c in candidates if c.lower() == name.lower()]
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    found = same_case + [lowered[c] for c in close if lowered[c] not in same_case]
    return found[:n]


def check_columns(
    frame: pd.DataFrame | Sequence[str],
    wanted: dict[str, str | None],
    source: str,
    advice: str = "",
) -> None:
    """Raise one :class:`InputError` (exit 2) naming every option whose column is missing.

    Parameters
    ----------
    frame
        The table read from ``source``, or its column names.
    wanted
        Option name (e.g. ``"--customer-col"``) -> the column it names (``None``: not used).
    source
        The file, for the message.
    advice
        Added to the message (e.g. ``"; name this file's columns with --customer-col"``).
    """
    columns = [str(c) for c in (frame.columns if isinstance(frame, pd.DataFrame) else frame)]
    problems = []
    for option, column in wanted.items():
        if column is None or column in columns:
            continue
        close = closest_names(column, columns)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        problems.append(f"{option} {column!r} is not a column of {source} ({hint}")
    if problems:
        listed = ", ".join(repr(c) for c in columns[:12]) + (", ..." if len(columns) > 12 else "")
        hint = ""
        if len(columns) == 1 and any(sep in columns[0] for sep in SEPARATORS):
            hint = "; the file was read as one column: name its separator with --sep"
        raise InputError(
            "; ".join(problems) + f"its columns are {listed}){hint}{advice}",
            exit_code=EXIT_USAGE,
        )


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError:
        raise InputError(
            f"{path}: reading Parquet needs pyarrow, which is not installed; "
            "install it (pip install pyarrow) or save the file as CSV",
            exit_code=EXIT_USAGE,
        ) from None


def read_log_file(
    path: str | Path,
    columns: Sequence[str] = (),
    sep: str | None = None,
    decimal: str | None = None,
) -> tuple[pd.DataFrame, Dialect | None]:
    """Read a CSV or Parquet file; return it and the CSV dialect used (None for Parquet).

    Parameters
    ----------
    path
        The file. ``.parquet`` and ``.pq`` are read as Parquet, anything else as CSV
        (compression is inferred from the suffix, e.g. ``.csv.gz``).
    columns
        The columns read as text: ids keep their leading zeros, dates and amounts are
        parsed later by the rules of :mod:`clvmodels.cli.columns`.
    sep, decimal
        The CSV separator and decimal mark; None: detected.

    Returns
    -------
    frame, dialect
        The table, with at least one row; a CSV file's rows are labelled by their
        line in the file (index named ``"line"``, the header is line 1; blank lines
        are skipped but counted), a Parquet file's from 1 (``"row"``).

    Raises
    ------
    InputError
        The file does not exist or is a folder (exit 2), cannot be parsed, or has
        no rows (exit 3).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", exit_code=EXIT_USAGE)
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file", exit_code=EXIT_USAGE)
    try:
        frame, dialect = _read(path, list(columns), sep, decimal)
    except PermissionError as error:
        raise InputError(f"{path}: cannot read it ({error.strerror})", EXIT_USAGE) from None
    if frame.empty:
        raise InputError(f"{path} has a header but no rows: there are no transactions")
    return frame, dialect


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame, or raise a one-line :class:`InputError`.

    :func:`read_log_file` without the dialect: ``columns`` are read as text.
    """
    return read_log_file(path, columns or ())[0]


def _read(
    path: Path, columns: list[str], sep: str | None, decimal: str | None
) -> tuple[pd.DataFrame, Dialect | None]:
    if path.suffix.lower() in _PARQUET:
        frame = _read_parquet(path)
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
        return frame, None
    dialect = sniff_dialect(path, sep, decimal)
    try:
        frame = pd.read_csv(
            path,
            sep=dialect.sep,
            decimal=dialect.decimal,
            dtype={c: str for c in columns},
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{path} is empty: no header and no rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise InputError(
            f"{path} cannot be read as CSV: {first} (read as {dialect.describe()})"
        ) from None
    frame.index = pd.RangeIndex(2, len(frame) + 2, name=FILE_LINE)
    return frame.dropna(how="all"), dialect


_GLOB = ("*", "?", "[")


def is_many_files(path: str) -> bool:
    """Whether ``path`` is a folder or a glob (read through DuckDB, not into memory)."""
    return any(c in path for c in _GLOB) or Path(path).is_dir()


def duckdb_source(path: str) -> str:
    """The glob DuckDB reads for ``path``: a glob as given, a folder's Parquet or CSV files.

    Raises
    ------
    InputError
        No file matches (exit 2), or the folder holds neither Parquet nor CSV files.
    """
    if Path(path).is_dir():
        for pattern in ("*.parquet", "*.pq", "*.csv", "*.csv.gz"):
            if glob.glob(str(Path(path) / pattern)):
                return str(Path(path) / pattern)
        raise InputError(
            f"{path}: a folder without Parquet (.parquet, .pq) or CSV (.csv, .csv.gz) files",
            exit_code=EXIT_USAGE,
        )
    if not glob.glob(path):
        raise InputError(f"{path}: no file matches", exit_code=EXIT_USAGE)
    return path


def _relation(source: str, datetime_col: str | None) -> object:
    try:
        from clvmodels.data.engines import duckdb_engine

        return duckdb_engine.relation(source, datetime_col)
    except ImportError as error:
        raise InputError(f"{source}: {error}", exit_code=EXIT_USAGE) from None
    except ValueError as error:  # not Parquet nor CSV
        raise InputError(str(error), exit_code=EXIT_USAGE) from None
    except Exception as error:  # duckdb.Error: unreadable files
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise InputError(f"{source} cannot be read: {first}") from None


def read_files(source: str) -> pd.DataFrame:
    """Every row of the files DuckDB reads for ``source`` (a glob of summaries, say)."""
    return _relation(source, None).df()


def log_columns(source: str, datetime_col: str | None) -> list[str]:
    """The column names of the files DuckDB reads for ``source`` (nothing else is read).

    Raises
    ------
    InputError
        DuckDB is not installed (exit 2) or cannot read the files (exit 3).
    """
    relation = _relation(source, datetime_col)
    return list(relation.columns)
