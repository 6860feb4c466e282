"""Issue 22: the backtest takes models with static covariates as candidates.

The log is drawn by ``clvmodels.simulate.simulate_transactions`` (the BG/NBD's story, numpy
only) for two channels whose customers follow CLVTools' parametrisation with known
effects: online customers buy e^1.1 = 3.0 times as often (alpha / e^1.1) and have a and b
multiplied by e^0.5. Customers without a repeat purchase by the cut-off tell the models
nothing but their age and, to the covariate model, their channel: the model without
covariates must forecast both channels alike, the one with covariates must find the
difference the holdout shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError
from clvmodels.simulate import simulate_transactions

BASE = {"r": 0.5, "alpha": 6.0, "a": 0.7, "b": 2.5}
EFFECTS = {"purchase": 1.1, "dropout": 0.5}
CUT_OFF = "2020-12-30"
N = 1500


@pytest.fixture(scope="module")
def base():
    """The two channels' logs, one after the other (ids 0..N-1 email, N..2N-1 online)."""
    logs, frames = [], []
    for z, channel in enumerate(("email", "online")):
        params = {
            "r": BASE["r"],
            "alpha": BASE["alpha"] * np.exp(-EFFECTS["purchase"] * z),
            "a": BASE["a"] * np.exp(EFFECTS["dropout"] * z),
            "b": BASE["b"] * np.exp(EFFECTS["dropout"] * z),
        }
        log = simulate_transactions(
            N, params, acquisition_periods=52, observation_periods=78, seed=10 + z
        )
        log["customer_id"] += z * N
        logs.append(log)
        ids = pd.Index(np.arange(z * N, (z + 1) * N), name="customer_id")
        frames.append(pd.DataFrame({"channel": channel}, index=ids))
    return pd.concat(logs, ignore_index=True), pd.concat(frames)


@pytest.fixture(scope="module")
def result(base):
    log, covariates = base
    models = {
        "plain": clv.BetaGeoModel(),
        "covariates": clv.BetaGeoModel(
            purchase_covariates=["channel"], dropout_covariates=["channel"]
        ),
    }
    return clv.backtest(
        log, "customer_id", "date", CUT_OFF, models=models, time_unit="W", covariates=covariates
    )


def test_holdout_predictions_use_each_customers_covariates(result, base):
    _, covariates = base
    fitted = result.fitted[CUT_OFF]["covariates"][0]
    assert fitted.has_covariates and "purchase:channel[online]" in fitted.params_
    rows = result.per_customer.set_index(["model", "customer_id"])
    calibration = result.summaries[CUT_OFF][["frequency", "recency", "T"]]
    duration = float(result.summaries[CUT_OFF]["duration_holdout"].iloc[0])
    expected = fitted.conditional_expected_purchases(duration, calibration.join(covariates))
    np.testing.assert_allclose(
        rows.loc["covariates", "predicted_purchases"].loc[expected.index].to_numpy(),
        expected.to_numpy(),
        rtol=1e-12,
    )
    # the model without covariates saw the same customers and ignores the column
    assert list(result.fitted[CUT_OFF]["plain"][0].params_) == ["r", "alpha", "a", "b"]


def test_the_covariate_model_tells_the_channels_apart_where_the_plain_one_cannot(result, base):
    _, covariates = base
    rows = result.per_customer.join(covariates, on="customer_id")
    # acquired in the last 8 weeks, no repeat purchase yet: little history to go on
    new = rows[(rows["frequency"] == 0) & (rows["T"] < 8)]
    totals = new.groupby(["model", "channel"])[["predicted_purchases", "actual_purchases"]]
    totals = totals.sum()

    def online_over_email(model, column):
        return totals.at[(model, "online"), column] / totals.at[(model, "email"), column]

    actual = online_over_email("plain", "actual_purchases")
    assert totals.loc["plain", "actual_purchases"].min() > 100  # enough holdout purchases
    plain = online_over_email("plain", "predicted_purchases")
    ours = online_over_email("covariates", "predicted_purchases")
    assert abs(np.log(ours / actual)) < 0.15
    assert abs(np.log(ours / actual)) < 0.5 * abs(np.log(plain / actual))


def test_calibration_fit_is_left_out_of_the_tracking_for_covariate_models(result):
    tracking = result.tracking[result.tracking["phase"] == "calibration"]
    by_model = tracking.groupby("model")["cumulative"]
    assert by_model.apply(lambda c: c.isna().all())["covariates"]
    assert by_model.apply(lambda c: c.notna().all())["plain"]
    holdout = result.tracking[result.tracking["phase"] == "holdout"]
    assert holdout.loc[holdout["model"] == "covariates", "cumulative"].notna().all()


@pytest.fixture(scope="module")
def small(base):
    log, covariates = base
    keep = covariates.index[::10]
    return log[log["customer_id"].isin(keep)], covariates.loc[keep]


def test_customers_without_covariates_are_named_and_extra_rows_are_not_used(small):
    log, covariates = small
    model = {"m": clv.BetaGeoModel(purchase_covariates=["channel"])}
    lacking = covariates.drop(index=covariates.index[3])
    with pytest.raises(
        DataValidationError, match=rf"ending {CUT_OFF} have no row, e\.g\. {covariates.index[3]};"
    ):
        clv.backtest(log, "customer_id", "date", CUT_OFF, models=model, covariates=lacking)
    later = pd.DataFrame({"channel": ["online"]}, index=pd.Index([10**6], name="customer_id"))
    result = clv.backtest(
        log,
        "customer_id",
        "date",
        [CUT_OFF, "2021-03-31"],
        models=model,
        time_unit="W",
        covariates=pd.concat([covariates, later]),
    )  # rolling origin: each cut-off's customers get their rows; the extra one is unused
    assert set(result.fitted) == {CUT_OFF, "2021-03-31"}
    assert 10**6 not in set(result.per_customer["customer_id"])


@pytest.mark.parametrize(
    "change,error,pattern",
    [
        (lambda c: c.assign(frequency=1.0), DataValidationError, r"\['frequency'\].*rename"),
        (lambda c: pd.concat([c, c.iloc[:1]]), DataValidationError, r"twice"),
        (lambda c: c.to_numpy(), TypeError, r"covariates must be a DataFrame indexed by"),
    ],
)
def test_bad_covariate_frames_are_named_errors(small, change, error, pattern):
    log, covariates = small
    model = {"m": clv.BetaGeoModel(purchase_covariates=["channel"])}
    with pytest.raises(error, match=pattern):
        clv.backtest(
            log, "customer_id", "date", CUT_OFF, models=model, covariates=change(covariates)
        )
