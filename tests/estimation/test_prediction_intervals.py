"""Parameter-uncertainty intervals of maximum-likelihood predictions (``interval=``).

Known truth: bases simulated from the BG/NBD with known parameters, fitted many times;
the true expected purchases are the model's at the true parameters. Independent
references: the delta method written out by hand for the Gamma-Gamma's mean spend, and
the bootstrap against the delta method on a large base.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import clvmodels as clv
from clvmodels.models.beta_geo import math as bgnbd
from clvmodels.simulate import simulate_summary

TRUE = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
SPEND = {"p": 6.0, "q": 4.0, "v": 15.0}
HORIZON = 26.0
CLV_ARGS = dict(horizon=12, discount_rate=0.1, horizon_unit="M", discount_period="Y")


def _binomial_band(n: int, p: float, tail: float = 0.001) -> tuple[float, float]:
    """Shares k / n outside which Binomial(n, p) falls with probability < 2 * tail."""
    return stats.binom.ppf(tail, n, p) / n, stats.binom.isf(tail, n, p) / n


@pytest.fixture(scope="module")
def base():
    return simulate_summary(4000, TRUE, T=52.0, gamma_gamma_params=SPEND, seed=7, time_step=1.0)


@pytest.fixture(scope="module")
def fitted(base):
    return clv.BetaGeoModel().fit(base), clv.GammaGammaModel().fit(base[base["frequency"] > 0])


# -- coverage with known truth ---------------------------------------------------------------
@pytest.mark.parametrize("method", ["delta", "bootstrap"])
def test_the_90_percent_interval_of_the_base_total_covers_the_truth_90_percent_of_the_time(
    method,
):
    """200 bases of 1,000 customers, each fitted; the truth is sum_i E[X_i(26) | history_i].

    Tolerance: with true coverage 0.9 the share of 200 hits lies in the binomial band
    [ppf(0.001), isf(0.001)] / 200 = [0.835, 0.95] with probability 0.998.
    """
    repetitions, hits, customer_shares = 200, 0, []
    for rep in range(repetitions):
        # continuous times: recency rounded to a grid (time_step) biases the continuous-time
        # likelihood's r and alpha by ~1 standard error at this size, which is not the
        # interval's error
        data = simulate_summary(1000, TRUE, T=52.0, seed=1000 + rep)
        model = clv.BetaGeoModel().fit(data)
        x, t_x, T = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
        truth = bgnbd.conditional_expected_purchases(TRUE, HORIZON, x, t_x, T)
        frame = model.conditional_expected_purchases(
            HORIZON, data, interval=0.9, method=method, draws=200, seed=rep
        )
        total = frame.attrs["base_total"]
        hits += total["hdi_5%"] <= truth.sum() <= total["hdi_95%"]
        inside = (frame["hdi_5%"] <= truth) & (truth <= frame["hdi_95%"])
        customer_shares.append(inside.mean())
    low, high = _binomial_band(repetitions, 0.9)
    assert low <= hits / repetitions <= high
    # each customer's interval too, on average over the bases (customers of one base share
    # the estimate, so the band is wider than a binomial's; 0.05 is ~4 standard errors of
    # the mean of 200 bases' shares, whose spread is ~0.2 here)
    assert abs(np.mean(customer_shares) - 0.9) < 0.05


# -- the delta method by hand ---------------------------------------------------------------
def test_delta_interval_of_a_new_customers_spend_is_the_hand_written_delta_method(fitted):
    _, gg = fitted
    one = pd.DataFrame({"frequency": [0.0], "monetary_value": [0.0]})
    frame = gg.expected_spend(one, interval=0.9)
    p, q, v = (gg.params_[k] for k in ("p", "q", "v"))
    mean = p * v / (q - 1)
    # ln E = ln p + ln v - ln(q - 1): its gradient in (ln p, ln q, ln v)
    gradient = np.array([1.0, -q / (q - 1), 1.0])
    se = np.sqrt(gradient @ gg.log_covariance_ @ gradient)
    z = stats.norm.ppf(0.95)
    assert frame["mean"].iloc[0] == pytest.approx(mean, rel=1e-12)
    assert frame["hdi_5%"].iloc[0] == pytest.approx(mean * np.exp(-z * se), rel=1e-6)
    assert frame["hdi_95%"].iloc[0] == pytest.approx(mean * np.exp(z * se), rel=1e-6)


# -- the two methods agree ------------------------------------------------------------------
@pytest.mark.parametrize("quantity", ["purchases", "p_alive", "spend", "clv"])
def test_delta_and_bootstrap_agree_on_a_large_base(base, fitted, quantity):
    bg, gg = fitted

    def ask(**how):
        if quantity == "purchases":
            return bg.conditional_expected_purchases(HORIZON, base, interval=0.9, **how)
        if quantity == "p_alive":
            return bg.probability_alive(base, interval=0.9, **how)
        if quantity == "spend":
            return gg.expected_spend(base, interval=0.9, **how)
        return clv.customer_lifetime_value(bg, gg, base, interval=0.9, **CLV_ARGS, **how)

    delta = ask(method="delta")
    boot = ask(method="bootstrap", draws=4000, seed=3)
    np.testing.assert_array_equal(delta["mean"], boot["mean"])
    width = (delta["hdi_95%"] - delta["hdi_5%"]).to_numpy()
    moving = width > 1e-9  # P(alive) = 1 exactly without repeat purchases: [1, 1]
    for bound in ("hdi_5%", "hdi_95%"):
        gap = np.abs(delta[bound] - boot[bound]).to_numpy()
        # the bootstrap's HDI from 4,000 draws is within ~5 % of the width of the normal's
        assert np.median(gap[moving] / width[moving]) < 0.05
        assert np.all(gap[~moving] < 1e-9)
        totals = delta.attrs["base_total"], boot.attrs["base_total"]
        total_width = totals[0]["hdi_95%"] - totals[0]["hdi_5%"]
        assert abs(totals[0][bound] - totals[1][bound]) < 0.08 * total_width


# -- every model, the same layout -----------------------------------------------------------
def _check_layout(frame, point, name):
    assert list(frame.columns) == ["mean", "hdi_5%", "hdi_95%"]
    np.testing.assert_allclose(frame["mean"], point, rtol=1e-12)
    assert np.all(frame["hdi_5%"] <= frame["mean"] + 1e-12)
    assert np.all(frame["mean"] <= frame["hdi_95%"] + 1e-12)
    assert frame.attrs["quantity"] == name and frame.attrs["interval"] == 0.9
    total = frame.attrs["base_total"]
    assert total["mean"] == pytest.approx(float(np.sum(point)), rel=1e-10)
    assert total["hdi_5%"] < total["mean"] < total["hdi_95%"]


@pytest.mark.parametrize(
    "model_class", [clv.BetaGeoModel, clv.ParetoNBDModel, clv.ModifiedBetaGeoModel]
)
@pytest.mark.parametrize("method", ["delta", "bootstrap"])
def test_every_rfm_model_gives_mean_and_bounds(base, model_class, method):
    data = base.iloc[:1500]
    model = model_class().fit(data)
    how = dict(interval=0.9, method=method, draws=100, seed=1)
    frame = model.conditional_expected_purchases(HORIZON, data, **how)
    _check_layout(frame, model.conditional_expected_purchases(HORIZON, data), "expected_purchases")
    alive = model.probability_alive(data, **how)
    _check_layout(alive, model.probability_alive(data), "p_alive")
    assert np.all((alive["hdi_5%"] >= 0) & (alive["hdi_95%"] <= 1))


def test_the_bgbb_gives_mean_and_bounds():
    donations = clv.datasets.load_donations()
    model = clv.BetaGeoBetaBinomModel().fit(donations, weights=donations["count"])
    for method in ("delta", "bootstrap"):
        frame = model.conditional_expected_purchases(5, donations, interval=0.9, method=method)
        _check_layout(
            frame, model.conditional_expected_purchases(5, donations), "expected_purchases"
        )
        alive = model.probability_alive(donations, interval=0.9, method=method)
        _check_layout(alive, model.probability_alive(donations), "p_alive")


@pytest.mark.parametrize("method", ["delta", "bootstrap"])
def test_clv_interval_mean_is_the_point_clv(base, fitted, method):
    bg, gg = fitted
    frame = clv.customer_lifetime_value(bg, gg, base, interval=0.9, method=method, **CLV_ARGS)
    _check_layout(frame, clv.customer_lifetime_value(bg, gg, base, **CLV_ARGS), "clv")
    assert frame.attrs["method"] == method


def test_static_covariates_enter_the_interval():
    rng = np.random.default_rng(5)
    data = simulate_summary(1500, TRUE, T=52.0, gamma_gamma_params=SPEND, seed=11, time_step=1.0)
    data["channel"] = rng.choice(["online", "shop"], size=len(data))
    data["age"] = rng.normal(size=len(data))
    bg = clv.BetaGeoModel(purchase_covariates=["channel", "age"], dropout_covariates=["age"])
    bg.fit(data)
    gg = clv.GammaGammaModel(spend_covariates=["channel"]).fit(data[data["frequency"] > 0])
    for method in ("delta", "bootstrap"):
        how = dict(interval=0.9, method=method, draws=300, seed=2)
        frame = bg.conditional_expected_purchases(HORIZON, data, **how)
        _check_layout(frame, bg.conditional_expected_purchases(HORIZON, data), "expected_purchases")
        _check_layout(gg.expected_spend(data, **how), gg.expected_spend(data), "expected_spend")
        value = clv.customer_lifetime_value(bg, gg, data, **CLV_ARGS, **how)
        _check_layout(value, clv.customer_lifetime_value(bg, gg, data, **CLV_ARGS), "clv")
    # the coefficients' uncertainty widens the interval: with the coefficients' variance
    # removed, the same customers' intervals are narrower
    wide = bg.conditional_expected_purchases(HORIZON, data, interval=0.9)
    k = len(type(bg).param_names)
    bg.log_covariance_ = bg.log_covariance_.copy()
    bg.log_covariance_[k:, :] = bg.log_covariance_[:, k:] = 0.0
    narrow = bg.conditional_expected_purchases(HORIZON, data, interval=0.9)
    widths = [(f["hdi_95%"] - f["hdi_5%"]).mean() for f in (wide, narrow)]
    assert widths[1] < widths[0]


def test_the_bootstrap_is_reproducible_with_a_seed(base, fitted):
    bg, _ = fitted
    one, two, other = (
        bg.probability_alive(base, interval=0.8, method="bootstrap", draws=50, seed=s)
        for s in (4, 4, 5)
    )
    pd.testing.assert_frame_equal(one, two)
    assert not one.equals(other)
    assert list(one.columns) == ["mean", "hdi_10%", "hdi_90%"]


# -- bad arguments --------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.1, "high", True, float("nan")])
def test_interval_outside_zero_one_is_refused(base, fitted, bad):
    bg, gg = fitted
    with pytest.raises(ValueError, match=r"interval must be a probability in \(0, 1\), e\.g\."):
        bg.probability_alive(base, interval=bad)
    with pytest.raises(ValueError, match="interval must be a probability"):
        clv.customer_lifetime_value(bg, gg, base, interval=bad, **CLV_ARGS)


def test_unknown_method_and_too_few_draws_are_refused(base, fitted):
    bg, gg = fitted
    with pytest.raises(ValueError, match=r"method must be one of \['delta', 'bootstrap'\]"):
        bg.conditional_expected_purchases(1.0, base, interval=0.9, method="jackknife")
    for draws in (1, 0, 2.5, True):
        with pytest.raises(ValueError, match=r"draws must be a whole number >= 2.*draws=200"):
            gg.expected_spend(base, interval=0.9, method="bootstrap", draws=draws)


def test_interval_keywords_without_interval_or_misspelt_are_refused(base, fitted):
    bg, gg = fitted
    with pytest.raises(ValueError, match=r"\['method'\] go with interval=, e\.g\."):
        bg.probability_alive(base, method="bootstrap")
    with pytest.raises(TypeError, match=r"unexpected keyword\(s\) \['draw'\]"):
        gg.expected_spend(base, interval=0.9, draw=100)


def test_many_horizons_and_time_varying_fits_are_named_not_implemented(base, fitted):
    bg, _ = fitted
    with pytest.raises(NotImplementedError, match="one horizon t"):
        bg.conditional_expected_purchases([1.0, 2.0], base, interval=0.9)
    dynamic = clv.BetaGeoModel(purchase_covariates=["x"])
    dynamic.dynamic_covariates_ = pd.DataFrame()  # stands for a time-varying fit
    dynamic.params_ = bg.params_
    with pytest.raises(NotImplementedError, match="dynamic_covariates"):
        dynamic.conditional_expected_purchases(1.0, base, interval=0.9)
    with pytest.raises(NotImplementedError, match="dynamic_covariates"):
        dynamic.probability_alive(base, interval=0.9)


def test_a_spend_model_without_covariance_is_named(base, fitted):
    bg, _ = fitted

    class Constant:
        def expected_spend(self, summary):
            return pd.Series(10.0, index=summary.index)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NotImplementedError, match="Constant offers neither"):
            clv.customer_lifetime_value(bg, Constant(), base, interval=0.9, **CLV_ARGS)
