"""BG/NBD against Fader, Hardie & Lee (2005), lifetimes, mpmath and brute-force sums."""

import json
import warnings

import mpmath
import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter
from scipy import optimize

import clvmodels as clv
from clvmodels.exceptions import ConvergenceWarning, UnitMismatchError
from clvmodels.models import beta_geo
from clvmodels.models._mle import SufficientStatistics
from clvmodels.simulate import simulate_summary

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _lifetimes_with(params):
    fitter = BetaGeoFitter()
    fitter.params_ = pd.Series(params)
    return fitter


def test_reproduces_published_estimates_and_log_likelihood(bgnbd_cdnow):
    # Fader, Hardie & Lee (2005), section 5: r = 0.243, alpha = 4.414, a = 0.793,
    # b = 2.426, LL = -9582.4 on the 2,357-customer CDNOW cohort (weeks).
    for name, value in PAPER.items():
        assert bgnbd_cdnow.params_[name] == pytest.approx(value, abs=5e-4)
    assert bgnbd_cdnow.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert bgnbd_cdnow.n_customers_ == 2357


def test_reproduces_published_predictions(bgnbd_cdnow, cdnow_summary):
    # Same paper: customer x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the
    # next 39 weeks and is alive with probability 0.727 (note 021); E[X(39)] = 1.195.
    one = cdnow_summary.loc[[1]]
    assert bgnbd_cdnow.conditional_expected_purchases(39, one).iloc[0] == pytest.approx(
        1.226, abs=5e-4
    )
    assert bgnbd_cdnow.probability_alive(one).iloc[0] == pytest.approx(0.727, abs=5e-4)
    assert bgnbd_cdnow.expected_purchases(39) == pytest.approx(1.195, abs=5e-4)


def test_summary_has_standard_errors_and_intervals(bgnbd_cdnow):
    table = bgnbd_cdnow.summary()
    assert list(table.index) == ["r", "alpha", "a", "b"]
    assert (table["std_error"] > 0).all()
    assert (table["lower_95%"] < table["estimate"]).all()
    assert (table["estimate"] < table["upper_95%"]).all()
    assert table.attrs["log_likelihood"] == bgnbd_cdnow.log_likelihood_
    # standard errors from lifetimes' own numerical Hessian on the same data
    theirs = BetaGeoFitter().fit(
        *(bgnbd_cdnow_data := clv.datasets.load_cdnow_summary())[["frequency", "recency", "T"]]
        .to_numpy()
        .T
    )
    assert len(bgnbd_cdnow_data) == 2357
    np.testing.assert_allclose(table["std_error"], theirs.summary["se(coef)"].to_numpy(), rtol=2e-2)


def test_predictions_agree_with_lifetimes_on_all_customers(bgnbd_cdnow, cdnow_summary):
    theirs = _lifetimes_with(bgnbd_cdnow.params_)
    x, t_x, T = (cdnow_summary[c] for c in ["frequency", "recency", "T"])
    for t in [1.0, 39.0, 104.0]:
        np.testing.assert_allclose(
            bgnbd_cdnow.conditional_expected_purchases(t, cdnow_summary),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T),
            rtol=1e-9,
        )
        assert bgnbd_cdnow.expected_purchases(t) == pytest.approx(
            theirs.expected_number_of_purchases_up_to_time(t), rel=1e-10
        )
    np.testing.assert_allclose(
        bgnbd_cdnow.probability_alive(cdnow_summary),
        theirs.conditional_probability_alive(x, t_x, T),
        rtol=1e-10,
    )
    for n in range(6):
        assert bgnbd_cdnow.probability_of_purchases(39, n) == pytest.approx(
            theirs.probability_of_n_purchases_up_to_time(39, n), rel=1e-9
        )


def test_probability_of_purchases_is_a_distribution_with_the_right_mean(bgnbd_cdnow):
    n = np.arange(400)
    pmf = bgnbd_cdnow.probability_of_purchases(52, n)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.dot(n, pmf) == pytest.approx(bgnbd_cdnow.expected_purchases(52), rel=1e-8)


def _mp_conditional(params, t, x, t_x, T):
    """Eq. 10 of the paper in 50-digit arithmetic, without Euler's transformation."""
    mpmath.mp.dps = 50
    r, alpha, a, b = (mpmath.mpf(params[k]) for k in ["r", "alpha", "a", "b"])
    x, t_x, T, t = (mpmath.mpf(v) for v in (x, t_x, T, t))
    z = t / (alpha + T + t)
    bracket = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + T) / (alpha + T + t)) ** (r + x)
            * mpmath.hyp2f1(r + x, b + x, a + b + x - 1, z)
        )
    )
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x) if x > 0 else 0
    return float(bracket / (1 + odds)), float(1 / (1 + odds))


@pytest.mark.parametrize(
    ("x", "t_x", "T", "t"),
    [
        (300, 4990.0, 5000.0, 52.0),
        (800, 3000.0, 3000.0, 104.0),
        (150, 700.0, 2500.0, 10.0),  # long silence: nearly dead, no overflow
        (1, 0.5, 1.0, 1000.0),
        (0, 0.0, 4000.0, 52.0),
    ],
)
def test_extreme_histories_are_finite_and_exact(x, t_x, T, t):
    params = {"r": 0.3, "alpha": 2.0, "a": 0.6, "b": 3.0}
    expected, alive = _mp_conditional(params, t, x, t_x, T)
    ours = beta_geo.conditional_expected_purchases(params, t, x, t_x, T)
    p_alive = beta_geo.probability_alive(params, x, t_x, T)
    assert np.isfinite(ours) and 0.0 <= p_alive <= 1.0
    assert ours == pytest.approx(expected, rel=1e-8, abs=1e-300)
    assert p_alive == pytest.approx(alive, rel=1e-10, abs=1e-300)
    assert np.isfinite(beta_geo.log_likelihood(params, x, t_x, T))


@pytest.mark.parametrize(
    "params",
    [
        {"r": 1e-4, "alpha": 1e-3, "a": 1e-3, "b": 1e-3},
        {"r": 1e4, "alpha": 1e5, "a": 1e3, "b": 1e4},
        {"r": 0.05, "alpha": 1e4, "a": 50.0, "b": 0.01},
    ],
)
def test_tiny_and_huge_parameters_stay_finite(params, cdnow_summary):
    x, t_x, T = (cdnow_summary[c].to_numpy() for c in ["frequency", "recency", "T"])
    assert np.all(np.isfinite(beta_geo.log_likelihood(params, x, t_x, T)))
    alive = beta_geo.probability_alive(params, x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(beta_geo.conditional_expected_purchases(params, 52, x, t_x, T)))


def test_gradient_matches_finite_differences(cdnow_summary):
    model = clv.BetaGeoModel()
    stats = model._sufficient_statistics(cdnow_summary, None)
    point = np.array([0.4, 3.0, 1.3, 4.0])

    def total(p):
        return np.dot(stats.weights, beta_geo._loglik_grad(p, stats.arrays)[0])

    numeric = optimize.approx_fprime(point, total, 1e-7)
    exact = beta_geo._loglik_grad(point, stats.arrays)[1] @ stats.weights
    np.testing.assert_allclose(exact, numeric, rtol=1e-5)


@pytest.mark.parametrize("unit", ["weeks", "days"])
def test_compiled_sums_are_the_shared_likelihood_and_its_derivative(cdnow_summary, unit):
    # What the optimiser sees (weighted sums from one compiled pass over the rows) against
    # the shared log_likelihood: the value to 1e-10, the gradient against its central
    # differences; on CDNOW in weeks and on simulated whole days (x up to ~100).
    if unit == "weeks":
        summary = cdnow_summary
    else:
        rng = np.random.default_rng(16)
        summary = simulate_summary(20_000, PAPER, rng.uniform(52, 104, 20_000), seed=rng)
        summary["T"] = np.ceil(summary["T"] * 7)
        summary["recency"] = np.where(summary["frequency"] > 0, np.ceil(summary["recency"] * 7), 0)
        summary.attrs["time_unit"] = "D"
    stats = beta_geo.sufficient_statistics(summary)
    x, t_x, T, w = (*(stats.columns[c] for c in ("frequency", "recency", "T")), stats.weights)
    model = clv.BetaGeoModel()
    for point in [np.array([0.4, 3.0, 1.3, 4.0]), np.array([0.243, 30.9, 0.793, 2.426])]:

        def shared(p):
            return np.dot(w, beta_geo.log_likelihood(dict(zip(PAPER, p, strict=True)), x, t_x, T))

        total, gradient = model._weighted_loglik_grad(point, stats.arrays, w)
        assert total == pytest.approx(shared(point), rel=1e-10)
        step = 1e-6 * point
        numeric = [
            (shared(point + np.eye(4)[j] * step[j]) - shared(point - np.eye(4)[j] * step[j]))
            / (2 * step[j])
            for j in range(4)
        ]
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-6 * abs(total))
        # the per-row function sums to the same, with or without the stored layout
        ll, grad = beta_geo._loglik_grad(point, stats.arrays)
        bare = {k: stats.arrays[k] for k in ("x_unique", "x_index", "recency", "T")}
        for rows, row_grads in [(ll, grad), beta_geo._loglik_grad(point, bare)]:
            np.testing.assert_array_equal(rows, ll)
            assert np.dot(w, rows) == pytest.approx(total, rel=1e-12)
            scale = np.abs(row_grads) @ w
            assert np.all(np.abs(row_grads @ w - gradient) <= 1e-12 * scale)


def test_the_stored_layout_leaves_the_fingerprint_as_it_was(cdnow_summary):
    stats = beta_geo.sufficient_statistics(cdnow_summary)
    assert stats.derived and stats.derived <= set(stats.columns) | set(stats.shared)
    plain = SufficientStatistics(
        {k: v for k, v in stats.columns.items() if k not in stats.derived},
        stats.weights,
        stats.time_unit,
        {k: v for k, v in stats.shared.items() if k not in stats.derived},
    )
    assert stats.fingerprint() == plain.fingerprint()


def test_log_likelihood_broadcasts_over_parameter_draws(cdnow_summary):
    x, t_x, T = (cdnow_summary[c].to_numpy() for c in ["frequency", "recency", "T"])
    draws = {k: np.array([v, v * 1.1])[:, None] for k, v in PAPER.items()}
    ll = beta_geo.log_likelihood(draws, x, t_x, T)
    assert ll.shape == (2, 2357)
    np.testing.assert_allclose(ll[0], beta_geo.log_likelihood(PAPER, x, t_x, T))


def test_weights_give_the_same_fit_as_repeated_rows(cdnow_summary, bgnbd_cdnow):
    counts = cdnow_summary.groupby(["frequency", "recency", "T"]).size().reset_index()
    weighted = clv.BetaGeoModel().fit(counts, weights=counts[0])
    for name in PAPER:
        assert weighted.params_[name] == pytest.approx(bgnbd_cdnow.params_[name], rel=1e-6)
    assert weighted.log_likelihood_ == pytest.approx(bgnbd_cdnow.log_likelihood_, rel=1e-10)


def test_penalizer_matches_a_direct_minimisation_of_lifetimes_objective(cdnow_summary):
    # lifetimes' static objective (mean NLL + c * sum(params**2)), minimised by Nelder-Mead
    # on the unscaled data, is an independent check of our penalised fit.
    x, t_x, T = (cdnow_summary[c].to_numpy() for c in ["frequency", "recency", "T"])
    weights = np.ones_like(x)
    c = 0.01
    res = optimize.minimize(
        BetaGeoFitter._negative_log_likelihood,
        np.log([0.2, 2.0, 0.5, 1.0]),
        args=(x, t_x, T, weights, c),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000},
    )
    ours = clv.BetaGeoModel(penalizer_coef=c).fit(cdnow_summary)
    np.testing.assert_allclose(list(ours.params_.values()), np.exp(res.x), rtol=1e-4)


def test_save_and_load_round_trip(tmp_path, bgnbd_cdnow, cdnow_summary):
    path = tmp_path / "bg.json"
    bgnbd_cdnow.save(path)
    state = json.loads(path.read_text())
    assert state["model"] == "BetaGeoModel" and state["time_unit"] == "W"
    loaded = clv.BetaGeoModel.load(path, data=cdnow_summary)
    assert loaded.params_ == bgnbd_cdnow.params_
    np.testing.assert_allclose(loaded.covariance_, bgnbd_cdnow.covariance_)
    pd.testing.assert_series_equal(
        loaded.probability_alive(cdnow_summary), bgnbd_cdnow.probability_alive(cdnow_summary)
    )
    with pytest.raises(ValueError, match="do not match the data"):
        clv.BetaGeoModel.load(path, data=cdnow_summary.iloc[:100])
    with pytest.raises(ValueError, match="not a GammaGammaModel"):
        clv.GammaGammaModel.load(path)


def test_unit_mismatch_and_unfitted_errors(bgnbd_cdnow, cdnow_summary):
    daily = cdnow_summary.copy()
    daily.attrs["time_unit"] = "D"
    with pytest.raises(UnitMismatchError, match="'D' but 'W'"):
        bgnbd_cdnow.probability_alive(daily)
    with pytest.raises(RuntimeError, match="not fitted"):
        clv.BetaGeoModel().probability_alive(cdnow_summary)
    with pytest.raises(ValueError, match="horizon"):
        bgnbd_cdnow.expected_purchases(-1)
    with pytest.raises(ValueError, match="whole numbers"):
        bgnbd_cdnow.probability_of_purchases(10, 1.5)


def test_unidentifiable_data_warn_instead_of_failing_silently():
    nobody_returns = pd.DataFrame(
        {"frequency": [0] * 50, "recency": [0.0] * 50, "T": np.linspace(1, 50, 50)}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clv.BetaGeoModel().fit(nobody_returns)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)


def test_conditional_expectation_matches_mpmath_over_a_wide_parameter_grid():
    # Parameters over four orders of magnitude, x up to 600, T up to ~3000, horizons from
    # 0.1 to 1000; the reference is eq. 10 in 50-digit arithmetic. Includes a + b < 1 with
    # x = 0, where the transformed 2F1 is negative (a NaN before it was handled).
    rng = np.random.default_rng(1)
    cases = [({"r": 8.939, "alpha": 0.4785, "a": 0.01001, "b": 0.0709}, 0, 0.0, 10.33, 3.61)]
    while len(cases) < 60:
        params = {k: 10 ** rng.uniform(-2, 2) for k in ["r", "a", "b"]}
        params["alpha"] = 10 ** rng.uniform(-2, 3)
        if abs(params["a"] - 1) < 1e-3:
            continue
        T = 10 ** rng.uniform(0, 3.5)
        x = int(rng.choice([0, 1, 3, 20, 150, 600]))
        t_x = T * rng.uniform(0.01, 1) if x else 0.0
        cases.append((params, x, t_x, T, 10 ** rng.uniform(-1, 3)))
    for params, x, t_x, T, t in cases:
        expected, _ = _mp_conditional(params, t, x, t_x, T)
        ours = beta_geo.conditional_expected_purchases(params, t, x, t_x, T)
        assert ours == pytest.approx(expected, rel=1e-6, abs=1e-300), (params, x, t_x, T, t)


def test_many_horizons_and_many_rows_agree_with_single_calls(bgnbd_cdnow, cdnow_summary):
    # Above 10k rows the 2F1 is evaluated once per distinct (x, T) pair; the result must be
    # the same as the row-by-row evaluation of the pure function.
    big = pd.concat([cdnow_summary] * 5, ignore_index=True)
    big.attrs["time_unit"] = "W"
    horizons = np.array([1.0, 13.0, 52.0])
    path = bgnbd_cdnow.conditional_expected_purchases(horizons, big)
    assert path.shape == (len(big), 3) and list(path.columns) == list(horizons)
    x, t_x, T = (big[c].to_numpy() for c in ["frequency", "recency", "T"])
    for k, t in enumerate(horizons):
        row_by_row = np.array(
            [
                beta_geo.conditional_expected_purchases(bgnbd_cdnow.params_, t, *row)
                for row in zip(x[:2357], t_x[:2357], T[:2357], strict=True)
            ]
        )
        np.testing.assert_allclose(path.iloc[:2357, k], row_by_row, rtol=1e-12)
        pd.testing.assert_series_equal(
            path.iloc[:, k], bgnbd_cdnow.conditional_expected_purchases(t, big), check_names=False
        )


@pytest.mark.parametrize("a", [1.0, 1.0 + 3e-7, 1.0 - 1e-12])
def test_a_equal_to_one_is_a_removable_singularity(a):
    # (a + b + x - 1) / (a - 1) [1 - ...] is 0/0 at a = 1 but has a finite limit. Reference:
    # eq. 10 in 50-digit arithmetic at the same a (at a = 1 + 1e-20 for a = 1 itself).
    params = {"r": 0.3, "alpha": 4.0, "a": a, "b": 2.5}
    reference = {**params, "a": "1.00000000000000000001" if a == 1.0 else a}
    for x, t_x, T, t in [(0, 0.0, 30.0, 52.0), (3, 20.0, 30.0, 52.0), (50, 290.0, 300.0, 10.0)]:
        expected, _ = _mp_conditional(reference, t, x, t_x, T)
        ours = beta_geo.conditional_expected_purchases(params, t, x, t_x, T)
        assert ours == pytest.approx(expected, rel=1e-8)
    assert beta_geo.expected_purchases(params, 39.0) == pytest.approx(
        _mp_conditional(reference, 39.0, 0, 0.0, 0.0)[0], rel=1e-8
    )
