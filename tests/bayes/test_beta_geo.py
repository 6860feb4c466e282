"""Bayesian BG/NBD on CDNOW against the published maximum-likelihood fit.

Fader, Hardie & Lee (2005), section 5: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
(weeks). With 2,357 customers and weakly-informative priors the posterior sits on the
MLE: means within 8 % (a and b are skewed, so their means sit a few percent above the
mode) and the MLE inside every 94 % HDI.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel, LogNormalPrior
from clvmodels.exceptions import UnitMismatchError

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_posterior_means_are_near_the_mle_and_the_mle_is_inside_the_hdi(bbg_cdnow):
    table = bbg_cdnow.summary(hdi=0.94)
    assert list(table.index) == ["r", "alpha", "a", "b"]
    for name, value in PAPER.items():
        # Within 8 % of the MLE up to the Monte-Carlo error of a short run (3 standard
        # errors of the mean): b's posterior mean sits ~7 % above it, so 800 draws alone
        # would decide the test by chance.
        mcse = table.loc[name, "sd"] / np.sqrt(table.loc[name, "ess_bulk"])
        assert abs(table.loc[name, "mean"] - value) <= 0.08 * value + 3 * mcse, name
        assert table.loc[name, "hdi94_lb"] < value < table.loc[name, "hdi94_ub"], name
    assert {"sd", "r_hat", "ess_bulk", "ess_tail"} <= set(table.columns)
    assert table.attrs["n_customers"] == 2357


def test_idata_holds_the_draws_of_every_parameter(bbg_cdnow):
    posterior = bbg_cdnow.idata["posterior"]
    assert dict(posterior.sizes) == {"chain": 2, "draw": 400}
    for name in ["r", "alpha", "a", "b", "log_r", "log_alpha", "log_a", "log_b"]:
        assert name in posterior
    np.testing.assert_allclose(np.exp(posterior["log_b"]), posterior["b"], rtol=1e-12)
    assert bbg_cdnow.sampler_ in {"pymc", "nutpie"}


def test_predictions_are_posterior_means_of_the_draws(bbg_cdnow, bgnbd_cdnow, cdnow_summary):
    some = cdnow_summary.iloc[:300]
    mean = bbg_cdnow.conditional_expected_purchases(39, some)
    every = bbg_cdnow.conditional_expected_purchases(39, some, draws=True)
    assert isinstance(mean, pd.Series) and mean.index.equals(some.index)
    assert isinstance(every, xr.DataArray)
    assert every.dims == ("chain", "draw", "customer_id")
    assert every.shape == (2, 400, 300)
    np.testing.assert_allclose(every.mean(("chain", "draw")).values, mean, rtol=1e-12)
    # the posterior mean of a prediction is close to the prediction at the MLE
    np.testing.assert_allclose(
        mean, bgnbd_cdnow.conditional_expected_purchases(39, some), rtol=0.05, atol=0.01
    )
    # one draw is the MLE model's function at that draw's parameters
    draw = {k: float(v[1, 7]) for k, v in bbg_cdnow.posterior_params().items()}
    np.testing.assert_allclose(
        every[1, 7].values,
        clv.models.beta_geo.conditional_expected_purchases(
            draw, 39.0, *(some[c] for c in ["frequency", "recency", "T"])
        ),
        rtol=1e-12,
    )


def test_hdi_columns_bracket_the_mean(bbg_cdnow, cdnow_summary):
    frame = bbg_cdnow.probability_alive(cdnow_summary, hdi=0.94)
    assert list(frame.columns) == ["mean", "hdi_3%", "hdi_97%"]
    assert (frame["hdi_3%"] <= frame["mean"] + 1e-12).all()
    assert (frame["mean"] <= frame["hdi_97%"] + 1e-12).all()
    # Fader, Hardie & Lee (2008, note 021): customer 1 (x=2, t_x=30.43, T=38.86) is alive
    # with probability 0.727 at the MLE
    assert frame.loc[1, "hdi_3%"] < 0.727 < frame.loc[1, "hdi_97%"]
    assert (frame.loc[cdnow_summary["frequency"] == 0] == 1.0).all().all()


def test_many_horizons_give_a_frame_per_horizon(bbg_cdnow, cdnow_summary):
    some = cdnow_summary.iloc[:20]
    path = bbg_cdnow.conditional_expected_purchases([4.0, 52.0], some)
    assert path.shape == (20, 2)
    np.testing.assert_allclose(
        path[52.0], bbg_cdnow.conditional_expected_purchases(52.0, some), rtol=1e-12
    )
    banded = bbg_cdnow.conditional_expected_purchases([4.0, 52.0], some, hdi=0.9)
    assert banded["mean"].equals(path)


def test_new_customer_quantities(bbg_cdnow):
    # E[X(39)] = 1.195 at the MLE (same paper)
    table = bbg_cdnow.expected_purchases([39.0], hdi=0.94)
    assert table.loc[39.0, "hdi_3%"] < 1.195 < table.loc[39.0, "hdi_97%"]
    assert bbg_cdnow.expected_purchases(39.0) == pytest.approx(1.195, rel=0.03)
    probabilities = bbg_cdnow.probability_of_purchases(39.0, np.arange(200))
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)


def test_chunking_does_not_change_the_answer(bbg_cdnow, cdnow_summary):
    from clvmodels.bayes import posterior

    whole = bbg_cdnow.probability_alive(cdnow_summary, hdi=0.5)
    params = {k: v[..., None] for k, v in bbg_cdnow.posterior_params().items()}
    rows, inverse = posterior.distinct_rows(
        *(cdnow_summary[c].to_numpy(float) for c in ["frequency", "recency", "T"])
    )
    chunked = posterior.per_customer(
        lambda part: clv.models.beta_geo.probability_alive(
            params, rows[part, 0], rows[part, 1], rows[part, 2]
        ),
        len(rows),
        inverse,
        cdnow_summary.index,
        (2, 400),
        name="p_alive",
        hdi_prob=0.5,
        chunk_elements=2_000,
    )
    pd.testing.assert_frame_equal(chunked, whole)


def test_wrong_unit_and_unfitted_model_are_named(bbg_cdnow, cdnow_summary):
    days = cdnow_summary.copy()
    days.attrs["time_unit"] = "D"
    with pytest.raises(UnitMismatchError):
        bbg_cdnow.probability_alive(days)
    with pytest.raises(RuntimeError, match="not fitted"):
        BayesianBetaGeoModel().probability_alive(cdnow_summary)
    with pytest.raises(ValueError, match="hdi must be a probability"):
        bbg_cdnow.probability_alive(cdnow_summary, hdi=94)
    with pytest.raises(ValueError, match="not both"):
        bbg_cdnow.probability_alive(cdnow_summary, hdi=0.9, draws=True)


def test_priors_are_documented_and_overridable(cdnow_summary):
    stats = clv.models.beta_geo.sufficient_statistics(cdnow_summary)
    defaults = BayesianBetaGeoModel().priors_for(stats)
    assert defaults["r"] == LogNormalPrior(0.0, 2.0)
    # alpha is a time scale: centred on the mean customer age, in the summary's unit
    assert np.exp(defaults["alpha"].mu) == pytest.approx(cdnow_summary["T"].mean())
    chosen = BayesianBetaGeoModel(priors={"b": (1.0, 0.5)}).priors_for(stats)
    assert chosen["b"] == LogNormalPrior(1.0, 0.5) and chosen["a"] == defaults["a"]
    with pytest.raises(ValueError, match="unknown parameter"):
        BayesianBetaGeoModel(priors={"gamma": (0, 1)})
    with pytest.raises(ValueError, match="sigma > 0"):
        LogNormalPrior(0.0, -1.0)
    # the model the fit samples is open to prior checks and custom sampling
    model = BayesianBetaGeoModel(priors={"b": (1.0, 0.5)}).build_model(cdnow_summary)
    assert sorted(v.name for v in model.free_RVs) == ["log_a", "log_alpha", "log_b", "log_r"]
    assert [p.name for p in model.potentials] == ["log_likelihood"]


@pytest.mark.slow
def test_random_seed_reproduces_the_draws_and_quick_methods_land_near_the_mle(cdnow_summary):
    import warnings

    options = dict(draws=100, tune=100, chains=2, cores=1, random_seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)
        first = BayesianBetaGeoModel().fit(cdnow_summary, **options)
        second = BayesianBetaGeoModel().fit(cdnow_summary, **options)
    for name, draws in first.posterior_params().items():
        np.testing.assert_array_equal(second.posterior_params()[name], draws)
    # the posterior mode under weak priors is the MLE, to a fraction of its standard error
    mode = BayesianBetaGeoModel().fit(cdnow_summary, method="map").posterior_mean_params()
    for name, value in PAPER.items():
        assert mode[name] == pytest.approx(value, rel=0.03), name
    advi = BayesianBetaGeoModel().fit(
        cdnow_summary, method="advi", draws=200, random_seed=1, n=3000
    )
    assert advi.idata["posterior"].sizes["draw"] == 200
    assert advi.posterior_mean_params()["r"] == pytest.approx(0.243, rel=0.2)


def test_a_refit_reuses_the_compiled_sampler_and_reproduces_the_draws(bbg_cdnow, cdnow_summary):
    from .conftest import SMALL

    if bbg_cdnow.sampler_ != "nutpie":
        pytest.skip("nutpie is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)
        again = BayesianBetaGeoModel().fit(cdnow_summary, **SMALL)
    posterior = again.idata["posterior"]
    assert posterior.attrs["compile_time"] == 0.0  # the fixture's sampler, from the cache
    np.testing.assert_array_equal(posterior["r"].values, bbg_cdnow.idata["posterior"]["r"].values)


def test_the_compiled_sampler_key_tells_models_settings_priors_and_data_apart(cdnow_summary):
    """A cached sampler is reused only for the same model of the same data (no sampling)."""
    from clvmodels.bayes import BayesianShiftedBetaGeoModel
    from clvmodels.models import beta_geo

    stats = beta_geo.sufficient_statistics(cdnow_summary, None)

    def build():
        return None

    key = BayesianBetaGeoModel()._compiled_key(stats, build)
    assert key == BayesianBetaGeoModel()._compiled_key(stats, build)
    assert key != BayesianBetaGeoModel(priors={"r": (0.0, 1.0)})._compiled_key(stats, build)
    fewer = beta_geo.sufficient_statistics(cdnow_summary.iloc[:100], None)
    assert key != BayesianBetaGeoModel()._compiled_key(fewer, build)
    assert key != BayesianBetaGeoModel()._compiled_key(stats, lambda: None)
    pooled = BayesianShiftedBetaGeoModel(hierarchical=True)._compiled_key(stats, build)
    assert pooled != BayesianShiftedBetaGeoModel(hierarchical=False)._compiled_key(stats, build)
