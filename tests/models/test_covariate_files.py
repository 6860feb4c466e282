"""Model files of covariate models: the design and coefficients round-trip, bad fields are named.

A saved covariate model must predict exactly as the fitted one (every prediction compared
to 0 difference), its data check (``load(path, data=...)``) must work, and each part of the
``covariates`` field that a hand edit could break must be a ModelFileError naming it.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError, ModelFileError
from clvmodels.models.shifted_beta_geo.cells import subscriber_table
from tests.models.covariate_draws import (
    CHURN_EFFECTS,
    SPEND_EFFECTS,
    TRUE_EFFECTS,
    beta_geo_beta_binom_customers,
    beta_geo_customers,
    gamma_gamma_customers,
    modified_beta_geo_customers,
    pareto_nbd_customers,
    subscribers,
)

SETTINGS = {
    "purchase_covariates": ["gender", "channel", "vip"],
    "dropout_covariates": ["channel", "gender"],
    "equal_effects": ["gender"],
    "covariate_penalty": {"purchase": 0.01, "dropout": 0.0},
}


def _with_vip(summary):
    rng = np.random.default_rng(1)
    return summary.assign(vip=rng.integers(0, 2, len(summary)).astype(bool))


@pytest.fixture(scope="module")
def fitted():
    base = {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 3.0}
    summary = _with_vip(beta_geo_customers(3000, base, TRUE_EFFECTS, seed=21))
    return clv.BetaGeoModel(**SETTINGS).fit(summary), summary


def _same_predictions(model, loaded, summary):
    rows = summary.iloc[:50]
    pd.testing.assert_series_equal(loaded.probability_alive(rows), model.probability_alive(rows))
    pd.testing.assert_frame_equal(
        loaded.conditional_expected_purchases(np.array([4.0, 52.0]), rows),
        model.conditional_expected_purchases(np.array([4.0, 52.0]), rows),
    )
    new = rows[["gender", "channel", "vip"]]
    pd.testing.assert_series_equal(
        loaded.expected_purchases(10.0, covariates=new), model.expected_purchases(10.0, new)
    )
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())


@pytest.mark.parametrize(
    "cls,draw,base",
    [
        (clv.BetaGeoModel, beta_geo_customers, {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 3.0}),
        (
            clv.ModifiedBetaGeoModel,
            modified_beta_geo_customers,
            {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 3.0},
        ),
        (clv.ParetoNBDModel, pareto_nbd_customers, {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12}),
    ],
    ids=["bgnbd", "mbgnbd", "pareto_nbd"],
)
def test_saved_covariate_model_predicts_identically(tmp_path, cls, draw, base):
    summary = _with_vip(draw(2000, base, TRUE_EFFECTS, seed=8))
    model = cls(**SETTINGS).fit(summary)
    path = tmp_path / "model.json"
    model.save(path)
    document = json.loads(path.read_text())
    assert document["covariates"]["design"] == {
        "columns": ["gender", "channel", "vip"],
        "levels": {"channel": ["email", "online", "store"], "vip": [False, True]},
        "reference": {"channel": "email", "vip": False},
        "names": ["gender", "channel[online]", "channel[store]", "vip[True]"],
    }
    assert document["covariates"]["settings"] == SETTINGS | {
        "covariate_penalty": {"purchase": 0.01, "dropout": 0.0}
    }
    loaded = cls.load(path, data=summary)
    assert loaded.params_ == model.params_
    assert loaded.param_names == model.param_names
    np.testing.assert_array_equal(loaded.covariance_, model.covariance_)
    assert loaded.get_params() == model.get_params()
    _same_predictions(model, loaded, summary)
    other = summary.assign(gender=1.0 - summary["gender"])
    with pytest.raises(ValueError, match="do not match the data"):
        cls.load(path, data=other)


def test_a_plain_model_file_is_unchanged(tmp_path):
    summary = clv.datasets.load_cdnow_summary()
    model = clv.ModifiedBetaGeoModel().fit(summary)
    assert "covariates" not in model.to_dict()
    model.save(tmp_path / "m.json")
    assert clv.ModifiedBetaGeoModel.load(tmp_path / "m.json").params_ == model.params_


def _edit(path, value):
    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
        return document

    return change


BAD = {
    "no design": (_edit(["covariates", "design"], KeyError), "covariates"),
    "settings key missing": (
        _edit(["covariates", "settings", "equal_effects"], KeyError),
        "covariates.settings",
    ),
    "negative penalty": (
        _edit(["covariates", "settings", "covariate_penalty"], -1.0),
        "covariates.settings",
    ),
    "columns as text": (
        _edit(["covariates", "settings", "purchase_covariates"], "gender"),
        "covariates.settings.purchase_covariates",
    ),
    "columns not the settings'": (
        _edit(["covariates", "design", "columns"], ["channel", "gender", "vip"]),
        "covariates.design.columns",
    ),
    "levels as text": (
        _edit(["covariates", "design", "levels", "channel"], "email"),
        "covariates.design.levels.channel",
    ),
    "a level twice": (
        _edit(["covariates", "design", "levels", "channel"], ["email", "email", "store"]),
        "covariates.design.levels.channel",
    ),
    "another reference": (
        _edit(["covariates", "design", "reference", "channel"], "store"),
        "covariates.design.reference",
    ),
    "names not the encoding": (
        _edit(
            ["covariates", "design", "names"],
            ["gender", "channel[store]", "channel[online]", "vip[True]"],
        ),
        "covariates.design.names",
    ),
    "coefficient missing": (_edit(["params", "both:gender"], KeyError), "params"),
    "coefficient as text": (_edit(["params", "both:gender"], "0.3"), "params.both:gender"),
    "covariance too small": (
        lambda d: d | {"log_covariance": [row[:4] for row in d["log_covariance"][:4]]},
        "log_covariance",
    ),
    "not an object": (_edit(["covariates"], [1, 2]), "covariates"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_covariate_fields_are_named(tmp_path, fitted, case):
    model, _ = fitted
    change, field = BAD[case]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(change(copy.deepcopy(model.to_dict()))))
    with pytest.raises(ModelFileError) as info:
        clv.BetaGeoModel.load(path)
    assert info.value.field == field, str(info.value)
    assert "bad.json" in str(info.value)


def test_a_covariate_file_is_refused_by_a_plain_check(fitted):
    model, _ = fitted
    from clvmodels.estimation.persistence import check_document

    with pytest.raises(ModelFileError, match="holds a model with covariates"):
        check_document(model.to_dict(), "BetaGeoModel", ("r", "alpha", "a", "b"), "f.json")


def test_loaded_model_checks_prediction_data(tmp_path, fitted):
    model, summary = fitted
    model.save(tmp_path / "m.json")
    loaded = clv.BetaGeoModel.load(tmp_path / "m.json")
    with pytest.raises(DataValidationError, match=r"lacks the covariate column\(s\) \['vip'\]"):
        loaded.probability_alive(summary.drop(columns="vip"))


def test_saved_bgbb_with_covariates_predicts_identically(tmp_path):
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.65, "delta": 2.8}
    table = beta_geo_beta_binom_customers(3000, truth, TRUE_EFFECTS, seed=5)
    model = clv.BetaGeoBetaBinomModel(
        purchase_covariates=["channel"], dropout_covariates=["gender"]
    ).fit(table)
    model.save(tmp_path / "bb.json")
    loaded = clv.BetaGeoBetaBinomModel.load(tmp_path / "bb.json", data=table)
    rows = table.iloc[:40]
    for method in ("probability_alive",):
        pd.testing.assert_series_equal(getattr(loaded, method)(rows), getattr(model, method)(rows))
    pd.testing.assert_series_equal(
        loaded.discounted_expected_residual_transactions(0.1, rows),
        model.discounted_expected_residual_transactions(0.1, rows),
    )
    pd.testing.assert_frame_equal(
        loaded.conditional_expected_purchases(np.array([1, 5]), rows),
        model.conditional_expected_purchases(np.array([1, 5]), rows),
    )
    pd.testing.assert_series_equal(
        loaded.expected_purchases(5, covariates=rows), model.expected_purchases(5, rows)
    )


def test_saved_gamma_gamma_with_covariates_predicts_identically(tmp_path):
    summary = gamma_gamma_customers(3000, {"p": 6.0, "q": 4.0, "v": 15.0}, SPEND_EFFECTS, seed=3)
    model = clv.GammaGammaModel(spend_covariates=["channel", "gender"], covariate_penalty=0.01)
    model.fit(summary)
    model.save(tmp_path / "gg.json")
    document = json.loads((tmp_path / "gg.json").read_text())
    assert document["covariates"]["settings"] == {
        "spend_covariates": ["channel", "gender"],
        "covariate_penalty": 0.01,
    }
    loaded = clv.GammaGammaModel.load(tmp_path / "gg.json", data=summary)
    pd.testing.assert_series_equal(loaded.expected_spend(summary), model.expected_spend(summary))
    pd.testing.assert_series_equal(loaded.mean_spend(summary), model.mean_spend(summary))
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())
    with pytest.raises(ModelFileError) as info:
        clv.BetaGeoModel.load(tmp_path / "gg.json")
    assert info.value.field == "model"
    assert "load it with clvmodels.GammaGammaModel.load()" in str(info.value)


def test_saved_sbg_with_churn_covariates_predicts_identically(tmp_path):
    table = subscribers(3000, {"alpha": 0.7, "beta": 1.2}, CHURN_EFFECTS, seed=3)
    model = clv.ShiftedBetaGeoModel(churn_covariates=["channel", "gender"])
    model.fit_customers(table["tenure"], table["churned"], covariates=table, time_unit="M")
    model.save(tmp_path / "sbg.json")
    data = subscriber_table(table["tenure"], table["churned"], table, "M")
    loaded = clv.ShiftedBetaGeoModel.load(tmp_path / "sbg.json", data=data)
    assert loaded.time_unit_ == "M"
    rows = table.iloc[:30]
    pd.testing.assert_frame_equal(
        loaded.survival(np.arange(5), covariates=rows), model.survival(np.arange(5), rows)
    )
    pd.testing.assert_series_equal(
        loaded.discounted_expected_lifetime(0.05, covariates=rows),
        model.discounted_expected_lifetime(0.05, rows),
    )
    plain = clv.ShiftedBetaGeoModel().fit(clv.datasets.load_retention_cohorts()["regular"])
    plain.save(tmp_path / "plain.json")
    assert "covariates" not in json.loads((tmp_path / "plain.json").read_text())
