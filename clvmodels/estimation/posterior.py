"""Posterior predictions per customer: mean by default, draws or HDI on request.

A model's prediction function (the same one the maximum-likelihood estimator calls) is
evaluated with parameter draws of shape ``(chain, draw, 1)`` against the distinct data
rows, a chunk of rows at a time, so that a million customers times thousands of draws
never sit in memory at once unless the draws themselves are asked for. Customers that
share a history share a row: results are expanded to customers only at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.estimation.intervals import check_probability, hdi, interval_names

__all__ = ["CHUNK_ELEMENTS", "distinct_rows", "per_customer"]

#: Values (draws x rows x horizons) evaluated at once: 4M float64 = 32 MB per array.
CHUNK_ELEMENTS = 4_000_000


def distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the stacked columns, sorted, and each customer's row.

    Sorted by the first column, then the second... The same as
    ``np.unique(stacked, axis=0, return_inverse=True)``, in linear time: the rows are
    numbered by hashing (``pandas.factorize``), column by column, and only the distinct
    rows are sorted (a million customers in weeks have some 35,000).
    """
    stacked = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    code = np.zeros(len(stacked), dtype=np.int64)
    for column in stacked.T:
        # -0.0 and 0.0 are one value, as for np.unique
        values, distinct = pd.factorize(column + 0.0, use_na_sentinel=False)
        code, _ = pd.factorize(code * len(distinct) + values)
    n_distinct = int(code.max()) + 1 if len(code) else 0
    first = np.zeros(n_distinct, dtype=np.int64)
    first[code[::-1]] = np.arange(len(code) - 1, -1, -1)
    unique = stacked[first]
    order = np.lexsort(unique.T[::-1])
    rank = np.empty(n_distinct, dtype=np.int64)
    rank[order] = np.arange(n_distinct)
    return unique[order], rank[code]


def per_customer(
    compute: Callable[[slice], np.ndarray],
    n_rows: int,
    inverse: np.ndarray,
    index: pd.Index,
    sample_shape: tuple[int, int],
    *,
    name: str,
    draws: bool = False,
    hdi_prob: float | None = None,
    extra: tuple[str, Sequence[float]] | None = None,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> Any:
    """Reduce ``compute`` over the draws, chunk by chunk of distinct rows.

    Parameters
    ----------
    compute
        ``compute(rows)`` -> array ``(chain, draw, len(rows), *extra)`` for a slice of the
        distinct rows.
    n_rows
        Number of distinct rows.
    inverse
        Each customer's distinct row.
    index
        The customers' index (labels the result).
    sample_shape
        ``(chain, draw)``.
    name
        Name of the quantity (the Series / DataArray name).
    draws
        Return every draw as an ``xarray.DataArray`` with dims
        ``(chain, draw, customer_id[, extra])``.
    hdi_prob
        Return a frame with the posterior ``mean`` and the HDI bounds (``hdi_3%`` and
        ``hdi_97%`` for 0.94).
    extra
        ``(dim name, coordinate values)`` of a trailing axis, e.g. horizons.
    chunk_elements
        Upper bound on the values evaluated at once.

    Returns
    -------
    pandas.Series, pandas.DataFrame or xarray.DataArray
        Posterior mean per customer (a frame with one column per ``extra`` value when
        given); with ``hdi_prob`` a frame of mean and bounds (columns ``(statistic,
        extra)`` when ``extra`` is given); with ``draws`` the draws.
    """
    if draws and hdi_prob is not None:
        raise ValueError("ask for draws=True or for hdi=..., not both")
    if hdi_prob is not None:
        hdi_prob = check_probability(hdi_prob)
    n_samples = sample_shape[0] * sample_shape[1]
    width = 1 if extra is None else max(1, len(extra[1]))
    step = max(1, chunk_elements // max(1, n_samples * width))
    means, bounds, every = [], [], []
    counts = np.bincount(inverse, minlength=n_rows).astype(np.float64)
    total = np.zeros(n_samples)
    for start in range(0, n_rows, step):
        values = np.asarray(compute(slice(start, min(start + step, n_rows))), dtype=np.float64)
        values = np.broadcast_to(values, (*sample_shape, *values.shape[2:]))
        if draws:
            every.append(values)
            continue
        means.append(values.mean(axis=(0, 1)))
        if hdi_prob is not None:
            flat = values.reshape(n_samples, *values.shape[2:])
            bounds.append(hdi(flat, hdi_prob, axis=0))
            if extra is None:  # the base total's draws
                total += flat @ counts[start : start + flat.shape[1]]
    if draws:
        import xarray as xr

        stacked = np.concatenate(every, axis=2)[:, :, inverse]
        dims = ["chain", "draw", "customer_id"] + ([extra[0]] if extra else [])
        coords: dict[str, Any] = {
            "chain": np.arange(sample_shape[0]),
            "draw": np.arange(sample_shape[1]),
            "customer_id": np.asarray(index),
        }
        if extra:
            coords[extra[0]] = np.asarray(extra[1])
        return xr.DataArray(stacked, dims=dims, coords=coords, name=name)
    mean = np.concatenate(means, axis=0)[inverse]
    if hdi_prob is None:
        if extra is None:
            return pd.Series(mean, index=index, name=name)
        return pd.DataFrame(mean, index=index, columns=pd.Index(extra[1], name=extra[0]))
    interval = np.concatenate(bounds, axis=0)[inverse]
    lower, upper = interval_names(hdi_prob)
    if extra is None:
        frame = pd.DataFrame(
            {"mean": mean, lower: interval[:, 0], upper: interval[:, 1]}, index=index
        )
        total_band = hdi(total, hdi_prob)
        frame.attrs.update(
            quantity=name,
            interval=hdi_prob,
            method="posterior",
            base_total={
                "mean": float(total.mean()),
                lower: float(total_band[0]),
                upper: float(total_band[1]),
            },
        )
        return frame
    parts = {
        "mean": pd.DataFrame(mean, index=index, columns=extra[1]),
        lower: pd.DataFrame(interval[..., 0], index=index, columns=extra[1]),
        upper: pd.DataFrame(interval[..., 1], index=index, columns=extra[1]),
    }
    frame = pd.concat(parts, axis=1, names=["statistic", extra[0]])
    frame.attrs["quantity"] = name
    return frame


def summarise_draws(
    values: np.ndarray, index: pd.Index | None, hdi_prob: float, name: str
) -> pd.DataFrame | pd.Series:
    """Mean and HDI of draws ``(chain, draw, *rest)``; one row per entry of ``rest``."""
    hdi_prob = check_probability(hdi_prob)
    values = np.asarray(values, dtype=np.float64)
    flat = values.reshape(values.shape[0] * values.shape[1], -1)
    interval = hdi(flat, hdi_prob, axis=0)
    lower, upper = interval_names(hdi_prob)
    frame = pd.DataFrame(
        {"mean": flat.mean(axis=0), lower: interval[:, 0], upper: interval[:, 1]}, index=index
    )
    frame.attrs["quantity"] = name
    return frame
