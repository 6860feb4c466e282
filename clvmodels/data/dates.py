"""Transaction dates and end dates: parsed once, refused when they cannot be right.

- Numbers are not dates. pandas reads ``19970101`` as 19,970,101 nanoseconds
  after 1970-01-01, and epoch seconds need a unit only the caller knows, so
  numeric date columns are refused with the conversion to use.
- Time-zone-aware dates are compared in UTC: each is converted to UTC and
  periods (days, weeks...) are UTC periods. Aware values in several zones or
  offsets (e.g. summer and winter time) are fine: each is an exact instant.
- Dates with a time zone mixed with dates without one are refused: the
  instant of a date without a zone is unknown.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from clvmodels.data.validation import Problems
from clvmodels.exceptions import DataValidationError

__all__ = ["parse_end", "parse_log_dates"]

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
        f"(rule '{column} is a datetime or a date string'); e.g. row {raw.index[position]!r}: "
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
) -> tuple[pd.Series | None, bool]:
    """Parse ``frame[column]`` into naive datetimes (UTC when the log has zones).

    Problems (numbers, unparseable or missing values, zones mixed with no
    zone) are recorded in ``problems``, naming the column and an example row.

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
        problems.add_rows(
            column,
            f"{column} is a parseable date",
            dates.isna().to_numpy() & raw.notna().to_numpy(),
            show,
        )
    problems.add_rows(column, f"{column} is not missing", raw.isna().to_numpy(), show)
    has_zone = getattr(dates.dtype, "tz", None) is not None
    if has_zone:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates, has_zone


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
