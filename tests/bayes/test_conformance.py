"""Every Bayesian purchase model through the same sequence: fit -> predict -> save/load -> CLV.

The Bayesian twin of ``tests/models/test_conformance.py`` (statsmodels' ``CheckModelResults``
pattern): a model added to ``BAYESIAN_PURCHASE_MODELS`` (``conftest.py``) inherits every
check. The fits are MAP (one draw), so that the sequence runs in seconds; sampling is tested
per model.
"""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import clvmodels as clv
from clvmodels.data.units import days_per_unit
from clvmodels.models.protocols import PosteriorModel, PurchaseModel

from .conftest import BAYESIAN_PURCHASE_MODELS


class ConstantSpend:
    """A spend model that expects the same spend from everyone (the donations have none)."""

    def expected_spend(self, summary):
        return pd.Series(25.0, index=summary.index, name="expected_spend")


@pytest.fixture(params=list(BAYESIAN_PURCHASE_MODELS))
def fitted(request, map_fits):
    data, weights = map_fits.data(request.param)
    return request.param, map_fits[request.param], data, weights


def test_fit_state(fitted):
    _, model, data, weights = fitted
    assert isinstance(model, PurchaseModel) and isinstance(model, PosteriorModel)
    params = model.posterior_mean_params()
    assert set(params) == set(model.param_names)
    assert all(np.isfinite(v) and v > 0 for v in params.values())
    assert model.n_customers_ == (len(data) if weights is None else int(weights.sum()))
    assert model.time_unit_ == data.attrs["time_unit"]
    assert list(model.summary().index) == list(model.param_names)


def test_predictions(fitted):
    _, model, data, _ = fitted
    p_alive = model.probability_alive(data)
    assert p_alive.index.equals(data.index) and ((p_alive >= 0) & (p_alive <= 1)).all()
    horizons = np.array([1.0, 2.0, 5.0])
    path = model.conditional_expected_purchases(horizons, data)
    assert path.shape == (len(data), 3)
    assert (path.diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()  # cumulative: never falls
    np.testing.assert_allclose(
        path[5.0], model.conditional_expected_purchases(5.0, data), rtol=1e-13
    )
    every = model.conditional_expected_purchases(horizons, data.iloc[:7], draws=True)
    assert isinstance(every, xr.DataArray)
    assert every.dims == ("chain", "draw", "customer_id", "t")
    new = model.expected_purchases(horizons)
    assert np.all(np.diff(new) > 0) and np.all(new > 0)


def test_save_and_load_give_the_same_model(fitted, tmp_path):
    name, model, data, weights = fitted
    model.save(tmp_path / "model")
    loaded = type(model).load(tmp_path / "model", data=data, weights=weights)
    assert loaded.posterior_mean_params() == model.posterior_mean_params()
    assert loaded.data_fingerprint_ == model.data_fingerprint_
    assert (loaded.time_unit_, loaded.method_) == (model.time_unit_, "map")
    pd.testing.assert_series_equal(loaded.probability_alive(data), model.probability_alive(data))
    with pytest.raises(ValueError, match="fingerprint"):
        type(model).load(tmp_path / "model", data=data.iloc[:-1])
    other = next(cls for cls in BAYESIAN_PURCHASE_MODELS.values() if cls is not type(model))
    with pytest.raises(clv.ModelFileError, match=type(model).__name__):
        other.load(tmp_path / "model")


def test_clv(fitted, gamma_gamma_cdnow):
    name, model, data, _ = fitted
    spend = gamma_gamma_cdnow if "monetary_value" in data.columns else ConstantSpend()
    # the BG/BB counts whole yearly opportunities: its steps are years
    unit, horizon = ("Y", 5) if name == "BG/BB" else ("M", 12)
    options = dict(horizon_unit=unit, discount_period="Y")
    value = clv.customer_lifetime_value(model, spend, data, horizon, 0.1, **options)
    assert value.per_customer.index.equals(data.index)
    assert (
        np.all(np.isfinite(value.per_customer["mean"])) and (value.per_customer["mean"] >= 0).all()
    )
    undiscounted = clv.customer_lifetime_value(model, spend, data, horizon, 0.0, **options)
    assert (value.per_customer["mean"] <= undiscounted.per_customer["mean"] + 1e-9).all()
    # without discounting, the posterior mean CLV is the spend times E[X(horizon)]
    step = days_per_unit(unit) / days_per_unit(data.attrs["time_unit"])
    expected = spend.expected_spend(data) * model.conditional_expected_purchases(
        horizon * step, data
    )
    np.testing.assert_allclose(undiscounted.per_customer["mean"], expected, rtol=1e-9)
