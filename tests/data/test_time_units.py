"""freq (the resolution purchases are counted at) vs time_unit (the unit of recency and T)."""

import numpy as np
import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

import clvmodels as clv

CALIBRATION_END = "1997-09-30"  # 39 weeks after 1997-01-01


@pytest.fixture(scope="module")
def cdnow_sample():
    return clv.datasets.load_cdnow_sample_transactions()


@pytest.fixture(scope="module")
def daily_in_weeks(cdnow_sample):
    return clv.rfm_summary(
        cdnow_sample,
        "customer_id",
        "date",
        "spend",
        observation_period_end=CALIBRATION_END,
        freq="D",
        time_unit="W",
    )


def test_cdnow_sample_log_reproduces_fader_hardie_lee_2005(daily_in_weeks):
    # Fader, Hardie & Lee (2005), "Counting your customers" the easy way, Marketing Science
    # 24(2), section 4 / Table 1: BG/NBD on the 2,357-customer CDNOW sample, 39-week
    # calibration, purchases per distinct day, time in weeks: r = 0.2426, alpha = 4.4136,
    # a = 0.7929, b = 2.4259, LL = -9582.43. Built here from the raw log, no hand edits.
    summary = daily_in_weeks
    assert len(summary) == 2357
    assert int((summary["frequency"] > 0).sum()) == 946
    model = clv.BetaGeoModel().fit(summary)
    p = model.params_
    assert [round(p[k], 4) for k in ("r", "alpha", "a", "b")] == [0.2426, 4.4136, 0.7929, 2.4259]
    assert round(model.log_likelihood_, 2) == -9582.43
    assert model.time_unit_ == "W"


def test_split_gives_the_same_calibration_summary(cdnow_sample, daily_in_weeks):
    split = clv.calibration_holdout_split(
        cdnow_sample, "customer_id", "date", CALIBRATION_END, freq="D", time_unit="W"
    )
    for column in ["frequency", "recency", "T"]:
        np.testing.assert_array_equal(split[column], daily_in_weeks[column])
    # 1997-10-01..1998-06-30 is 273 days = 39 weeks
    assert (split["duration_holdout"] == 39.0).all()
    assert split.attrs["time_unit"] == "W" and split.attrs["freq"] == "D"


def test_daily_in_weeks_agrees_with_lifetimes_and_the_published_summary(
    cdnow_sample, daily_in_weeks, cdnow_summary
):
    ours = daily_in_weeks
    # lifetimes: distinct days, divided by freq_multiplier=7
    theirs = summary_data_from_transaction_data(
        cdnow_sample,
        "customer_id",
        "date",
        "spend",
        observation_period_end=CALIBRATION_END,
        freq="D",
        freq_multiplier=7,
    ).loc[ours.index]
    for column in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-12, atol=1e-12)
    # the summary file distributed with the paper: the same numbers rounded to 2 decimals
    published = cdnow_summary.loc[ours.index]
    np.testing.assert_array_equal(ours["frequency"], published["frequency"])
    for column in ["recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[column], published[column], rtol=0, atol=0.005 + 1e-9)
    assert ours.loc[1, ["recency", "T"]].tolist() == [213 / 7, 272 / 7]
    assert ours.attrs == {
        "time_unit": "W",
        "freq": "D",
        "observation_period_end": CALIBRATION_END,
        "transactions_after_end": 1959,
    }


def test_calendar_weeks_count_other_purchases_and_give_other_estimates(cdnow_sample):
    # freq="W" counts purchases per calendar week (Monday..Sunday) and measures whole weeks:
    # on the same data it gives r = 0.283 and LL = -9154.8 (issue 11), not the published fit.
    weekly = clv.rfm_summary(
        cdnow_sample, "customer_id", "date", observation_period_end=CALIBRATION_END, freq="W"
    )
    calibration = cdnow_sample[cdnow_sample["date"] <= CALIBRATION_END]
    theirs = summary_data_from_transaction_data(
        calibration, "customer_id", "date", observation_period_end=CALIBRATION_END, freq="W"
    ).loc[weekly.index]
    for column in ["frequency", "recency", "T"]:
        np.testing.assert_array_equal(weekly[column].to_numpy(float), theirs[column])
    model = clv.BetaGeoModel().fit(weekly)
    assert round(model.params_["r"], 3) == 0.283
    assert round(model.log_likelihood_, 1) == -9154.8
    assert weekly.attrs["time_unit"] == "W" and weekly.attrs["freq"] == "W"


def _two_customers():
    # 2024-01-07 is a Sunday, 2024-01-08 a Monday.
    return pd.DataFrame(
        {
            "id": [1, 1, 1, 2],
            "d": pd.to_datetime(["2024-01-02", "2024-01-07", "2024-01-08", "2024-01-03"]),
        }
    )


@pytest.mark.parametrize(
    ("freq", "time_unit", "expected"),
    [
        # distinct days 0, 5, 6 from 2024-01-02; end 2024-01-16 is day 14
        ("D", None, [2, 6.0, 14.0]),
        ("D", "W", [2, 6 / 7, 2.0]),
        # weeks ending Sunday: 01-02 and 01-07 share a week, 01-08 starts the next
        ("W", None, [1, 1.0, 2.0]),
        ("W", "D", [1, 7.0, 14.0]),
        ("W-SUN", None, [1, 1.0, 2.0]),
        # weeks ending Monday: 01-02 is in the week to 01-08, with 01-07 and 01-08
        ("W-MON", None, [0, 0.0, 2.0]),
    ],
)
def test_freq_and_time_unit_hand_computed(freq, time_unit, expected):
    s = clv.rfm_summary(
        _two_customers(), "id", "d", None, "2024-01-16", freq=freq, time_unit=time_unit
    )
    assert s.loc[1, ["frequency", "recency", "T"]].tolist() == pytest.approx(expected, rel=1e-15)
    assert s.attrs["time_unit"] == (time_unit or freq[0])
    assert s.attrs["freq"] == freq


def test_anchored_weeks_count_like_pandas_periods(cdnow_transactions):
    tx = cdnow_transactions
    s = clv.rfm_summary(tx, "customer_id", "date", None, "1998-06-30", freq="W-WED")
    weeks = tx["date"].dt.to_period("W-WED")
    counts = weeks.groupby(tx["customer_id"]).nunique() - 1
    np.testing.assert_array_equal(s["frequency"], counts.loc[s.index])
    assert s.attrs["freq"] == "W-WED" and s.attrs["time_unit"] == "W"


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"freq": "ms"}, r"freq='ms'.*milliseconds.*month start is 'MS'"),
        ({"freq": "h"}, r"freq='h'.*finer than a day"),
        ({"freq": "d"}, r"freq='d'.*case-sensitive; did you mean 'D'"),
        ({"freq": "W-XYZ"}, r"freq='W-XYZ'.*only weeks may be anchored"),
        ({"freq": "Q-NOV"}, r"freq='Q-NOV'.*quarters and years run with the calendar year"),
        ({"freq": "fortnight"}, r"unknown time unit freq='fortnight'.*e\.g\. freq='D'"),
        ({"freq": ""}, r"freq must be a non-empty string"),
        ({"time_unit": "ms"}, r"time_unit='ms'"),
        ({"freq": "M", "time_unit": "W"}, r"time_unit='W' with freq='M'.*freq='D'"),
    ],
)
def test_unknown_or_unsupported_units_are_refused(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        clv.rfm_summary(_two_customers(), "id", "d", **kwargs)
    with pytest.raises(ValueError, match=pattern):
        clv.calibration_holdout_split(_two_customers(), "id", "d", "2024-01-05", **kwargs)
