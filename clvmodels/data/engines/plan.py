"""What every SQL engine does around the shared SQL: checks, end days, output frames.

An engine (DuckDB, Spark) only knows how to expose the user's log as the
``clv_log`` view of :mod:`.spec` and how to run a query; this module runs the
rules of :mod:`clvmodels.data.summary` with it, in the same order and with
the same messages, so the engines cannot differ in anything but the SQL
dialect of that view.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import pandas as pd

from clvmodels.data.dates import parse_end
from clvmodels.data.engines import spec
from clvmodels.exceptions import DataValidationError

__all__ = [
    "Engine",
    "LogChecks",
    "as_summary_frame",
    "check_log",
    "end_of",
    "example",
    "holdout_plan",
    "periods_for",
    "summary_plan",
]

_EPOCH = dt.date(1970, 1, 1)


class Engine(Protocol):
    """An engine holding a transaction log exposed as the ``clv_log`` view."""

    #: Whether the log's dates carried a time zone (compared in UTC).
    has_zone: bool
    #: The user's column names, for messages.
    shown: list[str]

    def fetch(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` over the ``clv_log`` view and return the result in pandas.

        Besides :data:`.spec.LOG_COLUMNS` the view holds the user's columns
        ``shown`` as ``shown_0``, ``shown_1``... (for messages).
        """


def example(engine: Engine, condition: str) -> dict[str, Any] | None:
    """The user's columns of one row of the log whose ``clv_log`` row meets ``condition``."""
    columns = ", ".join(f"shown_{i}" for i in range(len(engine.shown)))
    rows = engine.fetch(f"SELECT {columns} FROM {spec.LOG_VIEW} WHERE {condition} LIMIT 1")
    if rows.empty:
        return None
    return {name: _plain(value) for name, value in zip(engine.shown, rows.iloc[0], strict=True)}


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    return value.item() if hasattr(value, "item") else value


class LogChecks:
    """Counts from one pass over the log (see :func:`.spec.checks_sql`)."""

    def __init__(self, row: pd.Series) -> None:
        self.n_rows = int(row["n_rows"])
        self.counts = {name: int(row[name]) for name in _RULES}
        self.first_day = None if pd.isna(row["first_day"]) else int(row["first_day"])
        self.last_day = None if pd.isna(row["last_day"]) else int(row["last_day"])


#: Rule -> (column role, rule text, condition on clv_log), in the order pandas reports them.
_RULES = {
    "missing_id": ("id", "{id} is not missing", "cid IS NULL"),
    "unparseable_date": ("date", "{date} is a parseable date", "day IS NULL AND NOT date_missing"),
    "missing_date": ("date", "{date} is not missing", "date_missing"),
    "spend_not_finite": ("spend", "{spend} is finite (no NaN or inf)", None),
    "spend_negative": (
        "spend",
        "{spend} >= 0 (net refunds out before summarising)",
        "spend < 0",
    ),
}


def check_log(engine: Engine, finite: str, names: dict[str, str | None]) -> LogChecks:
    """Count every rule violation in one pass, then raise once naming them all.

    Parameters
    ----------
    engine
        The engine holding the log.
    finite
        The engine's SQL predicate for a finite double (see :func:`.spec.checks_sql`).
    names
        The user's column names under the roles ``id``, ``date`` and ``spend``
        (``None`` without a spend column).
    """
    checks = LogChecks(engine.fetch(spec.checks_sql(finite)).iloc[0])
    if checks.n_rows == 0:
        raise DataValidationError("invalid transactions: the log has no rows")
    messages = []
    for name, (role, rule, condition) in _RULES.items():
        n_bad = checks.counts[name]
        if n_bad == 0 or (role == "spend" and names["spend"] is None):
            continue
        if condition is None:
            condition = f"spend IS NULL OR NOT ({finite.format(x='spend')})"
        row = example(engine, condition)
        shown = ", ".join(f"{c}={v!r}" for c, v in (row or {}).items())
        messages.append(
            f"column '{names[role]}': {n_bad} of {checks.n_rows} rows break the rule "
            f"'{rule.format(**names)}'; e.g. {shown}"
        )
    if messages:
        lines = "\n  - ".join(messages)
        raise DataValidationError(f"invalid transactions:\n  - {lines}")
    return checks


def day_number(day: dt.date) -> int:
    """Whole days from 1970-01-01 to ``day``."""
    return (day - _EPOCH).days


def end_of(
    value: object, name: str, default_day: int | None, has_zone: bool
) -> tuple[dt.date, int]:
    """An end date as a calendar day and its day number (``value=None``: ``default_day``)."""
    if value is None:
        day = _EPOCH + dt.timedelta(days=default_day)
    else:
        day = parse_end(value, name, has_zone).date()
    return day, day_number(day)


def periods_for(alias: str, day: dt.date, num: float, den: float) -> spec.Periods:
    """The :class:`.spec.Periods` of a summary ending on ``day``."""
    return spec.Periods(alias, day_number(day), day.year, day.month, num, den)


def summary_plan(
    engine: Engine,
    finite: str,
    names: dict[str, str | None],
    observation_period_end: object,
    alias: str,
    unit: str,
    num: float,
    den: float,
) -> tuple[str, dict[str, object]]:
    """Check the log, then return the summary SQL and the ``attrs`` of the result."""
    checks = check_log(engine, finite, names)
    end, end_day = end_of(
        observation_period_end, "observation_period_end", checks.last_day, engine.has_zone
    )
    n_after = 0
    if checks.last_day > end_day:
        n_after = int(
            engine.fetch(f"SELECT COUNT(*) AS n FROM {spec.LOG_VIEW} WHERE day > {end_day}")
            .iloc[0]
            .iloc[0]
        )
        if n_after == checks.n_rows:
            raise DataValidationError(
                f"no transaction on or before observation_period_end {end}: "
                f"all {n_after} rows of column '{names['date']}' are later "
                f"(first: {_EPOCH + dt.timedelta(days=checks.first_day)})"
            )
    attrs: dict[str, object] = {
        "time_unit": unit,
        "freq": alias,
        "observation_period_end": str(end),
        "transactions_after_end": n_after,
    }
    if engine.has_zone:
        attrs["time_zone"] = "UTC"
    return spec.summary_sql(periods_for(alias, end, num, den)), attrs


def holdout_plan(
    engine: Engine,
    finite: str,
    names: dict[str, str | None],
    calibration_period_end: object,
    observation_period_end: object,
    alias: str,
    unit: str,
    num: float,
    den: float,
) -> tuple[str, float, dict[str, object]]:
    """Check the log; return the split's SQL, ``duration_holdout`` and ``attrs``."""
    sql, attrs = summary_plan(engine, finite, names, observation_period_end, alias, unit, num, den)
    end = dt.date.fromisoformat(str(attrs["observation_period_end"]))
    cal_end, cal_end_day = end_of(
        calibration_period_end, "calibration_period_end", None, engine.has_zone
    )
    if cal_end >= end:
        raise DataValidationError(
            f"calibration_period_end ({cal_end}) must be before observation_period_end ({end})"
        )
    first = engine.fetch(f"SELECT MIN(day) AS first_day FROM {spec.LOG_VIEW}").iloc[0].iloc[0]
    if int(first) > cal_end_day:
        raise DataValidationError(f"no transaction on or before calibration_period_end {cal_end}")
    calibration = periods_for(alias, cal_end, num, den)
    holdout = periods_for(alias, end, num, den)
    # The two period ordinals come from the same SQL expression, evaluated here by
    # the engine so that duration_holdout cannot drift from recency and T.
    ordinals = engine.fetch(
        f"SELECT {holdout.end_period()} AS end_period, {calibration.end_period()} AS cal_period"
    ).iloc[0]
    duration = (int(ordinals["end_period"]) - int(ordinals["cal_period"])) * num / den
    attrs = {"calibration_period_end": str(cal_end), **attrs}
    return spec.holdout_sql(calibration, holdout.end_day), duration, attrs


def as_summary_frame(
    result: pd.DataFrame, customer_id_col: str, has_spend: bool, attrs: dict[str, object]
) -> pd.DataFrame:
    """The engine's result as the pandas path returns it: sorted ids, same columns and dtypes."""
    result = result.sort_values("cid", kind="stable")
    if not has_spend:
        result = result.drop(columns=[c for c in result.columns if c.startswith("monetary")])
    frame = result.set_index(pd.Index(result["cid"].to_numpy(), name=customer_id_col)).drop(
        columns="cid"
    )
    for column in ("frequency", "frequency_holdout"):
        if column in frame:
            frame[column] = frame[column].astype("int64")
    frame = frame.astype({c: "float64" for c in frame.columns if not c.startswith("frequency")})
    frame.attrs.update(attrs)
    return frame
