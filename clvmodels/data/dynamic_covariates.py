"""Time-varying covariates: one value per customer and calendar period, checked and laid out.

A dynamic covariate frame is a long table: the customer id column (named as the summary's
index), ``period_start`` (the first day of each period) and the covariate columns, one row
per customer and period, e.g. weekly marketing contacts or a season dummy. Periods are of
one regular length (the smallest gap between period starts; every start lies on that grid)
and a covariate is constant within a period (Bachmann, Meierer & Naef 2021).

Each summary customer's covariates are needed from the period holding her first purchase
(her time 0: ``T`` before the summary's end) through the end of calibration, and through
the prediction horizon for predictions; the periods she needs must all be in the frame.
Covariate columns are encoded as static ones are (:mod:`clvmodels.data.covariates`:
numeric as they are, categorical as dummies against the first level in sorted order), on
the frame's rows; a column of the summary that is not in the frame is taken as constant
over time (each customer's value repeated in her periods).

The likelihood also needs the covariates at each repeat purchase, which a summary of
(x, t_x, T) does not carry: they are read from the transaction log that built the summary
(``transactions=log``), whose repeat purchases must be the summary's (the count per
customer is checked against ``frequency``).

Every rule is a :class:`~clvmodels.exceptions.DataValidationError` naming the column or
the customer, the first missing period and a fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clvmodels.data.covariates import CovariateDesign, encode_covariates
from clvmodels.data.engines.pandas_engine import purchase_periods
from clvmodels.data.units import canonical_unit, days_per_unit, time_unit_of
from clvmodels.exceptions import DataValidationError

__all__ = ["PERIOD_COLUMN", "CovariatePaths", "covariate_paths"]

#: The column of a dynamic covariate frame holding each period's first day.
PERIOD_COLUMN = "period_start"

#: Positions within this share of a period of a period boundary are on it (float rounding).
_ON_BOUNDARY = 1e-9

_WHAT = "the dynamic covariate frame"


@dataclass(frozen=True)
class CovariatePaths:
    """Each customer's covariates over her own time, as consecutive periods of one length.

    Customer i's time 0 (her first purchase) lies ``offset[i]`` time units after the start
    of her first period; her periods are the rows ``start[i] .. start[i] + n_periods[i] - 1``
    of ``matrix``, so her covariates at time u are the row ``start[i] + k`` with
    ``k = floor((u + offset[i]) / period_length)``.

    Attributes
    ----------
    design
        How the covariate columns became ``matrix``'s columns (apply it to other frames).
    matrix
        (rows, covariates) design rows, each customer's periods contiguous.
    start, n_periods
        Per customer (in the summary's order): her first row and her number of rows.
    offset
        Per customer: her first purchase minus the start of her first period, in time units.
    period_length
        One period in the summary's time unit (e.g. 1.0 for weekly periods and weeks).
    purchase_offsets, purchase_period
        Per customer the period numbers ``k`` of her repeat purchases:
        ``purchase_period[purchase_offsets[i]:purchase_offsets[i + 1]]`` (empty without a
        transaction log).
    end
        The summary's end (calibration end, else observation end).
    """

    design: CovariateDesign
    matrix: np.ndarray
    start: np.ndarray
    n_periods: np.ndarray
    offset: np.ndarray
    period_length: float
    purchase_offsets: np.ndarray
    purchase_period: np.ndarray
    end: pd.Timestamp

    @property
    def has_purchases(self) -> bool:
        """Whether the repeat purchases' periods are known (a log was given)."""
        return len(self.purchase_offsets) > 0

    def purchase_sums(self) -> np.ndarray:
        """(customers, covariates): the sum of each customer's covariates at her purchases."""
        n, k = len(self.start), self.matrix.shape[1]
        if not self.has_purchases:
            return np.zeros((n, k))
        counts = np.diff(self.purchase_offsets)
        owner = np.repeat(np.arange(n), counts)
        rows = self.start[owner] + self.purchase_period
        sums = np.zeros((n, k))
        np.add.at(sums, owner, self.matrix[rows])
        return sums


def _end_of(summary: pd.DataFrame) -> pd.Timestamp:
    attrs = summary.attrs
    end = attrs.get("calibration_period_end") or attrs.get("observation_period_end")
    if end is None:
        raise DataValidationError(
            "time-varying covariates need the summary's end date, to place each customer's "
            "first purchase in calendar time; the summary states none: build it with "
            "clv.rfm_summary or clv.calibration_holdout_split, or state it, e.g. "
            "summary.clv.state(observation_period_end='2005-12-31')"
        )
    return pd.Timestamp(end)


def _unit_days(summary: pd.DataFrame) -> tuple[str, float]:
    unit = time_unit_of(summary)
    if unit is None:
        raise DataValidationError(
            "the summary states no time unit; time-varying covariates need it: "
            "summary.clv.state(time_unit='W')"
        )
    unit = canonical_unit(unit)
    if unit not in ("D", "W"):
        raise DataValidationError(
            f"time-varying covariates need a summary in days or weeks (time_unit 'D' or "
            f"'W'), whose length is fixed; this one is in {unit!r}"
        )
    return unit, days_per_unit(unit)


def _periods(frame: pd.DataFrame, id_col: str) -> tuple[pd.DataFrame, np.ndarray, int, int]:
    """The frame's rows with parsed starts; the grid (origin ns, length ns), checked."""
    for column in (id_col, PERIOD_COLUMN):
        if column not in frame.columns:
            raise DataValidationError(
                f"{_WHAT} lacks the column {column!r}: it needs the customer id column "
                f"(named as the summary's index, {id_col!r}), {PERIOD_COLUMN!r} and the "
                "covariate columns, one row per customer and period"
            )
    starts = pd.to_datetime(frame[PERIOD_COLUMN], errors="coerce")
    bad = starts.isna().to_numpy() | frame[id_col].isna().to_numpy()
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise DataValidationError(
            f"{_WHAT}: row {where} has a missing customer id or a {PERIOD_COLUMN!r} that is "
            f"not a date ({frame[PERIOD_COLUMN].iloc[where]!r}); every row needs both"
        )
    if getattr(starts.dt, "tz", None) is not None:
        starts = starts.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = starts.to_numpy("datetime64[ns]").astype(np.int64)
    duplicated = pd.DataFrame({"id": frame[id_col].to_numpy(), "ns": ns}).duplicated()
    if duplicated.any():
        where = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataValidationError(
            f"{_WHAT} has the customer {frame[id_col].iloc[where]!r} twice for the period "
            f"starting {starts.iloc[where].date()}: one row per customer and period"
        )
    distinct = np.unique(ns)
    if len(distinct) < 2:
        raise DataValidationError(
            f"{_WHAT} has a single period start; time-varying covariates need periods of "
            "one length, e.g. weekly rows (for one value per customer use static covariates)"
        )
    length = int(np.min(np.diff(distinct)))
    off_grid = (distinct - distinct[0]) % length != 0
    if off_grid.any():
        odd = pd.Timestamp(int(distinct[np.flatnonzero(off_grid)[0]]))
        raise DataValidationError(
            f"{_WHAT}: periods are not of one regular length: the starts are "
            f"{pd.Timedelta(length)} apart at least, but {odd.date()} is not on that grid "
            f"(from {pd.Timestamp(int(distinct[0])).date()}); use periods of one length"
        )
    return frame.assign(**{PERIOD_COLUMN: starts}), ns, int(distinct[0]), length


def covariate_paths(
    summary: pd.DataFrame,
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    transactions: pd.DataFrame | None = None,
    datetime_col: str | None = None,
    horizon: float = 0.0,
    design: CovariateDesign | None = None,
) -> CovariatePaths:
    """Check ``frame`` against ``summary`` and lay out each customer's covariate path.

    Parameters
    ----------
    summary
        An RFM summary indexed by customer id, stating its time unit (days or weeks) and
        its end (``summary.clv.observation_period_end``).
    frame
        The dynamic covariate frame (module docstring).
    columns
        The covariate columns (of ``frame``, or of ``summary`` for constant ones).
    transactions
        The log the summary was built from (customer id column named as the summary's
        index, dates in ``datetime_col``): gives the periods of the repeat purchases.
    datetime_col
        The log's date column; by default its one datetime column.
    horizon
        Time units after the summary's end that must be covered too (predictions).
    design
        A fitted encoding to apply (predictions); by default it is fitted on ``frame``.

    Raises
    ------
    DataValidationError
        For each rule of the module docstring, naming the customer and first missing period.
    """
    unit, days = _unit_days(summary)
    end = _end_of(summary)
    id_col = summary.index.name
    if id_col is None:
        raise DataValidationError(
            "the summary's index has no name; name it as the frame's customer id column, "
            "e.g. summary.index.name = 'customer_id'"
        )
    frame, ns, origin, length = _periods(frame, id_col)
    codes = pd.Index(summary.index).get_indexer(frame[id_col])
    absent = np.setdiff1d(np.arange(len(summary)), codes)
    if len(absent):
        raise DataValidationError(
            f"{_WHAT} has no rows for {len(absent)} summary customer(s), e.g. customer "
            f"{summary.index[absent[0]]!r}: every customer needs a row per period from her "
            "first purchase to the end of calibration (and of the prediction horizon)"
        )
    keep = codes >= 0
    frame, ns, codes = frame.loc[keep], ns[keep], codes[keep]
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns and column in summary.columns:
            frame[column] = summary[column].to_numpy()[codes]  # constant over time
    indexed = frame.set_index(id_col)
    if design is None:
        design, matrix = encode_covariates(indexed, columns, _WHAT)
    else:
        matrix = design.matrix(indexed, _WHAT)
    # grid positions in time units, customers' first periods and the periods they need
    unit_ns = days * 86_400e9
    period = length / unit_ns
    k_row = (ns - origin) // length
    order = np.lexsort((k_row, codes))
    k_row, codes, matrix = k_row[order], codes[order], matrix[order]
    T = summary["T"].to_numpy(np.float64)
    birth = (end.value - origin) / unit_ns - T
    k_first = np.floor(birth / period + _ON_BOUNDARY).astype(np.int64)
    offset = np.maximum(birth - k_first * period, 0.0)
    needed = np.maximum(np.ceil((T + horizon + offset) / period - _ON_BOUNDARY), 1).astype(np.int64)
    span = int(max(k_row.max(), (k_first + needed).max()) - min(k_row.min(), k_first.min()) + 2)
    low = min(int(k_row.min()), int(k_first.min()))
    keys = codes.astype(np.int64) * span + (k_row - low)
    customers = np.arange(len(summary), dtype=np.int64)
    first_key = customers * span + (k_first - low)
    position = np.searchsorted(keys, first_key)
    last = position + needed - 1
    inside = last < len(keys)
    ok = inside & (keys[np.minimum(position, len(keys) - 1)] == first_key)
    ok &= inside & (keys[np.minimum(last, len(keys) - 1)] == first_key + needed - 1)
    if not ok.all():
        _raise_missing(
            int(np.flatnonzero(~ok)[0]),
            summary,
            keys,
            span,
            low,
            k_first,
            needed,
            origin,
            length,
            end,
        )
    rows = np.repeat(position - np.cumsum(needed) + needed, needed) + np.arange(needed.sum())
    start = np.concatenate([[0], np.cumsum(needed)[:-1]]).astype(np.int64)
    compact = np.ascontiguousarray(matrix[rows])
    offsets, periods = _purchases(
        summary, transactions, datetime_col, id_col, end, origin, unit_ns, period, k_first
    )
    return CovariatePaths(design, compact, start, needed, offset, period, offsets, periods, end)


def _raise_missing(i, summary, keys, span, low, k_first, needed, origin, length, end):
    """The named error for the first customer whose needed periods are not all there."""
    wanted = k_first[i] + np.arange(needed[i])
    present = keys[(keys >= i * span) & (keys < (i + 1) * span)] - i * span + low
    missing = wanted[~np.isin(wanted, present)][0]
    first_day = pd.Timestamp(int(origin + missing * length))
    where = "the calibration span" if first_day < end else "the prediction horizon"
    raise DataValidationError(
        f"{_WHAT} does not cover {where} of customer {summary.index[i]!r}: the first "
        f"missing period starts {first_day.date()} (she needs every period from "
        f"{pd.Timestamp(int(origin + wanted[0] * length)).date()} through "
        f"{pd.Timestamp(int(origin + wanted[-1] * length)).date()}); add those rows"
    )


def _log_dates(transactions: pd.DataFrame, datetime_col: str | None) -> str:
    if datetime_col is not None:
        return datetime_col
    found = [
        c for c in transactions.columns if pd.api.types.is_datetime64_any_dtype(transactions[c])
    ]
    if len(found) != 1:
        raise DataValidationError(
            f"transactions: name the date column, e.g. datetime_col='date' (found "
            f"{len(found)} datetime columns: {found})"
        )
    return found[0]


def _purchases(summary, transactions, datetime_col, id_col, end, origin, unit_ns, period, k_first):
    """Ragged period numbers of each customer's repeat purchases (empty without a log)."""
    if transactions is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if not isinstance(transactions, pd.DataFrame) or id_col not in transactions.columns:
        raise DataValidationError(
            f"transactions must be the pandas transaction log the summary was built from, "
            f"with the customer id column named as the summary's index ({id_col!r})"
        )
    freq = summary.attrs.get("freq", "D")
    log = purchase_periods(
        transactions,
        id_col,
        _log_dates(transactions, datetime_col),
        freq=freq,
        observation_period_end=end,
    )
    repeat = log.loc[~log["first"].to_numpy(bool)]
    codes = pd.Index(summary.index).get_indexer(repeat[id_col])
    known = codes >= 0
    alias = log.attrs.get("freq", freq)
    days = pd.PeriodIndex.from_ordinals(repeat["period"].to_numpy()[known], freq=alias)
    codes = codes[known]
    position = (days.start_time.to_numpy("datetime64[ns]").astype(np.int64) - origin) / unit_ns
    k = np.floor(position / period + _ON_BOUNDARY).astype(np.int64) - k_first[codes]
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(summary))
    expected = summary["frequency"].to_numpy()
    if not np.array_equal(counts, expected):
        i = int(np.flatnonzero(counts != expected)[0])
        raise DataValidationError(
            f"transactions do not match the summary: customer {summary.index[i]!r} has "
            f"{counts[i]} repeat purchase periods in the log up to {end.date()} and frequency "
            f"{expected[i]} in the summary; pass the log the summary was built from"
        )
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return offsets, k[order].astype(np.int64)
