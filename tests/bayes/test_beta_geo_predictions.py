"""Bayesian BG/NBD predictions at fixed draws, draw by draw, against independent evaluations.

The BG/NBD predicts through the methods every Bayesian purchase model shares
(``PosteriorRFMPredictions``); its ``models/`` function groups the draws, horizons and
distinct (x, T) pairs on a compiled grid and sums the CLV's weighted horizons itself
(``sums_weighted_horizons``). Each method is checked here against
:mod:`clvmodels.models.beta_geo` evaluated one draw and one horizon at a time, and one draw
against lifetimes' ``BetaGeoFitter`` (scipy's 2F1; Fader, Hardie & Lee 2005, eq. 10).
"""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from lifetimes import BetaGeoFitter

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel
from clvmodels.models import beta_geo
from clvmodels.models.rfm_predictions import PurchaseFunctions

from .conftest import known_posterior

# Fader, Hardie & Lee (2005), section 5 (CDNOW, weeks)
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
HORIZONS = np.array([1.0, 4.0, 39.0])
WEIGHTS = np.array([0.9, 0.6, 0.25])


@pytest.fixture(scope="module")
def draws():
    rng = np.random.default_rng(20050301)
    return {k: v * np.exp(0.1 * rng.standard_normal((2, 5))) for k, v in PAPER.items()}


@pytest.fixture(scope="module")
def model(draws, cdnow_summary):
    return known_posterior(BayesianBetaGeoModel, cdnow_summary, None, draws)


@pytest.fixture(scope="module")
def some(cdnow_summary):
    # every 40th customer (x from 0 to 20s), with a repeated history to share a row
    rows = cdnow_summary.iloc[::40]
    return pd.concat([rows, rows.iloc[:3].set_axis([-1, -2, -3])])


def one_draw(draws, chain, draw):
    return {k: float(v[chain, draw]) for k, v in draws.items()}


def per_draw(draws, function):
    """``function(params)`` for every draw, stacked as ``(chain, draw, ...)``."""
    chains, n = next(iter(draws.values())).shape
    return np.array([[function(one_draw(draws, c, d)) for d in range(n)] for c in range(chains)])


def history(frame):
    return [frame[c].to_numpy(float) for c in ("frequency", "recency", "T")]


def test_every_draw_of_the_per_customer_predictions_is_the_models_function(model, draws, some):
    x, t_x, T = history(some)

    def at(t):
        return per_draw(draws, lambda p: beta_geo.conditional_expected_purchases(p, t, x, t_x, T))

    one = model.conditional_expected_purchases(39.0, some, draws=True)
    assert one.dims == ("chain", "draw", "customer_id") and one.shape == (2, 5, len(some))
    np.testing.assert_allclose(one.values, at(39.0), rtol=1e-12)

    path = model.conditional_expected_purchases(HORIZONS, some, draws=True)
    assert isinstance(path, xr.DataArray)
    assert path.dims == ("chain", "draw", "customer_id", "t")
    assert path["t"].values.tolist() == HORIZONS.tolist()
    expected = np.stack([at(t) for t in HORIZONS], axis=-1)
    np.testing.assert_allclose(path.values, expected, rtol=1e-12)
    mean = model.conditional_expected_purchases(HORIZONS, some)
    assert mean.index.equals(some.index) and list(mean.columns) == HORIZONS.tolist()
    np.testing.assert_allclose(mean.to_numpy(), expected.mean(axis=(0, 1)), rtol=1e-12)

    # the CLV's call: the weighted sum over the horizons, per draw and customer
    weighted = model.conditional_expected_purchases(HORIZONS, some, draws=True, weights=WEIGHTS)
    assert weighted.dims == ("chain", "draw", "customer_id")
    np.testing.assert_allclose(weighted.values, expected @ WEIGHTS, rtol=1e-12)

    alive = model.probability_alive(some, draws=True)
    expected = per_draw(draws, lambda p: beta_geo.probability_alive(p, x, t_x, T))
    np.testing.assert_allclose(alive.values, expected, rtol=1e-12)
    banded = model.probability_alive(some, hdi=0.9)
    np.testing.assert_allclose(banded["mean"], alive.mean(("chain", "draw")), rtol=1e-12)
    assert (banded["hdi_5%"] <= banded["mean"] + 1e-12).all()


def test_new_customer_quantities_are_posterior_means(model, draws):
    expected = per_draw(draws, lambda p: beta_geo.expected_purchases(p, HORIZONS))
    np.testing.assert_allclose(
        model.expected_purchases(HORIZONS), expected.mean(axis=(0, 1)), rtol=1e-12
    )
    assert model.expected_purchases(39.0) == pytest.approx(expected[..., 2].mean(), rel=1e-12)
    counts = np.arange(6)
    probabilities = per_draw(draws, lambda p: beta_geo.probability_of_purchases(p, 39.0, counts))
    table = model.probability_of_purchases(39.0, counts, hdi=0.9)
    assert table.index.tolist() == counts.tolist()
    np.testing.assert_allclose(table["mean"], probabilities.mean(axis=(0, 1)), rtol=1e-12)
    assert model.probability_of_purchases(39.0, 2) == pytest.approx(
        probabilities[..., 2].mean(), rel=1e-12
    )


def test_a_posterior_on_one_point_agrees_with_lifetimes(cdnow_summary):
    model = known_posterior(
        BayesianBetaGeoModel, cdnow_summary, None, {k: np.full((1, 2), v) for k, v in PAPER.items()}
    )
    theirs = BetaGeoFitter()
    theirs.params_ = pd.Series(PAPER)
    x, t_x, T = (cdnow_summary[c] for c in ("frequency", "recency", "T"))
    for t in (1.0, 39.0):
        np.testing.assert_allclose(
            model.conditional_expected_purchases(t, cdnow_summary),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T),
            rtol=1e-9,
        )
    np.testing.assert_allclose(
        model.probability_alive(cdnow_summary),
        theirs.conditional_probability_alive(x, t_x, T),
        rtol=1e-10,
    )


def test_the_weighted_sum_is_taken_by_the_models_function(model, some, monkeypatch):
    """The BG/NBD hands ``weights`` to its function (no (draw x row x horizon) path); summing
    the path instead, as the other models do, gives the same values."""
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return beta_geo.conditional_expected_purchases(*args, **kwargs)

    functions = PurchaseFunctions(*model.functions)._replace(conditional_expected_purchases=spy)
    monkeypatch.setattr(model, "functions", functions)
    native = model.conditional_expected_purchases(HORIZONS, some, draws=True, weights=WEIGHTS)
    assert calls and all(np.array_equal(c.get("weights"), WEIGHTS) for c in calls)
    monkeypatch.setattr(model, "sums_weighted_horizons", False)
    summed = model.conditional_expected_purchases(HORIZONS, some, draws=True, weights=WEIGHTS)
    np.testing.assert_allclose(native.values, summed.values, rtol=1e-12)


def test_bad_horizons_and_weights_are_named(model, some):
    with pytest.raises(ValueError, match="1-D array of horizons"):
        model.conditional_expected_purchases(np.ones((2, 2)), some)
    with pytest.raises(ValueError, match="one value per horizon"):
        model.conditional_expected_purchases(HORIZONS, some, weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="one value per horizon"):
        model.conditional_expected_purchases(4.0, some, weights=[1.0])
    with pytest.raises(ValueError, match="horizon t must be finite and >= 0"):
        model.conditional_expected_purchases(-1.0, some)


def test_prior_predictive_check_allows_cdnow(cdnow_summary):
    check = BayesianBetaGeoModel().prior_predictive_check(cdnow_summary, draws=400, seed=1)
    assert check["observed"] == pytest.approx(cdnow_summary["frequency"].mean())
    assert check["hdi_3%"] < check["observed"] < check["hdi_97%"]
    assert 0.05 < check["share_below_observed"] < 0.95
    # a prior that says customers almost never buy (r ~ e^-6) rules CDNOW out
    bad = BayesianBetaGeoModel(priors={"r": clv.bayes.LogNormalPrior(-6.0, 0.1)})
    assert bad.prior_predictive_check(cdnow_summary, seed=1)["share_below_observed"] > 0.99
