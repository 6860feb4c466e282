import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.validation import check_summary
from clvmodels.exceptions import DataValidationError


def _summary(**changes):
    frame = pd.DataFrame(
        {
            "frequency": [0, 2, 5],
            "recency": [0.0, 10.0, 30.0],
            "T": [40.0, 40.0, 40.0],
            "monetary_value": [0.0, 12.5, 30.0],
        },
        index=pd.Index([101, 102, 103], name="customer_id"),
    )
    for column, (position, value) in changes.items():
        frame[column] = frame[column].astype(float)
        frame.iloc[position, frame.columns.get_loc(column)] = value
    return frame


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"frequency": (1, -1)}, r"'frequency': 1 of 3 rows break the rule 'frequency >= 0'"),
        ({"frequency": (1, 2.5)}, r"'frequency is a whole number'.*row 102"),
        ({"recency": (2, 41.0)}, r"'recency <= T'.*row 103: frequency=5.0, recency=41.0, T=40.0"),
        ({"recency": (0, 3.0)}, r"'recency == 0 when frequency == 0'"),
        ({"recency": (1, 0.0)}, r"'recency > 0 when frequency > 0"),
        ({"T": (0, np.inf)}, r"'T': 1 of 3 rows .*finite"),
        ({"T": (0, -1.0)}, r"'T >= 0'"),
        ({"recency": (1, np.nan)}, r"'recency'.*finite \(no NaN or inf\).*row 102"),
    ],
)
def test_bgnbd_fit_rejects_bad_summaries(changes, pattern):
    with pytest.raises(DataValidationError, match=pattern):
        clv.BetaGeoModel().fit(_summary(**changes))


def test_gamma_gamma_requires_positive_spend_for_repeat_buyers():
    bad = _summary(monetary_value=(1, 0.0))
    with pytest.raises(DataValidationError, match=r"'monetary_value > 0 when frequency > 0'"):
        clv.GammaGammaModel().fit(bad)
    with pytest.raises(DataValidationError, match="no|none"):
        clv.GammaGammaModel().fit(_summary().iloc[[0]])


def test_missing_columns_and_types():
    with pytest.raises(DataValidationError, match=r"missing column\(s\) \['T'\]"):
        check_summary(_summary().drop(columns="T"))
    with pytest.raises(TypeError, match="DataFrame"):
        check_summary(np.zeros((3, 3)))
    with pytest.raises(DataValidationError, match="empty"):
        check_summary(_summary().iloc[:0])
    text = _summary()
    text["T"] = text["T"].astype(str)
    with pytest.raises(DataValidationError, match="'T': must be numeric"):
        check_summary(text)


def test_valid_summary_passes_unchanged():
    frame = _summary()
    assert check_summary(frame, monetary_value_col="monetary_value") is frame
