"""Units: strict parsing, and a guard that survives losing attrs (CSV round trips)."""

import io

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data import with_time_unit
from clvmodels.data.units import canonical_unit, check_same_unit, days_per_unit, period_alias
from clvmodels.exceptions import UnitMismatchError


@pytest.mark.parametrize(
    ("alias", "unit"),
    [("D", "D"), ("W", "W"), ("W-MON", "W"), ("W-SUN", "W"), ("ME", "M"), ("MS", "M")]
    + [("QS", "Q"), ("YE", "Y"), ("A", "Y")],
)
def test_canonical_unit_accepts_period_aliases(alias, unit):
    assert canonical_unit(alias) == unit


@pytest.mark.parametrize("alias", ["ms", "MIN", "w", "W-", "W-MONDAY", "Q-NOV", "2W", " D"])
def test_canonical_unit_refuses_what_pandas_reads_otherwise(alias):
    with pytest.raises(ValueError, match=f"unknown time unit time unit={alias!r}"):
        canonical_unit(alias)


def test_period_alias_keeps_the_week_anchor_and_days_per_unit():
    assert [period_alias(f) for f in ("W", "W-MON", "ME", "D")] == ["W", "W-MON", "M", "D"]
    assert days_per_unit("W-MON") == 7.0
    assert days_per_unit("Y") == 365.25


def test_check_same_unit_refuses_a_missing_unit_when_one_is_expected():
    check_same_unit(None, None, "x")
    check_same_unit(None, "D", "x")
    check_same_unit("W", "W-MON", "x")
    with pytest.raises(UnitMismatchError, match=r"'D' but 'W' was expected"):
        check_same_unit("W", "D", "the summary")
    with pytest.raises(UnitMismatchError, match=r"the summary states no time unit.*with_time_unit"):
        check_same_unit("W", None, "the summary")


def test_with_time_unit_states_the_unit_of_a_copy(cdnow_summary):
    bare = pd.DataFrame(cdnow_summary.to_dict())  # no attrs
    assert bare.attrs == {}
    stated = with_time_unit(bare, "W")
    assert stated.attrs["time_unit"] == "W" and bare.attrs == {}
    assert stated is not bare
    pd.testing.assert_frame_equal(stated, bare)
    assert with_time_unit(cdnow_summary, "W").attrs["time_unit"] == "W"
    with pytest.raises(UnitMismatchError, match="does not convert"):
        with_time_unit(cdnow_summary, "D")
    with pytest.raises(ValueError, match="time_unit='weeks'"):
        with_time_unit(bare, "weeks")
    with pytest.raises(TypeError, match="DataFrame"):
        with_time_unit(bare.to_numpy(), "W")


def _csv_round_trip(frame):
    buffer = io.StringIO()
    frame.to_csv(buffer)
    buffer.seek(0)
    back = pd.read_csv(buffer, index_col=0)
    assert back.attrs == {}  # CSV keeps no attrs
    return back


def test_unit_guard_survives_a_csv_round_trip(bgnbd_cdnow):
    # A weekly model given times in days predicts far too few purchases, silently, unless
    # the missing unit is refused (issue 11: 3,503 instead of 20,298).
    tx = clv.datasets.load_cdnow_sample_transactions()
    daily = clv.rfm_summary(tx, "customer_id", "date", None, "1997-09-30", freq="D")
    back = _csv_round_trip(daily)
    with pytest.raises(UnitMismatchError, match="states no time unit"):
        bgnbd_cdnow.conditional_expected_purchases(39, back)
    with pytest.raises(UnitMismatchError, match="states no time unit"):
        bgnbd_cdnow.probability_alive(back)
    with pytest.raises(UnitMismatchError, match="'D' but 'W' was expected"):
        bgnbd_cdnow.conditional_expected_purchases(39, with_time_unit(back, "D"))
    # stating "W" is the caller's word (the guard cannot see the values): it predicts
    assert bgnbd_cdnow.probability_alive(with_time_unit(back, "W")).notna().all()


def test_a_weekly_summary_read_back_and_stated_predicts_as_before(bgnbd_cdnow):
    tx = clv.datasets.load_cdnow_sample_transactions()
    weekly = clv.rfm_summary(tx, "customer_id", "date", None, "1997-09-30", "D", time_unit="W")
    back = with_time_unit(_csv_round_trip(weekly), "W")
    np.testing.assert_allclose(
        bgnbd_cdnow.conditional_expected_purchases(39, back),
        bgnbd_cdnow.conditional_expected_purchases(39, weekly),
        rtol=1e-12,
    )
