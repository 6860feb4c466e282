"""The specs of the Gamma-Gamma, sBG and BG/BB folders, and their old import paths."""

import importlib

import numpy as np
import pytest

from clvmodels.models import registry


def test_the_specs_words_state_the_papers_moments():
    """Hand arithmetic on the published estimates, not the code's."""
    # Fader, Hardie & Lee (2005), CDNOW: p = 6.25, q = 3.74, gamma = 15.44;
    # p gamma / (q - 1) = 96.5 / 2.74 = 35.22
    gg = registry.by_key("gamma_gamma").spec.describe({"p": 6.25, "q": 3.74, "v": 15.44}, "week")
    assert "35.22 per purchase" in gg[1]
    # Fader & Hardie (2007), regular customers: alpha = 0.704, beta = 1.182;
    # 0.704 / 1.886 = 37.3 %, (1.182 + 4) / (1.886 + 4) = 88.0 %
    sbg = registry.by_key("sbg").spec.describe({"alpha": 0.704, "beta": 1.182}, "year")
    assert "37.3% of new customers leave" in sbg[0] and "to 88.0% in year 5" in sbg[0]
    # Fader, Hardie & Shang (2010): alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783;
    # 1.204 / 1.954 = 61.6 %, 0.657 / 3.440 = 19.1 %
    params = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    bgbb = registry.by_key("bgbb").spec.describe(params, "year")
    assert "61.6% of the years" in bgbb[0] and "probability 19.1%" in bgbb[1]


def test_the_sbg_starts_match_the_first_period_churn():
    """One cohort of 1000 with 631 left after the first renewal: churn 36.9 % at the start."""
    from clvmodels.models.shifted_beta_geo import sufficient_statistics

    spec = registry.by_key("sbg").spec
    rows = sufficient_statistics([1000, 631, 468])
    for start in spec.starting_values(rows):
        alpha, beta = start
        assert alpha / (alpha + beta) == pytest.approx(0.369)


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("clvmodels.bayes.gamma_gamma", "BayesianGammaGammaModel", "clvmodels.models.gamma_gamma"),
        (
            "clvmodels.bayes.shifted_beta_geo",
            "BayesianShiftedBetaGeoModel",
            "clvmodels.models.shifted_beta_geo",
        ),
        (
            "clvmodels.bayes.beta_geo_beta_binom",
            "BayesianBetaGeoBetaBinomModel",
            "clvmodels.models.beta_geo_beta_binom",
        ),
        ("clvmodels.models.shifted_beta_geo", "cohort_counts", "clvmodels.data.cohorts"),
        (
            "clvmodels.models.beta_geo_beta_binom",
            "opportunity_summary",
            "clvmodels.data.opportunities",
        ),
        (
            "clvmodels.models._gamma_gamma_rows",
            "weighted_at",
            "clvmodels.models.gamma_gamma._kernel",
        ),
    ],
)
def test_old_import_paths_name_the_same_objects(old, name, new):
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name
    )


def test_the_gamma_gamma_kernel_sums_what_it_gives_per_row(cdnow_summary):
    """The optimiser's weighted pass equals the weighted per-row values of the same kernel."""
    from clvmodels.models.gamma_gamma import gradient, sufficient_statistics

    stats = sufficient_statistics(cdnow_summary)
    point = np.array([3.0, 5.0, 20.0])
    ll, grad = gradient.log_likelihood_gradient(point, stats.arrays)
    total, total_grad = gradient.weighted_sums(point, stats.arrays, stats.weights)
    assert total == pytest.approx(float(stats.weights @ ll), rel=1e-13)
    np.testing.assert_allclose(total_grad, grad @ stats.weights, rtol=1e-12)
    # the sampler's tables (lgammas) against the optimiser's (scipy's betaln)
    sampled, sampled_grad = gradient.weighted_log_likelihood(stats)(point)
    assert sampled == pytest.approx(total, rel=1e-12)
    np.testing.assert_allclose(sampled_grad, total_grad, rtol=1e-10)
