"""Time-varying covariate frames: each broken rule is a named error; the layout is right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.dynamic_covariates import covariate_paths
from clvmodels.exceptions import DataValidationError
from tests.models.dynamic_draws import ORIGIN, draw

TRUTH = {"r": 0.8, "alpha": 6.0, "s": 0.7, "beta": 10.0}


@pytest.fixture(scope="module")
def drawn():
    return draw("pareto_nbd", 60, TRUTH, {"purchase:season": 0.5}, seed=1)


def _fit(summary, frame, log=None, **columns):
    columns = columns or {"purchase_covariates": ["season", "contact"]}
    return clv.ParetoNBDModel(**columns).fit(summary, dynamic_covariates=frame, transactions=log)


def test_layout_places_each_customer_in_her_periods(drawn):
    summary, frame, log = drawn
    paths = covariate_paths(summary, frame, ["contact"], transactions=log)
    assert paths.period_length == 1.0  # weekly periods, summary in weeks
    customer = summary.index[3]
    birth = summary.clv.observation_period_end - pd.Timedelta(weeks=summary["T"].iloc[3])
    first = (birth - ORIGIN).days // 7
    mine = frame.loc[frame["customer_id"] == customer, "contact"].to_numpy()
    start, count = paths.start[3], paths.n_periods[3]
    np.testing.assert_array_equal(
        paths.matrix[start : start + count, 0], mine[first : first + count]
    )
    assert paths.offset[3] == pytest.approx(((birth - ORIGIN).days % 7) / 7)
    # the purchase sums are the contacts in the weeks of her repeat purchases
    repeat = log.loc[log["customer_id"] == customer, "date"].dt.normalize().drop_duplicates()
    weeks = ((repeat.sort_values() - ORIGIN).dt.days // 7).to_numpy()[1:]
    assert paths.purchase_sums()[3, 0] == pytest.approx(mine[weeks].sum())


def test_a_customer_missing_from_the_frame_is_named(drawn):
    summary, frame, log = drawn
    gone = summary.index[5]
    with pytest.raises(DataValidationError, match=f"customer '{gone}'"):
        _fit(summary, frame[frame["customer_id"] != gone], log)


def test_a_gap_in_the_calibration_span_names_the_customer_and_period(drawn):
    summary, frame, log = drawn
    who = summary.index[2]
    birth = summary.clv.observation_period_end - pd.Timedelta(weeks=summary["T"].iloc[2])
    hole = ORIGIN + pd.Timedelta(weeks=(birth - ORIGIN).days // 7 + 3)
    broken = frame[~((frame["customer_id"] == who) & (frame["period_start"] == hole))]
    with pytest.raises(
        DataValidationError, match=rf"calibration span of customer '{who}'.*{hole.date()}"
    ):
        _fit(summary, broken, log)


def test_a_frame_short_of_the_prediction_horizon_is_named(drawn):
    summary, frame, log = drawn
    model = _fit(summary, frame, log)
    model.conditional_expected_purchases(7.0, summary)  # the frame runs 8 weeks past the end
    with pytest.raises(DataValidationError, match="prediction horizon of customer"):
        model.conditional_expected_purchases(20.0, summary)
    with pytest.raises(ValueError, match="horizon=104"):
        model.discounted_expected_residual_transactions(0.01, summary)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda f: f.assign(contact=f["contact"].where(f.index != 7)), "missing value"),
        (lambda f: f.assign(contact=f["contact"].where(f.index != 7, np.inf)), "non-finite"),
        (lambda f: f.assign(contact=1.0), "constant"),
        (lambda f: f.assign(season=1.0 - f["contact"]), "collinear"),
        (lambda f: pd.concat([f, f.iloc[[4]]]), "twice for the period starting"),
        (
            lambda f: f.assign(
                period_start=f["period_start"].where(f.index != 9, ORIGIN + pd.Timedelta(days=3))
            ),
            "not of one regular length",
        ),
        (lambda f: f.drop(columns="period_start"), "lacks the column 'period_start'"),
    ],
    ids=["missing", "infinite", "constant", "collinear", "duplicate", "irregular", "no-period"],
)
def test_bad_frames_are_named_errors(drawn, change, message):
    summary, frame, log = drawn
    with pytest.raises(DataValidationError, match=message):
        _fit(summary, change(frame.copy()), log)


def test_purchase_effects_without_the_log_say_what_to_pass(drawn):
    summary, frame, _ = drawn
    with pytest.raises(DataValidationError, match="transactions=log"):
        _fit(summary, frame)
    # dropout effects alone do not read the purchases: no log needed
    model = _fit(summary, frame, dropout_covariates=["contact"])
    assert set(model.params_) == {"r", "alpha", "s", "beta", "dropout:contact"}


def test_a_log_that_is_not_the_summarys_is_refused(drawn):
    summary, frame, log = drawn
    buyer = summary.index[summary["frequency"].to_numpy() > 0][0]
    hers = log.index[
        (log["customer_id"] == buyer) & (log["date"] < ORIGIN + pd.Timedelta(weeks=52))
    ]
    with pytest.raises(DataValidationError, match=f"customer '{buyer}' has"):
        _fit(summary, frame, log.drop(hers[-1]))


def test_categorical_columns_become_dummies_and_summary_columns_are_constant(drawn):
    summary, frame, log = drawn
    levels = np.array(["email", "online", "store"])
    frame = frame.assign(channel=levels[(frame["contact"] + frame["season"]).astype(int)])
    joined = summary.join(frame.groupby("customer_id")["gender"].first().rename("sex"))
    model = clv.ParetoNBDModel(purchase_covariates=["channel"], dropout_covariates=["sex"]).fit(
        joined, dynamic_covariates=frame.drop(columns="gender"), transactions=log
    )
    assert "purchase:channel[online]" in model.params_
    assert "purchase:channel[store]" in model.params_
    assert "dropout:sex" in model.params_


def test_no_covariates_named_is_an_error(drawn):
    summary, frame, log = drawn
    with pytest.raises(ValueError, match="purchase_covariates"):
        clv.ParetoNBDModel().fit(summary, dynamic_covariates=frame, transactions=log)
