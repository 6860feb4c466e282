"""Transaction log -> per-customer RFM summary, and calibration/holdout splits.

Conventions (the same as ``lifetimes.utils.summary_data_from_transaction_data``,
so the two agree row for row):

- time is cut into periods of ``freq`` (``"D"``, ``"W"``, ``"M"``...); several
  purchases in one period count as one purchase whose spend is their sum;
- ``frequency`` is the number of periods with a purchase after the first one;
- ``recency`` is the number of periods from the first to the last purchase;
- ``T`` is the number of periods from the first purchase to the end of
  observation;
- ``monetary_value`` is the mean spend of the repeat periods (0 when there
  are none).

Everything is vectorised over customers: customer codes (by offset for compact
integer ids), one sort of the (customer, period) keys, then ``bincount``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clvmodels.data.units import TIME_UNIT_ATTR, canonical_unit
from clvmodels.data.validation import Problems, require_frame
from clvmodels.exceptions import DataValidationError

__all__ = ["calibration_holdout_split", "rfm_summary"]


def _parse_end(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise DataValidationError(f"{name}={value!r} is not a date: {err}") from err
    if stamp is pd.NaT:
        raise DataValidationError(f"{name} must be a date, got {value!r}")
    return stamp


def _clean_log(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    datetime_format: str | None,
) -> tuple[pd.DataFrame, pd.Series, np.ndarray | None, Problems]:
    """Validate a transaction log; return the frame, parsed dates and spend."""
    columns = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    frame = require_frame(transactions, "transactions", columns)
    problems = Problems(frame, "transactions")

    problems.add_rows(
        customer_id_col, f"{customer_id_col} is not missing", frame[customer_id_col].isna(), columns
    )
    raw = frame[datetime_col]
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        dates = pd.to_datetime(raw, format=datetime_format, errors="coerce")
    problems.add_rows(
        datetime_col, f"{datetime_col} is a parseable date", dates.isna() & raw.notna(), columns
    )
    problems.add_rows(datetime_col, f"{datetime_col} is not missing", raw.isna(), columns)

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
    return frame, dates, spend, problems


def _check_not_after(
    problems: Problems, dates: pd.Series, end: pd.Timestamp, datetime_col: str, what: str, cols
) -> None:
    """A date without a time of day means that whole day."""
    problems.add_rows(
        datetime_col,
        f"{datetime_col} <= {what} {end.date()} (filter the log first)",
        (dates.dt.normalize() > end.normalize()).to_numpy(),
        cols,
    )


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
) -> dict[str, np.ndarray]:
    """Summary columns for customers ``0..n_customers-1`` from integer periods.

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
        "frequency": n_periods - 1,
        "recency": (last - first).astype(np.float64),
        "T": (end_period - first).astype(np.float64),
    }
    if spend is not None:
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


def rfm_summary(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    observation_period_end: object = None,
    freq: str = "D",
    datetime_format: str | None = None,
) -> pd.DataFrame:
    """Summarise a transaction log into frequency, recency, T (and monetary value).

    Parameters
    ----------
    transactions
        One row per transaction.
    customer_id_col, datetime_col
        Columns holding the customer id and the transaction date (datetime or
        strings that ``pandas.to_datetime`` parses, with ``datetime_format``).
    monetary_value_col
        Optional column with the spend of each transaction (>= 0).
    observation_period_end
        End of observation (inclusive, a whole day); defaults to the last
        transaction date. Transactions after it are an error, not dropped.
    freq
        Length of one period: ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``;
        recorded as ``attrs["time_unit"]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted), columns ``frequency`` (int),
        ``recency``, ``T`` and, with ``monetary_value_col``,
        ``monetary_value``. ``attrs`` holds ``time_unit`` and
        ``observation_period_end``.

    Raises
    ------
    TypeError
        ``transactions`` is not a DataFrame.
    DataValidationError
        Missing columns, an empty log, missing ids, unparseable dates, spend
        that is not finite or is negative, transactions after the end.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research*, 42(4), 415-430.
    """
    unit = canonical_unit(freq)
    frame, dates, spend, problems = _clean_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    problems.raise_if_any()
    end = (
        _parse_end(observation_period_end, "observation_period_end")
        if (observation_period_end is not None)
        else dates.max()
    )
    _check_not_after(problems, dates, end, datetime_col, "observation_period_end", frame.columns)
    problems.raise_if_any()

    codes, customers = _customer_codes(frame[customer_id_col])
    periods = dates.dt.to_period(unit).array.asi8
    end_period = end.to_period(unit).ordinal
    columns = _summarise(codes, len(customers), periods, end_period, spend)
    summary = pd.DataFrame(columns, index=pd.Index(customers, name=customer_id_col))
    summary.attrs[TIME_UNIT_ATTR] = unit
    summary.attrs["observation_period_end"] = str(end.date())
    return summary


def calibration_holdout_split(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: object,
    observation_period_end: object = None,
    monetary_value_col: str | None = None,
    freq: str = "D",
    datetime_format: str | None = None,
) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        The calibration summary (``frequency``, ``recency``, ``T`` [,
        ``monetary_value``], so models fit on it directly) plus
        ``frequency_holdout`` (periods with a purchase in the holdout),
        ``duration_holdout`` (holdout length in periods) and, with spend,
        ``monetary_value_holdout`` (mean spend per holdout period with a
        purchase, 0 when none; lifetimes averages raw transactions instead).
        ``attrs`` holds ``time_unit``, ``calibration_period_end`` and
        ``observation_period_end``.
    """
    unit = canonical_unit(freq)
    frame, dates, spend, problems = _clean_log(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format
    )
    problems.raise_if_any()
    cal_end = _parse_end(calibration_period_end, "calibration_period_end")
    end = (
        _parse_end(observation_period_end, "observation_period_end")
        if (observation_period_end is not None)
        else dates.max()
    )
    if cal_end.normalize() >= end.normalize():
        raise DataValidationError(
            f"calibration_period_end ({cal_end.date()}) must be before "
            f"observation_period_end ({end.date()})"
        )
    _check_not_after(problems, dates, end, datetime_col, "observation_period_end", frame.columns)
    problems.raise_if_any()

    in_calibration = (dates.dt.normalize() <= cal_end.normalize()).to_numpy()
    if not in_calibration.any():
        raise DataValidationError(
            f"no transaction on or before calibration_period_end {cal_end.date()}"
        )
    codes, customers = _customer_codes(frame[customer_id_col])
    periods = dates.dt.to_period(unit).array.asi8
    cal_end_period = cal_end.to_period(unit).ordinal
    end_period = end.to_period(unit).ordinal

    cal_codes, cal_customers = pd.factorize(codes[in_calibration], sort=True)
    columns = _summarise(
        cal_codes,
        len(cal_customers),
        periods[in_calibration],
        cal_end_period,
        None if spend is None else spend[in_calibration],
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
    summary["duration_holdout"] = float(end_period - cal_end_period)
    summary.attrs[TIME_UNIT_ATTR] = unit
    summary.attrs["calibration_period_end"] = str(cal_end.date())
    summary.attrs["observation_period_end"] = str(end.date())
    return summary
