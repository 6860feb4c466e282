"""Compressed rows: distinct data rows with counts (the sufficient statistics of a fit).

The BG/NBD and Pareto/NBD likelihoods depend on a customer only through (x, t_x, T), the
Gamma-Gamma through (x, mean spend): fits run on the distinct rows with counts as weights
(CLVTools ``R/class_clv_model_bgnbd.R`` does the same).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.units import time_unit_of
from clvmodels.data.validation import check_summary

__all__ = [
    "CompressedRows",
    "SufficientStatistics",
    "WeightedRows",
    "compress",
    "mean_age",
    "mean_rate",
    "rfm_rows",
    "weighted_rows",
]

#: The columns of an RFM summary that the purchase models' likelihoods read.
RFM_COLUMNS = ("frequency", "recency", "T")


@dataclass(frozen=True)
class CompressedRows:
    """Distinct data rows with their multiplicities: the one compressed-rows type.

    Both the maximum-likelihood fits and the Bayesian models evaluate their likelihood on
    these rows, weighted by the customers sharing each (a fit on a million customers runs
    on tens of thousands of rows). ``SufficientStatistics`` and ``WeightedRows`` are its
    former names.

    Attributes
    ----------
    columns
        Name -> 1-D float64 array, one entry per unique row.
    weights
        Number of customers sharing each row.
    time_unit
        The unit of the time columns, when stated.
    shared
        Name -> array that does not index rows (e.g. the distinct
        frequencies that a row refers to by an index column).
    derived
        Names in ``columns`` and ``shared`` that only lay out the others for a faster
        evaluation (e.g. each row's position among the distinct T, and those values);
        they add nothing to the data, and :meth:`fingerprint` leaves them out.
    """

    columns: dict[str, np.ndarray]
    weights: np.ndarray
    time_unit: str | None = None
    shared: dict[str, np.ndarray] = field(default_factory=dict)
    derived: frozenset[str] = frozenset()

    @classmethod
    def from_frame(
        cls, data: pd.DataFrame, columns: Iterable[str], weights: Any = None
    ) -> CompressedRows:
        """The distinct rows of ``columns`` of a checked ``data`` with their customer counts.

        ``weights`` (optional) are customers per row of ``data`` (finite, >= 0); the time
        unit comes from ``data.attrs``.
        """
        values = {name: data[name].to_numpy(np.float64) for name in columns}
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
            if (
                weights.shape != (len(data),)
                or np.any(~np.isfinite(weights))
                or np.any(weights < 0)
            ):
                raise ValueError(
                    "weights must be one finite number >= 0 per row of the data "
                    f"({len(data)} rows), e.g. weights=table['count']; got shape "
                    f"{weights.shape}"
                )
        unique, counts = compress(values, weights)
        return cls(unique, counts, time_unit_of(data))

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """Row columns and shared arrays together: what ``_loglik_grad`` receives."""
        return self.columns | self.shared

    @property
    def n_customers(self) -> float:
        """Total weight (number of customers)."""
        return float(self.weights.sum())

    def fingerprint(self) -> str:
        """A short hash of the data, saved with a fit and checked on load."""
        digest = hashlib.sha256()
        for group in (self.columns, self.shared):
            for name in sorted(set(group) - self.derived):
                digest.update(name.encode())
                digest.update(np.ascontiguousarray(group[name], dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(self.weights, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]

    def subsample(self, n_customers: int, rng: np.random.Generator) -> CompressedRows:
        """``n_customers`` customers drawn with replacement, in proportion to the rows' counts.

        The weighted rows of the draw are a fair sample of the customers (a row shared by
        many customers is drawn more often), so a fit on it starts near the full optimum;
        a uniform draw of distinct rows over-weights the rare histories.
        """
        drawn = np.bincount(
            rng.choice(len(self.weights), size=n_customers, p=self.weights / self.weights.sum()),
            minlength=len(self.weights),
        )
        keep = np.flatnonzero(drawn)
        return type(self)(
            {k: v[keep] for k, v in self.columns.items()},
            drawn[keep].astype(np.float64),
            self.time_unit,
            self.shared,
            self.derived,
        )


#: Former names of :class:`CompressedRows` (the MLE's and the Bayesian models').
SufficientStatistics = CompressedRows
WeightedRows = CompressedRows


def weighted_rows(
    data: pd.DataFrame, columns: Sequence[str], weights: ArrayLike | None = None
) -> CompressedRows:
    """The distinct rows of ``data[columns]`` (already validated) with their summed weights.

    Rows of weight 0 are dropped (a Bayesian fit's density has no term for them).

    Parameters
    ----------
    data
        One row per customer, or per group of customers when ``weights`` are given.
    columns
        The sufficient statistics.
    weights
        Customers per row of ``data`` (finite, >= 0); default one each.

    Raises
    ------
    ValueError
        If ``weights`` are not one finite number >= 0 per row.
    """
    rows = CompressedRows.from_frame(data, columns, weights)
    keep = rows.weights > 0
    if keep.all():
        return rows
    return CompressedRows(
        {name: values[keep] for name, values in rows.columns.items()},
        rows.weights[keep],
        rows.time_unit,
    )


def rfm_rows(summary: pd.DataFrame, weights: ArrayLike | None = None) -> CompressedRows:
    """The checked summary's distinct (frequency, recency, T) rows with their counts."""
    check_summary(summary)
    return weighted_rows(summary, RFM_COLUMNS, weights)


def mean_rate(rows: CompressedRows) -> float:
    """Purchases per unit of time over all customers (at least 1e-6): sum x / sum T."""
    w, c = rows.weights, rows.columns
    return max(float(np.dot(w, c["frequency"]) / max(np.dot(w, c["T"]), 1e-12)), 1e-6)


def mean_age(rows: CompressedRows) -> float:
    """The customers' mean T (at least 1e-9): the centre of priors on time scales."""
    return max(float(np.dot(rows.weights, rows.columns["T"]) / rows.weights.sum()), 1e-9)


def compress(columns: dict[str, np.ndarray], weights: np.ndarray | None = None) -> tuple:
    """Reduce rows to the unique combinations of ``columns``.

    The unique rows come in lexicographic order of the columns (in the order given), with
    the summed weights (the count of each row without weights). Each row is packed into
    one integer key (its positions among each column's distinct values) and the keys are
    sorted or factorized; ten times faster than grouping by the float columns, and the
    same result (the weights are summed by the same grouped sum, or counted exactly).

    Returns
    -------
    unique_columns, counts
        The unique rows (a dict like ``columns``) and the summed weights.
    """
    keys = list(columns)
    arrays = [np.asarray(columns[k], dtype=np.float64) for k in keys]
    packed = _packed_keys(arrays)
    if packed is None:  # missing values, or more combinations than an int64 holds
        return _grouped(columns, weights)
    key, decode = packed
    if weights is None:
        ordered = np.sort(key)
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        unique_keys = ordered[starts]
        counts = np.diff(np.r_[starts, len(ordered)]).astype(np.float64)
    else:
        codes, unique_keys = pd.factorize(key, sort=True)
        w = np.asarray(weights, dtype=np.float64)
        counts = pd.Series(w).groupby(codes, sort=True).sum().to_numpy(np.float64)
    return dict(zip(keys, decode(unique_keys), strict=True)), counts


def _packed_keys(arrays: list[np.ndarray]) -> tuple | None:
    """One int64 per row whose order is the rows' lexicographic order, and its decoder.

    Each column becomes codes in the order of its values: ``value - min`` where every
    value is exactly ``min`` plus a whole number below 2^24 (times in whole days or weeks,
    counts), else the positions among its sorted distinct values. None where a column
    has a missing value or the combinations overflow an int64.
    """
    if len(arrays[0]) == 0:
        return None
    pack = _kernels().pack
    key = np.zeros(len(arrays[0]), dtype=np.int64)
    tables, combinations = [], 1
    for values in arrays:
        if np.isnan(values).any():
            return None
        low, high = float(values.min()), float(values.max())
        whole = np.isfinite(low) and np.isfinite(high) and high - low < 2**24
        span = int(high - low) + 1 if whole else 0
        # exact: every value is low + its code, so equal codes are equal values
        if whole and combinations * span < 2**62 and pack(values, low, span, key):
            table = low + np.arange(span, dtype=np.float64)
        else:
            codes, table = pd.factorize(values, sort=True)
            span = len(table)
            if combinations * span >= 2**62:
                return None
            key *= span
            key += codes
        combinations *= span
        tables.append(table)
    spans = [len(t) for t in tables]

    def decode(unique_keys: np.ndarray) -> list[np.ndarray]:
        out = []
        for table, span in zip(reversed(tables), reversed(spans), strict=True):
            out.append(table[unique_keys % span])
            unique_keys = unique_keys // span
        return out[::-1]

    return key, decode


def _grouped(columns: dict[str, np.ndarray], weights: np.ndarray | None) -> tuple:
    """:func:`compress` by a pandas groupby on the columns themselves (drops missing keys)."""
    frame = pd.DataFrame(columns)
    keys = list(columns)
    frame["_w"] = 1.0 if weights is None else np.asarray(weights, dtype=np.float64)
    grouped = frame.groupby(keys, sort=True)["_w"].sum()
    unique = {k: grouped.index.get_level_values(k).to_numpy(np.float64) for k in keys}
    return unique, grouped.to_numpy(np.float64)


@functools.cache
def _kernels() -> SimpleNamespace:
    """Compile the packing loop on first use (numba caches it on disk)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def pack(values, low, span, key):  # pragma: no cover - compiled
        """``key = key * span + (value - low)`` if every value is exactly low + a whole number.

        Returns False, with ``key`` untouched, where one is not.
        """
        for i in range(values.shape[0]):
            offset = values[i] - low
            if not (0.0 <= offset < span) or low + float(int(offset)) != values[i]:
                return False
        for i in range(values.shape[0]):
            key[i] = key[i] * span + int(values[i] - low)
        return True

    return SimpleNamespace(pack=pack)
