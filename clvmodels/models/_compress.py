"""Reduce data rows to their distinct combinations with counts (the sufficient statistics).

The BG/NBD and Pareto/NBD likelihoods depend on a customer only through (x, t_x, T), the
Gamma-Gamma through (x, mean spend): fits run on the distinct rows with counts as weights
(CLVTools ``R/class_clv_model_bgnbd.R`` does the same).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np
import pandas as pd

__all__ = ["compress"]


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
