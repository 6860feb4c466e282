"""Bayesian Pareto/NBD, MBG/NBD and BG/BB: one set of checks for every model.

Published maximum-likelihood estimates the posteriors must recover:

* Pareto/NBD on CDNOW (weeks): r 0.553, alpha 10.578, s 0.606, beta 11.669 (Fader, Hardie
  & Lee 2005, "RFM and CLV");
* MBG/NBD on CDNOW: r 0.525, alpha 6.183, a 0.891, b 1.614 (Batislam, Denizel &
  Filiztekin 2007; also lifetimes' and pymc-marketing's tests);
* BG/BB on the donations (11,104 donors, 6 opportunities): alpha 1.204, beta 0.750,
  gamma 0.657, delta 2.783 (Fader, Hardie & Shang 2010).

Tolerances are in units of ``SD``, the standard deviation of each estimate: the delta-method
standard errors of the maximum-likelihood fit. Posterior sds of a 2 x 300 NUTS run (measured
here) agree within 20 % for the MBG/NBD (0.084 0.70 0.18 0.65) and the BG/BB (0.072 0.030
0.050 0.32); the Pareto/NBD's s and beta have skewed posteriors twice as wide as their
standard errors (sd 0.32 and 11.4 against 0.19 and 6.2), so the standard errors are the
stricter yardstick. The prior moves the posterior mode by a small fraction of a standard
deviation (the log-prior's slope times the variance: MAP - MLE is under 0.13 SD for every
parameter here), so the MAP must sit within a quarter of one of the published values.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import clvmodels as clv
from clvmodels.bayes import (
    BayesianBetaGeoBetaBinomModel,
    BayesianModifiedBetaGeoModel,
    BayesianParetoNBDModel,
)
from clvmodels.models import beta_geo_beta_binom, modified_beta_geo, pareto_nbd

from .conftest import known_posterior

# name -> (Bayesian class, MLE class, models/ module, dataset, weights column,
#          published estimates, their standard deviations)
MODELS = {
    "Pareto/NBD": (
        BayesianParetoNBDModel,
        clv.ParetoNBDModel,
        pareto_nbd,
        "cdnow",
        None,
        {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
        {"r": 0.0476, "alpha": 0.843, "s": 0.187, "beta": 6.21},
    ),
    "MBG/NBD": (
        BayesianModifiedBetaGeoModel,
        clv.ModifiedBetaGeoModel,
        modified_beta_geo,
        "cdnow",
        None,
        {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
        {"r": 0.0833, "alpha": 0.696, "a": 0.155, "b": 0.538},
    ),
    "BG/BB": (
        BayesianBetaGeoBetaBinomModel,
        clv.BetaGeoBetaBinomModel,
        beta_geo_beta_binom,
        "donations",
        "count",
        {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783},
        {"alpha": 0.0693, "beta": 0.0294, "gamma": 0.0510, "delta": 0.321},
    ),
}


@pytest.fixture(scope="module")
def donations():
    return clv.datasets.load_donations()


def dataset(name, cdnow_summary, donations):
    cls, mle, module, data_name, weights_col, published, sd = MODELS[name]
    data = cdnow_summary if data_name == "cdnow" else donations
    weights = None if weights_col is None else data[weights_col]
    return data, weights


@pytest.fixture(params=list(MODELS))
def map_fit(request, map_fits):
    data, weights = map_fits.data(request.param)
    return request.param, map_fits[request.param], data, weights


@pytest.mark.parametrize("name", list(MODELS))
def test_pytensor_and_numpy_log_likelihoods_agree(name, cdnow_summary, donations):
    """The likelihood PyMC samples is the MLE's, row by row to 1e-10, on the data and extremes."""
    pytensor = pytest.importorskip("pytensor")
    import pytensor.tensor as pt

    from clvmodels.models.namespace import pytensor_namespace

    _, _, module, data_name, _, published, _ = MODELS[name]
    if True:
        if data_name == "cdnow":
            columns = [cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T")]
            # the extreme box of the likelihood tests: x up to 1000, T up to 5000
            extreme = ([0.0, 1000.0, 300.0, 5.0], [0.0, 4000.0, 4999.0, 5000.0], [5000.0] * 4)
            columns = [np.concatenate([c, e]) for c, e in zip(columns, extreme, strict=True)]
            points = [published, {k: v * 1e3 for k, v in published.items()}]
        else:
            columns = [donations[c].to_numpy(float) for c in module.COLUMNS]
            points = [published, {k: v * 30.0 for k, v in published.items()}]
        symbols = {p: pt.dscalar(p) for p in published}
        rows = module.log_likelihood(symbols, *columns, xp=pytensor_namespace())
        function = pytensor.function(list(symbols.values()), rows)
        for point in points:
            expected = module.log_likelihood(point, *columns)
            np.testing.assert_allclose(
                function(*point.values()), expected, rtol=1e-10, atol=1e-10, err_msg=name
            )


def test_map_recovers_the_published_estimates(map_fit):
    name, model, data, weights = map_fit
    published, sd = MODELS[name][5], MODELS[name][6]
    estimate = model.posterior_mean_params()
    for parameter, value in published.items():
        assert abs(estimate[parameter] - value) < 0.25 * sd[parameter], (name, parameter)
    assert model.method_ == "map" and model.sampler_ == "map"
    expected_n = len(data) if weights is None else int(weights.sum())
    assert model.n_customers_ == expected_n
    assert model.time_unit_ == data.attrs["time_unit"]


def test_predictions_are_the_models_functions_at_the_draws(cdnow_summary, donations):
    rng = np.random.default_rng(20100601)
    for name, (cls, _, module, *_, published, sd) in MODELS.items():
        data, weights = dataset(name, cdnow_summary, donations)
        draws = {
            k: v * np.exp(0.5 * sd[k] / v * rng.standard_normal((2, 30)))
            for k, v in published.items()
        }
        model = known_posterior(cls, data, weights, draws)
        some = data.iloc[:40]
        n = len(some)
        history = [some[c].to_numpy(float) for c in model.data_columns]
        every = model.conditional_expected_purchases(3, some, draws=True)
        assert isinstance(every, xr.DataArray)
        assert every.dims == ("chain", "draw", "customer_id") and every.shape == (2, 30, n)
        one = {k: float(v[1, 7]) for k, v in draws.items()}
        np.testing.assert_allclose(
            every[1, 7].values,
            module.conditional_expected_purchases(one, 3.0, *history),
            rtol=1e-12,
            err_msg=name,
        )
        mean = model.conditional_expected_purchases(3, some)
        assert isinstance(mean, pd.Series) and mean.index.equals(some.index)
        np.testing.assert_allclose(every.mean(("chain", "draw")), mean, rtol=1e-12)
        path = model.conditional_expected_purchases([1, 2, 3], some)
        np.testing.assert_allclose(path[3.0], mean, rtol=1e-12, err_msg=name)
        # the CLV's weighted sum over horizons is the sum of the path's columns
        factors = np.array([0.9, 0.5, 0.25])
        weighted = model.conditional_expected_purchases([1, 2, 3], some, weights=factors)
        np.testing.assert_allclose(weighted, path.to_numpy() @ factors, rtol=1e-12, err_msg=name)
        with pytest.raises(ValueError, match="one value per horizon"):
            model.conditional_expected_purchases([1, 2, 3], some, weights=[1.0, 2.0])
        frame = model.probability_alive(some, hdi=0.9)
        assert list(frame.columns) == ["mean", "hdi_5%", "hdi_95%"]
        assert (frame["hdi_5%"] <= frame["mean"] + 1e-12).all()
        assert (frame["mean"] <= frame["hdi_95%"] + 1e-12).all()
        p_alive = np.mean(
            [
                module.probability_alive({k: v[0, j] for k, v in draws.items()}, *history)
                for j in range(30)
            ]
            + [
                module.probability_alive({k: v[1, j] for k, v in draws.items()}, *history)
                for j in range(30)
            ],
            axis=0,
        )
        np.testing.assert_allclose(frame["mean"], p_alive, rtol=1e-12, err_msg=name)
        new = model.expected_purchases([1.0, 2.0], hdi=0.9)
        assert new.index.tolist() == [1.0, 2.0] and (new["mean"] > 0).all()


def test_published_quantities_at_a_posterior_on_the_estimate(donations):
    """A posterior concentrated on the BG/BB's MLE gives the paper's numbers.

    E[X(n)] of a new donor, n = 1..11: .4985 .9233 1.2969 1.6323 1.9381 2.2202 2.4826 2.7285
    2.9603 3.1798 3.3887; P(alive) at (x, t_x) = (0, 0), (2, 4), (6, 6) with n = 6: .11, .59,
    .93 (Fader, Hardie & Shang 2010).
    """
    mle = clv.BetaGeoBetaBinomModel().fit(donations, weights=donations["count"])
    model = known_posterior(
        BayesianBetaGeoBetaBinomModel,
        donations,
        donations["count"],
        {k: np.full((1, 2), v) for k, v in mle.params_.items()},
    )
    expected = [0.4985, 0.9233, 1.2969, 1.6323, 1.9381, 2.2202, 2.4826, 2.7285, 2.9603]
    expected += [3.1798, 3.3887]
    np.testing.assert_allclose(model.expected_purchases(np.arange(1, 12)), expected, atol=6e-5)
    table = pd.DataFrame({"frequency": [0, 2, 6], "recency": [0, 4, 6], "n_periods": 6})
    table.attrs["time_unit"] = "Y"
    np.testing.assert_allclose(model.probability_alive(table), [0.11, 0.59, 0.93], atol=0.005)


def test_a_posterior_at_the_mle_gives_the_mle_models_clv(cdnow_summary, gamma_gamma_cdnow):
    """customer_lifetime_value takes every Bayesian purchase model as it takes the MLE's."""
    pairs = {name: MODELS[name][:2] for name in ("Pareto/NBD", "MBG/NBD")}
    pairs["BG/NBD"] = (clv.BayesianBetaGeoModel, clv.BetaGeoModel)
    for name, (cls, mle_cls) in pairs.items():
        mle = mle_cls().fit(cdnow_summary)
        model = known_posterior(
            cls, cdnow_summary, None, {k: np.full((1, 2), v) for k, v in mle.params_.items()}
        )
        options = dict(horizon_unit="M", discount_period="Y")
        value = clv.customer_lifetime_value(
            model, gamma_gamma_cdnow, cdnow_summary, 12, 0.1, **options
        )
        expected = clv.customer_lifetime_value(
            mle, gamma_gamma_cdnow, cdnow_summary, 12, 0.1, **options
        )
        np.testing.assert_allclose(value.per_customer["mean"], expected, rtol=1e-10, err_msg=name)
        assert value.base_total.shape == (1, 2)
        assert value.base_total[0, 0] == pytest.approx(expected.sum(), rel=1e-10)


def test_dert_and_probability_of_purchases(cdnow_summary, donations):
    pnbd_params = MODELS["Pareto/NBD"][5]
    model = known_posterior(
        BayesianParetoNBDModel,
        cdnow_summary,
        None,
        {k: np.full((1, 1), v) for k, v in pnbd_params.items()},
    )
    some = cdnow_summary.iloc[:10]
    rate = np.log(1.15) / 52
    np.testing.assert_allclose(
        model.discounted_expected_residual_transactions(rate, some),
        pareto_nbd.discounted_expected_residual_transactions(
            pnbd_params, rate, *(some[c] for c in ("frequency", "recency", "T"))
        ),
        rtol=1e-12,
    )
    probs = model.probability_of_purchases(20.0, [0, 1, 2])
    np.testing.assert_allclose(
        probs, pareto_nbd.probability_of_purchases(pnbd_params, 20.0, [0, 1, 2]), rtol=1e-12
    )
    bb_params = MODELS["BG/BB"][5]
    bb = known_posterior(
        BayesianBetaGeoBetaBinomModel,
        donations,
        donations["count"],
        {k: np.full((1, 1), v) for k, v in bb_params.items()},
    )
    cells = donations[["frequency", "recency", "n_periods"]]
    np.testing.assert_allclose(
        bb.discounted_expected_residual_transactions(0.1, donations),
        beta_geo_beta_binom.discounted_expected_residual_transactions(
            bb_params, 0.1, *(cells[c] for c in cells)
        ),
        rtol=1e-12,
    )


def test_bad_input_is_named(cdnow_summary, donations):
    with pytest.raises(ValueError, match="method must be"):
        BayesianParetoNBDModel().fit(cdnow_summary, method="mcmc")
    with pytest.raises(ValueError, match="draws must be a whole number"):
        BayesianParetoNBDModel().fit(cdnow_summary, draws=0)
    with pytest.raises(ValueError, match="weights must be one finite number"):
        BayesianBetaGeoBetaBinomModel().fit(donations, weights=[1.0, 2.0], method="map")
    with pytest.raises(ValueError, match="unknown parameter"):
        BayesianModifiedBetaGeoModel(priors={"s": (0.0, 1.0)})
    with pytest.raises(clv.DataValidationError, match="n_periods"):
        BayesianBetaGeoBetaBinomModel().fit(cdnow_summary, method="map")
    with pytest.raises(RuntimeError, match="not fitted"):
        BayesianParetoNBDModel().probability_alive(cdnow_summary)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_nuts_posterior_covers_the_published_estimates(name, cdnow_summary, donations):
    """2 chains x 300 draws: each mean within half a standard deviation (plus three
    Monte-Carlo standard errors) of the published estimate, which lies in the 94 % HDI."""
    data, weights = dataset(name, cdnow_summary, donations)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)  # ESS < 400 with 600 draws
        model = MODELS[name][0]().fit(
            data, weights=weights, draws=300, tune=300, chains=2, cores=1, random_seed=7
        )
    table = model.summary()
    for parameter, value in MODELS[name][5].items():
        row = table.loc[parameter]
        mcse = row["sd"] / np.sqrt(row["ess_bulk"])
        assert abs(row["mean"] - value) < 0.5 * row["sd"] + 3 * mcse, (name, parameter)
        assert row["hdi94_lb"] < value < row["hdi94_ub"], (name, parameter)
        assert row["r_hat"] < 1.05, (name, parameter)


def test_prior_predictive_check_allows_the_data_and_flags_a_bad_prior(cdnow_summary, donations):
    for name in MODELS:
        data, weights = dataset(name, cdnow_summary, donations)
        check = MODELS[name][0]().prior_predictive_check(data, weights, draws=400, seed=1)
        w = np.ones(len(data)) if weights is None else weights.to_numpy(float)
        assert check["observed"] == pytest.approx(np.average(data["frequency"], weights=w))
        assert check["hdi_3%"] < check["observed"] < check["hdi_97%"], name
        assert 0.05 < check["share_below_observed"] < 0.95, name
    # a prior that says customers almost never buy (r ~ e^-6) rules CDNOW out
    bad = BayesianParetoNBDModel(priors={"r": (-6.0, 0.1)})
    assert bad.prior_predictive_check(cdnow_summary, seed=1)["share_below_observed"] > 0.99
    draws = bad.prior_params(cdnow_summary, draws=300, seed=2)
    assert draws["r"].shape == (1, 300)
    assert np.log(draws["r"]).mean() == pytest.approx(-6.0, abs=0.03)
