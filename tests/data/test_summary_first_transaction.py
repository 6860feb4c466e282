"""``include_first_transaction`` of the summary (lifetimes' option of that name).

The comparison with lifetimes is in ``test_summary.py``, parametrised over the option.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.summary import purchase_periods


def test_include_first_transaction_by_hand():
    # a: days 0 (3 + 5, one period), 2 (4), 7 (6): three periods, mean spend (8 + 4 + 6) / 3
    tx = pd.DataFrame(
        {
            "id": ["a", "a", "a", "a", "b"],
            "when": ["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-08", "2024-01-05"],
            "amount": [3.0, 5.0, 4.0, 6.0, 9.0],
        }
    )
    s = clv.rfm_summary(tx, "id", "when", "amount", "2024-01-11", include_first_transaction=True)
    assert s.loc["a"].tolist() == [3, 7.0, 10.0, 6.0]
    assert s.loc["b"].tolist() == [1, 0.0, 6.0, 9.0]
    split = clv.calibration_holdout_split(
        tx, "id", "when", "2024-01-04", "2024-01-11", "amount", include_first_transaction=True
    )
    assert split.loc["a", ["frequency", "monetary_value", "frequency_holdout"]].tolist() == [
        2,
        6.0,
        1,
    ]
    # the purchase models refuse such a summary (a one-time buyer has frequency 1, recency 0)
    with pytest.raises(clv.DataValidationError, match="recency > 0 when frequency > 0"):
        clv.BetaGeoModel().fit(s)


def test_purchase_periods_flags_each_customers_first_period():
    tx = pd.DataFrame(
        {
            "id": [2, 1, 1, 2, 1],
            "when": ["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02"],
        }
    )
    pairs = purchase_periods(tx, "id", "when")
    assert pairs["id"].tolist() == [1, 1, 2, 2]
    assert np.diff(pairs["period"]).tolist()[:1] == [1]
    assert pairs["first"].tolist() == [True, False, True, False]
