"""Transaction dates and end dates: parsed once, refused when they cannot be right.

- Numbers are not dates. pandas reads ``19970101`` as 19,970,101 nanoseconds
  after 1970-01-01, and epoch seconds need a unit only the caller knows, so
  numeric date columns are refused with the conversion to use.
- Time-zone-aware dates are compared in UTC: each is converted to UTC and
  periods (days, weeks...) are UTC periods. Aware values in several zones or
  offsets (e.g. summer and winter time) are fine: each is an exact instant.
- Dates with a time zone mixed with dates without one are refused: the
  instant of a date without a zone is unknown.
- Day and month are never guessed. Text dates that read both day first and
  month first, to different days (``09/10/2005``: 9 October or 10 September,
  and no value such as ``13/10/2005`` settles it), are refused without a
  ``datetime_format``; ISO 8601 (``2005-10-09``) is always read as such.
  :func:`parse_date_column` parses a log's date column once, by these rules,
  for every later step (the command line reads its files through it).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from clvmodels.data.validation import Problems, row_label
from clvmodels.exceptions import DataValidationError

__all__ = [
    "AmbiguousDates",
    "ambiguity_message",
    "day_month_ambiguity",
    "parse_date_column",
    "parse_end",
    "parse_log_dates",
    "readable_format",
]


class AmbiguousDates(NamedTuple):
    """Text dates that read both day first and month first, to different days."""

    #: Up to two values that the two readings put on different days.
    examples: tuple[str, ...]
    #: strftime layouts of the two readings (None where pandas cannot name one).
    day_first: str | None
    month_first: str | None


def _quietly(parse, *args, **kwargs):
    """A pandas date parse without its format-inference warnings (the caller decides)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return parse(*args, **kwargs)


def _is_iso(value: str) -> bool:
    try:
        parsed = _quietly(pd.to_datetime, value, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):
        return False
    return parsed is not pd.NaT


def _distinct_text(values: pd.Series | list) -> tuple[pd.Series, str | None]:
    """The distinct non-missing values, and the first of them that is not ISO 8601.

    None instead of that value when the values are not text, or when the first 50
    distinct values are all ISO 8601 (pandas infers one layout from the first value).
    """
    values = pd.Series(values).dropna()
    if values.empty or not isinstance(values.iloc[0], str):
        return values.iloc[:0], None
    distinct = values.drop_duplicates()
    head = distinct.iloc[:50]
    first = next((v for v in head if isinstance(v, str) and not _is_iso(v)), None)
    return distinct, first


def _read_with(values: pd.Series, layout: str) -> pd.Series | None:
    """``values`` read with one layout; None when one of them does not fit it."""
    try:
        parsed = _quietly(pd.to_datetime, values, format=layout, errors="coerce")
    except (ValueError, TypeError):
        return None
    return None if parsed.isna().any() else parsed


def _both_readings(values: pd.Series, day_first: str, month_first: str) -> np.ndarray | None:
    """Where the two layouts read ``values`` to different days; None if one does not fit.

    The values are reduced to their distinct days first: a date and time such as
    ``09/10/2005 14:30`` has its day/month question in its date part.
    """
    values = values.drop_duplicates()
    if " " in day_first and " " in month_first and len(values) > _FEW:
        values = values.astype(str).str.partition(" ")[0].drop_duplicates()
        day_first, month_first = day_first.split(" ")[0], month_first.split(" ")[0]
    by_day = _read_with(values, day_first)
    by_month = None if by_day is None else _read_with(values, month_first)
    if by_month is None:
        return None
    differ = (by_day != by_month).to_numpy()
    return values[differ]


#: Rows looked at first: a value that fits one layout only is almost always among them.
_FEW = 10_000


def day_month_ambiguity(values: pd.Series | list) -> AmbiguousDates | None:
    """Whether text ``values`` read both day first and month first, to different days.

    The two layouts are those pandas infers, day first and month first, from the first
    value that is not ISO 8601 (ISO values are never read day first). The values are
    ambiguous when every one of them reads with both layouts and at least one gives two
    different days; one value such as ``13/10/2005`` that fits only one layout settles it.

    Examples
    --------
    >>> day_month_ambiguity(["09/10/2005", "01/01/2005"]).examples
    ('09/10/2005',)
    >>> day_month_ambiguity(["09/10/2005", "13/10/2005"]) is None
    True
    """
    values = pd.Series(values).dropna()
    head, first = _distinct_text(values.iloc[:_FEW])
    if first is None:
        return None
    day_first = _quietly(guess_datetime_format, first, dayfirst=True)
    month_first = _quietly(guess_datetime_format, first, dayfirst=False)
    if not day_first or not month_first or day_first == month_first:
        return None
    # The first rows settle most logs; all of them are read only when those do not.
    if _both_readings(head, day_first, month_first) is None:
        return None
    differ = _both_readings(values, day_first, month_first)
    if differ is None or differ.empty:
        return None
    return AmbiguousDates(tuple(str(v) for v in differ.iloc[:2]), day_first, month_first)


def _with_format(option: str, layout: str) -> str:
    """``--date-format %d/%m/%Y`` for an option, ``datetime_format='%d/%m/%Y'`` otherwise."""
    return f"{option} {layout}" if option.startswith("-") else f"{option}={layout!r}"


def _as_words(stamp: pd.Timestamp) -> str:
    return f"{stamp.day} {stamp:%B %Y}"


def ambiguity_message(column: str, found: AmbiguousDates, option: str) -> str:
    """What to say about ambiguous dates of ``column``, naming ``option`` that settles it."""
    first = found.examples[0]
    day = _quietly(pd.Timestamp, _quietly(pd.to_datetime, first, dayfirst=True))
    month = _quietly(pd.Timestamp, _quietly(pd.to_datetime, first, dayfirst=False))
    shown = " and ".join(repr(v) for v in found.examples)
    layouts = [
        f"{_with_format(option, layout)} ({which})"
        for layout, which in ((found.day_first, "day first"), (found.month_first, "month first"))
        if layout
    ]
    settle = " or ".join(layouts) if layouts else f"{option} with the dates' layout"
    return (
        f"column '{column}': its dates read both day first and month first, e.g. {shown} "
        f"({first!r} is {_as_words(day)} or {_as_words(month)}), and no value settles which; "
        f"dates are not guessed: give {settle}"
    )


def readable_format(values: pd.Series | list) -> str | None:
    """A strftime layout that reads every value of ``values`` (None if none found).

    Tried: the layouts pandas infers, month first and day first, from the first
    value that is not ISO 8601.

    Examples
    --------
    >>> readable_format(["13/10/2005", "09/10/2005"])
    '%d/%m/%Y'
    """
    distinct, first = _distinct_text(values)
    if first is None:
        return None
    layouts = {
        _quietly(guess_datetime_format, first),
        _quietly(guess_datetime_format, first, dayfirst=True),
    }
    for layout in sorted(layout for layout in layouts if layout):
        if _read_with(distinct, layout) is not None:
            return layout
    return None


_NUMERIC_KINDS = {"integer", "floating", "mixed-integer", "mixed-integer-float", "decimal"}


def _has_zone(value: object) -> bool | None:
    """Whether one date value carries a time zone (None: not a date)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if stamp is pd.NaT else stamp.tzinfo is not None


def _fill_with_iso(dates: pd.Series, raw: pd.Series, utc: bool) -> pd.Series:
    """Parse the dates pandas' inferred format missed as ISO 8601 (e.g. a time of day).

    pandas infers one format from the first value, so ``"2024-01-04 18:30"``
    after ``"2024-01-01"`` would not parse.
    """
    try:
        iso = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=utc)
    except ValueError:
        return dates
    if utc and getattr(dates.dtype, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC")
    if (getattr(dates.dtype, "tz", None) is None) != (getattr(iso.dtype, "tz", None) is None):
        return dates
    return dates.where(dates.notna(), iso)


def _numbers_message(column: str, raw: pd.Series, mask: np.ndarray) -> str:
    position = int(np.flatnonzero(mask)[0])
    example = raw.iloc[position]
    example = example.item() if isinstance(example, np.generic) else example
    return (
        f"column '{column}': {int(mask.sum())} of {len(raw)} rows hold numbers, not dates "
        f"(rule '{column} is a datetime or a date string'); e.g. "
        f"{row_label(raw.index, position)}: "
        f"{column}={example!r}. Numbers are not read as dates (pandas would count them as "
        f"nanoseconds since 1970). Convert first, e.g. "
        f"pd.to_datetime(df['{column}'].astype(str), format='%Y%m%d') for 19970101-style days "
        f"or pd.to_datetime(df['{column}'], unit='s') for epoch seconds"
    )


def parse_log_dates(
    frame: pd.DataFrame,
    column: str,
    datetime_format: str | None,
    problems: Problems,
    show: list[str],
    format_option: str = "datetime_format",
) -> tuple[pd.Series | None, bool]:
    """Parse ``frame[column]`` into naive datetimes (UTC when the log has zones).

    Problems (numbers, unparseable or missing values, zones mixed with no
    zone, dates that read both day first and month first) are recorded in
    ``problems``, naming the column and an example row; ``format_option`` is how
    the messages name the format argument (``"--date-format"`` on the command line).

    Returns
    -------
    dates, has_zone
        The parsed dates (None when the column cannot be used at all) and
        whether the log's dates carried a time zone.
    """
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    elif pd.api.types.is_numeric_dtype(raw):
        problems.add(_numbers_message(column, raw, np.ones(len(raw), dtype=bool)))
        return None, False
    else:
        if pd.api.types.infer_dtype(raw, skipna=True) in _NUMERIC_KINDS:
            numbers = raw.map(
                lambda v: isinstance(v, int | float | np.number) and not pd.isna(v)
            ).to_numpy(dtype=bool)
            problems.add(_numbers_message(column, raw, numbers))
            return None, False
        ambiguous = None if datetime_format else day_month_ambiguity(raw)
        if ambiguous is not None:
            problems.add(ambiguity_message(column, ambiguous, format_option))
            return None, False
        try:
            dates = pd.to_datetime(raw, format=datetime_format, errors="coerce")
            several_zones = False
        except ValueError:  # pandas refuses several zones, or zones mixed with none
            dates, several_zones = None, True
        if several_zones or (dates.isna() & raw.notna()).any():
            zoned = raw.map(_has_zone)
            with_zone = (zoned == True).to_numpy()  # noqa: E712 (None means not a date)
            without_zone = (zoned == False).to_numpy()  # noqa: E712
            if with_zone.any() and without_zone.any():
                minority = without_zone if without_zone.sum() <= with_zone.sum() else with_zone
                problems.add_rows(
                    column,
                    f"{column} values all have a time zone or none has (mixed time zones)",
                    minority,
                    show,
                )
                return None, False
            if several_zones:
                dates = pd.to_datetime(raw, format=datetime_format, errors="coerce", utc=True)
            if datetime_format is None:
                dates = _fill_with_iso(dates, raw, utc=bool(with_zone.any()))
        unparsed = dates.isna().to_numpy() & raw.notna().to_numpy()
        problems.add_rows(column, f"{column} is a parseable date", unparsed, show)
        if unparsed.any():
            problems.add(_format_hint(column, raw, datetime_format, format_option))
    problems.add_rows(column, f"{column} is not missing", raw.isna().to_numpy(), show)
    has_zone = getattr(dates.dtype, "tz", None) is not None
    if has_zone:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates, has_zone


def _format_hint(column: str, raw: pd.Series, datetime_format: str | None, option: str) -> str:
    """What to do about dates that did not parse: the layout that reads them all, if any."""
    layout = readable_format(raw)
    if layout is not None and layout != datetime_format:
        return f"column '{column}': all its dates read as {layout}: give " + _with_format(
            option, layout
        )
    if datetime_format is not None:
        return (
            f"column '{column}': check {_with_format(option, datetime_format)} against the "
            "example (strftime codes: %d day, %m month, %Y year, %H:%M time)"
        )
    return (
        f"column '{column}': give the dates' layout in strftime codes, e.g. "
        f"{_with_format(option, '%d/%m/%Y')}, or write them as YYYY-MM-DD"
    )


def parse_date_column(
    frame: pd.DataFrame,
    column: str,
    datetime_format: str | None = None,
    *,
    what: str = "transactions",
    format_option: str = "datetime_format",
) -> pd.DataFrame:
    """``frame`` with ``column`` parsed into datetimes, once, by the rules of this module.

    Every later step (summary, calibration/holdout split, backtest, scoring) reads the
    parsed dates as they are, so the format is applied in one place.

    Parameters
    ----------
    frame
        A transaction log.
    column
        Its date column.
    datetime_format
        strftime layout of text dates; None: ISO 8601 or a layout pandas infers,
        refused when day and month could be either way round.
    what, format_option
        How messages name the frame and the format argument.

    Returns
    -------
    pandas.DataFrame
        A shallow copy of ``frame`` whose ``column`` holds naive datetimes, or UTC
        datetimes when the values carried time zones.

    Raises
    ------
    DataValidationError
        Naming the column, the rule, an example row and the layout to give.
    """
    problems = Problems(frame, what)
    dates, has_zone = parse_log_dates(
        frame, column, datetime_format, problems, [column], format_option
    )
    problems.raise_if_any()
    out = frame.copy(deep=False)
    out[column] = dates.dt.tz_localize("UTC") if has_zone else dates
    return out


def parse_end(value: object, name: str, log_has_zone: bool) -> pd.Timestamp:
    """Parse an end date (``observation_period_end``...) to compare with the log's dates.

    A date without a zone is read in the log's frame (UTC for a log with
    zones); one with a zone is converted to UTC and needs a log with zones.
    """
    if isinstance(value, bool | int | float | np.number):
        raise DataValidationError(
            f"{name}={value!r} is a number, not a date; give a date such as '1997-09-30'"
        )
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise DataValidationError(f"{name}={value!r} is not a date: {err}") from err
    if stamp is pd.NaT:
        raise DataValidationError(f"{name} must be a date, got {value!r}")
    if stamp.tzinfo is not None:
        if not log_has_zone:
            raise DataValidationError(
                f"{name}={value!r} has a time zone but the log's dates have none (mixed time "
                f"zones); give {name} without a zone, e.g. '{stamp.date()}'"
            )
        stamp = stamp.tz_convert(dt.UTC).tz_localize(None)
    return stamp
