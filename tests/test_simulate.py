"""Parameter recovery on simulated data: a joint Wald test on the log scale."""

import numpy as np
import pytest
from scipy import stats

import clvmodels as clv

BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}


def _wald(model, truth):
    names = model.param_names
    diff = np.log([model.params_[n] for n in names]) - np.log([truth[n] for n in names])
    return float(diff @ np.linalg.solve(model.log_covariance_, diff))


@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(7)
    return clv.simulate.simulate_summary(
        50_000, BGNBD, T=rng.uniform(20, 78, 50_000), gamma_gamma_params=SPEND, seed=rng
    )


def test_bgnbd_recovers_parameters_within_sampling_error(simulated):
    fit = clv.BetaGeoModel().fit(simulated)
    # Under correct recovery the statistic is chi-square(4); fail beyond its 99.9% point.
    assert _wald(fit, BGNBD) < stats.chi2.ppf(0.999, df=4)
    for name, value in BGNBD.items():
        assert fit.params_[name] == pytest.approx(value, rel=0.15)


def test_gamma_gamma_recovers_parameters_within_sampling_error(simulated):
    fit = clv.GammaGammaModel().fit(simulated)
    assert _wald(fit, SPEND) < stats.chi2.ppf(0.999, df=3)


def test_simulated_summary_has_model_moments(simulated):
    # E[X(T)] for a new customer, averaged over the simulated T, against the closed form.
    expected = clv.models.beta_geo.expected_purchases(BGNBD, simulated["T"].to_numpy()).mean()
    observed = simulated["frequency"].mean()
    se = simulated["frequency"].std() / np.sqrt(len(simulated))
    assert abs(observed - expected) < 4 * se
    assert simulated.attrs["time_unit"] == "W"
    assert (simulated["recency"] <= simulated["T"]).all()


def test_transaction_log_summarises_back_to_the_model():
    log = clv.simulate.simulate_transactions(20_000, BGNBD, SPEND, seed=11)
    assert {"customer_id", "date", "spend"} <= set(log.columns)
    summary = clv.rfm_summary(
        log, "customer_id", "date", "spend", log.attrs["observation_period_end"], freq="D"
    )
    assert len(summary) == 20_000
    summary[["recency", "T"]] /= 7.0
    summary.attrs["time_unit"] = "W"
    fit = clv.BetaGeoModel().fit(summary)
    # Daily rounding merges a few same-day purchases: allow 15% on each parameter.
    for name, value in BGNBD.items():
        assert fit.params_[name] == pytest.approx(value, rel=0.15)


def test_simulation_is_reproducible_and_checks_parameters():
    one = clv.simulate.simulate_summary(100, BGNBD, T=10.0, seed=3)
    two = clv.simulate.simulate_summary(100, BGNBD, T=10.0, seed=3)
    assert one.equals(two)
    with pytest.raises(ValueError, match="> 0"):
        clv.simulate.simulate_summary(10, {**BGNBD, "a": -1.0}, T=10.0)
    with pytest.raises(ValueError, match="missing"):
        clv.simulate.simulate_summary(10, {"r": 1.0}, T=10.0)


# -- Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005, note 009) ----------
PARETO = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}


@pytest.fixture(scope="module")
def pareto_simulated():
    rng = np.random.default_rng(1987)
    return clv.simulate.simulate_pareto_nbd_summary(
        50_000, PARETO, T=rng.uniform(20, 78, 50_000), gamma_gamma_params=SPEND, seed=rng
    )


def test_pareto_nbd_purchase_counts_follow_the_closed_form_distribution():
    """P(X(t) = n) (note 012, mpmath-checked in tests/models) against 200k customers at t = 39."""
    summary = clv.simulate.simulate_pareto_nbd_summary(200_000, PARETO, T=39.0, seed=5)
    counts = np.bincount(summary["frequency"], minlength=9)
    expected_p = clv.models.pareto_nbd.probability_of_purchases(PARETO, 39.0, np.arange(8))
    # cells 0..7 and ">= 8"; Pearson's chi-square, 8 degrees of freedom
    observed = np.append(counts[:8], counts[8:].sum())
    expected = len(summary) * np.append(expected_p, 1 - expected_p.sum())
    assert expected.min() > 100
    statistic = ((observed - expected) ** 2 / expected).sum()
    assert statistic < stats.chi2.ppf(0.999, df=8)
    mean = clv.models.pareto_nbd.expected_purchases(PARETO, 39.0)
    se = summary["frequency"].std() / np.sqrt(len(summary))
    assert abs(summary["frequency"].mean() - mean) < 4 * se


def test_pareto_nbd_p_alive_averages_to_the_survival_probability(pareto_simulated):
    """E[P(alive | x, t_x, T)] over customers is P(tau > T) = E[(beta / (beta + T))^s]."""
    T = pareto_simulated["T"].to_numpy()
    p_alive = clv.models.pareto_nbd.probability_alive(
        PARETO, *(pareto_simulated[c] for c in ("frequency", "recency", "T"))
    )
    survival = (PARETO["beta"] / (PARETO["beta"] + T)) ** PARETO["s"]
    se = np.std(p_alive - survival) / np.sqrt(len(T))
    assert abs(np.mean(p_alive) - np.mean(survival)) < 4 * se
    x = pareto_simulated["frequency"].to_numpy()
    expected = clv.models.pareto_nbd.expected_purchases(PARETO, T).mean()
    assert abs(x.mean() - expected) < 4 * x.std() / np.sqrt(len(x))
    assert (pareto_simulated["recency"] <= T).all()
    assert (pareto_simulated["recency"][x == 0] == 0).all()
    assert (pareto_simulated["recency"][x > 0] > 0).all()


def test_pareto_nbd_fit_recovers_parameters_within_sampling_error(pareto_simulated):
    fit = clv.ParetoNBDModel().fit(pareto_simulated)
    assert _wald(fit, PARETO) < stats.chi2.ppf(0.999, df=4)
    spend = clv.GammaGammaModel().fit(pareto_simulated)
    assert _wald(spend, SPEND) < stats.chi2.ppf(0.999, df=3)


def test_pareto_nbd_summary_on_a_grid_is_reproducible_and_checks_input():
    T = np.floor(np.linspace(10, 60, 500) * 7) / 7
    one = clv.simulate.simulate_pareto_nbd_summary(500, PARETO, T, seed=3, time_step=1 / 7)
    two = clv.simulate.simulate_pareto_nbd_summary(500, PARETO, T, seed=3, time_step=1 / 7)
    assert one.equals(two)
    buyers = one[one["frequency"] > 0]
    days = buyers["recency"] * 7
    np.testing.assert_allclose(days, np.round(days), atol=1e-9)
    assert (buyers["recency"] >= 1 / 7 - 1e-12).all() and (one["recency"] <= one["T"]).all()
    with pytest.raises(ValueError, match="> 0"):
        clv.simulate.simulate_pareto_nbd_summary(10, {**PARETO, "s": 0.0}, T=10.0)
    with pytest.raises(ValueError, match="missing"):
        clv.simulate.simulate_pareto_nbd_summary(10, {"r": 1.0, "alpha": 1.0}, T=10.0)
    with pytest.raises(ValueError, match="time_step must be finite and > 0"):
        clv.simulate.simulate_pareto_nbd_summary(10, PARETO, T=10.0, time_step=0.0)
