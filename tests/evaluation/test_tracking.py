"""Cumulative repeat transactions over calendar time, against lifetimes 0.11.3.

lifetimes' ``expected_cumulative_transactions`` is an independent implementation (it loops
over the days); its fitters get our parameters, so the two compare the same model.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.evaluation.tracking import (
    cohort_expected_purchases,
    expected_cumulative_transactions,
)

lifetimes = pytest.importorskip("lifetimes")
from lifetimes.utils import expected_cumulative_transactions as lifetimes_cumulative  # noqa: E402

MODELS = {
    "BG/NBD": (clv.BetaGeoModel, lifetimes.BetaGeoFitter),
    "MBG/NBD": (clv.ModifiedBetaGeoModel, lifetimes.ModifiedBetaGeoFitter),
    "Pareto/NBD": (clv.ParetoNBDModel, lifetimes.ParetoNBDFitter),
}


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize(("time_unit", "per_unit", "t"), [("W", 7, 30), ("D", 1, 45)])
def test_matches_lifetimes(name, time_unit, per_unit, t, cdnow_transactions):
    log = cdnow_transactions
    ours_class, theirs_class = MODELS[name]
    summary = clv.rfm_summary(log, "customer_id", "date", freq="D", time_unit=time_unit)
    model = ours_class().fit(summary)
    theirs = theirs_class()
    theirs.params_ = pd.Series(model.params_)
    ours = expected_cumulative_transactions(
        model, log, "customer_id", "date", t, freq="D", time_unit=time_unit
    )
    reference = lifetimes_cumulative(
        theirs, log, "date", "customer_id", t * per_unit, freq="D", freq_multiplier=per_unit
    )
    assert ours.index.tolist() == list(range(1, t + 1))
    np.testing.assert_array_equal(ours["actual"].to_numpy(), reference["actual"].to_numpy())
    np.testing.assert_allclose(
        ours["predicted"].to_numpy(), reference["predicted"].to_numpy(), rtol=1e-10
    )


def test_cohort_sum_is_the_sum_over_customers():
    def expected(t):
        return np.sqrt(t)

    acquired = np.array([0.0, 0.0, 1.5, 4.0, 9.0])
    at = np.array([0.0, 2.0, 9.0, 10.0])
    by_hand = [sum(np.sqrt(max(a - b, 0.0)) for b in acquired) for a in at]
    np.testing.assert_allclose(cohort_expected_purchases(expected, acquired, at), by_hand)


def test_model_and_time_unit_must_agree(bgnbd_cdnow, cdnow_transactions):
    with pytest.raises(clv.UnitMismatchError):
        expected_cumulative_transactions(
            bgnbd_cdnow, cdnow_transactions, "customer_id", "date", 5, freq="D"
        )
    with pytest.raises(ValueError, match="t must"):
        expected_cumulative_transactions(
            bgnbd_cdnow, cdnow_transactions, "customer_id", "date", 0, freq="D", time_unit="W"
        )
