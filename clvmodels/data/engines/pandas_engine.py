"""The pandas engine: the RFM summary of a DataFrame in memory, computed with numpy.

The same definitions as the SQL of :mod:`.spec` (the conventions are listed in
:mod:`clvmodels.data.summary`), checked against it by
``tests/data/engines/test_conformance.py``.

Everything is vectorised over customers: customer codes (by offset for compact
integer ids), one sort of the (customer, period) keys, then ``bincount``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.data.dates import parse_end, parse_log_dates
from clvmodels.data.engines.spec import WEIGHT_COLUMN, SummarySpec
from clvmodels.data.summary_frame import RFMSummary, as_summary
from clvmodels.data.units import FREQ_ATTR, TIME_UNIT_ATTR, period_alias
from clvmodels.data.validation import Problems, require_frame
from clvmodels.exceptions import DataValidationError

__all__ = ["PANDAS", "PandasEngine", "purchase_periods"]


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

    Recency and T are ``periods * num / den`` (see :func:`.spec.summary_units`). With
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


def _prepared(transactions: pd.DataFrame, spec: SummarySpec) -> tuple:
    """The checked log cut at the end, as the summary and the split need it.

    Returns the dates, spend and end, the summary's ``attrs``, the customer codes,
    the sorted customers and the purchase period of each row.
    """
    frame, dates, spend, end, attrs = _prepare(
        transactions,
        spec.customer_id_col,
        spec.datetime_col,
        spec.monetary_value_col,
        spec.datetime_format,
        spec.observation_period_end,
    )
    codes, customers = _customer_codes(frame[spec.customer_id_col])
    periods = dates.dt.to_period(spec.alias).array.asi8
    attrs = {TIME_UNIT_ATTR: spec.unit, FREQ_ATTR: spec.alias, **attrs}
    if spec.include_first:
        attrs["include_first_transaction"] = True
    return dates, spend, end, attrs, codes, customers, periods


def summarise_frame(transactions: pd.DataFrame, spec: SummarySpec) -> RFMSummary:
    """The RFM summary of a pandas log (see :func:`clvmodels.rfm_summary`)."""
    dates, spend, end, attrs, codes, customers, periods = _prepared(transactions, spec)
    alias, num, den = spec.alias, spec.num, spec.den
    end_period = end.to_period(alias).ordinal
    columns = _summarise(
        codes, len(customers), periods, end_period, spend, num, den, spec.include_first
    )
    summary = pd.DataFrame(columns, index=pd.Index(customers, name=spec.customer_id_col))
    return as_summary(summary, **attrs)


def split_frame(
    transactions: pd.DataFrame, spec: SummarySpec, calibration_period_end: object
) -> RFMSummary:
    """The calibration/holdout split of a pandas log.

    See :func:`clvmodels.calibration_holdout_split`.
    """
    dates, spend, end, attrs, codes, customers, periods = _prepared(transactions, spec)
    alias, num, den = spec.alias, spec.num, spec.den
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
        spec.include_first,
    )
    index = pd.Index(customers[cal_customers], name=spec.customer_id_col)
    summary = pd.DataFrame(columns, index=index)

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
    return as_summary(summary, calibration_period_end=str(cal_end.date()), **attrs)


class PandasEngine:
    """The engine of logs that are pandas DataFrames (in memory)."""

    name = "pandas"
    accepted = "a pandas DataFrame"

    def accepts(self, source: object) -> bool:
        """Whether ``source`` is a pandas DataFrame."""
        return isinstance(source, pd.DataFrame)

    def summarise(self, source: Any, spec: SummarySpec) -> RFMSummary:
        """The RFM summary (see :func:`clvmodels.rfm_summary`)."""
        return summarise_frame(source, spec)

    def split(self, source: Any, spec: SummarySpec, calibration_period_end: object) -> RFMSummary:
        """The calibration/holdout split (see :func:`clvmodels.calibration_holdout_split`)."""
        return split_frame(source, spec, calibration_period_end)

    def reduce(self, source: Any, spec: SummarySpec) -> pd.DataFrame:
        """Distinct (frequency, recency, T) rows with their customer counts."""
        summary = summarise_frame(source, spec)
        stats = (
            summary.groupby(["frequency", "recency", "T"], sort=True)
            .size()
            .rename(WEIGHT_COLUMN)
            .reset_index()
        )
        stats.attrs = dict(summary.attrs)
        return stats


#: The pandas engine (registered in :mod:`.registry`).
PANDAS = PandasEngine()
