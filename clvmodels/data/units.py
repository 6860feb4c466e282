"""Time units of summaries and the periods of discount rates.

A summary states its unit in ``frame.attrs["time_unit"]`` (``"h"``, ``"D"``,
``"W"``, ``"M"``, ``"Q"`` or ``"Y"``). The conversion to days is written here once,
in the open, so that no formula hides a magic constant.

Hours (``"h"``, pandas' alias) are a unit to express times in, not a resolution to
count purchases at: purchases are counted per day at the finest (``freq``), so a
summary in hours has ``freq="D", time_unit="h"`` (recency and T are 24 x the days).

Units are case-sensitive pandas period aliases: ``"ms"`` is milliseconds in
pandas, not month start (``"MS"``), so it is refused rather than read as
months. Weeks may be anchored to the day they end on (``"W-MON"`` ...
``"W-SUN"``; ``"W"`` is ``"W-SUN"``): that matters only where purchases are
counted per calendar week (``freq``); a week is 7 days whatever its anchor.
"""

from __future__ import annotations

import pandas as pd

from clvmodels.exceptions import UnitMismatchError

__all__ = [
    "DAYS_PER_UNIT",
    "FREQ_ATTR",
    "TIME_UNIT_ATTR",
    "canonical_unit",
    "check_same_unit",
    "days_per_unit",
    "period_alias",
    "time_unit_of",
    "with_time_unit",
]

TIME_UNIT_ATTR = "time_unit"
#: Where a summary records the resolution its purchases were counted at.
FREQ_ATTR = "freq"

#: Length of one unit in days. Months, quarters and years use the mean
#: Gregorian year of 365.25 days; an hour is 1/24 day.
DAYS_PER_UNIT: dict[str, float] = {
    "h": 1.0 / 24.0,
    "D": 1.0,
    "W": 7.0,
    "M": 365.25 / 12.0,
    "Q": 365.25 / 4.0,
    "Y": 365.25,
}

_ALIASES = {"ME": "M", "MS": "M", "QE": "Q", "QS": "Q", "A": "Y", "YE": "Y", "YS": "Y"}
_WEEK_ENDS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_SUB_HOURLY = {"min", "T", "s", "S", "ms", "L", "us", "U", "ns", "N"}
_CHOICES = "'h', 'D', 'W' (or 'W-MON' ... 'W-SUN'), 'M', 'Q' or 'Y'"


def _unknown(unit: str, name: str) -> str:
    """The message for a unit string that is not supported, with the reason."""
    if unit in _SUB_HOURLY:
        reason = (
            f"pandas reads {unit!r} as a resolution finer than an hour "
            f"({'milliseconds' if unit == 'ms' else 'a sub-hourly unit'}); "
            "units are case-sensitive (month start is 'MS') and the finest supported unit "
            "is the hour ('h')"
        )
    elif unit == "H":
        reason = "units are case-sensitive; hours are 'h' (pandas' alias)"
    elif unit.upper() in DAYS_PER_UNIT or unit.upper() in _ALIASES:
        reason = f"units are case-sensitive; did you mean {unit.upper()!r}?"
    elif unit.split("-")[0] in {"W", "Q", "QE", "QS", "Y", "YE", "YS", "A", "M", "ME", "MS"}:
        reason = (
            "only weeks may be anchored (to the day they end on, 'W-MON' ... 'W-SUN'); "
            "quarters and years run with the calendar year"
        )
    else:
        reason = "not a supported unit"
    return f"unknown time unit {name}={unit!r}: {reason}; use one of {_CHOICES}, e.g. {name}='D'"


def canonical_unit(unit: str, name: str = "time unit") -> str:
    """Return the canonical unit of ``unit`` (``"W-MON"`` -> ``"W"``, ``"ME"`` -> ``"M"``).

    Parameters
    ----------
    unit
        A case-sensitive pandas period alias: ``"h"``, ``"D"``, ``"W"``, ``"W-MON"`` ...
        ``"W-SUN"``, ``"M"`` (``"ME"``, ``"MS"``), ``"Q"`` (``"QE"``, ``"QS"``)
        or ``"Y"`` (``"YE"``, ``"YS"``, ``"A"``).
    name
        How the argument is named in error messages (e.g. ``"freq"``).

    Raises
    ------
    ValueError
        For anything else, saying why (e.g. ``"ms"`` is milliseconds).
    """
    if not isinstance(unit, str) or not unit:
        raise ValueError(f"{name} must be a non-empty string such as 'D' or 'W', got {unit!r}")
    if unit.startswith("W-") and unit[2:] in _WEEK_ENDS:
        return "W"
    base = _ALIASES.get(unit, unit)
    if base not in DAYS_PER_UNIT:
        raise ValueError(_unknown(unit, name))
    return base


def period_alias(freq: str, name: str = "freq") -> str:
    """The pandas period alias that counts purchases per ``freq`` (anchor kept).

    ``"W-MON"`` stays ``"W-MON"`` (weeks ending on Monday), ``"W"`` is
    ``"W"`` (pandas: weeks ending on Sunday), ``"ME"`` becomes ``"M"``.

    Raises
    ------
    ValueError
        For ``"h"``: purchases are counted per day at the finest (times may still be
        expressed in hours, ``time_unit="h"``).
    """
    unit = canonical_unit(freq, name)
    if unit == "h":
        raise ValueError(
            f"{name}={freq!r}: purchases are counted per day at the finest; hours would be a "
            "resolution finer than a day. Count days and express the times in hours: "
            f"{name}='D', time_unit='h'"
        )
    return freq if unit == "W" and freq.startswith("W-") else unit


def days_per_unit(unit: str) -> float:
    """Length of one ``unit`` in days (see :data:`DAYS_PER_UNIT`)."""
    return DAYS_PER_UNIT[canonical_unit(unit)]


def time_unit_of(frame: pd.DataFrame, default: str | None = None) -> str | None:
    """The time unit a summary frame records, or ``default`` when it records none.

    The one reader of a summary's unit: models, valuations, checks and the ``clv``
    accessor (``summary.clv.time_unit``) all call it. The unit rides in
    ``attrs["time_unit"]``; :mod:`clvmodels.data.summary_frame` says which pandas
    operations keep it (all but a CSV round trip, for the summaries clvmodels returns).
    """
    unit = frame.attrs.get(TIME_UNIT_ATTR, default)
    return canonical_unit(unit, f"attrs[{TIME_UNIT_ATTR!r}]") if unit is not None else None


def check_same_unit(expected: str | None, got: str | None, what: str) -> None:
    """Raise :class:`UnitMismatchError` unless ``got`` is the ``expected`` unit.

    Parameters
    ----------
    expected
        The unit required (e.g. the unit a model was fitted in); ``None``
        means no requirement and accepts anything.
    got
        The unit ``what`` states; ``None`` means it states none (a summary
        whose ``attrs`` were lost, e.g. by ``to_csv``/``read_csv``). That is
        refused when a unit is expected: a weekly model given times in days
        would predict silently wrong numbers.
    what
        How the checked input is named in the message.
    """
    if expected is None:
        return
    expected = canonical_unit(expected)
    if got is None:
        raise UnitMismatchError(
            f"{what} states no time unit (attrs[{TIME_UNIT_ATTR!r}] is missing, as after "
            f"to_csv/read_csv) but {expected!r} is expected; if its recency and T are in "
            f"that unit, say so with clvmodels.data.with_time_unit(summary, {expected!r}), "
            "otherwise recompute the summary with that time_unit"
        )
    if expected != canonical_unit(got):
        raise UnitMismatchError(
            f"{what} is in time unit {got!r} but {expected!r} was expected; "
            "recompute the summary with the same time_unit or convert the horizon"
        )


def with_time_unit(summary: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """Return a copy of ``summary`` that states the unit of its recency and T.

    Use it on a summary that lost its ``attrs`` (read back from CSV or
    Parquet, built by hand or by another tool). It states the unit; it does
    not convert the values.

    Parameters
    ----------
    summary
        An RFM summary frame.
    time_unit
        The unit its times are in: ``"h"``, ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``.

    Returns
    -------
    RFMSummary
        A shallow copy (no data copied) with ``attrs["time_unit"]`` set, as an
        :class:`~clvmodels.data.summary_frame.RFMSummary` (its unit survives joins).

    Raises
    ------
    TypeError
        If ``summary`` is not a DataFrame.
    ValueError
        If ``time_unit`` is not a supported unit.
    UnitMismatchError
        If ``summary`` already records a different unit.

    Examples
    --------
    >>> import pandas as pd
    >>> bare = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]})
    >>> with_time_unit(bare, "W").attrs["time_unit"]
    'W'
    """
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"summary must be a pandas DataFrame, got {type(summary).__name__}")
    unit = canonical_unit(time_unit, "time_unit")
    recorded = summary.attrs.get(TIME_UNIT_ATTR)
    if recorded is not None and canonical_unit(recorded) != unit:
        raise UnitMismatchError(
            f"the summary already records time unit {recorded!r}; with_time_unit states a "
            f"unit, it does not convert: recompute the summary with time_unit={unit!r}"
        )
    from clvmodels.data.summary_frame import as_summary  # it builds on this module

    return as_summary(summary, **{TIME_UNIT_ATTR: unit})
