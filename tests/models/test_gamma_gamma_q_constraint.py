"""Gamma-Gamma with q > 1 enforced (lifetimes' ``q_constraint=True``), so the mean spend exists."""

import warnings

import numpy as np
import pytest
from lifetimes import GammaGammaFitter

import clvmodels as clv
from clvmodels.models.gamma_gamma.mle import Q_FLOOR

# Customers' mean spends heavy-tailed enough that their average is infinite: q = 0.7 < 1.
HEAVY = {"p": 4.0, "q": 0.7, "v": 3.0}
BGNBD = {"r": 0.9, "alpha": 4.0, "a": 0.5, "b": 3.0}


@pytest.fixture(scope="module")
def heavy_summary():
    return clv.simulate.simulate_summary(
        6_000, BGNBD, T=52.0, gamma_gamma_params=HEAVY, seed=np.random.default_rng(11)
    )


def test_constraint_changes_nothing_where_q_is_above_one(cdnow_summary, gamma_gamma_cdnow):
    constrained = clv.GammaGammaModel(q_constraint=True).fit(cdnow_summary)
    assert gamma_gamma_cdnow.params_["q"] > 1.5  # CDNOW: 3.74
    for name, value in gamma_gamma_cdnow.params_.items():
        assert constrained.params_[name] == pytest.approx(value, rel=1e-5)
    assert constrained.log_likelihood_ == pytest.approx(gamma_gamma_cdnow.log_likelihood_, abs=1e-6)


def test_constraint_stops_q_at_the_floor_as_lifetimes_does(heavy_summary):
    free = clv.GammaGammaModel().fit(heavy_summary)
    assert free.params_["q"] < 1.0  # the data want q < 1: no finite mean spend
    with pytest.warns(clv.ConvergenceWarning, match="q stopped at its lower bound"):
        constrained = clv.GammaGammaModel().fit(heavy_summary, q_constraint=True)
    assert constrained.q_constraint is True
    assert constrained.params_["q"] == pytest.approx(Q_FLOOR, rel=1e-12)
    assert 0 < constrained.population_mean_spend_ < np.inf
    assert constrained.log_likelihood_ < free.log_likelihood_
    # lifetimes bounds log q >= 0, i.e. q >= 1; at a floor 1e-6 above it p and v agree.
    repeat = heavy_summary[heavy_summary["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = GammaGammaFitter().fit(
            repeat["frequency"], repeat["monetary_value"], q_constraint=True
        )
    assert theirs.params_["q"] == pytest.approx(1.0, abs=1e-6)
    for name in ("p", "v"):
        assert constrained.params_[name] == pytest.approx(theirs.params_[name], rel=1e-3)


def test_the_setting_is_cloned_saved_and_checked(heavy_summary, tmp_path):
    model = clv.GammaGammaModel(q_constraint=True)
    assert model.get_params()["q_constraint"] is True
    with pytest.warns(clv.ConvergenceWarning):
        model.fit(heavy_summary)
    path = tmp_path / "gg.json"
    model.save(path)
    loaded = clv.GammaGammaModel.load(path)
    assert loaded.q_constraint is True and loaded.params_ == model.params_
    plain = clv.GammaGammaModel().fit(clv.datasets.load_cdnow_summary())
    plain.save(path)
    assert clv.GammaGammaModel.load(path).q_constraint is False
    with pytest.raises(TypeError, match="q_constraint must be True or False"):
        clv.GammaGammaModel(q_constraint="yes")
    with pytest.raises(TypeError, match="q_constraint must be True or False"):
        clv.GammaGammaModel().fit(heavy_summary, q_constraint=1)
