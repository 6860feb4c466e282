"""The log's id, date and amount columns, made ready once for every later step.

- Customer ids are text unless ``--id-type number``: ``02`` and ``2`` are then two
  customers, as written. Ids that differ only in how a number is written (``2``,
  ``2.0``, ``02``) are kept apart but named in a warning (:func:`id_collisions`), which
  says how to read them as one customer.
- Dates are parsed once (:func:`clvmodels.data.dates.parse_date_column`, with
  ``--date-format``): the summary, the holdout split, the backtest and the score all
  read the same parsed dates. Day and month are never guessed.
- Amounts are read as text and turned into numbers here, with the file's decimal
  mark (``1.234,50`` with ``--decimal ,``); a value that is not a number (``$12.50``)
  is an error that shows it and says what to do.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from clvmodels.cli.inputs import InputError
from clvmodels.data.dates import parse_date_column
from clvmodels.data.validation import row_label

__all__ = ["amounts_as_numbers", "id_collisions", "ids_as_numbers", "parsed_dates", "prepare_log"]

#: A number with a decimal comma whose thousands are grouped by points: 1.234,50.
_GROUPED = r"^[-+]?\d{1,3}(\.\d{3})+(,\d*)?$"
_CURRENCY = re.compile(r"[$€£¥₹]|\b[A-Z]{3}\b")
_COMMA_DECIMAL = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})*|\d+),\d+$")
_COMMA_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def id_collisions(ids: pd.Series, limit: int = 3) -> tuple[list[list[str]], int]:
    """Groups of text ids that are the same number written differently, and how many.

    Examples
    --------
    >>> id_collisions(pd.Series(["2", "2.0", "7", "07", "A1", "3"]))
    ([['2', '2.0'], ['07', '7']], 2)
    """
    distinct = pd.Series(ids.dropna().unique())
    distinct = distinct[distinct.map(lambda v: isinstance(v, str))].astype(object)
    if distinct.empty:
        return [], 0
    numbers = pd.to_numeric(distinct, errors="coerce")
    numeric = numbers.notna().to_numpy()
    groups = (
        pd.DataFrame({"id": distinct[numeric].to_numpy(), "number": numbers[numeric].to_numpy()})
        .groupby("number", sort=True)["id"]
        .agg(lambda g: sorted(g))
    )
    groups = groups[groups.map(len) > 1]
    return [list(g) for g in groups.iloc[:limit]], len(groups)


def ids_as_numbers(ids: pd.Series, option: str) -> pd.Series:
    """``--id-type number``: the ids as numbers (whole ones as integers), or an error."""
    if pd.api.types.is_numeric_dtype(ids):
        return ids
    numbers = pd.to_numeric(ids, errors="coerce")
    bad = (numbers.isna() & ids.notna()).to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"--id-type number: {int(bad.sum())} of {len(ids)} ids in {option} {ids.name!r} "
            f"are not numbers, e.g. {row_label(ids.index, position)}: {ids.iloc[position]!r}; "
            "read them as text (--id-type text, the default)"
        )
    whole = numbers.dropna()
    if len(whole) and bool((whole == np.floor(whole)).all()) and whole.abs().max() < 2**53:
        return numbers.astype("Int64") if numbers.isna().any() else numbers.astype(np.int64)
    return numbers


def _amount_fix(example: str, decimal: str) -> str:
    if _CURRENCY.search(example):
        return "write the amounts as plain numbers, without a currency sign (e.g. 12.50)"
    if decimal == "." and _COMMA_DECIMAL.match(example) and not _COMMA_THOUSANDS.match(example):
        return "the amounts have a decimal comma: give --decimal ,"
    if decimal == "." and _COMMA_THOUSANDS.match(example):
        return "write the amounts without thousands separators (e.g. 1234.50)"
    if decimal == "," and re.match(r"^[-+]?\d*\.\d+$", example):
        return "the amounts have a decimal point: give --decimal ."
    return "write the amounts as plain numbers (e.g. 12.50)"


def amounts_as_numbers(values: pd.Series, decimal: str, option: str = "--amount-col") -> pd.Series:
    """Text amounts as float numbers, read with the file's decimal mark.

    With a decimal comma, ``.`` groups thousands (``1.234,50`` is 1234.5). Empty
    values stay missing (the summary names them).

    Raises
    ------
    InputError
        When a value is not a number: how many, the first one and its line, the fix.

    Examples
    --------
    >>> amounts_as_numbers(pd.Series(["1.234,50", "3", "0,5"], name="amount"), ",").tolist()
    [1234.5, 3.0, 0.5]
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values
    text = values.astype(object).str.strip()
    if decimal == ",":
        grouped = text.str.match(_GROUPED).fillna(False).to_numpy(dtype=bool)
        text = text.where(~grouped, text.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
    text = text.where(text != "")
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (numbers.isna() & text.notna()).to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        example = str(values.iloc[position]).strip()
        raise InputError(
            f"{option} {values.name!r}: {int(bad.sum())} of {len(values)} values are not "
            f"numbers, e.g. {row_label(values.index, position)}: {example!r}; "
            f"{_amount_fix(example, decimal)}"
        )
    return numbers.astype(np.float64)


def parsed_dates(log: pd.DataFrame, date_col: str, date_format: str | None) -> pd.DataFrame:
    """The log with its date column parsed once with ``--date-format`` (as it is if done).

    See :func:`clvmodels.data.dates.parse_date_column`; every later step reads these dates.
    """
    if pd.api.types.is_datetime64_any_dtype(log[date_col]):
        return log
    return parse_date_column(log, date_col, date_format, format_option="--date-format")


def prepare_log(
    frame: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    *,
    date_format: str | None,
    decimal: str,
    id_type: str,
    source: str,
) -> tuple[pd.DataFrame, list[str]]:
    """The log with ids as ``--id-type`` says, dates parsed once and amounts as numbers.

    Returns
    -------
    log, warnings
        A shallow copy of ``frame``, and warnings in words (ids that collide).

    Raises
    ------
    InputError, clvmodels.exceptions.DataValidationError
        An amount that is not a number, an id that is not one with ``--id-type
        number``; dates that do not parse or read both day and month first.
    """
    log = frame.copy(deep=False)
    warnings: list[str] = []
    if id_type == "number":
        log[customer_col] = ids_as_numbers(log[customer_col], "--customer-col")
    else:
        groups, n_groups = id_collisions(log[customer_col])
        if n_groups:
            shown = ", ".join(" and ".join(repr(i) for i in group) for group in groups)
            more = f" and {n_groups - len(groups)} more" if n_groups > len(groups) else ""
            warnings.append(
                f"{source}: {n_groups} customer id(s) are written as different numbers "
                f"({shown}{more}); they are kept apart as text, so each counts as another "
                "customer. If they are one customer, give --id-type number"
            )
    if amount_col is not None:
        log[amount_col] = amounts_as_numbers(log[amount_col], decimal)
    log = parse_date_column(log, date_col, date_format, what=source, format_option="--date-format")
    return log, warnings
