"""The Gamma-Gompertz/NBD against CLVTools, 30-digit mpmath and a simulation with known truth.

CLVTools' numbers below were recorded with CLVTools 0.12.1 on R 4.2 (OMP_NUM_THREADS=1);
the package and its tests never run R. The R commands that produced them are quoted next
to each constant (``ggomnbd_nocov_*`` are CLVTools' own C++ functions, called with
``CLVTools:::``; ``apparel_cbs.csv`` is ``fwrite(f@cbs)`` of
``ggomnbd(clvdata(apparelTrans, date.format = "ymd", time.unit = "week",
estimation.split = 40, name.id = "Id", name.date = "Date", name.price = "Price"))``).
"""

from __future__ import annotations

import warnings

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import clvmodels as clv
from clvmodels.exceptions import ConvergenceWarning
from clvmodels.models.gamma_gompertz_nbd import gradient
from clvmodels.models.gamma_gompertz_nbd import math as ggm
from tests.models.gamma_gompertz_draws import TRUTH, draw

# -- CLVTools' values ------------------------------------------------------------------------

#: Our apparel estimate (split at 40 weeks): its log-likelihood, -2611.69449484569 by
#: CLVTools' own likelihood, is 0.226 above the estimate that CLVTools' ggomnbd() stops at
#: (r, alpha, b, s, beta = 1.21630, 45.0800, 0.0358850, 99.3845, 856.550; logLik
#: -2611.9201743, kkt2 FALSE).
#:   -CLVTools:::ggomnbd_nocov_LL_sum(log(p), cbs$x, cbs$t.x, cbs$T.cal, rep(1, 600))
APPAREL = {
    "r": 1.1507584241177231,
    "alpha": 43.5144614510372,
    "b": 0.2984624437037356,
    "s": 0.04054638723869011,
    "beta": 37.71596857266863,
}

#: Five apparel customers at APPAREL: x, t_x, T, then CLVTools' individual log-likelihood,
#: P(alive) and CET over 52 weeks:
#:   CLVTools:::ggomnbd_nocov_LL_ind(log(p), x, tx, T)
#:   CLVTools:::ggomnbd_nocov_PAlive(r, alpha, b, s, beta, x, tx, T)
#:   CLVTools:::ggomnbd_nocov_CET(r, alpha, b, s, beta, 52, x, tx, T)
APPAREL_CUSTOMERS = [
    (0, 0.0, 40, -0.669489750330129, 0.658621647656142, 0.350236302820274),
    (1, 35.2857142857143, 40, -5.311069601226416, 0.941176328166381, 0.935413479809245),
    (3, 40.0, 40, -12.308270261390813, 1.0, 1.918087671161148),
    (11, 32.2857142857143, 40, -31.650279362006209, 0.842891684716192, 4.732778199233235),
    (9, 38.5714285714286, 40, -27.681339003955291, 0.981303489908832, 4.603019677112258),
]

#: E[X(t)] of a new customer at APPAREL, t = 1, 10, 52, 104 weeks, and P(X(52) = n),
#: n = 0..3:
#:   CLVTools:::ggomnbd_nocov_expectation(r, alpha, b, s, beta, c(1, 10, 52, 104))
#:   sapply(0:3, function(k) CLVTools:::ggomnbd_nocov_PMF(r, alpha, b, s, beta, k, 52))
APPAREL_EXPECTATION = [
    0.0264407413178027,
    0.2631227175521579,
    1.1522433030325003,
    1.7824429030394706,
]
APPAREL_PMF_52 = [0.4668826067354528, 0.2486139856550115, 0.1314953787157655, 0.0702363928501126]

#: An interior point of the CDNOW likelihood (a local optimum CLVTools' L-BFGS-B reaches
#: from r, alpha, b, s, beta = 0.55, 10.6, 0.01, 0.6, 0.1) and its log-likelihood on
#: clvmodels' CDNOW summary (weeks), written to CSV and read in R:
#:   -CLVTools:::ggomnbd_nocov_LL_sum(log(p), cd$frequency, cd$recency, cd$T, rep(1, 2357))
CDNOW_POINT = {
    "r": 0.55325099248296,
    "alpha": 10.57489789286888,
    "b": 0.00991720506255,
    "s": 0.50178813778064,
    "beta": 0.09406546496850,
}
CDNOW_POINT_LL = -9595.05379266246

#: CDNOW customers 1, 2, 3, 17, 1001, 2357 at CDNOW_POINT: LL_ind, PAlive, CET(52) as above.
CDNOW_CUSTOMERS = [
    (2, 30.43, 38.86, -9.556208002718739, 0.861692054924243, 1.775862768808872),
    (1, 1.71, 38.86, -4.452097741051462, 0.166516459640287, 0.208767366432015),
    (0, 0.0, 38.86, -0.521013207845830, 0.291957938024237, 0.130378594118534),
    (10, 34.14, 38.86, -27.058769205033510, 0.894973381110136, 7.623601555126367),
    (0, 0.0, 33.57, -0.501633434238135, 0.327523012782003, 0.160988828223095),
    (0, 0.0, 27.0, -0.469996211283024, 0.383216985262057, 0.215456139794020),
]

#: CLVTools' ggomnbd() on CDNOW from its default start (0.5, 2, 0.1, 1, 0.1) stops at
#: b = 3.5e-6, beta = 4.1e-5 with logLik -9594.97395894 (optimx L-BFGS-B on
#: ggomnbd_nocov_LL_sum, as ggomnbd() calls it): the Pareto/NBD limit.
CDNOW_CLVTOOLS_LL = -9594.97395894


@pytest.mark.parametrize(
    ("params", "customers"), [(APPAREL, APPAREL_CUSTOMERS), (CDNOW_POINT, CDNOW_CUSTOMERS)]
)
def test_customers_match_clvtools(params, customers):
    columns = zip(*customers, strict=True)
    x, t_x, T, ll, p_alive, cet = (np.array(column, dtype=float) for column in columns)
    np.testing.assert_allclose(ggm.log_likelihood(params, x, t_x, T), ll, rtol=1e-10)
    np.testing.assert_allclose(ggm.probability_alive(params, x, t_x, T), p_alive, rtol=1e-9)
    np.testing.assert_allclose(
        ggm.conditional_expected_purchases(params, 52.0, x, t_x, T), cet, rtol=1e-9
    )


def test_cdnow_likelihood_matches_clvtools(cdnow_summary):
    columns = [cdnow_summary[name] for name in ("frequency", "recency", "T")]
    assert ggm.log_likelihood(CDNOW_POINT, *columns).sum() == pytest.approx(
        CDNOW_POINT_LL, abs=1e-7
    )


def test_new_customer_predictions_match_clvtools():
    t = np.array([1.0, 10.0, 52.0, 104.0])
    np.testing.assert_allclose(ggm.expected_purchases(APPAREL, t), APPAREL_EXPECTATION, rtol=1e-9)
    np.testing.assert_allclose(
        ggm.probability_of_purchases(APPAREL, 52.0, np.arange(4)), APPAREL_PMF_52, rtol=1e-8
    )


def test_cdnow_fit_reaches_the_pareto_limit_above_clvtools(cdnow_summary):
    """CDNOW has no Gompertz acceleration: the fit runs to b -> 0 with beta / b fixed.

    Its log-likelihood is then the Pareto/NBD's (-9594.97393, Fader, Hardie & Lee's
    -9595.0), at least CLVTools' and within 1e-4 of the Pareto/NBD fit; the warning names
    the limit and the Pareto/NBD's dropout scale beta / b = 11.67 (their 11.669).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = clv.GammaGompertzNBDModel().fit(cdnow_summary)
    limits = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert any("reduces to the Pareto/NBD" in str(w.message) for w in limits)
    pareto = clv.ParetoNBDModel().fit(cdnow_summary)
    assert model.log_likelihood_ >= CDNOW_CLVTOOLS_LL - 1e-6
    assert model.log_likelihood_ == pytest.approx(pareto.log_likelihood_, abs=1e-4)
    p = model.params_
    assert p["beta"] / p["b"] == pytest.approx(pareto.params_["beta"], rel=1e-3)
    assert p["s"] == pytest.approx(pareto.params_["s"], rel=1e-3)
    assert p["r"] == pytest.approx(pareto.params_["r"], rel=1e-4)
    # the predictions are the Pareto/NBD's in that limit
    np.testing.assert_allclose(
        model.conditional_expected_purchases(52, cdnow_summary),
        pareto.conditional_expected_purchases(52, cdnow_summary),
        rtol=1e-3,
    )


def test_clvtools_cet_loses_accuracy_at_large_s():
    """At CLVTools' own apparel estimate (s = 99.4) its CET is 10.7 % above the formula.

    CLVTools writes the survival integral with 2F1(1, s; s + 1; z) taken by GSL's qags of
    t^(s-1) / (1 - z t) over [0, 1] (z = 0.995 here), which stops short; with mpmath's
    hyp2f1 its own expression gives the mpmath integral below, as does ours. CLVTools'
    CET for a customer with x = 7, t_x = 35, T = 40 is 2.48504881023823; ours is 2.24498.
    """
    p = {"r": 1.2163035380017, "alpha": 45.0800171816811, "b": 0.0358850079485}
    p |= {"s": 99.3845376605717, "beta": 856.5498628631144}
    mp.mp.dps = 30
    b, s, beta = (mp.mpf(p[k]) for k in ("b", "s", "beta"))

    def e(u):
        return beta - 1 + mp.exp(b * u)

    reference = mp.quad(lambda u: (e(40) / e(40 + u)) ** s, mp.linspace(0, 52, 30))
    assert float(ggm.survival_integral(p, 40.0, 52.0)) == pytest.approx(float(reference), rel=1e-12)
    cet = float(ggm.conditional_expected_purchases(p, 52.0, 7, 35.0, 40.0))
    p_alive = float(ggm.probability_alive(p, 7, 35.0, 40.0))
    rate = (p["r"] + 7) / (p["alpha"] + 40.0)
    assert cet == pytest.approx(p_alive * rate * float(reference), rel=1e-10)
    assert 2.48504881023823 / cet == pytest.approx(1.1069, abs=1e-3)


# -- mpmath over the parameter box ---------------------------------------------------------


def mp_likelihood(r, alpha, b, s, beta, x, t_x, T):
    """ln L and P(alive) at 30 digits: the integral in tau, no substitution.

    On pieces that grow geometrically (by 1.5) from t_x over 12 decades, then 48 equal
    pieces: every scale on which the integrand can fall is a few pieces wide.
    """
    mp.mp.dps = 30
    r, alpha, b, s, beta, x, t_x, T = (mp.mpf(v) for v in (r, alpha, b, s, beta, x, t_x, T))

    def e(tau):
        return beta - 1 + mp.exp(b * tau)

    head = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha)
    alive = (beta / e(T)) ** s * (alpha + T) ** (-(r + x))
    died = mp.mpf(0)
    if T > t_x:
        span = T - t_x
        cuts = [t_x + span * mp.mpf(1.5) ** -k for k in range(68, 0, -1)]
        cuts += [t_x + span * k / mp.mpf(48) for k in range(5, 49)]
        died = mp.quad(
            lambda tau: b * s * beta**s * mp.exp(b * tau) / e(tau) ** (s + 1)
            * (alpha + tau) ** (-(r + x)),
            [t_x, *sorted(cuts)],
        )  # fmt: skip
    return float(head + mp.log(alive + died)), float(alive / (alive + died))


def log_uniform(low, high):
    return st.floats(np.log(low), np.log(high)).map(np.exp)


@settings(max_examples=20, deadline=None, phases=(Phase.explicit, Phase.generate))
@given(
    r=log_uniform(0.05, 20.0),
    alpha=log_uniform(0.05, 500.0),
    b=log_uniform(1e-5, 3.0),
    s=log_uniform(0.02, 100.0),
    beta=log_uniform(1e-6, 1e6),
    x=st.integers(0, 300),
    recency_share=st.floats(0.0, 1.0),
    T=log_uniform(0.5, 200.0),
)
def test_likelihood_and_p_alive_match_mpmath_over_the_box(
    r, alpha, b, s, beta, x, recency_share, T
):
    t_x = 0.0 if x == 0 else max(recency_share, 1e-3) * T
    params = {"r": r, "alpha": alpha, "b": b, "s": s, "beta": beta}
    reference, p_alive = mp_likelihood(r, alpha, b, s, beta, x, t_x, T)
    ll = float(ggm.log_likelihood(params, x, t_x, T))
    assert np.isfinite(ll)
    assert ll == pytest.approx(reference, abs=1e-8 * max(1.0, abs(reference)))
    assert float(ggm.probability_alive(params, x, t_x, T)) == pytest.approx(
        p_alive, rel=1e-7, abs=1e-300
    )


@settings(max_examples=15, deadline=None, phases=(Phase.explicit, Phase.generate))
@given(
    b=log_uniform(1e-4, 3.0),
    s=log_uniform(0.02, 100.0),
    beta=log_uniform(1e-6, 1e6),
    start=st.floats(0.0, 100.0),
    horizon=log_uniform(0.1, 200.0),
)
def test_survival_integral_matches_mpmath(b, s, beta, start, horizon):
    """K(T, t) = int_0^t (E(T) / E(T + u))^s du, and its discounted infinite form (DERT)."""
    mp.mp.dps = 30
    bm, sm, betam = mp.mpf(b), mp.mpf(s), mp.mpf(beta)

    def log_e(tau):
        return mp.log(betam - 1 + mp.exp(bm * tau))

    def survival(u):
        return mp.exp(-sm * (log_e(start + u) - log_e(start)))

    params = {"r": 1.0, "alpha": 1.0, "b": b, "s": s, "beta": beta}
    pieces = [horizon * mp.mpf(1.5) ** -k for k in range(68, 0, -1)]
    pieces += [horizon * k / mp.mpf(40) for k in range(5, 41)]
    pieces = sorted(pieces)
    reference = mp.quad(survival, [0, *pieces])
    assert float(ggm.survival_integral(params, start, horizon)) == pytest.approx(
        float(reference), rel=1e-8
    )
    delta = 0.01
    tail = mp.quad(lambda u: mp.exp(-delta * u) * survival(u), [0, *pieces, mp.inf])
    assert float(ggm.survival_integral(params, start, np.inf, delta)) == pytest.approx(
        float(tail), rel=1e-8
    )


def test_gradient_is_the_derivative_of_log_likelihood():
    rows = {
        "frequency": np.array([0.0, 1, 3, 11, 40, 2]),
        "recency": np.array([0.0, 35.3, 40, 32.3, 5.0, 30.43]),
        "T": np.array([40.0, 40, 40, 40, 60, 38.86]),
    }
    points = [
        APPAREL,
        CDNOW_POINT,
        TRUTH,
        {"r": 2.0, "alpha": 1.0, "b": 1.0, "s": 3.0, "beta": 1e4},
    ]
    for params in points:
        base = np.array([params[k] for k in ggm.PARAM_NAMES])
        _, grad = gradient.log_likelihood_gradient(base, rows)
        for k in range(5):
            step = 1e-6 * base[k]
            up, down = base.copy(), base.copy()
            up[k] += step
            down[k] -= step
            diff = (
                ggm.log_likelihood(dict(zip(ggm.PARAM_NAMES, up, strict=True)), *rows.values())
                - ggm.log_likelihood(dict(zip(ggm.PARAM_NAMES, down, strict=True)), *rows.values())
            ) / (2 * step)
            np.testing.assert_allclose(grad[k] * base[k], diff * base[k], rtol=1e-5, atol=1e-6)


def test_extreme_rows_stay_finite():
    """Large x, T = t_x, huge and tiny b and beta: finite log-likelihoods, P(alive) in [0, 1]."""
    x = np.array([0.0, 1000, 5000, 3, 0])
    t_x = np.array([0.0, 999, 10, 50, 0])
    T = np.array([1e4, 1000, 5000, 50, 1e-3])
    for params in [
        {"r": 0.1, "alpha": 1e-3, "b": 50.0, "s": 1e-3, "beta": 1e8},
        {"r": 100.0, "alpha": 1e4, "b": 1e-9, "s": 1e3, "beta": 1e-9},
        {"r": 1.0, "alpha": 1.0, "b": 1.0, "s": 1.0, "beta": 1.0},
    ]:
        ll = ggm.log_likelihood(params, x, t_x, T)
        p_alive = ggm.probability_alive(params, x, t_x, T)
        cet = ggm.conditional_expected_purchases(params, 52.0, x, t_x, T)
        assert np.all(np.isfinite(ll)) and np.all(np.isfinite(cet)) and np.all(cet >= 0)
        assert np.all((p_alive >= 0) & (p_alive <= 1))
    assert ggm.probability_alive(params, 3, 50.0, 50.0) == 1.0


# -- simulation with known truth -------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated():
    summary = draw(20_000)
    return summary, clv.GammaGompertzNBDModel().fit(summary)


def test_fit_recovers_the_simulated_truth(simulated):
    """Each estimate within 4 standard errors of the truth (20,000 customers).

    The estimator is asymptotically normal around the truth with the delta-method
    covariance: a 4-sigma miss has probability 6e-5 per parameter; the standard errors are
    also required to be small (< 25 % of the value), so that the check has power. The
    seed is fixed, so the draw is the same on every run.
    """
    _, model = simulated
    for name, truth in TRUTH.items():
        se = model.standard_errors_[name]
        assert se < 0.25 * truth
        assert abs(model.params_[name] - truth) < 4 * se, name


def test_predictions_of_the_fit(simulated, tmp_path):
    summary, model = simulated
    p_alive = model.probability_alive(summary)
    cet = model.conditional_expected_purchases(np.array([13.0, 52.0]), summary)
    assert p_alive.between(0, 1).all() and (cet[13.0] <= cet[52.0]).all()
    dert = model.discounted_expected_residual_transactions(np.log(1.15) / 52, summary)
    assert (dert >= cet[52.0] * np.exp(-np.log(1.15))).all()
    assert model.expected_purchases(52.0) == pytest.approx(
        float(ggm.expected_purchases(model.params_, 52.0))
    )
    path = tmp_path / "ggom.json"
    model.save(path)
    loaded = clv.GammaGompertzNBDModel.load(path, summary)
    pd.testing.assert_series_equal(loaded.probability_alive(summary), p_alive)
    words = model.spec.describe(model.params_, "week")
    assert "peaks at" in words[1]


def test_clv_layer_takes_the_model(simulated, gamma_gamma_cdnow):
    summary, model = simulated
    spend = summary.assign(monetary_value=20.0)
    value = clv.customer_lifetime_value(
        model,
        gamma_gamma_cdnow,
        spend.head(500),
        12,
        0.01,
        horizon_unit="M",
        discount_period="M",
    )
    assert np.all(np.isfinite(value)) and (value >= 0).all()


# -- static covariates -----------------------------------------------------------------------


def test_covariate_terms_are_the_likelihood_at_each_customers_parameters():
    """eta = 0 is the plain likelihood; otherwise alpha e^-eta_P and beta e^-eta_D (CLVTools)."""
    rows = {
        "frequency": np.array([0.0, 2, 7, 1]),
        "recency": np.array([0.0, 10.0, 30.0, 2.0]),
        "T": np.array([40.0, 40.0, 52.0, 10.0]),
    }
    base = np.array([TRUTH[k] for k in ggm.PARAM_NAMES])
    zeros = np.zeros(4)
    plain_ll, plain_grad = gradient.log_likelihood_gradient(base, rows)
    ll, grad = gradient.covariate_terms(base, rows, zeros, zeros)
    np.testing.assert_array_equal(ll, plain_ll)
    np.testing.assert_array_equal(grad[:5], plain_grad)
    eta_p, eta_d = np.array([0.3, -0.2, 1.0, 0.0]), np.array([-0.5, 0.4, 0.0, 2.0])
    ll, grad = gradient.covariate_terms(base, rows, eta_p, eta_d)
    each = ggm.customer_parameters(TRUTH, eta_p, eta_d)
    np.testing.assert_allclose(ll, ggm.log_likelihood(each, *rows.values()), rtol=1e-13)
    step = 1e-6
    moved = ggm.log_likelihood(ggm.customer_parameters(TRUTH, eta_p + step, eta_d), *rows.values())
    np.testing.assert_allclose(grad[5], (moved - ll) / step, rtol=1e-4, atol=1e-6)


def test_covariate_fit_recovers_known_effects():
    """Two groups drawn with alpha e^-0.4 and beta e^0.5: the coefficients within 4 SE."""
    effects = {"purchase": 0.4, "dropout": -0.5}
    groups = []
    for z, seed in ((0.0, 11), (1.0, 12)):
        params = TRUTH | {
            "alpha": TRUTH["alpha"] * np.exp(-effects["purchase"] * z),
            "beta": TRUTH["beta"] * np.exp(-effects["dropout"] * z),
        }
        groups.append(draw(6000, params, seed=seed).assign(z=z))
    summary = pd.concat(groups, ignore_index=True).rename_axis("customer_id")
    model = clv.GammaGompertzNBDModel(purchase_covariates=["z"], dropout_covariates=["z"])
    model.fit(summary)
    for process, effect in effects.items():
        name = f"{process}:z"
        se = model.standard_errors_[name]
        assert se < 0.2
        assert abs(model.params_[name] - effect) < 4 * se, name
    # each customer's predictions are the plain formulas at her own parameters
    each = ggm.customer_parameters(
        model.params_,
        model.params_["purchase:z"] * summary["z"],
        model.params_["dropout:z"] * summary["z"],
    )
    np.testing.assert_allclose(
        model.probability_alive(summary),
        ggm.probability_alive(each, summary["frequency"], summary["recency"], summary["T"]),
        rtol=1e-12,
    )


def test_command_line_fits_and_saves_the_model(sample_csv, tmp_path):
    """``clvmodels fit --model ggompertz``: the registry's key; the saved model loads back."""
    from clvmodels.cli import main

    folder = tmp_path / "results"
    arguments = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]
    arguments += ["--observation-end", "1997-09-30", "--model", "ggompertz"]
    assert main(["fit", str(sample_csv), *arguments, "--out", str(folder), "-q"]) == 0
    model = clv.GammaGompertzNBDModel.load(folder / "ggompertz.json")
    assert model.n_customers_ == 2357 and model.time_unit_ == "W"
    assert "r" in pd.read_csv(folder / "table_parameters_gamma_gompertz_nbd.csv").iloc[:, 0].values
