"""Time units of summaries and the periods of discount rates.

A summary states its unit in ``frame.attrs["time_unit"]`` (a pandas period
alias such as ``"D"``, ``"W"`` or ``"M"``). The conversion to days is written
here once, in the open, so that no formula hides a magic constant.
"""

from __future__ import annotations

import pandas as pd

from clvmodels.exceptions import UnitMismatchError

__all__ = ["DAYS_PER_UNIT", "TIME_UNIT_ATTR", "check_same_unit", "days_per_unit", "time_unit_of"]

TIME_UNIT_ATTR = "time_unit"

#: Length of one unit in days. Months, quarters and years use the mean
#: Gregorian year of 365.25 days.
DAYS_PER_UNIT: dict[str, float] = {
    "D": 1.0,
    "W": 7.0,
    "M": 365.25 / 12.0,
    "Q": 365.25 / 4.0,
    "Y": 365.25,
}

_ALIASES = {"ME": "M", "MS": "M", "QE": "Q", "QS": "Q", "A": "Y", "YE": "Y", "YS": "Y"}


def canonical_unit(unit: str) -> str:
    """Return the canonical alias of ``unit`` (``"W-SUN"`` -> ``"W"``, ``"ME"`` -> ``"M"``)."""
    if not isinstance(unit, str) or not unit:
        raise ValueError(f"a time unit must be a non-empty string such as 'D' or 'W', got {unit!r}")
    base = unit.upper().split("-")[0]
    base = _ALIASES.get(base, base)
    if base not in DAYS_PER_UNIT:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {sorted(DAYS_PER_UNIT)}")
    return base


def days_per_unit(unit: str) -> float:
    """Length of one ``unit`` in days (see :data:`DAYS_PER_UNIT`)."""
    return DAYS_PER_UNIT[canonical_unit(unit)]


def time_unit_of(frame: pd.DataFrame, default: str | None = None) -> str | None:
    """The time unit a summary frame records, or ``default`` when it records none."""
    unit = frame.attrs.get(TIME_UNIT_ATTR, default)
    return canonical_unit(unit) if unit is not None else None


def check_same_unit(expected: str | None, got: str | None, what: str) -> None:
    """Raise :class:`UnitMismatchError` when two stated units differ.

    ``None`` means "not stated" and matches anything.
    """
    if expected is None or got is None:
        return
    if canonical_unit(expected) != canonical_unit(got):
        raise UnitMismatchError(
            f"{what} is in time unit {got!r} but {expected!r} was expected; "
            "recompute the summary with the same freq or convert the horizon"
        )
