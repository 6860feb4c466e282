"""Hours as a time unit (issue 25): summaries, models and checks with ``time_unit="h"``.

Purchases are still counted per day (``freq="D"``); recency and T are expressed in hours.
The reference is lifetimes' summary with ``freq_multiplier=1/24`` (its times divided by
the multiplier) and the daily summary, 24 hours to the day. The DuckDB and Spark engines
are held to pandas in ``tests/data/engines/test_conformance.py`` (units ``("D", "h")``).
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.units import canonical_unit, days_per_unit

END = "1997-09-30"


@pytest.fixture(scope="module")
def log():
    return clv.datasets.load_cdnow_sample_transactions()


@pytest.fixture(scope="module")
def hourly(log):
    return clv.rfm_summary(log, "customer_id", "date", "spend", END, freq="D", time_unit="h")


@pytest.fixture(scope="module")
def daily(log):
    return clv.rfm_summary(log, "customer_id", "date", "spend", END, freq="D", time_unit="D")


def test_hourly_summary_is_lifetimes_with_a_one_24th_multiplier(log, hourly, daily):
    utils = pytest.importorskip("lifetimes.utils")
    theirs = utils.summary_data_from_transaction_data(
        log[log["date"] <= END],
        "customer_id",
        "date",
        "spend",
        END,
        freq="D",
        freq_multiplier=1 / 24,
    )
    theirs = theirs.loc[hourly.index]
    np.testing.assert_array_equal(hourly["frequency"], theirs["frequency"])
    np.testing.assert_allclose(hourly["recency"], theirs["recency"], rtol=1e-12)
    np.testing.assert_allclose(hourly["T"], theirs["T"], rtol=1e-12)
    # 24 hours to the day, exactly
    np.testing.assert_array_equal(hourly["T"], 24 * daily["T"])
    assert hourly.attrs["time_unit"] == "h" and hourly.attrs["freq"] == "D"
    first = log.loc[log["customer_id"] == hourly.index[0], "date"].min()
    assert hourly["T"].iloc[0] == (pd.Timestamp(END) - first.normalize()) / pd.Timedelta(hours=1)


def test_a_model_fitted_in_hours_is_the_daily_model_rescaled(hourly, daily):
    in_hours = clv.BetaGeoModel().fit(hourly)
    in_days = clv.BetaGeoModel().fit(daily)
    assert in_hours.time_unit_ == "h"
    # the purchase rate's scale alpha is in time units: 24 times as many hours as days
    assert in_hours.params_["alpha"] == pytest.approx(24 * in_days.params_["alpha"], rel=1e-4)
    for name in ("r", "a", "b"):
        assert in_hours.params_[name] == pytest.approx(in_days.params_[name], rel=1e-4)
    np.testing.assert_allclose(
        in_hours.conditional_expected_purchases(24 * 30.0, hourly),
        in_days.conditional_expected_purchases(30.0, daily),
        rtol=1e-4,
    )
    with pytest.raises(clv.UnitMismatchError, match="'D' but 'h' was expected"):
        in_hours.probability_alive(daily)


def test_hours_in_the_unit_table_and_what_is_refused(log):
    assert canonical_unit("h") == "h" and days_per_unit("h") * 24 == 1.0
    bare = pd.DataFrame({"frequency": [1], "recency": [30.0], "T": [48.0]})
    assert clv.with_time_unit(bare, "h").attrs["time_unit"] == "h"
    with pytest.raises(ValueError, match=r"freq='h'.*counted per day.*freq='D', time_unit='h'"):
        clv.rfm_summary(log, "customer_id", "date", freq="h")
    with pytest.raises(ValueError, match=r"time_unit='H'.*hours are 'h'"):
        clv.rfm_summary(log, "customer_id", "date", time_unit="H")
    with pytest.raises(ValueError, match=r"time_unit='min'.*finest supported unit is the hour"):
        clv.rfm_summary(log, "customer_id", "date", time_unit="min")
    with pytest.raises(ValueError, match=r"time_unit='h' with freq='M'"):
        clv.rfm_summary(log, "customer_id", "date", freq="M", time_unit="h")
