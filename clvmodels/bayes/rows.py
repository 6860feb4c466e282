"""Compressed data of a Bayesian fit: distinct rows of the sufficient statistics, with counts.

The likelihoods of :mod:`clvmodels.models` depend on a customer only through a few columns
(``(x, t_x, T)`` for the purchase models, ``(x, t_x, n)`` for the BG/BB), so a fit
evaluates them once per distinct row and weights each row by the customers sharing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.units import time_unit_of

__all__ = ["WeightedRows", "weighted_rows"]


@dataclass(frozen=True)
class WeightedRows:
    """Distinct data rows and the number of customers on each.

    Attributes
    ----------
    columns
        Column name -> 1-D float64 array, one entry per distinct row (sorted).
    weights
        Customers per row (> 0).
    time_unit
        The unit of the time columns, when the data state one.
    """

    columns: dict[str, np.ndarray]
    weights: np.ndarray
    time_unit: str | None

    def fingerprint(self) -> str:
        """A short hash of the rows and counts, saved with a fit and checked on load."""
        digest = hashlib.sha256()
        for name in sorted(self.columns):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.columns[name], dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(self.weights, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]


def weighted_rows(
    data: pd.DataFrame, columns: Sequence[str], weights: ArrayLike | None = None
) -> WeightedRows:
    """The distinct rows of ``data[columns]`` (already validated) with their summed weights.

    Parameters
    ----------
    data
        One row per customer, or per group of customers when ``weights`` are given.
    columns
        The sufficient statistics.
    weights
        Customers per row of ``data`` (finite, >= 0); default one each. Rows of weight 0
        are dropped.

    Raises
    ------
    ValueError
        If ``weights`` are not one finite number >= 0 per row.
    """
    frame = pd.DataFrame({name: data[name].to_numpy(np.float64) for name in columns})
    if weights is None:
        frame["_w"] = 1.0
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (len(data),) or np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ValueError(
                f"weights must be one finite number >= 0 per row of the data ({len(data)} rows),"
                f" e.g. weights=table['count']; got shape {w.shape}"
            )
        frame["_w"] = w
    grouped = frame.groupby(list(columns), sort=True)["_w"].sum()
    grouped = grouped[grouped > 0]
    unique = {name: grouped.index.get_level_values(name).to_numpy(np.float64) for name in columns}
    return WeightedRows(unique, grouped.to_numpy(np.float64), time_unit_of(data))
