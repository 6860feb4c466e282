"""How a CSV file is written: its separator and its decimal mark, given or detected.

Spreadsheets export CSV files in the conventions of their locale: ``,`` with a
decimal point in English, ``;`` with a decimal comma (``1.234,50``) in much of
Europe, tabs or ``|`` elsewhere. :func:`sniff_dialect` reads the first 64 KiB of
the file and chooses

- the separator among ``,`` ``;`` tab ``|`` that splits the header into more than
  one column and every line of the sample into the same number of fields (``,``
  first when several do);
- a decimal comma when some column holds only numbers written with one
  (``12,5``, ``1.234,50``, but not ``1,234``, which could be either) and no column
  holds a number with a decimal point (``12.5``); a decimal point otherwise.

``--sep`` and ``--decimal`` override either; :meth:`Dialect.describe` says which
was used.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SEPARATORS", "Dialect", "sniff_dialect"]

#: Separators detected, in order of preference, and how they are named.
SEPARATORS = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
_SAMPLE_BYTES = 64 * 1024
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: Numbers with a decimal comma that cannot be read another way (not 1,234).
_DECIMAL_COMMA = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),(\d{1,2}|\d{4,})$")
#: Numbers a decimal-comma file may hold: 12, 12,5, 1.234, 1.234,50.
_COMMA_NUMBER = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
#: Numbers with a decimal point that cannot be thousands (12.5, 0.25, 3.14159).
_DECIMAL_POINT = re.compile(r"^[-+]?\d*\.(\d{1,2}|\d{4,})$")


@dataclass(frozen=True)
class Dialect:
    """The separator and decimal mark a CSV file is read with, and which were detected."""

    sep: str = ","
    decimal: str = "."
    sep_detected: bool = False
    decimal_detected: bool = False

    @property
    def is_plain(self) -> bool:
        """Comma-separated with a decimal point: nothing to say about it."""
        return self.sep == "," and self.decimal == "."

    def describe(self) -> str:
        """E.g. ``';'-separated, decimal comma (both detected; --sep, --decimal to change)``."""
        mark = "decimal comma" if self.decimal == "," else "decimal point"
        sep = SEPARATORS.get(self.sep, repr(self.sep))
        detected = [
            name
            for name, flag in (("--sep", self.sep_detected), ("--decimal", self.decimal_detected))
            if flag
        ]
        how = "as given"
        if len(detected) == 2:
            how = "both detected; --sep and --decimal to change"
        elif detected:
            how = f"{'separator' if detected[0] == '--sep' else 'decimal mark'} detected; "
            how += f"{detected[0]} to change"
        return f"{sep}-separated, {mark} ({how})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``sep``, ``decimal`` and ``detected`` (the names of those detected)."""
        detected = [
            n for n, f in (("sep", self.sep_detected), ("decimal", self.decimal_detected)) if f
        ]
        return {"sep": self.sep, "decimal": self.decimal, "detected": detected}


def _sample(path: Path) -> str:
    """The first 64 KiB of the file as text, cut at the last whole line ('' if unreadable)."""
    opener = _OPENERS.get(path.suffix.lower())
    try:
        if opener is not None:
            with opener(path, "rb") as handle:
                raw = handle.read(_SAMPLE_BYTES)
        elif path.suffix.lower() in (".zip", ".zst", ".tar"):
            return ""
        else:
            with open(path, "rb") as handle:
                raw = handle.read(_SAMPLE_BYTES)
    except (OSError, EOFError, lzma.LZMAError):
        return ""
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    if len(raw) == _SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]
    return text


def _rows(text: str, sep: str) -> list[list[str]]:
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=sep) if row]
    except csv.Error:
        return []


def _separator(text: str) -> str | None:
    """The separator that splits every sampled line into the same number (> 1) of fields."""
    best, best_fields = None, 1
    for sep in SEPARATORS:
        rows = _rows(text, sep)
        if not rows:
            continue
        fields = {len(row) for row in rows}
        if len(fields) == 1 and (n := fields.pop()) > best_fields:
            best, best_fields = sep, n
    return best


def _decimal(rows: list[list[str]], skip: set[str]) -> str | None:
    """``","`` when a column is all decimal-comma numbers and none has a decimal point."""
    if len(rows) < 2:
        return None
    header, body = rows[0], rows[1:]
    comma_column = False
    for i, name in enumerate(header):
        if name in skip:
            continue
        values = [row[i].strip() for row in body if i < len(row) and row[i].strip()]
        if any(_DECIMAL_POINT.match(v) for v in values):
            return None
        if values and all(_COMMA_NUMBER.match(v) for v in values):
            comma_column = comma_column or any(_DECIMAL_COMMA.match(v) for v in values)
    return "," if comma_column else None


def sniff_dialect(
    path: str | Path,
    sep: str | None = None,
    decimal: str | None = None,
    text_columns: tuple[str, ...] = (),
) -> Dialect:
    r"""The separator and decimal mark of the CSV file at ``path``: as given, else detected.

    Parameters
    ----------
    path
        The file (``.gz``, ``.bz2`` and ``.xz`` are read through their compression;
        other compressed files are read as comma-separated with a decimal point).
    sep, decimal
        Given by the user (``--sep``, ``--decimal``); None: detect.
    text_columns
        Columns whose values are not numbers (ids, dates), left out of the decimal test.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "sales.csv"
    >>> _ = file.write_text("id;day;amount\n1;09.10.2005;1.234,50\n2;10.10.2005;3,5\n")
    >>> sniff_dialect(file, text_columns=("id", "day")).describe()
    "';'-separated, decimal comma (both detected; --sep and --decimal to change)"
    >>> import shutil; shutil.rmtree(file.parent)
    """
    text = _sample(Path(path)) if sep is None or decimal is None else ""
    found_sep = _separator(text) if sep is None else None
    used_sep = sep or found_sep or ","
    found_decimal = None
    if decimal is None:
        found_decimal = _decimal(_rows(text, used_sep), set(text_columns))
    return Dialect(
        sep=used_sep,
        decimal=decimal or found_decimal or ".",
        sep_detected=sep is None and found_sep is not None,
        decimal_detected=decimal is None and found_decimal is not None,
    )
