import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _breaks_a_rule(row, positive):
    """Plain-Python oracle of check_summary's rules for one (x, t_x, T, m) row."""
    x, t_x, T, m = row
    if not all(np.isfinite(v) for v in row):
        return True
    if x < 0 or x != int(x) or t_x < 0 or T < 0 or m < 0 or t_x > T:
        return True
    if (x == 0 and t_x != 0) or (x > 0 and t_x == 0):
        return True
    return positive and x > 0 and m <= 0


VALUES = [0.0, 1.0, 2.0, 2.5, 3.0, -1.0, np.nan, np.inf]
VALID_ROWS = [
    (0.0, 0.0, 3.0, 0.0),
    (0.0, 0.0, 0.0, 0.0),
    (2.0, 2.5, 3.0, 1.0),
    (1.0, 3.0, 3.0, 2.5),
]
ROWS = st.one_of(st.sampled_from(VALID_ROWS), st.tuples(*[st.sampled_from(VALUES)] * 4))


@given(
    st.lists(ROWS, min_size=1, max_size=6),
    st.booleans(),
    st.booleans(),
)
@settings(max_examples=300)
def test_check_summary_raises_exactly_when_a_row_breaks_a_rule(rows, positive, int_frequency):
    frame = pd.DataFrame(rows, columns=["frequency", "recency", "T", "monetary_value"])
    if int_frequency and all(np.isfinite(r[0]) and r[0] == int(r[0]) for r in rows):
        frame["frequency"] = frame["frequency"].astype(np.int64)
    expected = any(_breaks_a_rule(r, positive) for r in rows)
    try:
        check_summary(frame, monetary_value_col="monetary_value", positive_monetary_value=positive)
        raised = False
    except DataValidationError:
        raised = True
    assert raised == expected


def test_nullable_and_object_columns_are_checked_too():
    frame = _summary()
    frame["frequency"] = frame["frequency"].astype("Int64")
    assert check_summary(frame) is frame
    frame.loc[102, "frequency"] = pd.NA
    with pytest.raises(DataValidationError, match="'frequency'.*finite"):
        check_summary(frame)
