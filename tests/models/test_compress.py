"""compress: the packed-key reduction gives exactly what a pandas groupby on the floats gives."""

import numpy as np
import pandas as pd
import pytest

from clvmodels.models._mle import compress


def _groupby(columns, weights=None):
    """The reference: group by the float columns themselves, in sorted order."""
    frame = pd.DataFrame(columns)
    frame["_w"] = 1.0 if weights is None else weights
    grouped = frame.groupby(list(columns), sort=True)["_w"].sum()
    unique = {k: grouped.index.get_level_values(k).to_numpy(np.float64) for k in columns}
    return unique, grouped.to_numpy(np.float64)


def _assert_same(ours, reference):
    (unique, counts), (ref_unique, ref_counts) = ours, reference
    assert list(unique) == list(ref_unique)
    for name in ref_unique:
        assert unique[name].dtype == np.float64
        np.testing.assert_array_equal(unique[name], ref_unique[name], err_msg=name)
    # bit for bit: the fingerprint of a fit hashes these arrays
    np.testing.assert_array_equal(counts, ref_counts)


def _days(rng, n=20_000):
    x = rng.poisson(1.5, n).astype(np.float64)
    T = rng.integers(365, 729, n).astype(np.float64)
    t_x = np.where(x > 0, np.ceil(rng.uniform(0, 1, n) * T), 0.0)
    return {"frequency": x, "recency": t_x, "T": T}


def test_whole_days_counts_and_order(rng):
    columns = _days(rng)
    _assert_same(compress(columns), _groupby(columns))


def test_fractional_weeks_and_weights(rng):
    columns = {k: v / 7.0 for k, v in _days(rng).items()}
    columns["frequency"] *= 7.0
    weights = rng.uniform(0.0, 3.0, len(columns["T"]))
    _assert_same(compress(columns), _groupby(columns))
    _assert_same(compress(columns, weights), _groupby(columns, weights))
    days, whole = _days(rng), np.floor(weights)
    _assert_same(compress(days, whole), _groupby(days, whole))


@pytest.mark.parametrize(
    "values",
    [
        [0.1, 0.1, 1.1, 2.1, 1.1],  # low + whole numbers, not themselves whole
        [-3.0, 5.0, -3.0, 1e6, 5.0],  # negative, wide
        [1e-20, 1.0, 1.0, 1e-20],  # not exactly 1e-20 + a whole number
        [2.0**60, 2.0**60 + 256.0, 2.0**60],  # beyond 2^53: spacing 256
        [np.inf, 1.0, -np.inf, 1.0],
        [0.5, 1e300, 0.5, -1e300],
    ],
)
def test_values_that_are_not_small_whole_numbers(values):
    a = np.array(values, dtype=np.float64)
    columns = {"a": a, "b": a[::-1].copy()}
    _assert_same(compress(columns), _groupby(columns))


def test_missing_values_are_dropped_like_groupby():
    columns = {"a": np.array([1.0, np.nan, 1.0, 2.0]), "b": np.array([0.0, 0.0, 0.0, 1.0])}
    _assert_same(compress(columns), _groupby(columns))


def test_empty():
    unique, counts = compress({"a": np.array([]), "b": np.array([])})
    assert len(unique["a"]) == 0 and len(counts) == 0
