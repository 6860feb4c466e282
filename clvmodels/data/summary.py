"""Transaction log -> per-customer RFM summary, and calibration/holdout splits.

Conventions (the same as ``lifetimes.utils.summary_data_from_transaction_data``,
so the two agree row for row):

- purchases are counted at the resolution ``freq`` (``"D"``, ``"W"``,
  ``"M"``...): several purchases in one period count as one purchase whose
  spend is their sum;
- ``frequency`` is the number of periods with a purchase after the first one
  (with ``include_first_transaction=True``, all of them: lifetimes' option of that name);
- ``recency`` is the time from the first to the last purchase period;
- ``T`` is the time from the first purchase period to the end of observation;
- both times are expressed in ``time_unit`` (default ``freq``): with
  ``freq="D", time_unit="W"`` they are days / 7 (lifetimes:
  ``freq="D", freq_multiplier=7``);
- ``monetary_value`` is the mean spend of the repeat periods (0 when there
  are none; of all periods with ``include_first_transaction=True``);
- the summary is taken as of ``observation_period_end``: later transactions
  are left out (as in lifetimes) and counted in ``attrs``.

Everything is vectorised over customers: customer codes (by offset for compact
integer ids), one sort of the (customer, period) keys, then ``bincount``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.data.dates import parse_end, parse_log_dates
from clvmodels.data.engines.dispatch import engine_name, split, summarise
from clvmodels.data.summary_frame import as_summary
from clvmodels.data.units import (
    DAYS_PER_UNIT,
    FREQ_ATTR,
    TIME_UNIT_ATTR,
    canonical_unit,
    period_alias,
)
from clvmodels.data.validation import Problems, require_frame
from clvmodels.exceptions import DataValidationError

__all__ = ["calibration_holdout_split", "purchase_periods", "rfm_summary", "summary_units"]


def _clean_log(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
) -> tuple[pd.DataFrame, pd.Series | None, np.ndarray | None, Problems, bool]:
    """Validate a transaction log; return the frame, parsed dates, spend and problems.

    The last item says whether the dates carried a time zone (they are then
    converted to UTC, see :mod:`clvmodels.data.dates`).
    """
    columns = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    frame = require_frame(transactions, "transactions", columns)
    problems = Problems(frame, "transactions")

    problems.add_rows(
        customer_id_col, f"{customer_id_col} is not missing", frame[customer_id_col].isna(), columns
    )
    dates, has_zone = parse_log_dates(frame, datetime_col, datetime_format, problems, columns)

    spend = None
    if monetary_value_col:
        column = frame[monetary_value_col]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            problems.add(
                f"column '{monetary_value_col}': must be numeric, has dtype {column.dtype}"
            )
        else:
            spend = column.to_numpy(dtype=np.float64, na_value=np.nan)
            problems.add_rows(
                monetary_value_col,
                f"{monetary_value_col} is finite (no NaN or inf)",
                ~np.isfinite(spend),
                columns,
            )
            problems.add_rows(
                monetary_value_col,
                f"{monetary_value_col} >= 0 (net refunds out before summarising)",
                spend < 0,
                columns,
            )
    return frame, dates, spend, problems, has_zone


def summary_units(freq: str, time_unit: str | None) -> tuple[str, str, float, float]:
    """Check ``freq`` and ``time_unit``; return the period alias, the unit and a ratio.

    A time of ``n`` periods of ``freq`` is ``n * num / den`` in ``time_unit``
    (every engine in :mod:`clvmodels.data.engines` uses these numbers).
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


def _as_of(dates: pd.Series, end: pd.Timestamp) -> tuple[np.ndarray, int]:
    """Rows on or before the whole day ``end``, and how many rows fall after it."""
    keep = (dates.dt.normalize() <= end.normalize()).to_numpy()
    return keep, int(len(keep) - keep.sum())


def _customer_codes(ids: pd.Series) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """Codes 0..n-1 of the customers in sorted id order, and the sorted ids.

    Integer ids in a compact range (the usual case) are mapped by offset and a
    cumulative count, which avoids hashing millions of keys.
    """
    values = ids.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        low, high = values.min(), values.max()
        if int(high) - int(low) <= 4 * len(values) + 1_000:
            offset = (values - low).astype(np.intp)
            present = np.bincount(offset) > 0
            code_of_offset = np.cumsum(present) - 1
            return code_of_offset[offset], (np.flatnonzero(present) + low).astype(values.dtype)
    return pd.factorize(ids, sort=True)


def _distinct_pairs(codes: np.ndarray, periods: np.ndarray, span: np.int64, low: np.int64):
    """Sorted distinct (customer, period) pairs, as customer codes and periods.

    A sort and a neighbour comparison: ``np.unique`` hashes in numpy >= 2.3,
    which is many times slower on millions of keys.
    """
    keys = np.sort(codes.astype(np.int64) * span + (periods - low))
    distinct = np.empty(len(keys), dtype=bool)
    distinct[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
    keys = keys[distinct]
    return (keys // span).astype(np.intp), keys % span + low


def _summarise(
    customer_codes: np.ndarray,
    n_customers: int,
    periods: np.ndarray,
    end_period: int,
    spend: np.ndarray | None,
    num: float,
    den: float,
    include_first_transaction: bool = False,
) -> dict[str, np.ndarray]:
    """Summary columns for customers ``0..n_customers-1`` from integer periods.

    Recency and T are ``periods * num / den`` (see :func:`summary_units`). With
    ``include_first_transaction`` the first purchase period counts in ``frequency`` and
    in the mean spend.

    One sort of the (customer, period) keys gives the distinct purchase periods
    grouped by customer and ordered in time, so each customer's first and last
    period sit at the edges of its group.
    """
    low = periods.min()
    span = np.int64(max(end_period, periods.max()) - low + 1)
    pair_customer, pair_period = _distinct_pairs(customer_codes, periods, span, low)
    n_periods = np.bincount(pair_customer, minlength=n_customers)
    group_end = np.cumsum(n_periods)
    first = pair_period[group_end - n_periods]
    last = pair_period[group_end - 1]
    columns = {
        "frequency": n_periods if include_first_transaction else n_periods - 1,
        "recency": (last - first) * num / den,
        "T": (end_period - first) * num / den,
    }
    if spend is not None and include_first_transaction:
        total = np.bincount(customer_codes, weights=spend, minlength=n_customers)
        columns["monetary_value"] = total / n_periods
    elif spend is not None:
        total = np.bincount(customer_codes, weights=spend, minlength=n_customers)
        in_first = periods == first[customer_codes]
        first_spend = np.bincount(
            customer_codes, weights=np.where(in_first, spend, 0.0), minlength=n_customers
        )
        repeats = columns["frequency"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (total - first_spend) / repeats
        columns["monetary_value"] = np.where(repeats > 0, mean, 0.0)
    return columns


def _prepare(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
    observation_period_end: object,
) -> tuple[pd.DataFrame, pd.Series, np.ndarray | None, pd.Timestamp, dict[str, object]]:
    """Validate the log and cut it at the observation end (as of that day).

    Returns the kept rows, their dates and spend, the end, and the ``attrs``
    that describe the cut.
    """
    frame, dates, spend, problems, has_zone = _clean_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    problems.raise_if_any()
    if observation_period_end is None:
        end = dates.max()
    else:
        end = parse_end(observation_period_end, "observation_period_end", has_zone)
    keep, n_after = _as_of(dates, end)
    if n_after:
        if not keep.any():
            raise DataValidationError(
                f"no transaction on or before observation_period_end {end.date()}: "
                f"all {len(keep)} rows of column '{datetime_col}' are later "
                f"(first: {dates.min().date()})"
            )
        frame, dates = frame[keep], dates[keep]
        spend = None if spend is None else spend[keep]
    attrs: dict[str, object] = {
        "observation_period_end": str(end.date()),
        "transactions_after_end": n_after,
    }
    if has_zone:
        attrs["time_zone"] = "UTC"
    return frame, dates, spend, end, attrs


def purchase_periods(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    freq: str = "D",
    datetime_format: str | None = None,
    observation_period_end: object = None,
) -> pd.DataFrame:
    """The distinct (customer, period) purchases of a pandas log, first purchases flagged.

    The same validation, time zones and cut at ``observation_period_end`` as
    :func:`rfm_summary` (arguments as there); what the tracking of repeat transactions
    over calendar time needs (:mod:`clvmodels.evaluation.tracking`).

    Returns
    -------
    pandas.DataFrame
        One row per customer and period of ``freq`` with a purchase, sorted by customer
        and period: ``customer_id_col``, ``period`` (the pandas period ordinal, an
        integer: consecutive periods differ by 1) and ``first`` (the customer's first
        purchase period). ``attrs["freq"]`` is the period alias.
    """
    alias = period_alias(freq, "freq")
    frame, dates, _, end, _ = _prepare(
        transactions, customer_id_col, datetime_col, None, datetime_format, observation_period_end
    )
    codes, customers = _customer_codes(frame[customer_id_col])
    periods = dates.dt.to_period(alias).array.asi8
    low = periods.min()
    span = np.int64(max(end.to_period(alias).ordinal, periods.max()) - low + 1)
    pair_customer, pair_period = _distinct_pairs(codes, periods, span, low)
    first = np.ones(len(pair_customer), dtype=bool)
    first[1:] = pair_customer[1:] != pair_customer[:-1]
    out = pd.DataFrame(
        {
            customer_id_col: np.asarray(customers)[pair_customer],
            "period": pair_period,
            "first": first,
        }
    )
    out.attrs[FREQ_ATTR] = alias
    return out


def rfm_summary(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    observation_period_end: object = None,
    freq: str = "D",
    datetime_format: str | None = None,
    time_unit: str | None = None,
    include_first_transaction: bool = False,
) -> Any:
    """Summarise a transaction log into frequency, recency, T (and monetary value).

    Parameters
    ----------
    transactions
        One row per transaction: a pandas DataFrame; a path, glob or list of
        CSV or Parquet files, or a DuckDB relation (summarised inside DuckDB,
        out of core); or a Spark DataFrame (summarised by Spark SQL). Every
        engine runs the same definitions (:mod:`clvmodels.data.engines`).
    customer_id_col, datetime_col
        Columns holding the customer id and the transaction date: datetimes
        or date strings that ``pandas.to_datetime`` parses (with
        ``datetime_format``). Numbers (``19970101``, epoch seconds) are
        refused: convert them first. Dates with a time zone are compared in
        UTC; a mix of dates with and without a zone is refused.
    monetary_value_col
        Optional column with the spend of each transaction (>= 0).
    observation_period_end
        End of observation (inclusive, a whole day); defaults to the last
        transaction date. The summary is taken as of that day: later
        transactions are left out and counted in
        ``attrs["transactions_after_end"]``; customers whose first purchase
        is later are not in the summary.
    freq
        Resolution at which purchases are counted: several purchases in one
        period of ``freq`` are one purchase. ``"D"`` (distinct days),
        ``"W"`` (calendar weeks ending on Sunday; ``"W-MON"`` ...
        ``"W-SUN"`` choose the day weeks end on), ``"M"``, ``"Q"`` or ``"Y"``.
    datetime_format
        ``strftime`` format of date strings, passed to ``pandas.to_datetime``.
    time_unit
        Unit in which recency and T are expressed; defaults to ``freq``.
        ``freq="D", time_unit="W"`` counts distinct days and measures time
        in weeks of 7 days (days / 7), the convention of Fader, Hardie & Lee
        (2005) and CLVTools. With ``freq`` in months, quarters or years,
        ``time_unit`` must be the same unit (their lengths vary).
    include_first_transaction
        Count the first purchase period in ``frequency`` and in ``monetary_value``
        (``lifetimes``' option of the same name), for descriptive tables and spend
        models that want every purchase. Do not fit the purchase models on it: their
        frequency counts repeat purchases (here a one-time buyer has frequency 1 and
        recency 0, which their ``fit`` refuses). ``attrs["include_first_transaction"]``
        records it.

    Returns
    -------
    pandas.DataFrame
        For a Spark input, a Spark DataFrame with the customer id column and
        the same summary columns (no ``attrs``: the unit is given again when
        scoring it). Otherwise
        indexed by customer id (sorted), columns ``frequency`` (int),
        ``recency``, ``T`` and, with ``monetary_value_col``,
        ``monetary_value``. ``attrs`` holds ``time_unit``, ``freq``,
        ``observation_period_end``, ``transactions_after_end`` and, for a
        log with time zones, ``time_zone`` (``"UTC"``).

    Raises
    ------
    TypeError
        ``transactions`` is not a DataFrame, paths, a DuckDB relation or a
        Spark DataFrame.
    ValueError
        ``freq`` or ``time_unit`` is not a supported unit, or they cannot be
        combined.
    DataValidationError
        Missing columns, an empty log, missing ids, dates that are numbers,
        unparseable or in mixed time zones, spend that is not finite or is
        negative, no transaction on or before the end.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research*, 42(4), 415-430.
    """
    alias, unit, num, den = summary_units(freq, time_unit)
    if engine_name(transactions) is not None:
        return summarise(
            transactions,
            customer_id_col,
            datetime_col,
            monetary_value_col,
            observation_period_end,
            datetime_format,
            alias,
            unit,
            num,
            den,
            include_first_transaction,
        )
    frame, dates, spend, end, attrs = _prepare(
        transactions,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        datetime_format,
        observation_period_end,
    )
    codes, customers = _customer_codes(frame[customer_id_col])
    periods = dates.dt.to_period(alias).array.asi8
    end_period = end.to_period(alias).ordinal
    columns = _summarise(
        codes, len(customers), periods, end_period, spend, num, den, include_first_transaction
    )
    summary = pd.DataFrame(columns, index=pd.Index(customers, name=customer_id_col))
    if include_first_transaction:
        attrs["include_first_transaction"] = True
    return as_summary(summary, **{TIME_UNIT_ATTR: unit, FREQ_ATTR: alias, **attrs})


def calibration_holdout_split(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: object,
    observation_period_end: object = None,
    monetary_value_col: str | None = None,
    freq: str = "D",
    datetime_format: str | None = None,
    time_unit: str | None = None,
    include_first_transaction: bool = False,
) -> Any:
    """Summarise the calibration period and count what each customer did afterwards.

    Customers are those with a purchase on or before ``calibration_period_end``;
    customers first seen in the holdout period are not part of the split.

    Parameters
    ----------
    transactions, customer_id_col, datetime_col, monetary_value_col, freq, datetime_format
        As in :func:`rfm_summary`.
    calibration_period_end
        Last day (inclusive) of the calibration period.
    observation_period_end
        Last day of the holdout period; defaults to the last transaction date.
        Later transactions are left out, as in :func:`rfm_summary`.
    time_unit
        Unit of recency, T and ``duration_holdout``; defaults to ``freq``.
    include_first_transaction
        As in :func:`rfm_summary`, for the calibration columns (the holdout has no
        first purchase to leave out).

    Returns
    -------
    pandas.DataFrame
        (A Spark DataFrame with the customer id column for a Spark input.)
        The calibration summary (``frequency``, ``recency``, ``T`` [,
        ``monetary_value``], so models fit on it directly) plus
        ``frequency_holdout`` (periods of ``freq`` with a purchase in the
        holdout), ``duration_holdout`` (holdout length in ``time_unit``) and,
        with spend, ``monetary_value_holdout`` (mean spend per holdout period
        with a purchase, 0 when none; lifetimes averages raw transactions
        instead). ``attrs`` holds ``time_unit``, ``freq``,
        ``calibration_period_end``, ``observation_period_end`` and
        ``transactions_after_end``.
    """
    alias, unit, num, den = summary_units(freq, time_unit)
    if engine_name(transactions) is not None:
        return split(
            transactions,
            customer_id_col,
            datetime_col,
            calibration_period_end,
            observation_period_end,
            monetary_value_col,
            datetime_format,
            alias,
            unit,
            num,
            den,
            include_first_transaction,
        )
    frame, dates, spend, end, attrs = _prepare(
        transactions,
        customer_id_col,
        datetime_col,
        monetary_value_col,
        datetime_format,
        observation_period_end,
    )
    cal_end = parse_end(calibration_period_end, "calibration_period_end", "time_zone" in attrs)
    if cal_end.normalize() >= end.normalize():
        raise DataValidationError(
            f"calibration_period_end ({cal_end.date()}) must be before "
            f"observation_period_end ({end.date()})"
        )
    in_calibration = (dates.dt.normalize() <= cal_end.normalize()).to_numpy()
    if not in_calibration.any():
        raise DataValidationError(
            f"no transaction on or before calibration_period_end {cal_end.date()}"
        )
    codes, customers = _customer_codes(frame[customer_id_col])
    periods = dates.dt.to_period(alias).array.asi8
    cal_end_period = cal_end.to_period(alias).ordinal
    end_period = end.to_period(alias).ordinal

    cal_codes, cal_customers = pd.factorize(codes[in_calibration], sort=True)
    columns = _summarise(
        cal_codes,
        len(cal_customers),
        periods[in_calibration],
        cal_end_period,
        None if spend is None else spend[in_calibration],
        num,
        den,
        include_first_transaction,
    )
    summary = pd.DataFrame(columns, index=pd.Index(customers[cal_customers], name=customer_id_col))

    # Holdout: distinct periods with a purchase, per calibration customer.
    position = np.full(len(customers), -1, dtype=np.intp)
    position[cal_customers] = np.arange(len(cal_customers))
    holdout_customer = position[codes[~in_calibration]]
    keep = holdout_customer >= 0
    holdout_customer = holdout_customer[keep]
    holdout_periods = periods[~in_calibration][keep]
    n = len(cal_customers)
    frequency_holdout = np.zeros(n, dtype=np.int64)
    spend_holdout = np.zeros(n)
    if len(holdout_customer):
        low = holdout_periods.min()
        pair_customer, _ = _distinct_pairs(
            holdout_customer, holdout_periods, np.int64(end_period - low + 1), low
        )
        frequency_holdout = np.bincount(pair_customer, minlength=n)
        if spend is not None:
            spend_holdout = np.bincount(
                holdout_customer, weights=spend[~in_calibration][keep], minlength=n
            )
    summary["frequency_holdout"] = frequency_holdout
    if spend is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = spend_holdout / frequency_holdout
        summary["monetary_value_holdout"] = np.where(frequency_holdout > 0, mean, 0.0)
    summary["duration_holdout"] = (end_period - cal_end_period) * num / den
    if include_first_transaction:
        attrs["include_first_transaction"] = True
    return as_summary(
        summary,
        **{
            TIME_UNIT_ATTR: unit,
            FREQ_ATTR: alias,
            "calibration_period_end": str(cal_end.date()),
            **attrs,
        },
    )
