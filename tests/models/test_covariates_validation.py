"""Static covariates: bad covariate data and settings are named errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.covariates import check_covariate_ids, encode_covariates
from clvmodels.exceptions import DataValidationError


@pytest.fixture
def summary():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(
        {
            "frequency": rng.poisson(2, n).astype(float),
            "T": np.full(n, 40.0),
            "gender": rng.integers(0, 2, n).astype(float),
            "channel": rng.choice(["store", "email", "online"], n),
            "vip": rng.integers(0, 2, n).astype(bool),
        },
        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"),
    )
    frame["recency"] = np.where(frame["frequency"] > 0, 20.0, 0.0)
    return frame


def test_categorical_dummies_against_the_first_sorted_level(summary):
    design, matrix = encode_covariates(summary, ["channel", "vip", "gender"])
    assert design.names == ("channel[online]", "channel[store]", "vip[True]", "gender")
    assert design.levels["channel"][0] == "email"  # the reference level
    online = (summary["channel"] == "online").to_numpy(float)
    np.testing.assert_array_equal(matrix[:, 0], online)
    np.testing.assert_array_equal(matrix[:, 2], summary["vip"].to_numpy(float))


@pytest.mark.parametrize(
    "change,columns,pattern",
    [
        (lambda f: f.drop(columns="gender"), ["gender"], r"lacks the covariate column.*'gender'"),
        (
            lambda f: f.assign(gender=f["gender"].where(f.index != "c5")),
            ["gender"],
            r"'gender' has 1 missing value.*'c5'",
        ),
        (
            lambda f: f.assign(gender=f["gender"].where(f.index != "c7", np.inf)),
            ["gender"],
            r"'gender' has the non-finite value inf \(customer 'c7'\)",
        ),
        (lambda f: f.assign(gender=1.0), ["gender"], r"'gender' is constant"),
        (lambda f: f.assign(channel="store"), ["channel"], r"'channel' is constant"),
        (
            lambda f: f.assign(female=1.0 - f["gender"]),
            ["gender", "female"],
            r"'female' is perfectly collinear with the intercept and \['gender'\]",
        ),
        (lambda f: f.assign(when=pd.Timestamp("2020-01-01")), ["when"], r"'when' has dtype"),
    ],
)
def test_bad_covariates_are_named_errors(summary, change, columns, pattern):
    with pytest.raises(DataValidationError, match=pattern):
        encode_covariates(change(summary), columns)
    with pytest.raises(DataValidationError, match=pattern):
        clv.BetaGeoModel(purchase_covariates=columns).fit(change(summary))


def test_summary_customers_without_covariates_after_join(summary):
    static = summary[["gender"]].drop(index="c3")
    joined = summary.drop(columns="gender").join(static)
    with pytest.raises(DataValidationError, match=r"missing value.*'c3'"):
        clv.ParetoNBDModel(dropout_covariates=["gender"]).fit(joined)
    with pytest.raises(DataValidationError, match=r"no covariates, e.g. 'c3'"):
        check_covariate_ids(summary, static)
    extra = pd.concat([summary[["gender"]], pd.DataFrame({"gender": [1.0]}, index=["zz"])])
    with pytest.raises(DataValidationError, match=r"not in the summary, e.g. 'zz'"):
        check_covariate_ids(summary, extra)


@pytest.mark.filterwarnings("ignore::clvmodels.exceptions.ConvergenceWarning")  # toy data
def test_prediction_summary_must_carry_the_covariates(summary):
    model = clv.BetaGeoModel(purchase_covariates=["gender", "channel"]).fit(summary)
    rfm = summary[["frequency", "recency", "T"]]
    with pytest.raises(DataValidationError, match=r"lacks the covariate column\(s\) \['gender', "):
        model.probability_alive(rfm)
    unseen = summary.assign(channel=summary["channel"].where(summary.index != "c2", "phone"))
    with pytest.raises(DataValidationError, match=r"level 'phone' \(customer 'c2'\)"):
        model.conditional_expected_purchases(4.0, unseen)
    # model files now hold covariate models (tests/models/test_covariate_files.py); a loaded
    # model checks its prediction data as the fitted one does
    loaded = type(model).from_dict(model.to_dict())
    with pytest.raises(DataValidationError, match=r"level 'phone' \(customer 'c2'\)"):
        loaded.conditional_expected_purchases(4.0, unseen)


def test_settings_are_checked():
    with pytest.raises(ValueError, match="equal_effects names 'gender'"):
        clv.ParetoNBDModel(purchase_covariates=["gender"], equal_effects=["gender"])
    with pytest.raises(ValueError, match="unknown processes"):
        clv.ParetoNBDModel(covariate_penalty={"spend": 1.0})
    with pytest.raises(ValueError, match=r"covariate_penalty\['purchase'\]"):
        clv.BetaGeoModel(covariate_penalty=-1.0)
