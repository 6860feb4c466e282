"""The deterministic baselines: formulas by hand, calibration data only, named errors."""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.evaluation import LastPeriodBaseline, RetentionBaseline, RunRateBaseline
from clvmodels.exceptions import DataValidationError, UnitMismatchError


@pytest.fixture
def summary():
    frame = pd.DataFrame(
        {
            "frequency": [0, 3, 1, 2],
            "recency": [0.0, 20.0, 2.0, 30.0],
            "T": [30.0, 30.0, 40.0, 32.0],
            "monetary_value": [0.0, 10.0, 30.0, 20.0],
        },
        index=pd.Index([1, 2, 3, 4], name="customer_id"),
    )
    frame.attrs["time_unit"] = "W"
    return frame


def test_run_rate(summary):
    model = RunRateBaseline().fit(summary)
    predicted = model.conditional_expected_purchases(10, summary)
    np.testing.assert_allclose(predicted, [0.0, 1.0, 0.25, 2 / 32 * 10])
    # Spend: own mean repeat spend; the repeat buyers' mean (20) for customer 1.
    np.testing.assert_allclose(model.expected_spend(summary), [20.0, 10.0, 30.0, 20.0])


def test_retention_formula(summary):
    # Lapse 8 weeks among repeat buyers: customers 2 (T - t_x = 10) and 3 (38) lapsed at
    # t_x = 20 and 2; customer 4 active with exposure T = 32: hazard 2 / 54 a week.
    model = RetentionBaseline(lapse=8, lapse_unit="W").fit(summary)
    churn = -np.expm1(-2 / 54)
    assert model.churn_per_period_ == pytest.approx(churn)
    r = 1 - churn
    periods = sum(r**k for k in range(1, 11))
    expected = np.array([0.0, 3 / 30, 1 / 40, 2 / 32]) * periods
    np.testing.assert_allclose(model.conditional_expected_purchases(10, summary), expected)
    # Every customer: customer 1 lapsed too, with no exposure.
    everybody = RetentionBaseline(lapse=8, lapse_unit="W", among="all").fit(summary)
    assert everybody.churn_per_period_ == pytest.approx(-np.expm1(-3 / 54))


def test_last_period(summary):
    recent = summary.assign(recent_frequency=[0, 2, 0, 1], recent_window=20.0)
    model = LastPeriodBaseline().fit(recent)
    np.testing.assert_allclose(model.conditional_expected_purchases(10, recent), [0, 1, 0, 0.5])
    with pytest.raises(DataValidationError, match="recent_frequency.*recent_repeats"):
        LastPeriodBaseline().fit(summary)


def test_errors(summary):
    with pytest.raises(RuntimeError, match="not fitted"):
        RunRateBaseline().conditional_expected_purchases(1, summary)
    model = RunRateBaseline().fit(summary)
    with pytest.raises(UnitMismatchError):
        model.conditional_expected_purchases(1, clv.with_time_unit(summary, "D"))
    with pytest.raises(ValueError, match="t must be"):
        model.conditional_expected_purchases(-1, summary)
    with pytest.raises(DataValidationError, match="monetary_value"):
        model.expected_spend(summary.drop(columns="monetary_value"))
    with pytest.raises(ValueError, match="among must be"):
        RetentionBaseline(among="some").fit(summary)
