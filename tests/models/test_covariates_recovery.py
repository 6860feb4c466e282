"""Static covariates: known effects recovered from simulated customers (Wald-type check).

The customers are drawn from each model's story with covariate-scaled gamma (beta) mixing
distributions (tests/models/covariate_draws.py, numpy draws only); every parameter, base
and coefficient, must lie within 3 standard errors of its true value.
"""

from __future__ import annotations

import pytest

import clvmodels as clv
from tests.models.covariate_draws import TRUE_EFFECTS, beta_geo_customers, pareto_nbd_customers

CASES = [
    (clv.ParetoNBDModel, pareto_nbd_customers, {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}),
    (clv.BetaGeoModel, beta_geo_customers, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}),
]


@pytest.mark.parametrize("cls,draw,truth", CASES, ids=["pareto_nbd", "beta_geo"])
def test_true_effects_recovered_within_three_standard_errors(cls, draw, truth):
    summary = draw(20_000, truth, TRUE_EFFECTS, seed=2026)
    model = cls(
        purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"]
    ).fit(summary)
    table = model.summary()
    expected = truth | TRUE_EFFECTS
    assert list(table.index) == list(expected)
    for name, value in expected.items():
        estimate, se = table.at[name, "estimate"], table.at[name, "std_error"]
        assert abs(estimate - value) < 3 * se, (name, estimate, se, value)
    # the effects are measured, not just consistent with anything: SEs are small
    assert table.at["purchase:gender", "std_error"] < 0.1
    assert model.n_unique_rows_ <= len(summary)


def test_equal_effects_recover_a_shared_truth():
    effects = TRUE_EFFECTS | {"purchase:gender": 0.35, "dropout:gender": 0.35}
    truth = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}
    summary = pareto_nbd_customers(20_000, truth, effects, seed=7)
    model = clv.ParetoNBDModel(
        purchase_covariates=["gender", "channel"],
        dropout_covariates=["gender", "channel"],
        equal_effects=["gender"],
    ).fit(summary)
    assert "purchase:gender" not in model.params_
    estimate = model.params_["both:gender"]
    assert abs(estimate - 0.35) < 3 * model.standard_errors_["both:gender"]
