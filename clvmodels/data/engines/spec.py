"""The RFM summary as one SQL text, run as it is by DuckDB and by Spark SQL.

Each engine first exposes the log as a view ``clv_log`` with plain columns
(:data:`LOG_COLUMNS`):

- ``cid``: the customer id;
- ``day``: the transaction's day as whole days since 1970-01-01 (in UTC for
  dates with a time zone), NULL when the date is missing or unparseable;
- ``yr``, ``mon``: the calendar year and month of that day;
- ``spend``: the spend as a double (0.0 without a spend column);
- ``date_missing``: whether the raw date was missing (to tell it from an
  unparseable one).

Everything after that view is the SQL below, identical for both engines and
written with the definitions of :mod:`clvmodels.data.summary` (the pandas
path, checked against it by ``tests/data/engines``):

- a purchase period is the period of ``freq`` holding the day (its ordinal
  is built from ``day``, ``yr`` and ``mon`` by :func:`period_expression`;
  only differences of ordinals are used);
- rows after the end day are left out (counted apart);
- ``frequency`` = distinct periods - 1, ``recency`` = last - first period,
  ``T`` = end period - first period, times multiplied by ``num`` and divided
  by ``den`` in double precision, in that order, as in the pandas path;
- ``monetary_value`` = (total spend - spend of the first period) / frequency,
  0 without repeat periods.

Only integers and doubles produced here are formatted into the text; column
names never are (each engine maps the user's columns to ``clv_log`` with its
own quoting).

What to compute is one :class:`SummarySpec`, built once by
:func:`clvmodels.rfm_summary` (and the split and the reduction) and handed to whichever
engine :func:`clvmodels.data.engines.registry.engine_for` picks: the pandas engine
computes the same definitions in numpy, DuckDB and Spark run the SQL below.
"""

from __future__ import annotations

from dataclasses import dataclass

from clvmodels.data.units import DAYS_PER_UNIT, canonical_unit, period_alias

__all__ = [
    "LOG_COLUMNS",
    "LOG_VIEW",
    "Periods",
    "SummarySpec",
    "WEIGHT_COLUMN",
    "checks_sql",
    "holdout_sql",
    "period_expression",
    "reduction_of",
    "summary_sql",
    "summary_units",
]

#: The column of a reduction holding the number of customers of each distinct row.
WEIGHT_COLUMN = "n_customers"
#: The view each engine builds from the user's log.
LOG_VIEW = "clv_log"
#: Its columns, in order.
LOG_COLUMNS = ("cid", "day", "yr", "mon", "spend", "date_missing")


def summary_units(freq: str, time_unit: str | None) -> tuple[str, str, float, float]:
    """Check ``freq`` and ``time_unit``; return the period alias, the unit and a ratio.

    A time of ``n`` periods of ``freq`` is ``n * num / den`` in ``time_unit``
    (every engine uses these numbers).
    """
    alias = period_alias(freq, "freq")
    counted = canonical_unit(freq, "freq")
    unit = counted if time_unit is None else canonical_unit(time_unit, "time_unit")
    if unit == counted:
        return alias, unit, 1.0, 1.0
    if counted not in ("D", "W"):
        raise ValueError(
            f"time_unit={time_unit!r} with freq={freq!r}: calendar months, quarters and years "
            "differ in length, so times counted in them can only be expressed in the same "
            f"unit; use time_unit={counted!r}, or count days (freq='D') and express them in "
            f"time_unit={unit!r}"
        )
    return alias, unit, DAYS_PER_UNIT[counted], DAYS_PER_UNIT[unit]


@dataclass(frozen=True)
class SummarySpec:
    """What a summary is made of, the same for every engine (build it with :meth:`of`).

    Attributes
    ----------
    customer_id_col, datetime_col, monetary_value_col, datetime_format
        The log's columns and date layout (as in :func:`clvmodels.rfm_summary`).
    observation_period_end
        The end as the user gave it (each engine parses it with its own dates).
    alias, unit, num, den
        From :func:`summary_units`: the period alias of ``freq``, the time unit, and
        the ratio turning periods into that unit.
    include_first
        ``include_first_transaction``.
    """

    customer_id_col: str
    datetime_col: str
    monetary_value_col: str | None
    datetime_format: str | None
    observation_period_end: object
    alias: str
    unit: str
    num: float
    den: float
    include_first: bool = False

    @classmethod
    def of(
        cls,
        customer_id_col: str,
        datetime_col: str,
        monetary_value_col: str | None = None,
        observation_period_end: object = None,
        freq: str = "D",
        datetime_format: str | None = None,
        time_unit: str | None = None,
        include_first_transaction: bool = False,
    ) -> SummarySpec:
        """The specification of :func:`clvmodels.rfm_summary`'s arguments (units checked)."""
        alias, unit, num, den = summary_units(freq, time_unit)
        return cls(
            customer_id_col,
            datetime_col,
            monetary_value_col,
            datetime_format,
            observation_period_end,
            alias,
            unit,
            num,
            den,
            bool(include_first_transaction),
        )

    @property
    def names(self) -> dict[str, str | None]:
        """The user's columns by role: ``id``, ``date``, ``spend``."""
        return {
            "id": self.customer_id_col,
            "date": self.datetime_col,
            "spend": self.monetary_value_col,
        }


#: Weekday (Monday = 0) that ends a week of each anchored weekly alias.
_WEEK_END = {"MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5, "SUN": 6}


def period_expression(alias: str, day: str, yr: str, mon: str) -> str:
    """SQL for the ordinal of the ``alias`` period holding a day.

    Parameters
    ----------
    alias
        A period alias from :func:`clvmodels.data.units.period_alias`: ``"D"``,
        ``"W"`` (weeks ending on Sunday) or ``"W-MON"`` ... ``"W-SUN"``, ``"M"``,
        ``"Q"`` or ``"Y"``.
    day, yr, mon
        SQL expressions (column names or integer literals) for the day number
        (days since 1970-01-01), its year and its month.

    Returns
    -------
    str
        A BIGINT expression. Consecutive periods have consecutive ordinals, so
        differences count periods exactly as pandas ``Period`` ordinals do.

    Notes
    -----
    1970-01-01 (day 0) is a Thursday, weekday 3 with Monday = 0. A week ending
    on weekday ``e`` holds the days ``d`` with the same ``floor((d + s) / 7)``,
    ``s = (9 - e) mod 7``: for weeks ending on Sunday, ``s = 3`` and day 3
    (Sunday 1970-01-04) is the last day of week 0.
    """
    if alias == "D":
        return f"CAST({day} AS BIGINT)"
    if alias == "W" or alias.startswith("W-"):
        shift = (9 - _WEEK_END[alias[2:] if alias.startswith("W-") else "SUN"]) % 7
        return f"CAST(FLOOR(({day} + {shift}) / 7.0) AS BIGINT)"
    if alias == "M":
        return f"CAST({yr} * 12 + {mon} - 1 AS BIGINT)"
    if alias == "Q":
        return f"CAST({yr} * 4 + FLOOR(({mon} - 1) / 3.0) AS BIGINT)"
    if alias == "Y":
        return f"CAST({yr} AS BIGINT)"
    raise ValueError(f"period alias {alias!r} is not one of 'D', 'W', 'W-MON'..., 'M', 'Q', 'Y'")


@dataclass(frozen=True)
class Periods:
    """The numbers a summary query needs, computed once in Python.

    Attributes
    ----------
    alias
        Period alias of ``freq``.
    end_day, end_yr, end_mon
        Day number, year and month of the (inclusive) end day.
    num, den
        A time of ``n`` periods is ``n * num / den`` in ``time_unit``.
    include_first
        Count the first purchase period in ``frequency`` and ``monetary_value``
        (``rfm_summary(include_first_transaction=True)``).
    """

    alias: str
    end_day: int
    end_yr: int
    end_mon: int
    num: float
    den: float
    include_first: bool = False

    def end_period(self) -> str:
        """SQL for the ordinal of the end day's period."""
        return period_expression(self.alias, str(self.end_day), str(self.end_yr), str(self.end_mon))

    def scale(self, expression: str) -> str:
        """SQL turning a count of periods into ``time_unit`` (as the pandas path does)."""
        num, den = f"CAST({self.num!r} AS DOUBLE)", f"CAST({self.den!r} AS DOUBLE)"
        return f"CAST({expression} AS DOUBLE) * {num} / {den}"


def checks_sql(finite: str, end_day: int | None) -> str:
    """One pass over the log counting the rows that break each rule.

    ``finite`` is the engine's SQL predicate for a finite double, with ``{x}``
    where the value goes (DuckDB ``isfinite({x})``; Spark has no such function).
    ``end_day``, when known, is the last day of observation: rows after it
    are counted as ``after_end``.
    """
    spend_finite = finite.format(x="spend")
    after = "0" if end_day is None else f"SUM(CASE WHEN day > {end_day} THEN 1 ELSE 0 END)"
    return f"""
SELECT
  COUNT(*) AS n_rows,
  COALESCE(SUM(CASE WHEN cid IS NULL THEN 1 ELSE 0 END), 0) AS missing_id,
  COALESCE(SUM(CASE WHEN date_missing THEN 1 ELSE 0 END), 0) AS missing_date,
  COALESCE(SUM(CASE WHEN day IS NULL AND NOT date_missing THEN 1 ELSE 0 END), 0)
    AS unparseable_date,
  COALESCE(SUM(CASE WHEN spend IS NULL OR NOT ({spend_finite}) THEN 1 ELSE 0 END), 0)
    AS spend_not_finite,
  COALESCE(SUM(CASE WHEN spend < 0 THEN 1 ELSE 0 END), 0) AS spend_negative,
  MIN(day) AS first_day,
  MAX(day) AS last_day,
  COALESCE({after}, 0) AS after_end
FROM {LOG_VIEW}
"""


def _customer_sql(rows: str, periods: Periods) -> str:
    """Per-customer summary of the log rows selected by ``rows`` (a WHERE clause).

    Purchases are first grouped by (customer, period), so a period with
    several purchases counts once with their summed spend.
    """
    period = period_expression(periods.alias, "day", "yr", "mon")
    end_period = periods.end_period()
    if periods.include_first:
        counted = "n_periods AS frequency"
        mean_spend = "total_spend / n_periods"
    else:
        counted = "n_periods - 1 AS frequency"
        mean_spend = (
            "CASE WHEN n_periods > 1 THEN (total_spend - first_spend) / (n_periods - 1) "
            "ELSE 0.0 END"
        )
    return f"""
SELECT
  cid,
  {counted},
  {periods.scale("last_period - first_period")} AS recency,
  {periods.scale(f"{end_period} - first_period")} AS T,
  {mean_spend} AS monetary_value
FROM (
  SELECT
    cid,
    COUNT(*) AS n_periods,
    MIN(period) AS first_period,
    MAX(period) AS last_period,
    SUM(period_spend) AS total_spend,
    MIN_BY(period_spend, period) AS first_spend
  FROM (
    SELECT cid, {period} AS period, SUM(spend) AS period_spend
    FROM {LOG_VIEW}
    WHERE {rows}
    GROUP BY cid, {period}
  ) AS purchase_periods
  GROUP BY cid
) AS customers
"""


def summary_sql(periods: Periods) -> str:
    """The RFM summary as of ``periods.end_day``, one row per customer (unordered)."""
    return _customer_sql(f"day <= {periods.end_day}", periods)


def holdout_sql(calibration: Periods, end_day: int) -> str:
    """Calibration summary plus holdout counts (see ``calibration_holdout_split``).

    ``calibration`` describes the calibration period (its end day is the
    calibration end); holdout rows are those after it, up to ``end_day``.
    ``duration_holdout`` is added by the caller (it is one number).
    """
    period = period_expression(calibration.alias, "day", "yr", "mon")
    cal_end = calibration.end_day
    return f"""
SELECT
  c.cid, c.frequency, c.recency, c.T, c.monetary_value,
  COALESCE(h.frequency_holdout, 0) AS frequency_holdout,
  CASE WHEN h.frequency_holdout > 0 THEN h.spend_holdout / h.frequency_holdout ELSE 0.0 END
    AS monetary_value_holdout
FROM ({_customer_sql(f"day <= {cal_end}", calibration)}) AS c
LEFT JOIN (
  SELECT cid, COUNT(*) AS frequency_holdout, SUM(period_spend) AS spend_holdout
  FROM (
    SELECT cid, {period} AS period, SUM(spend) AS period_spend
    FROM {LOG_VIEW}
    WHERE day > {cal_end} AND day <= {end_day}
    GROUP BY cid, {period}
  ) AS holdout_periods
  GROUP BY cid
) AS h
ON c.cid = h.cid
"""


def reduction_of(summary: str) -> str:
    """Distinct (frequency, recency, T) rows of a summary query with their customer counts."""
    return f"""
SELECT frequency, recency, T, COUNT(*) AS {WEIGHT_COLUMN}
FROM ({summary}) AS summary
GROUP BY frequency, recency, T
ORDER BY frequency, recency, T
"""
