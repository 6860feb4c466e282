"""Dates the summary refuses (numbers, mixed time zones) and time-zone-aware logs (UTC)."""

import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError


def _log(dates):
    return pd.DataFrame({"id": [1, 1, 2], "date": dates, "spend": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize(
    ("dates", "example"),
    [
        ([19970101, 19970105, 19970102], "date=19970101"),  # yyyymmdd as int64
        ([852076800.0, 852422400.0, 852163200.0], "date=852076800.0"),  # epoch seconds
        (pd.Series(["1997-01-01", 852422400, "1997-01-02"], dtype=object), "date=852422400"),
    ],
    ids=["yyyymmdd-int", "epoch-float", "object-with-int"],
)
def test_numbers_are_not_dates(dates, example):
    with pytest.raises(DataValidationError) as info:
        clv.rfm_summary(_log(dates), "id", "date")
    message = str(info.value)
    assert "column 'date'" in message and "numbers, not dates" in message
    assert example in message
    assert "format='%Y%m%d'" in message and "unit='s'" in message


def test_numeric_end_dates_are_refused():
    log = _log(["1997-01-01", "1997-01-05", "1997-01-02"])
    with pytest.raises(DataValidationError, match=r"observation_period_end=19970930 is a number"):
        clv.rfm_summary(log, "id", "date", observation_period_end=19970930)
    with pytest.raises(DataValidationError, match=r"calibration_period_end=19970103 is a number"):
        clv.calibration_holdout_split(log, "id", "date", 19970103)


@pytest.mark.parametrize(
    "dates",
    [
        ["2024-01-01T10:00", "2024-01-05T10:00+01:00", "2024-01-02T09:00"],
        [
            pd.Timestamp("2024-01-01 10:00", tz="Europe/Paris"),
            pd.Timestamp("2024-01-05 10:00"),
            pd.Timestamp("2024-01-02 09:00", tz="UTC"),
        ],
    ],
    ids=["strings", "timestamps"],
)
def test_dates_with_and_without_time_zone_are_refused(dates):
    with pytest.raises(DataValidationError, match=r"column 'date'.*mixed time zones.*row 1"):
        clv.rfm_summary(_log(pd.Series(dates, dtype=object)), "id", "date")


def test_time_zone_aware_logs_are_compared_in_utc():
    # The same instants given in three ways give the same summary, in UTC days.
    utc = pd.to_datetime(["2024-01-01 23:30", "2024-01-05 10:00", "2024-01-02 09:00"])
    naive = clv.rfm_summary(_log(utc), "id", "date", "spend", "2024-01-10")
    paris = _log(utc.tz_localize("UTC").tz_convert("Europe/Paris"))  # 2024-01-02 00:30 local
    strings = _log(["2024-01-02T00:30+01:00", "2024-01-05T05:00-05:00", "2024-01-02T09:00Z"])
    objects = _log(pd.Series(list(paris["date"]), dtype=object))
    objects.loc[1, "date"] = pd.Timestamp("2024-01-05 05:00", tz="America/New_York")
    for frame in (paris, strings, objects):
        s = clv.rfm_summary(frame, "id", "date", "spend", "2024-01-10")
        pd.testing.assert_frame_equal(s, naive)
        assert s.attrs["time_zone"] == "UTC"
    assert naive.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 4.0, 9.0]


def test_summer_and_winter_offsets_of_one_zone_are_one_log():
    log = _log(["2024-03-30T23:30+01:00", "2024-04-02T00:30+02:00", "2024-03-31T12:00+02:00"])
    s = clv.rfm_summary(log, "id", "date", observation_period_end="2024-04-05")
    # UTC: 03-30 22:30 and 04-01 22:30 -> 2 days apart
    assert s.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 2.0, 6.0]


def test_end_dates_and_time_zones():
    aware = _log(pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02"]).tz_localize("UTC"))
    # an aware end is converted to UTC: 2024-01-05 00:30 Paris is 2024-01-04 23:30 UTC
    s = clv.rfm_summary(aware, "id", "date", None, pd.Timestamp("2024-01-05 00:30+01:00"))
    assert s.attrs["observation_period_end"] == "2024-01-04"
    assert s.attrs["transactions_after_end"] == 1
    naive = _log(["2024-01-01", "2024-01-05", "2024-01-02"])
    with pytest.raises(DataValidationError, match=r"observation_period_end=.*has a time zone"):
        clv.rfm_summary(naive, "id", "date", observation_period_end="2024-01-05T00:00+01:00")


def test_iso_dates_with_and_without_time_of_day_parse():
    log = _log(["2024-01-01", "2024-01-05 18:30", "2024-01-02"])
    s = clv.rfm_summary(log, "id", "date", observation_period_end="2024-01-10")
    assert s.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 4.0, 9.0]
