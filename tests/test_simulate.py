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
