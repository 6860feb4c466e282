import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

import clvmodels as clv
from clvmodels.exceptions import DataValidationError


@pytest.mark.parametrize("include_first", [False, True])
@pytest.mark.parametrize("freq", ["D", "W"])
def test_rfm_summary_agrees_with_lifetimes_on_cdnow(cdnow_transactions, freq, include_first):
    ours = clv.rfm_summary(
        cdnow_transactions,
        "customer_id",
        "date",
        "spend",
        "1998-06-30",
        freq=freq,
        include_first_transaction=include_first,
    )
    theirs = summary_data_from_transaction_data(
        cdnow_transactions,
        "customer_id",
        "date",
        "spend",
        observation_period_end="1998-06-30",
        freq=freq,
        include_first_transaction=include_first,
    ).loc[ours.index]
    assert len(ours) == 23_570
    for column in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-12, atol=1e-9)
    assert ours.attrs["time_unit"] == freq
    assert ours.attrs.get("include_first_transaction", False) is include_first


def test_rfm_summary_hand_computed():
    # Customer a: days 0, 0 (same day: one purchase of 3+5), 2, 7 -> x = 2, t_x = 7, T = 10,
    # mean repeat spend (4 + 6) / 2. Customer b: one purchase on day 4 -> x = 0, T = 6.
    tx = pd.DataFrame(
        {
            "id": ["a", "a", "a", "a", "b"],
            "when": ["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-08", "2024-01-05"],
            "amount": [3.0, 5.0, 4.0, 6.0, 9.0],
        }
    )
    s = clv.rfm_summary(tx, "id", "when", "amount", observation_period_end="2024-01-11")
    assert s.loc["a"].tolist() == [2, 7.0, 10.0, 5.0]
    assert s.loc["b"].tolist() == [0, 0.0, 6.0, 0.0]
    assert s["frequency"].dtype.kind == "i"


def test_calibration_holdout_split_agrees_with_independent_computations(cdnow_transactions):
    # lifetimes' calibration_and_holdout_data fails under pandas 3, so the calibration part
    # is checked against lifetimes' summary of the calibration log and the holdout counts
    # against a plain pandas count of distinct weeks.
    tx = cdnow_transactions
    ours = clv.calibration_holdout_split(
        tx, "customer_id", "date", "1997-09-30", "1998-06-30", freq="W"
    )
    calibration = tx[tx["date"] <= "1997-09-30"]
    theirs = summary_data_from_transaction_data(
        calibration, "customer_id", "date", observation_period_end="1997-09-30", freq="W"
    ).loc[ours.index]
    for column in ["frequency", "recency", "T"]:
        np.testing.assert_array_equal(ours[column].to_numpy(float), theirs[column].to_numpy())
    holdout = tx[tx["date"] > "1997-09-30"]
    weeks = holdout.assign(week=holdout["date"].dt.to_period("W"))
    counts = weeks.groupby("customer_id")["week"].nunique()
    expected = counts.reindex(ours.index, fill_value=0)
    np.testing.assert_array_equal(ours["frequency_holdout"].to_numpy(), expected.to_numpy())
    assert (ours["duration_holdout"] == 39).all()
    assert ours.attrs["calibration_period_end"] == "1997-09-30"


def test_split_holdout_spend_is_per_purchase_period():
    tx = pd.DataFrame(
        {
            "id": [1, 1, 1, 1, 2],
            "d": pd.to_datetime(
                ["2024-01-01", "2024-01-05", "2024-01-12", "2024-01-12", "2024-01-15"]
            ),
            "v": [1.0, 2.0, 3.0, 5.0, 7.0],
        }
    )
    s = clv.calibration_holdout_split(tx, "id", "d", "2024-01-06", "2024-01-20", "v")
    # customer 2 first buys in the holdout: not part of the split
    assert list(s.index) == [1]
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "frequency_holdout"] == 1
    assert s.loc[1, "monetary_value_holdout"] == 8.0  # two purchases on one day = one of 8
    assert s.loc[1, "duration_holdout"] == 14


def _log(**overrides):
    frame = pd.DataFrame(
        {
            "id": [1, 1, 2, 3],
            "date": ["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-03"],
            "spend": [10.0, 20.0, 5.0, 7.0],
        }
    )
    for column, (row, value) in overrides.items():
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(
    ("frame", "pattern"),
    [
        (_log(date=(2, "not a date")), r"column 'date': 1 of 4 rows .*parseable date.*row 2"),
        (_log(spend=(1, float("nan"))), r"column 'spend': 1 of 4 rows .*finite"),
        (_log(spend=(0, -3.0)), r"column 'spend'.*>= 0.*row 0"),
        (_log(id=(3, None)), r"column 'id'.*not missing"),
    ],
)
def test_rfm_summary_rejects_bad_logs(frame, pattern):
    if frame["spend"].dtype == object:
        frame["spend"] = frame["spend"].astype(float)
    with pytest.raises(DataValidationError, match=pattern):
        clv.rfm_summary(frame, "id", "date", "spend", observation_period_end="2024-06-30")


def test_rfm_summary_structural_errors():
    with pytest.raises(TypeError, match="DataFrame"):
        clv.rfm_summary([1, 2], "id", "date")
    with pytest.raises(DataValidationError, match=r"missing column\(s\) \['when'\]"):
        clv.rfm_summary(_log(), "id", "when")
    with pytest.raises(DataValidationError, match="empty"):
        clv.rfm_summary(_log().iloc[:0], "id", "date")
    with pytest.raises(ValueError, match="unknown time unit freq='fortnight'"):
        clv.rfm_summary(_log(), "id", "date", freq="fortnight")


def test_rfm_summary_reports_every_problem_at_once():
    frame = _log(date=(2, "garbage"))
    frame.loc[0, "spend"] = -1.0
    with pytest.raises(DataValidationError) as info:
        clv.rfm_summary(frame, "id", "date", "spend")
    message = str(info.value)
    assert "'date'" in message and "'spend'" in message


def test_split_rejects_calibration_end_after_observation_end():
    with pytest.raises(DataValidationError, match="must be before"):
        clv.calibration_holdout_split(_log(), "id", "date", "2024-02-01", "2024-01-10")


@pytest.mark.parametrize(
    "ids",
    [[7, 7, 3, 3, 5], [10**12, 10**12, 5, 5, -4], ["b", "b", "a", "a", "c"]],
    ids=["compact-ints", "wide-ints", "strings"],
)
def test_customer_ids_of_any_kind_give_the_same_sorted_summary(ids):
    tx = pd.DataFrame(
        {
            "id": ids,
            "d": pd.to_datetime(
                ["2024-01-01", "2024-01-04", "2024-01-02", "2024-01-02", "2024-01-03"]
            ),
        }
    )
    s = clv.rfm_summary(tx, "id", "d", observation_period_end="2024-01-10")
    assert list(s.index) == sorted(set(ids))
    assert s.loc[ids[0], ["frequency", "recency", "T"]].tolist() == [1, 3.0, 9.0]
    assert s.loc[ids[2], ["frequency", "recency", "T"]].tolist() == [0, 0.0, 8.0]
    assert s.loc[ids[4], ["frequency", "recency", "T"]].tolist() == [0, 0.0, 7.0]


def test_summary_as_of_an_earlier_end_leaves_later_transactions_out(cdnow_transactions):
    # As in lifetimes (and every peer): the summary is taken as of the end day; later
    # transactions are left out and counted, customers who arrive later are not in it.
    tx = cdnow_transactions
    end = "1997-02-15"
    ours = clv.rfm_summary(tx, "customer_id", "date", "spend", end, freq="D", time_unit="W")
    theirs = summary_data_from_transaction_data(
        tx,
        "customer_id",
        "date",
        "spend",
        observation_period_end=end,
        freq="D",
        freq_multiplier=7,
    )
    assert list(ours.index) == sorted(theirs.index)
    theirs = theirs.loc[ours.index]
    for column in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-12, atol=1e-9)
    later = int((tx["date"] > end).sum())
    assert ours.attrs["transactions_after_end"] == later
    assert later > 50_000
    assert ours.attrs["observation_period_end"] == end


def test_as_of_summary_equals_the_summary_of_the_filtered_log():
    tx = _log()
    tx.loc[4] = [4, "2024-01-09", 1.0]  # customer 4 arrives after the end
    tx.loc[5] = [1, "2024-01-04 18:30", 2.0]  # later in the day of the end: kept
    s = clv.rfm_summary(tx, "id", "date", "spend", observation_period_end="2024-01-04")
    expected = clv.rfm_summary(
        tx[pd.to_datetime(tx["date"], format="ISO8601") < "2024-01-05"],
        "id",
        "date",
        "spend",
        "2024-01-04",
    )
    pd.testing.assert_frame_equal(s, expected)
    assert list(s.index) == [1, 2, 3]
    assert s.loc[1].tolist() == [1, 3.0, 3.0, 2.0]
    assert s.attrs["transactions_after_end"] == 2  # 2024-01-05 and 2024-01-09
    assert expected.attrs["transactions_after_end"] == 0


def test_split_as_of_an_earlier_observation_end():
    tx = _log()
    s = clv.calibration_holdout_split(tx, "id", "date", "2024-01-02", "2024-01-03")
    # customer 1's purchase on 2024-01-05 is after the end: no holdout purchase
    assert s["frequency_holdout"].tolist() == [0, 0]
    assert s["duration_holdout"].tolist() == [1.0, 1.0]
    assert s.attrs["transactions_after_end"] == 1


def test_end_before_every_transaction_is_an_error():
    with pytest.raises(DataValidationError, match=r"no transaction on or before .*2023-12-31"):
        clv.rfm_summary(_log(), "id", "date", observation_period_end="2023-12-31")
