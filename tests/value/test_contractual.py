"""Contractual customer value: Fader & Hardie (2010) and hand-written sums."""

import math

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError
from clvmodels.models.shifted_beta_geo import (
    ShiftedBetaGeoModel,
    discounted_expected_residual_lifetime,
)
from clvmodels.value.contractual import compare_contractual, expected_residual_value


@pytest.fixture(scope="module")
def cohorts():
    return clv.datasets.load_retention_cohorts()


@pytest.fixture(scope="module")
def table(cohorts):
    return compare_contractual(cohorts, discount_rate=0.10)


def brute_derl(alpha, beta, d, n):
    """sum_{t >= n+1} S(t)/S(n) / (1 + d)^(t - n - 1), S from the retention rates."""
    K = int(math.ceil(44.0 / math.log1p(d))) + 10
    t = np.arange(n + 1, n + 1 + K, dtype=float)
    ratio = np.cumprod((beta + t - 1) / (alpha + beta + t - 1))
    return float(np.sum(ratio * np.exp(-np.arange(K) * math.log1p(d))))


def test_heterogeneity_bias_matches_fader_hardie_2010(table):
    # Fader & Hardie (2010), d = 10%: the retention-rate formula (1 + d) / (1 + d - r) with
    # the observed year-1 rate gives 2.345 (regular, r = 0.631) and 4.762 (high end,
    # r = 0.869); the sBG's DEL gives 3.695 and 5.923.
    assert table.index.tolist() == ["regular", "high_end"]
    assert table.index.name == "cohort"
    assert table.loc["regular", "retention_rate"] == pytest.approx(0.631, abs=1e-12)
    assert table.loc["high_end", "retention_rate"] == pytest.approx(0.869, abs=1e-12)
    assert table.loc["regular", "deterministic_clv"] == pytest.approx(2.345, abs=5e-4)
    assert table.loc["high_end", "deterministic_clv"] == pytest.approx(4.762, abs=5e-4)
    assert table.loc["regular", "sbg_clv"] == pytest.approx(3.695, abs=5e-4)
    # The paper's 5.923 uses the rounded estimates (0.668, 3.806); the unrounded MLE
    # gives 5.92225 (see tests/models/test_shifted_beta_geo.py).
    assert table.loc["high_end", "sbg_clv"] == pytest.approx(5.923, abs=1e-3)
    assert table.loc["regular", "alpha"] == pytest.approx(0.704, abs=5e-4)
    assert table.loc["high_end", "beta"] == pytest.approx(3.806, abs=5e-4)
    assert table.loc["regular", "log_likelihood"] == pytest.approx(-1680.27, abs=5e-3)
    np.testing.assert_allclose(table["difference"], table["sbg_clv"] - table["deterministic_clv"])
    np.testing.assert_allclose(table["ratio"], table["sbg_clv"] / table["deterministic_clv"])
    assert (table["difference"] > 0).all()  # ignoring heterogeneity undervalues both cohorts
    assert table.attrs == {"discount_rate": 0.10, "margin": 1.0, "time_unit": "Y"}


def test_margin_scales_values_not_rates(cohorts, table):
    scaled = compare_contractual(cohorts, discount_rate=0.10, margin=50.0)
    for column in ("sbg_clv", "deterministic_clv", "difference"):
        np.testing.assert_allclose(scaled[column], 50.0 * table[column], rtol=1e-12)
    for column in ("alpha", "beta", "retention_rate", "ratio"):
        np.testing.assert_allclose(scaled[column], table[column], rtol=1e-12)


def test_compare_rejects_bad_input(cohorts):
    with pytest.raises(TypeError, match="one column per cohort"):
        compare_contractual(cohorts["regular"], 0.1)
    # Arguments follow clvmodels.checks: ValueError for a wrong value, TypeError for a
    # wrong type (these were DataValidationError here, ValueError/TypeError elsewhere).
    with pytest.raises(ValueError, match="discount_rate must be non-negative; got -0.05$"):
        compare_contractual(cohorts, -0.05)
    with pytest.raises(ValueError, match=r"margin must be finite \(no NaN or infinity\); got nan"):
        compare_contractual(cohorts, 0.1, margin=float("nan"))
    with pytest.raises(TypeError, match="margin must be a real number; got '1'"):
        compare_contractual(cohorts, 0.1, margin="1")
    broken = cohorts.copy()
    broken.loc[3, "regular"] = 900
    with pytest.raises(DataValidationError, match=r"invalid cohorts:\n  - column 'regular'"):
        compare_contractual(broken, 0.1)


def test_expected_residual_value_is_margin_times_summed_derl():
    params = {"alpha": 0.704, "beta": 1.182}
    tenure = pd.Series({0: 631, 1: 468, 4: 289, 6: 241})  # customers by renewals made
    margin, d = 100.0, 0.10
    by_hand = sum(margin * count * brute_derl(0.704, 1.182, d, n) for n, count in tenure.items())
    assert expected_residual_value(params, tenure, margin, d) == pytest.approx(by_hand, rel=1e-9)
    by_function = sum(
        margin * count * float(discounted_expected_residual_lifetime(params, d, n))
        for n, count in tenure.items()
    )
    assert expected_residual_value(params, dict(tenure), margin, d) == pytest.approx(
        by_function, rel=1e-12
    )


def test_expected_residual_value_takes_a_model_or_parameter_draws(cohorts):
    model = ShiftedBetaGeoModel().fit(cohorts["high_end"])
    tenure = pd.Series([10, 5, 2], index=[0, 3, 9])
    value = expected_residual_value(model, tenure, 2.0, 0.1)
    assert isinstance(value, float)
    assert value == pytest.approx(expected_residual_value(model.params_, tenure, 2.0, 0.1))
    draws = {"alpha": np.array([[0.6, 0.7]]), "beta": np.array([[3.5, 4.0]])}
    values = expected_residual_value(draws, tenure, 2.0, 0.1)
    assert values.shape == (1, 2)
    assert values[0, 1] == pytest.approx(
        expected_residual_value({"alpha": 0.7, "beta": 4.0}, tenure, 2.0, 0.1), rel=1e-12
    )


def test_expected_residual_value_rejects_bad_input():
    params = {"alpha": 0.7, "beta": 1.2}
    with pytest.raises(DataValidationError, match=r"index \(renewals made\) must hold whole"):
        expected_residual_value(params, pd.Series({1.5: 10}), 1.0, 0.1)
    with pytest.raises(DataValidationError, match=r"must be finite and >= 0; 1 are not, e\.g\. -3"):
        expected_residual_value(params, pd.Series({0: 10, 2: -3}), 1.0, 0.1)
    with pytest.raises(DataValidationError, match="empty"):
        expected_residual_value(params, pd.Series(dtype=float), 1.0, 0.1)
    with pytest.raises(TypeError, match="fitted ShiftedBetaGeoModel or a mapping"):
        expected_residual_value({"alpha": 0.7}, pd.Series({0: 1}), 1.0, 0.1)
    with pytest.raises(RuntimeError, match="not fitted"):
        expected_residual_value(ShiftedBetaGeoModel(), pd.Series({0: 1}), 1.0, 0.1)
    with pytest.raises(ValueError, match="discount_rate must be non-negative; got -0.5$"):
        expected_residual_value(params, pd.Series({0: 1}), 1.0, -0.5)
