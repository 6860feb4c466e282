"""Posterior count distributions and future P(alive) (issue 25), from a known posterior.

The Bayesian purchase models share the prediction mixin: with a posterior set by hand
(``known_posterior``, two chains of three draws) the methods must give each draw's value
of the models' ``counts`` functions, averaged, with an HDI on request.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel
from clvmodels.models.beta_geo import counts as bg_counts
from clvmodels.models.beta_geo_beta_binom import counts as bb_counts
from clvmodels.models.beta_geo_beta_binom import math as bb_math
from clvmodels.models.modified_beta_geo import counts as mbg_counts
from clvmodels.models.pareto_nbd import counts as pnbd_counts

from .conftest import known_posterior

CASES = {
    "BG/NBD": (BayesianBetaGeoModel, bg_counts, {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}),
    "MBG/NBD": (
        clv.bayes.BayesianModifiedBetaGeoModel,
        mbg_counts,
        {"r": 0.25, "alpha": 4.5, "a": 0.8, "b": 2.5},
    ),
    "Pareto/NBD": (
        clv.bayes.BayesianParetoNBDModel,
        pnbd_counts,
        {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7},
    ),
}


def _draws(center: dict) -> dict:
    spread = np.array([[0.9, 1.0, 1.1], [0.95, 1.05, 1.02]])
    return {k: v * spread for k, v in center.items()}


def _mean_over_draws(function, draws: dict, *args) -> np.ndarray:
    values = [
        function({k: v[c, d] for k, v in draws.items()}, *args) for c in range(2) for d in range(3)
    ]
    return np.mean(values, axis=0)


@pytest.mark.parametrize("name", list(CASES))
def test_posterior_counts_and_future_alive(name, cdnow_summary):
    cls, counts, center = CASES[name]
    draws = _draws(center)
    model = known_posterior(cls, cdnow_summary, None, draws)
    some = cdnow_summary.iloc[:30]
    history = [some[c].to_numpy(float) for c in ("frequency", "recency", "T")]
    table = model.probability_of_purchases(20.0, [0, 1, 2], some)
    assert table.shape == (30, 3) and list(table.columns) == [0.0, 1.0, 2.0]
    want = _mean_over_draws(
        counts.conditional_probability_of_purchases, draws, 20.0, np.arange(3.0)[:, None], *history
    )
    np.testing.assert_allclose(table.to_numpy(), want.T, rtol=1e-10)
    tail = model.probability_of_purchases(20.0, 1, some, at_least=True)
    np.testing.assert_allclose(tail.to_numpy(), 1.0 - table[0.0].to_numpy(), atol=1e-12)
    every = model.probability_of_purchases(20.0, [0, 1], some, draws=True)
    assert isinstance(every, xr.DataArray) and every.shape == (2, 3, 30, 2)
    with_hdi = model.probability_of_purchases(20.0, 1, some, hdi=0.9)
    assert isinstance(with_hdi, pd.DataFrame) and with_hdi.shape[0] == 30
    later = model.probability_alive(some, at=13.0)
    want = _mean_over_draws(counts.probability_alive_after, draws, 13.0, *history)
    np.testing.assert_allclose(later.to_numpy(), want, rtol=1e-10)
    np.testing.assert_allclose(
        model.probability_alive(some, at=0.0).to_numpy(),
        model.probability_alive(some).to_numpy(),
        atol=1e-12,
    )
    new = model.probability_of_purchases(20.0, [0, 1])
    assert new.shape == (2,) and np.all((new > 0) & (new < 1))


def test_bgbb_posterior_counts():
    donations = clv.datasets.load_donations()
    center = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    draws = _draws(center)
    model = known_posterior(
        clv.bayes.BayesianBetaGeoBetaBinomModel, donations, donations["count"], draws
    )
    history = [donations[c].to_numpy(float) for c in ("frequency", "recency", "n_periods")]
    table = model.probability_of_purchases(5, [0, 1, 2], donations)
    want = _mean_over_draws(
        bb_counts.conditional_probability_of_purchases, draws, 5, np.arange(3.0)[:, None], *history
    )
    np.testing.assert_allclose(table.to_numpy(), want.T, rtol=1e-10)
    new = model.probability_of_purchases(6, np.arange(7))
    assert new.sum() == pytest.approx(1.0, abs=1e-12)
    later = model.probability_alive(donations, at=3)
    want = _mean_over_draws(bb_math.probability_alive, draws, *history, 3)
    np.testing.assert_allclose(later.to_numpy(), want, rtol=1e-10)
