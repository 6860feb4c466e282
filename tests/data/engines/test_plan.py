"""The engines' result frame: rows in increasing customer id, as the pandas path returns them."""

import numpy as np
import pandas as pd
import pytest

from clvmodels.data.engines.plan import as_summary_frame, id_order

RNG = np.random.default_rng(16)


@pytest.mark.parametrize(
    "ids",
    [
        RNG.permutation(100_000).astype(np.int64) * 7 - 350_000,  # packed-key path
        RNG.permutation(1_000).astype(np.uint32),
        np.array([2**62, -(2**62), 0, 5]),  # range too wide to pack: argsort
        np.array(["b", "a", "é", "B"], dtype=object),
        np.array([42]),
    ],
    ids=["int64", "uint32", "wide-range", "strings", "one"],
)
def test_id_order_sorts_like_argsort(ids):
    np.testing.assert_array_equal(id_order(ids), np.argsort(ids, kind="stable"))


def test_summary_frame_is_sorted_typed_and_keeps_attrs():
    result = pd.DataFrame(
        {
            "cid": [3, 1, 2],
            "frequency": [1.0, 0.0, 2.0],
            "recency": [1, 0, 2],
            "T": [5, 4, 3],
            "monetary_value": [1.5, 0.0, 2.5],
        }
    )
    frame = as_summary_frame(result, "customer_id", False, {"time_unit": "W"})
    assert frame.index.tolist() == [1, 2, 3] and frame.index.name == "customer_id"
    assert list(frame.columns) == ["frequency", "recency", "T"]
    assert frame["frequency"].tolist() == [0, 2, 1] and frame["frequency"].dtype == np.int64
    assert frame["T"].tolist() == [4.0, 3.0, 5.0] and frame["T"].dtype == np.float64
    assert frame.attrs == {"time_unit": "W"}
