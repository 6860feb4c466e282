"""Every maximum-likelihood model through the same sequence: fit -> predict -> save/load -> CLV.

One set of checks for every model (statsmodels' ``CheckModelResults`` pattern): a new model
is added to ``PURCHASE_MODELS`` (or ``OTHER_MODELS``) and inherits all of them.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.units import days_per_unit
from clvmodels.value.probabilistic import customer_lifetime_value


class ConstantSpend:
    """A spend model that expects the same spend from everyone (the donations have none)."""

    def __init__(self, value):
        self.value = value

    def expected_spend(self, summary):
        return pd.Series(self.value, index=summary.index, name="expected_spend")


@pytest.fixture(scope="module")
def donations():
    return clv.datasets.load_donations()


# name -> (model class, dataset, weights column, horizon unit, CLV horizon)
PURCHASE_MODELS = {
    "BG/NBD": (clv.BetaGeoModel, "cdnow", None, "M", 12),
    "MBG/NBD": (clv.ModifiedBetaGeoModel, "cdnow", None, "M", 12),
    "Pareto/NBD": (clv.ParetoNBDModel, "cdnow", None, "M", 12),
    "BG/BB": (clv.BetaGeoBetaBinomModel, "donations", "count", "Y", 5),
}


@pytest.fixture(scope="module", params=list(PURCHASE_MODELS))
def fitted(request, cdnow_summary, donations):
    cls, dataset, weights_col, unit, horizon = PURCHASE_MODELS[request.param]
    data = cdnow_summary if dataset == "cdnow" else donations
    weights = None if weights_col is None else data[weights_col]
    return cls().fit(data, weights=weights), data, weights, unit, horizon


def test_fit_state(fitted):
    model, data, weights, _, _ = fitted
    assert set(model.params_) == set(model.param_names)
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())
    assert np.isfinite(model.log_likelihood_) and model.log_likelihood_ < 0
    expected_n = len(data) if weights is None else int(weights.sum())
    assert model.n_customers_ == expected_n
    table = model.summary()
    assert list(table.index) == list(model.param_names)
    assert (table["std_error"] > 0).all()
    assert (table["lower_95%"] < table["estimate"]).all()
    assert (table["estimate"] < table["upper_95%"]).all()
    assert model.time_unit_ == data.attrs["time_unit"]


def test_predictions(fitted):
    model, data, _, _, _ = fitted
    p_alive = model.probability_alive(data)
    assert p_alive.index.equals(data.index)
    assert ((p_alive >= 0) & (p_alive <= 1)).all()
    horizons = np.array([1.0, 2.0, 5.0])
    path = model.conditional_expected_purchases(horizons, data)
    assert path.shape == (len(data), 3)
    assert (path.diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()  # cumulative: never falls
    np.testing.assert_allclose(
        path[5.0], model.conditional_expected_purchases(5.0, data), rtol=1e-13
    )
    new = model.expected_purchases(horizons)
    assert np.all(np.diff(new) > 0) and np.all(new > 0)


def test_save_and_load_give_the_same_model(fitted, tmp_path):
    model, data, weights, _, _ = fitted
    path = tmp_path / "model.json"
    model.save(path)
    loaded = type(model).load(path, data=data if weights is None else None)
    assert loaded.params_ == model.params_
    assert loaded.log_likelihood_ == model.log_likelihood_
    np.testing.assert_array_equal(loaded.covariance_, model.covariance_)
    pd.testing.assert_series_equal(loaded.probability_alive(data), model.probability_alive(data))
    wrong = clv.BetaGeoModel if not isinstance(model, clv.BetaGeoModel) else clv.ParetoNBDModel
    with pytest.raises(clv.ModelFileError, match=type(model).__name__):
        wrong.load(path)


def test_clv(fitted, gamma_gamma_cdnow):
    model, data, _, unit, horizon = fitted
    spend = gamma_gamma_cdnow if "monetary_value" in data.columns else ConstantSpend(25.0)
    value = customer_lifetime_value(
        model, spend, data, horizon, 0.1, horizon_unit=unit, discount_period="Y"
    )
    assert value.index.equals(data.index)
    assert np.all(np.isfinite(value)) and (value >= 0).all()
    # without discounting, CLV = spend x expected purchases over the whole horizon
    undiscounted = customer_lifetime_value(
        model, spend, data, horizon, 0.0, horizon_unit=unit, discount_period="Y"
    )
    step = days_per_unit(unit) / days_per_unit(data.attrs["time_unit"])
    expected = spend.expected_spend(data) * model.conditional_expected_purchases(
        horizon * step, data
    )
    np.testing.assert_allclose(undiscounted, expected, rtol=1e-10)
    assert (value <= undiscounted + 1e-12).all()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "params", "data"),
    [
        (
            "pareto_nbd",
            {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7},
            ([0.0, 2.0, 400.0, 3.0], [0.0, 10.0, 300.0, 39.0], [30.0, 39.0, 500.0, 39.0]),
        ),
        (
            "modified_beta_geo",
            {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
            ([0.0, 2.0, 400.0], [0.0, 10.0, 300.0], [30.0, 39.0, 500.0]),
        ),
        (
            "beta_geo_beta_binom",
            {"alpha": 1.204, "beta": 0.75, "gamma": 0.657, "delta": 2.783},
            ([0.0, 2.0, 6.0], [0.0, 4.0, 6.0], [6.0, 6.0, 6.0]),
        ),
    ],
)
def test_likelihood_in_pytensor_equals_numpy(module, params, data):
    """Each new likelihood runs in PyTensor as written (the Bayesian layer's contract)."""
    pytensor = pytest.importorskip("pytensor")
    import importlib

    import pytensor.tensor as pt

    from clvmodels.models.namespace import pytensor_namespace

    math_module = importlib.import_module(f"clvmodels.models.{module}")
    symbols = {name: pt.dscalar(name) for name in params}
    total = math_module.log_likelihood(symbols, *data, xp=pytensor_namespace()).sum()
    gradient = pytensor.grad(total, list(symbols.values()))
    function = pytensor.function(list(symbols.values()), [total, *gradient])
    value, *grad = function(*params.values())
    expected = math_module.log_likelihood(params, *data).sum()
    assert value == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(grad))  # also where t_x = T (the tail integral is empty)
