"""Bayesian Gamma-Gamma on CDNOW against the MLE of note 025: p 6.25, q 3.74, gamma 15.44."""

import numpy as np
import pytest

PAPER = {"p": 6.25, "q": 3.74, "v": 15.44}


def test_posterior_means_are_near_the_mle_and_the_mle_is_inside_the_hdi(bgg_cdnow):
    table = bgg_cdnow.summary(hdi=0.94)
    for name, value in PAPER.items():
        assert table.loc[name, "mean"] == pytest.approx(value, rel=0.08), name
        assert table.loc[name, "hdi94_lb"] < value < table.loc[name, "hdi94_ub"], name


def test_expected_spend_is_the_posterior_mean(bgg_cdnow, gamma_gamma_cdnow, cdnow_summary):
    mean = bgg_cdnow.expected_spend(cdnow_summary)
    every = bgg_cdnow.expected_spend(cdnow_summary, draws=True)
    np.testing.assert_allclose(every.mean(("chain", "draw")).values, mean, rtol=1e-12)
    np.testing.assert_allclose(mean, gamma_gamma_cdnow.expected_spend(cdnow_summary), rtol=0.03)
    banded = bgg_cdnow.expected_spend(cdnow_summary, hdi=0.94)
    assert (banded["hdi_3%"] < banded["hdi_97%"]).all()
    population = bgg_cdnow.population_mean_spend(hdi=0.94)
    assert population.iloc[0]["hdi_3%"] < gamma_gamma_cdnow.population_mean_spend_
    assert gamma_gamma_cdnow.population_mean_spend_ < population.iloc[0]["hdi_97%"]
