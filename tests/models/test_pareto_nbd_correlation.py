"""Pareto/NBD with correlated purchase and dropout rates (``ParetoNBDModel(correlation=True)``).

References, independent of the code under test:
- the plain Pareto/NBD (omega = 0 must give it exactly);
- the individual likelihood of Fader & Hardie (2005, note 009, eq. 1) integrated over
  (lambda, mu) under the Sarmanov density by scipy's QUADPACK (``dblquad``), for the
  likelihood, P(alive), E[Y(t) | data] and E[X(t)];
- a simulation with known omega (rates drawn from the Sarmanov density by rejection,
  here, with numpy);
- CLVTools 0.12.1 ``pnbd(use.cor = TRUE)`` on the CDNOW sample log, numbers recorded below
  with the R command that produced them (the tests do not need R).
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import clvmodels as clv
from clvmodels.estimation.params import clone
from clvmodels.models.pareto_nbd import correlation as sarmanov
from clvmodels.models.pareto_nbd import math as plain

#: Moderate scales (in the data's time unit) where the correlation can be large:
#: L_A = L_B = 0.5, omega in [-4, 4], Corr(lambda, mu) = omega / 16.
UNIT = {"r": 1.0, "alpha": 1.0, "s": 1.0, "beta": 1.0}
#: Parameters for the integrals (shapes below 1 make the densities singular at 0).
MIXED = {"r": 0.8, "alpha": 2.0, "s": 1.3, "beta": 3.0}

#: CLVTools 0.12.1 on the CDNOW sample log (clvmodels.datasets.load_cdnow_sample_transactions
#: written to CSV as Id, Date, Price), OMP_NUM_THREADS=1:
#:   d <- clvdata(trans, date.format = "ymd", time.unit = "week",
#:                estimation.split = "1997-09-30", name.id = "Id", name.date = "Date",
#:                name.price = "Price")
#:   f1 <- pnbd(d, use.cor = TRUE); coef(f1); logLik(f1); sqrt(diag(vcov(f1)))
#:   f1@optimx.estimation.output   # correlation.param.m = 20.53515 (Nelder-Mead)
#:   predict(f1, prediction.end = 52)
#: and f0 <- pnbd(d): r 0.55327, alpha 10.57780, s 0.60602, beta 11.66391, LL -9594.976.
CLVTOOLS_COR = {
    "r": 0.54318313651,
    "alpha": 10.10014234880,
    "s": 0.50884825019,
    "beta": 9.17911999074,
    "correlation": 0.08611985605,
    "log_likelihood": -9591.76590724,
    "se_correlation": 0.139908555,
}
CLVTOOLS_PLAIN_LL = -9594.976
#: predict(f1, prediction.end = 52): PAlive and CET of customers 1, 2 and 3.
CLVTOOLS_PREDICT = {
    1: (0.88263334028847, 1.94508867430457),
    2: (0.176113, 0.235499),
    3: (0.309860642711765, 0.145845870672068),
}


def with_omega(base, omega):
    return {**base, "omega": omega}


@pytest.fixture(scope="module")
def cdnow_exact():
    """The CDNOW sample log summarised as CLVTools does (unrounded weeks; its CBS to 6e-14)."""
    log = clv.datasets.load_cdnow_sample_transactions()
    return clv.rfm_summary(
        log,
        customer_id_col="customer_id",
        datetime_col="date",
        observation_period_end="1997-09-30",
        freq="D",
        time_unit="W",
    )


@pytest.fixture(scope="module")
def cdnow_fits(cdnow_exact):
    return (
        clv.ParetoNBDModel().fit(cdnow_exact),
        clv.ParetoNBDModel(correlation=True).fit(cdnow_exact),
    )


# -- omega = 0 is the Pareto/NBD -------------------------------------------------------------
def test_omega_zero_is_the_pareto_nbd(cdnow_summary):
    x, t_x, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    params = with_omega(MIXED, 0.0)
    np.testing.assert_allclose(
        sarmanov.log_likelihood(params, x, t_x, T), plain.log_likelihood(MIXED, x, t_x, T),
        rtol=0, atol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(
        sarmanov.probability_alive(params, x, t_x, T),
        plain.probability_alive(MIXED, x, t_x, T),
        rtol=0, atol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(
        sarmanov.conditional_expected_purchases(params, 52.0, x, t_x, T),
        plain.conditional_expected_purchases(MIXED, 52.0, x, t_x, T),
        rtol=1e-12, atol=1e-12,
    )  # fmt: skip
    t = np.array([1.0, 10.0, 100.0])
    np.testing.assert_allclose(
        sarmanov.expected_purchases(params, t), plain.expected_purchases(MIXED, t), rtol=1e-12
    )


def test_default_model_is_unchanged_and_has_the_setting(cdnow_summary):
    model = clv.ParetoNBDModel()
    assert model.correlation is False
    assert model.get_params()["correlation"] is False
    assert model.param_names == ("r", "alpha", "s", "beta")
    copy = clone(clv.ParetoNBDModel(correlation=True))
    assert copy.correlation is True and copy.param_names[-1] == "omega"


# -- the Sarmanov density -----------------------------------------------------------------
def test_bounds_are_where_the_density_stays_non_negative():
    lower, upper = sarmanov.omega_bounds(UNIT)
    assert (float(lower), float(upper)) == pytest.approx((-4.0, 4.0), rel=1e-14)
    # brute force over a grid of rates: the bracket 1 + omega (e^-l - L_A)(e^-m - L_B)
    params = {"r": 0.6, "alpha": 0.7, "s": 2.5, "beta": 4.0}
    lower, upper = (float(v) for v in sarmanov.omega_bounds(params))
    la, lb = 0.7**0.6 / 1.7**0.6, 4.0**2.5 / 5.0**2.5
    grid = np.exp(-np.concatenate([[0.0], np.geomspace(1e-8, 60, 4000)]))
    product = np.multiply.outer(grid - la, grid - lb)
    for omega, ok in ((upper, True), (lower, True), (upper * 1.01, False), (lower * 1.01, False)):
        assert bool(np.min(1 + omega * product) >= -1e-9) is ok


def test_out_of_bounds_omega_is_a_clear_error():
    with pytest.raises(ValueError, match="omega = 5.0 is outside"):
        sarmanov.log_likelihood(with_omega(UNIT, 5.0), [1.0], [2.0], [5.0])
    with pytest.raises(ValueError, match="needs 'omega'"):
        sarmanov.probability_alive(UNIT, [1.0], [2.0], [5.0])


def _density(p, omega):
    r, alpha, s, beta = (p[k] for k in ("r", "alpha", "s", "beta"))
    la, lb = (alpha / (alpha + 1)) ** r, (beta / (beta + 1)) ** s
    cf = r * math.log(alpha) - math.lgamma(r)
    cg = s * math.log(beta) - math.lgamma(s)

    def h(lam, mu):
        if lam <= 0.0 or mu <= 0.0:
            return 0.0
        log_fg = cf + (r - 1) * math.log(lam) - alpha * lam + cg + (s - 1) * math.log(mu)
        bracket = 1 + omega * (math.exp(-lam) - la) * (math.exp(-mu) - lb)
        return math.exp(log_fg - beta * mu) * bracket

    return h


def _integral(fn):
    """The integral of fn(lambda, mu) over the positive quadrant (scipy's QUADPACK)."""
    value, error = integrate.dblquad(
        lambda mu, lam: fn(lam, mu), 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-11
    )
    return value


def test_correlation_formula_matches_the_integral_over_the_density():
    omega = 2.5
    h = _density(MIXED, omega)
    r, alpha, s, beta = (MIXED[k] for k in ("r", "alpha", "s", "beta"))
    mixed = _integral(lambda lam, mu: lam * mu * h(lam, mu))
    covariance = mixed - (r / alpha) * (s / beta)
    rho = covariance / math.sqrt(r / alpha**2 * s / beta**2)
    assert float(sarmanov.correlation(with_omega(MIXED, omega))) == pytest.approx(rho, rel=1e-8)
    assert float(sarmanov.omega_for(MIXED, rho)) == pytest.approx(omega, rel=1e-8)


@pytest.mark.parametrize(("x", "t_x", "T"), [(0, 0.0, 4.0), (2, 3.5, 8.0), (6, 7.9, 9.0)])
def test_likelihood_and_predictions_match_integrals_over_the_density(x, t_x, T):
    """Note 009, eq. 1, integrated over the Sarmanov density (omega near its upper bound)."""
    omega = 0.9 * float(sarmanov.omega_bounds(MIXED)[1])
    params = with_omega(MIXED, omega)
    h = _density(MIXED, omega)
    t = 6.0

    def alive(lam, mu):
        return lam**x * math.exp(-(lam + mu) * T)

    def likelihood(lam, mu):
        died = lam**x * mu / (lam + mu) * (math.exp(-(lam + mu) * t_x) - math.exp(-(lam + mu) * T))
        return alive(lam, mu) + died

    total = _integral(lambda lam, mu: likelihood(lam, mu) * h(lam, mu))
    alive_total = _integral(lambda lam, mu: alive(lam, mu) * h(lam, mu))
    future = _integral(
        lambda lam, mu: alive(lam, mu) * lam / mu * (1 - math.exp(-mu * t)) * h(lam, mu)
    )
    ll = sarmanov.log_likelihood(params, [x], [t_x], [T])[0]
    assert ll == pytest.approx(math.log(total), abs=1e-8)
    p_alive = sarmanov.probability_alive(params, [x], [t_x], [T])[0]
    assert p_alive == pytest.approx(alive_total / total, rel=1e-8)
    cet = sarmanov.conditional_expected_purchases(params, t, [x], [t_x], [T])[0]
    assert cet == pytest.approx(future / total, rel=1e-8)
    delta = 0.05
    discounted = _integral(lambda lam, mu: alive(lam, mu) * lam / (delta + mu) * h(lam, mu))
    dert = sarmanov.discounted_expected_residual_transactions(params, delta, [x], [t_x], [T])[0]
    assert dert == pytest.approx(discounted / total, rel=1e-7)
    # and the correlation matters here: the plain Pareto/NBD's is not this
    assert abs(plain.probability_alive(MIXED, [x], [t_x], [T])[0] - p_alive) > 1e-4


def test_expected_purchases_of_a_new_customer_match_the_integral():
    omega = -2.0
    params = with_omega(UNIT | {"s": 2.5}, omega)
    h = _density(UNIT | {"s": 2.5}, omega)
    t = 5.0
    expected = _integral(lambda lam, mu: lam / mu * (1 - math.exp(-mu * t)) * h(lam, mu))
    assert float(sarmanov.expected_purchases(params, t)) == pytest.approx(expected, rel=1e-8)


def test_count_distribution_sums_to_one_with_the_expected_mean():
    params = with_omega(UNIT | {"s": 2.5}, -2.0)
    n = np.arange(0, 400)
    probabilities = sarmanov.probability_of_purchases(params, 5.0, n)
    assert np.all(probabilities >= 0)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    mean = float(sarmanov.expected_purchases(params, 5.0))
    assert float(n @ probabilities) == pytest.approx(mean, rel=1e-8)


def test_gradient_matches_finite_differences(cdnow_summary):
    columns = {c: cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T")}
    theta = np.array([0.55, 10.6, 0.61, 11.7, 5.0])
    ll, grad = sarmanov.log_likelihood_gradient(theta, columns)
    named = dict(zip(sarmanov.PARAM_NAMES, theta, strict=True))
    direct = sarmanov.log_likelihood(named, columns["frequency"], columns["recency"], columns["T"])
    np.testing.assert_allclose(ll, direct, rtol=0, atol=1e-10)
    for j in range(5):
        step = 1e-6 * max(1.0, theta[j])
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        numeric = (
            sarmanov.log_likelihood_gradient(up, columns)[0]
            - sarmanov.log_likelihood_gradient(down, columns)[0]
        ) / (2 * step)
        np.testing.assert_allclose(grad[j], numeric, rtol=1e-5, atol=1e-7)


# -- CLVTools side by side ---------------------------------------------------------------------
def test_likelihood_at_clvtools_estimate_is_clvtools_log_likelihood(cdnow_exact):
    base = {k: CLVTOOLS_COR[k] for k in ("r", "alpha", "s", "beta")}
    params = with_omega(base, float(sarmanov.omega_for(base, CLVTOOLS_COR["correlation"])))
    x, t_x, T = (cdnow_exact[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    total = float(np.sum(sarmanov.log_likelihood(params, x, t_x, T)))
    assert total == pytest.approx(CLVTOOLS_COR["log_likelihood"], abs=1e-6)
    # CLVTools' m is on its upper bound (20.53515 against 20.53562)
    assert params["omega"] == pytest.approx(float(sarmanov.omega_bounds(base)[1]), rel=1e-4)
    # CLVTools' predict() uses r, alpha, s, beta only: the plain Pareto/NBD's at them
    for customer, (p_alive, cet) in CLVTOOLS_PREDICT.items():
        row = cdnow_exact.loc[[customer]]
        args = (row[c].to_numpy(float) for c in ("frequency", "recency", "T"))
        x1, t1, T1 = args
        assert plain.probability_alive(base, x1, t1, T1)[0] == pytest.approx(p_alive, rel=1e-5)
        assert plain.conditional_expected_purchases(base, 52.0, x1, t1, T1)[0] == (
            pytest.approx(cet, rel=1e-5)
        )


def test_cdnow_fit_reaches_at_least_clvtools_maximum(cdnow_fits):
    independent, correlated = cdnow_fits
    assert correlated.param_names == ("r", "alpha", "s", "beta", "omega")
    assert set(correlated.params_) == {"r", "alpha", "s", "beta", "omega"}
    # CLVTools' Nelder-Mead stops 0.10 below the maximum found here; both sit on the bound
    assert correlated.log_likelihood_ >= CLVTOOLS_COR["log_likelihood"] - 1e-6
    assert correlated.log_likelihood_ == pytest.approx(-9591.6658, abs=2e-3)
    lower, upper = sarmanov.omega_bounds(correlated.params_)
    assert correlated.params_["omega"] == pytest.approx(float(upper), rel=1e-6)
    assert correlated.correlation_ == pytest.approx(CLVTOOLS_COR["correlation"], abs=0.005)
    assert independent.log_likelihood_ == pytest.approx(CLVTOOLS_PLAIN_LL, abs=1e-3)
    table = correlated.summary()
    assert list(table.index) == ["r", "alpha", "s", "beta", "omega", "correlation"]
    assert table.at["correlation", "estimate"] == pytest.approx(correlated.correlation_)
    # the delta-method standard error of the correlation, as CLVTools' (0.1399)
    assert table.at["correlation", "std_error"] == pytest.approx(
        CLVTOOLS_COR["se_correlation"], rel=0.05
    )


def test_likelihood_ratio_test_of_no_correlation_on_cdnow(cdnow_exact):
    comparison = clv.evaluation.compare_models(
        cdnow_exact,
        {"independent": clv.ParetoNBDModel(), "correlated": clv.ParetoNBDModel(correlation=True)},
        nested=[("independent", "correlated")],
    )
    test = comparison.likelihood_ratio_tests.iloc[0]
    # 2 * (-9591.666 + 9594.976) = 6.62 on 1 df: p = 0.010 (CLVTools' fits: 6.42, p = 0.011)
    assert test["df"] == 1
    assert test["statistic"] == pytest.approx(6.62, abs=0.02)
    assert test["p_value"] == pytest.approx(0.0101, abs=0.0005)


def test_predictions_of_the_fitted_model(cdnow_fits, cdnow_exact):
    _, model = cdnow_fits
    x, t_x, T = (cdnow_exact[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    expected = sarmanov.probability_alive(model.params_, x, t_x, T)
    np.testing.assert_allclose(model.probability_alive(cdnow_exact).to_numpy(), expected)
    cet = model.conditional_expected_purchases(np.array([10.0, 52.0]), cdnow_exact)
    assert cet.shape == (len(cdnow_exact), 2) and np.all(np.diff(cet.to_numpy()) > 0)
    # a new customer's purchases match the aggregate of the simulated population's mean
    assert model.expected_purchases(39.0) == pytest.approx(
        float(sarmanov.expected_purchases(model.params_, 39.0))
    )
    dert = model.discounted_expected_residual_transactions(0.01, cdnow_exact)
    assert np.all(dert > 0) and np.all(np.isfinite(dert))


def test_unsupported_combinations_are_clear_errors():
    with pytest.raises(NotImplementedError, match="takes no covariates"):
        clv.ParetoNBDModel(correlation=True, purchase_covariates=["gender"])
    with pytest.raises(TypeError, match="correlation must be True or False"):
        clv.ParetoNBDModel(correlation="yes")
    with pytest.raises(NotImplementedError, match="no dynamic_covariates"):
        clv.ParetoNBDModel(correlation=True).fit(
            pd.DataFrame(), dynamic_covariates=pd.DataFrame({"a": [1]})
        )


def test_model_file_round_trip(cdnow_fits, cdnow_exact, tmp_path):
    _, model = cdnow_fits
    model.save(tmp_path / "model.json")
    loaded = clv.ParetoNBDModel.load(tmp_path / "model.json", data=cdnow_exact)
    assert loaded.correlation is True
    assert loaded.params_ == model.params_
    np.testing.assert_array_equal(loaded.covariance_, model.covariance_)
    pd.testing.assert_series_equal(
        loaded.probability_alive(cdnow_exact), model.probability_alive(cdnow_exact)
    )
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())
    # a plain file still loads as the plain model
    plain_file = tmp_path / "plain.json"
    cdnow_fits[0].save(plain_file)
    assert clv.ParetoNBDModel.load(plain_file).correlation is False


# -- simulation with known truth ---------------------------------------------------------------
def sarmanov_rates(params, omega, n, rng):
    """n draws of (lambda, mu) from the Sarmanov density by rejection from the margins."""
    la = (params["alpha"] / (params["alpha"] + 1)) ** params["r"]
    lb = (params["beta"] / (params["beta"] + 1)) ** params["s"]
    ceiling = 1 + abs(omega) * max(la * lb, (1 - la) * (1 - lb), la * (1 - lb), (1 - la) * lb)
    lam, mu = np.empty(0), np.empty(0)
    while lam.size < n:
        a = rng.gamma(params["r"], 1 / params["alpha"], 4 * n)
        b = rng.gamma(params["s"], 1 / params["beta"], 4 * n)
        keep = rng.uniform(0, ceiling, 4 * n) < 1 + omega * (np.exp(-a) - la) * (np.exp(-b) - lb)
        lam, mu = np.append(lam, a[keep]), np.append(mu, b[keep])
    return lam[:n], mu[:n]


def pareto_nbd_summary(lam, mu, T, rng):
    """Summaries of Poisson purchases until an exponential death, observed over (0, T]."""
    active = np.minimum(rng.exponential(1 / mu), T)
    x = rng.poisson(lam * active)
    # the last of x uniform purchase times on (0, active)
    t_x = np.where(x > 0, active * rng.uniform(size=x.size) ** (1 / np.maximum(x, 1)), 0.0)
    frame = pd.DataFrame({"frequency": x, "recency": t_x, "T": np.full(x.size, T)})
    frame.attrs["time_unit"] = "W"
    return frame


def test_simulated_rates_have_the_formula_correlation():
    rng = np.random.default_rng(7)
    lam, mu = sarmanov_rates(UNIT, 3.5, 400_000, rng)
    expected = float(sarmanov.correlation(with_omega(UNIT, 3.5)))
    assert expected == pytest.approx(3.5 / 16)
    assert np.corrcoef(lam, mu)[0, 1] == pytest.approx(expected, abs=4 / math.sqrt(400_000) * 2)


def test_fit_recovers_omega_from_simulated_customers():
    rng = np.random.default_rng(20150101)
    omega = 3.0
    lam, mu = sarmanov_rates(UNIT, omega, 4000, rng)
    summary = pareto_nbd_summary(lam, mu, 8.0, rng)
    model = clv.ParetoNBDModel(correlation=True).fit(summary)
    se = model.standard_errors_
    for name, truth in with_omega(UNIT, omega).items():
        assert abs(model.params_[name] - truth) < 4 * se[name], (name, model.params_, se)
    # and the likelihood-ratio test sees the correlation
    independent = clv.ParetoNBDModel().fit(summary)
    assert 2 * (model.log_likelihood_ - independent.log_likelihood_) > 3.84


def test_set_params_lays_out_the_parameters():
    model = clv.ParetoNBDModel().set_params(correlation=True)
    assert model.param_names[-1] == "omega"
    assert model.set_params(correlation=False).param_names == ("r", "alpha", "s", "beta")
    with pytest.raises(NotImplementedError, match="takes no covariates"):
        clv.ParetoNBDModel(correlation=True).set_params(purchase_covariates=["gender"])
