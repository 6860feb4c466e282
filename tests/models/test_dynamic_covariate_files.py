"""Model files of fits with time-varying covariates (issue 22): saved, loaded, predicting.

The reference is the fitted model itself: a saved-then-loaded model, given the same
covariate frame (and, for the BG/NBD, the same transaction log), must predict what the
fitted one predicts to 1e-12; the file holds no data, so without them it names what to
pass. Customers are drawn with known effects (tests/models/dynamic_draws.py).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError, ModelFileError
from tests.models.dynamic_draws import PNBD_EFFECTS, PNBD_TRUTH, draw

BG_TRUTH = {"r": 0.8, "alpha": 6.0, "a": 0.8, "b": 2.5}
BG_EFFECTS = {"purchase:contact": 0.4, "dropout:contact": 0.6, "dropout:gender": -0.5}


@pytest.fixture(scope="module")
def fitted():
    """{name: (fitted model, summary, frame, log)} for the Pareto/NBD and the BG/NBD."""
    out = {}
    summary, frame, log = draw("pareto_nbd", 300, PNBD_TRUTH, PNBD_EFFECTS, seed=11)
    model = clv.ParetoNBDModel(
        purchase_covariates=["season", "contact"], dropout_covariates=["contact", "gender"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    out["pareto"] = (model, summary, frame, log)
    summary, frame, log = draw("beta_geo", 300, BG_TRUTH, BG_EFFECTS, seed=12)
    model = clv.BetaGeoModel(
        purchase_covariates=["contact"], dropout_covariates=["contact", "gender"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    out["bgnbd"] = (model, summary, frame, log)
    return out


def _saved(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    return path, json.loads(path.read_text())


@pytest.mark.parametrize("name", ["pareto", "bgnbd"])
def test_saved_then_loaded_predictions_equal_the_fitted_models(fitted, tmp_path, name):
    model, summary, frame, log = fitted[name]
    path, document = _saved(model, tmp_path)
    marker = document["covariates"]["time_varying"]
    columns = ["season", "contact", "gender"] if name == "pareto" else ["contact", "gender"]
    assert marker == {"period_length": 1.0, "time_unit": "W", "columns": columns}
    text = path.read_text()
    assert "c000001" not in text  # no customer data in the file
    loaded = type(model).load(path)
    assert loaded.params_ == model.params_
    np.testing.assert_array_equal(loaded.covariance_, model.covariance_)
    assert loaded.coefficient_names_ == model.coefficient_names_
    keywords = {"transactions": log} if name == "bgnbd" else {}
    horizons = [1.0, 4.0, 7.0]
    np.testing.assert_allclose(
        loaded.probability_alive(summary, frame, **keywords),
        model.probability_alive(summary),
        rtol=0,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        loaded.conditional_expected_purchases(horizons, summary, frame, **keywords),
        model.conditional_expected_purchases(horizons, summary),
        rtol=1e-12,
        atol=1e-12,
    )
    attached = type(model).load(path).attach_dynamic_covariates(frame, log)
    np.testing.assert_allclose(
        attached.conditional_expected_purchases(4.0, summary),
        model.conditional_expected_purchases(4.0, summary),
        rtol=1e-12,
        atol=1e-12,
    )
    if name == "pareto":
        np.testing.assert_allclose(
            loaded.discounted_expected_residual_transactions(0.01, summary, 6.0, frame),
            model.discounted_expected_residual_transactions(0.01, summary, 6.0),
            rtol=1e-12,
        )
    # the loaded model saves the same file again
    loaded.save(tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text()) == document


@pytest.mark.parametrize(
    ("name", "wanted"),
    [
        ("pareto", "pass dynamic_covariates=frame to"),
        ("bgnbd", "dynamic_covariates=frame, transactions=log"),
    ],
)
def test_a_loaded_model_without_its_data_names_what_to_pass(fitted, tmp_path, name, wanted):
    model, summary, frame, _ = fitted[name]
    path, _ = _saved(model, tmp_path)
    loaded = type(model).load(path)
    with pytest.raises(ValueError, match="no covariate frame") as caught:
        loaded.probability_alive(summary)
    assert wanted in str(caught.value)
    if name == "bgnbd":  # the frame alone is not enough: the covariates at the purchases
        with pytest.raises(ValueError, match="pass the transaction log the summary was built"):
            loaded.conditional_expected_purchases(2.0, summary, frame)


def test_a_frame_short_of_the_horizon_or_of_another_period_length_is_named(fitted, tmp_path):
    model, summary, frame, _ = fitted["pareto"]
    loaded = type(model).load(_saved(model, tmp_path)[0])
    with pytest.raises(
        DataValidationError, match="does not cover the prediction horizon of customer"
    ):
        loaded.conditional_expected_purchases(20.0, summary, frame)  # the frame ends 8 weeks on
    # the same covariates in two-week periods: a model fitted on weeks refuses them
    fortnight = frame[(frame["period_start"] - frame["period_start"].min()).dt.days % 14 == 0]
    with pytest.raises(
        DataValidationError, match="periods of 2 time units, the model was fitted on periods of 1"
    ):
        loaded.probability_alive(summary, fortnight)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda m: m.pop("period_length"), "covariates.time_varying"),
        (lambda m: m.update(period_length=0), "covariates.time_varying.period_length"),
        (lambda m: m.update(period_length=10**400), "covariates.time_varying.period_length"),
        (lambda m: m.update(period_length=True), "covariates.time_varying.period_length"),
        (lambda m: m.update(time_unit="D"), "covariates.time_varying.time_unit"),
        (lambda m: m.update(columns=["contact"]), "covariates.time_varying.columns"),
        (lambda m: m.update(extra=1), "covariates.time_varying"),
    ],
)
def test_a_file_claiming_time_varying_covariates_is_checked_field_by_field(
    fitted, tmp_path, edit, field
):
    model = fitted["pareto"][0]
    path, document = _saved(model, tmp_path)
    edit(document["covariates"]["time_varying"])
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError) as caught:
        clv.ParetoNBDModel.load(path)
    assert caught.value.field == field


def test_a_static_covariate_model_is_not_marked_time_varying(fitted, tmp_path):
    _, summary, frame, _ = fitted["pareto"]
    static = summary.join(frame.groupby("customer_id")[["gender"]].first())
    model = clv.ParetoNBDModel(purchase_covariates=["gender"]).fit(static)
    _, document = _saved(model, tmp_path)
    assert "time_varying" not in document["covariates"]
    with pytest.raises(ValueError, match="was not fitted with time-varying covariates"):
        model.attach_dynamic_covariates(pd.DataFrame())
