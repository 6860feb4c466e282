"""Pareto/NBD: published CDNOW values, lifetimes as an independent implementation, mpmath.

Sources cited per test:
- Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science
  24(2), sec. 5: Pareto/NBD on the 2,357-customer CDNOW cohort (weeks), r = 0.553,
  alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0.
- Fader & Hardie (2005), note 009 "A note on deriving the Pareto/NBD model and related
  expressions": at (r, alpha, s, beta) = (0.5534, 10.5802, 0.6061, 11.6562) (the BTYD
  estimates), the customer with x = 26, t_x = 30.86, T = 31 has P(alive) = 0.9979 and
  E[Y(52)] = 25.46.
"""

import math
import warnings

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from scipy import stats

import clvmodels as clv
from clvmodels.models import pareto_nbd

BTYD = {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}
#: Parameters of the simulated customers (near the CDNOW estimates).
TRUTH = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}


@pytest.fixture(scope="module")
def pnbd_cdnow(cdnow_summary):
    return clv.ParetoNBDModel().fit(cdnow_summary)


# -- references -------------------------------------------------------------------------
def _literal_parts(p, x, t_x, T, dps):
    """(ln L, P(alive)) from the literal 2F1 form of note 009, eq. 3-4, at ``dps`` digits."""
    with mp.workdps(dps):
        r, alpha, s, beta = (mp.mpf(p[k]) for k in ("r", "alpha", "s", "beta"))
        x, t_x, T = mp.mpf(x), mp.mpf(t_x), mp.mpf(T)
        m = r + s + x
        if alpha >= beta:
            c, b2, d = alpha, s + 1, alpha - beta
        else:
            c, b2, d = beta, r + x, beta - alpha

        def term(base):
            return mp.hyp2f1(m, b2, m + 1, d / base) / mp.power(base, m)

        a0 = term(c + t_x) - term(c + T)
        alive = mp.power(alpha + T, -(r + x)) * mp.power(beta + T, -s)
        head = mp.gamma(r + x) / mp.gamma(r) * mp.power(alpha, r) * mp.power(beta, s)
        total = alive + s / m * a0
        return mp.log(head * total), alive / total


def reference_parts(p, x, t_x, T, dps=40):
    """(ln L, P(alive)), the literal form evaluated at ``dps`` and ``2 dps`` digits.

    The two 2F1 terms cancel, and mpmath's 2F1 itself loses digits for parameters in the
    hundreds, so the precision is doubled until two evaluations agree to 1e-20.
    """
    ll, p_alive = _literal_parts(p, x, t_x, T, dps)
    ll2, p_alive2 = _literal_parts(p, x, t_x, T, 2 * dps)
    if abs(ll - ll2) > 1e-20 * max(1, abs(ll2)) or abs(p_alive - p_alive2) > 1e-20:
        return reference_parts(p, x, t_x, T, 2 * dps)
    return float(ll2), float(p_alive2)


def reference_dert(p, delta, x, t_x, T):
    """Fader, Hardie & Lee (2005, JMR) eq. 2 with the confluent hypergeometric U (mpmath)."""
    with mp.workdps(40):
        r, alpha, s, beta = (mp.mpf(p[k]) for k in ("r", "alpha", "s", "beta"))
        _, p_alive = reference_parts(p, x, t_x, T)
        b = beta + T
        inverse = mp.power(b, s) * mp.power(delta, s - 1) * mp.hyperu(s, s, delta * b)
        return float((r + x) / (alpha + T) * inverse * p_alive)


# -- published values -----------------------------------------------------------------------
def test_cdnow_estimates_match_fader_hardie_lee_2005(pnbd_cdnow):
    """Fader, Hardie & Lee (2005, Marketing Science), sec. 5: the Pareto/NBD on CDNOW."""
    p = pnbd_cdnow.params_
    assert p["r"] == pytest.approx(0.553, abs=5e-4)
    assert p["alpha"] == pytest.approx(10.578, abs=5e-3)
    assert p["s"] == pytest.approx(0.606, abs=5e-4)
    # beta is weakly identified (std. error 6.2); BTYD and lifetimes stop at 11.656..11.670
    assert p["beta"] == pytest.approx(11.669, abs=0.015)
    assert pnbd_cdnow.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert pnbd_cdnow.n_customers_ == 2357


def test_note_009_p_alive_and_conditional_expectation():
    """Fader & Hardie (2005), note 009: P(alive) = 0.9979 and E[Y(52)] = 25.46."""
    args = (26, 30.86, 31)
    assert pareto_nbd.probability_alive(BTYD, *args) == pytest.approx(0.9979, abs=5e-5)
    # the note prints 2 decimals of a value computed with unrounded estimates
    assert pareto_nbd.conditional_expected_purchases(BTYD, 52, *args) == pytest.approx(
        25.46, abs=0.006
    )
    ll, p_alive = reference_parts(BTYD, *args)
    assert pareto_nbd.probability_alive(BTYD, *args) == pytest.approx(p_alive, rel=1e-12)
    assert pareto_nbd.log_likelihood(BTYD, *args) == pytest.approx(ll, rel=1e-12)


# -- lifetimes, an independent implementation --------------------------------------------------
def test_agrees_with_lifetimes_on_cdnow(pnbd_cdnow, cdnow_summary):
    lifetimes = pytest.importorskip("lifetimes")
    other = lifetimes.ParetoNBDFitter()
    p = pnbd_cdnow.params_
    other.params_ = pd.Series({"r": p["r"], "alpha": p["alpha"], "s": p["s"], "beta": p["beta"]})
    x, t_x, T = (cdnow_summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    ours_ll = pareto_nbd.log_likelihood(p, x, t_x, T)
    theirs_ll = other._conditional_log_likelihood(
        (p["r"], p["alpha"], p["s"], p["beta"]), x, t_x, T
    )
    np.testing.assert_allclose(ours_ll, theirs_ll, rtol=1e-9)
    np.testing.assert_allclose(
        pnbd_cdnow.probability_alive(cdnow_summary),
        other.conditional_probability_alive(x, t_x, T),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        pnbd_cdnow.conditional_expected_purchases(10.0, cdnow_summary),
        other.conditional_expected_number_of_purchases_up_to_time(10.0, x, t_x, T),
        rtol=1e-9,
    )
    t = np.arange(1.0, 40.0)
    np.testing.assert_allclose(
        pnbd_cdnow.expected_purchases(t),
        other.expected_number_of_purchases_up_to_time(t),
        rtol=1e-10,
    )


# -- extreme inputs: the "Pareto/NBD overflow" (frequency > 300) ---------------------------------
EXTREME = [
    ({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}, 400, 300.0, 500.0),
    ({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}, 1000, 4999.0, 5000.0),
    ({"r": 1e-3, "alpha": 1e3, "s": 50.0, "beta": 1e-2}, 1000, 10.0, 5000.0),
    ({"r": 200.0, "alpha": 0.01, "s": 1e-3, "beta": 2000.0}, 26, 30.86, 31.0),
    # the mpmath reference takes seconds at these corners
    pytest.param(
        {"r": 1e4, "alpha": 1e-4, "s": 1e-4, "beta": 1e4}, 700, 0.5, 4000.0, marks=pytest.mark.slow
    ),
    pytest.param(
        {"r": 1e-4, "alpha": 1e4, "s": 1e4, "beta": 1e-4}, 0, 0.0, 5000.0, marks=pytest.mark.slow
    ),
    ({"r": 2.0, "alpha": 3.0, "s": 1.0, "beta": 3.0}, 5, 4.0, 4.0 + 1e-9),
]


@pytest.mark.parametrize(("p", "x", "t_x", "T"), EXTREME)
def test_likelihood_and_p_alive_are_finite_and_match_mpmath(p, x, t_x, T):
    ll, p_alive = reference_parts(p, x, t_x, T)
    assert pareto_nbd.log_likelihood(p, x, t_x, T) == pytest.approx(ll, rel=1e-9, abs=1e-9)
    assert pareto_nbd.probability_alive(p, x, t_x, T) == pytest.approx(p_alive, abs=1e-9)


def test_the_rows_that_overflow_lifetimes_are_finite_here():
    """lifetimes' Pareto/NBD returns NaN/inf once x passes ~300 at CDNOW-like parameters."""
    p = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}
    x = np.array([301.0, 500.0, 1000.0])
    t_x, T = np.array([200.0, 400.0, 900.0]), np.array([210.0, 500.0, 1000.0])
    for values in (
        pareto_nbd.log_likelihood(p, x, t_x, T),
        pareto_nbd.probability_alive(p, x, t_x, T),
        pareto_nbd.conditional_expected_purchases(p, 52.0, x, t_x, T),
        pareto_nbd.discounted_expected_residual_transactions(p, 0.01, x, t_x, T),
    ):
        assert np.all(np.isfinite(values))


log_uniform = st.floats(math.log(1e-4), math.log(1e4)).map(math.exp)


@pytest.mark.slow
@settings(max_examples=200)
@given(
    st.fixed_dictionaries(
        {"r": log_uniform, "alpha": log_uniform, "s": log_uniform, "beta": log_uniform}
    ),
    st.integers(0, 1000),
    st.floats(0.01, 5000.0),
    st.floats(1e-6, 1.0),
)
def test_likelihood_matches_mpmath_across_the_box(p, x, T, share):
    t_x = share * T if x > 0 else 0.0
    try:
        ll, p_alive = reference_parts(p, x, t_x, T)
    except ValueError:  # mpmath's hyp2f1 gave up (hypercomb did not converge): no reference
        reject()
    assert pareto_nbd.log_likelihood(p, x, t_x, T) == pytest.approx(ll, rel=1e-9, abs=1e-8)
    assert pareto_nbd.probability_alive(p, x, t_x, T) == pytest.approx(p_alive, abs=1e-8)
    # note 009 eq. 22, literally, times the reference P(alive)
    with mp.workdps(40):
        r, alpha, s, beta = (mp.mpf(p[k]) for k in ("r", "alpha", "s", "beta"))
        b, t = beta + T, mp.mpf(52)
        if abs(s - 1) < mp.mpf("1e-12"):
            factor = b * mp.log1p(t / b)
        else:
            factor = b / (s - 1) * (1 - (b / (b + t)) ** (s - 1))
        expected = float((r + x) / (alpha + T) * factor) * p_alive
    ours = pareto_nbd.conditional_expected_purchases(p, 52.0, x, t_x, T)
    assert ours == pytest.approx(expected, rel=1e-8, abs=1e-300)


# -- the hand-written gradient is the derivative of log_likelihood -------------------------
@pytest.mark.parametrize(
    "p", [[0.55, 10.6, 0.61, 11.7], [1e-3, 1e3, 50.0, 1e-2], [200, 0.01, 1e-3, 2e3]]
)
def test_gradient_is_the_derivative_of_log_likelihood(p):
    p = np.array(p, dtype=float)
    x = np.array([0.0, 1.0, 5.0, 26.0, 400.0, 1000.0])
    t_x = np.array([0.0, 2.0, 10.0, 30.86, 300.0, 4999.0])
    T = np.array([5.0, 30.0, 40.0, 31.0, 500.0, 5000.0])
    ll, grad = pareto_nbd._loglik_grad(p, {"frequency": x, "recency": t_x, "T": T})
    named = dict(zip(pareto_nbd.PARAM_NAMES, p, strict=True))
    # the compiled row and the numpy blocks sum in different orders: 1e-14 nats apart
    np.testing.assert_allclose(
        ll, pareto_nbd.log_likelihood(named, x, t_x, T), rtol=1e-13, atol=1e-12
    )
    for j, name in enumerate(pareto_nbd.PARAM_NAMES):
        h = 1e-4 * p[j]
        up = pareto_nbd.log_likelihood(named | {name: p[j] + h}, x, t_x, T)
        down = pareto_nbd.log_likelihood(named | {name: p[j] - h}, x, t_x, T)
        np.testing.assert_allclose(grad[j], (up - down) / (2 * h), rtol=1e-5, atol=1e-6)


# -- predictive functions -------------------------------------------------------------------
def test_expected_purchases_closed_form_limits():
    """Note 009 eq. 17; at s = 1, r beta / alpha ln(1 + t / beta); beta -> inf: r t / alpha."""
    t = np.array([0.0, 1e-9, 1.0, 52.0, 1e4])
    at_one = pareto_nbd.expected_purchases({"r": 2.0, "alpha": 4.0, "s": 1.0, "beta": 3.0}, t)
    np.testing.assert_allclose(at_one, 2.0 * 3.0 / 4.0 * np.log1p(t / 3.0), rtol=1e-14)
    near = pareto_nbd.expected_purchases({"r": 2.0, "alpha": 4.0, "s": 1.0 + 1e-9, "beta": 3.0}, t)
    np.testing.assert_allclose(near, at_one, rtol=1e-8)
    no_dropout = pareto_nbd.expected_purchases({"r": 2.0, "alpha": 4.0, "s": 1.0, "beta": 1e15}, t)
    np.testing.assert_allclose(no_dropout, 2.0 * t / 4.0, rtol=1e-10)
    with mp.workdps(30):
        r, a, s, b, tt = 0.5534, 10.5802, 0.6061, 11.6562, mp.mpf(9)
        ref = r * b / (a * (s - 1)) * (1 - (b / (b + tt)) ** (s - 1))
    assert pareto_nbd.expected_purchases(BTYD, 9.0) == pytest.approx(float(ref), rel=1e-13)


def test_probability_of_purchases_is_a_distribution_with_mean_e_x():
    for p in (BTYD, {"r": 3.0, "alpha": 2.0, "s": 2.5, "beta": 0.5}):
        n = np.arange(0, 400)
        probs = pareto_nbd.probability_of_purchases(p, 20.0, n)
        assert probs.sum() == pytest.approx(1.0, abs=1e-9)
        assert (n * probs).sum() == pytest.approx(pareto_nbd.expected_purchases(p, 20.0), rel=1e-8)
    assert pareto_nbd.probability_of_purchases(BTYD, 0.0, [0, 1]).tolist() == [1.0, 0.0]


@pytest.mark.parametrize(("x", "t_x", "T"), [(0, 0.0, 38.86), (2, 30.43, 38.86), (26, 30.86, 31.0)])
def test_dert_matches_the_confluent_hypergeometric_form(x, t_x, T):
    """Fader, Hardie & Lee (2005, JMR) eq. 2, at 15 % a year compounded continuously, weekly."""
    delta = math.log(1.15) / 52
    ours = pareto_nbd.discounted_expected_residual_transactions(BTYD, delta, x, t_x, T)
    assert ours == pytest.approx(reference_dert(BTYD, delta, x, t_x, T), rel=1e-9)


def test_dert_tends_to_expected_purchases_without_discounting():
    p = {"r": 2.0, "alpha": 4.0, "s": 3.0, "beta": 5.0}
    dert = pareto_nbd.discounted_expected_residual_transactions(p, 1e-9, 3, 10.0, 12.0)
    forever = pareto_nbd.conditional_expected_purchases(p, 1e12, 3, 10.0, 12.0)
    assert dert == pytest.approx(forever, rel=1e-6)


def test_bad_parameters_and_inputs_are_named():
    with pytest.raises(ValueError, match="parameter 's' must be finite and > 0"):
        pareto_nbd.log_likelihood(BTYD | {"s": -1.0}, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match="horizon t"):
        pareto_nbd.expected_purchases(BTYD, -1.0)
    with pytest.raises(ValueError, match="discount_rate"):
        pareto_nbd.discounted_expected_residual_transactions(BTYD, 0.0, 1, 1.0, 2.0)
    with pytest.raises(ValueError, match="n must be whole numbers"):
        pareto_nbd.probability_of_purchases(BTYD, 1.0, 0.5)


def test_fit_predict_in_the_summarys_unit(pnbd_cdnow, cdnow_summary):
    horizons = pnbd_cdnow.conditional_expected_purchases(np.array([10.0, 52.0]), cdnow_summary)
    single = pnbd_cdnow.conditional_expected_purchases(52.0, cdnow_summary)
    np.testing.assert_allclose(horizons[52.0], single, rtol=1e-14)
    assert pnbd_cdnow.summary().attrs["log_likelihood"] == pnbd_cdnow.log_likelihood_


def test_no_dropout_in_the_data_is_reported_as_the_nbd_limit():
    """Poisson-gamma purchases with no dropout: beta -> inf, named (not a silent boundary)."""
    rng = np.random.default_rng(3)
    n = 1000
    rate, T = rng.gamma(0.8, 1 / 5, n), np.round(rng.uniform(20, 52, n), 2)
    x = rng.poisson(rate * T)
    t_x = np.where(x > 0, np.round(T * rng.uniform(size=n) ** (1 / np.maximum(x, 1)), 2), 0.0)
    t_x = np.where((x > 0) & (t_x == 0), 0.01, t_x)
    summary = clv.with_time_unit(pd.DataFrame({"frequency": x, "recency": t_x, "T": T}), "W")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = clv.ParetoNBDModel().fit(summary)
    messages = [str(w.message) for w in caught if w.category is clv.ConvergenceWarning]
    assert any("no evidence of dropout: Pareto/NBD reduces to the NBD" in m for m in messages)
    # the likelihood is flat towards the limit: the standard errors say so too
    assert any("observed information matrix is singular" in m for m in messages)
    assert model.params_["s"] / model.params_["beta"] < 1e-6
    assert model.params_["r"] / model.params_["alpha"] == pytest.approx(0.8 / 5, rel=0.15)


# -- the fit: a fast quadrature rule, checked against the 64-point rule -------------------------
def _simulated_summary(n, seed):
    """Pareto/NBD customers with known parameters, purchases on whole days, times in weeks."""
    rng = np.random.default_rng(seed)
    T = np.floor(rng.uniform(52.0, 104.0, n) * 7) / 7
    return clv.simulate.simulate_pareto_nbd_summary(n, TRUTH, T, seed=rng, time_step=1 / 7)


@pytest.mark.parametrize("poor_rule", [False, True])
def test_fit_is_the_optimum_of_the_64_point_likelihood(poor_rule, monkeypatch):
    """The fit optimises with a 20-point rule; its estimate must solve the exact score equations.

    With a deliberately poor fast rule (4 points), the check of every row at the estimate
    fails and the fit runs again on the 64-point rule: the result is the same optimum.
    """
    if poor_rule:
        nodes, weights = np.polynomial.legendre.leggauss(4)
        monkeypatch.setattr(pareto_nbd.quadrature, "FAST_NODES", (nodes + 1) / 2)
        monkeypatch.setattr(pareto_nbd.quadrature, "FAST_WEIGHTS", weights / 2)
    summary = _simulated_summary(12_000, seed=5)
    model = clv.ParetoNBDModel().fit(summary)
    p = model._params_array()
    columns = {c: summary[c].to_numpy(np.float64) for c in ("frequency", "recency", "T")}
    ll, grad = pareto_nbd._loglik_grad(p, columns)
    assert model.log_likelihood_ == pytest.approx(ll.sum(), rel=1e-12)
    # score in log-parameters, per customer: zero at the optimum
    assert np.max(np.abs(grad.sum(axis=1) * p / len(summary))) < 1e-5
    if not poor_rule:
        # near the truth: the Wald statistic on the log scale is chi-square(4) under recovery
        diff = np.log(p / np.array([TRUTH[k] for k in pareto_nbd.PARAM_NAMES]))
        assert diff @ np.linalg.solve(model.log_covariance_, diff) < stats.chi2.ppf(0.999, df=4)


def test_fast_rule_matches_the_64_point_rule_on_realistic_rows():
    summary = _simulated_summary(20_000, seed=6)
    columns = {c: summary[c].to_numpy(np.float64) for c in ("frequency", "recency", "T")}
    p = np.array([0.55, 10.6, 0.61, 11.7])
    fast = columns | {
        "quadrature_nodes": pareto_nbd._FAST_NODES,
        "quadrature_weights": pareto_nbd._FAST_WEIGHTS,
    }
    exact_ll, exact_grad = pareto_nbd._loglik_grad(p, columns)
    quick_ll, quick_grad = pareto_nbd._loglik_grad(p, fast)
    np.testing.assert_allclose(quick_ll, exact_ll, rtol=0, atol=1e-11)
    np.testing.assert_allclose(quick_grad, exact_grad, rtol=1e-9, atol=1e-11)


def test_expected_purchases_t_1_to_9_is_the_closed_form_not_the_quoted_series():
    """E[X(t)], t = 1..9, at the BTYD estimates: note 009 eq. 17 in mpmath, and lifetimes.

    The series .0508 .0992 ... .3891 quoted with these estimates (issue 13) is 0.4-0.6 %
    lower; it is the same formula at r / alpha = 0.05210, s = 0.6054, beta = 11.52 (another
    fit), which this test records (see :func:`pareto_nbd.expected_purchases`).
    """
    t = np.arange(1.0, 10.0)
    ours = pareto_nbd.expected_purchases(BTYD, t)
    with mp.workdps(40):
        r, a, s, b = (mp.mpf(str(BTYD[k])) for k in ("r", "alpha", "s", "beta"))
        literal = [float(r * b / (a * (s - 1)) * (1 - (b / (b + k)) ** (s - 1))) for k in t]
    np.testing.assert_allclose(ours, literal, rtol=1e-13)
    lifetimes = pytest.importorskip("lifetimes")
    other = lifetimes.ParetoNBDFitter()
    other.params_ = pd.Series(BTYD)
    np.testing.assert_allclose(ours, other.expected_number_of_purchases_up_to_time(t), rtol=1e-12)
    np.testing.assert_allclose(
        ours.round(4), [0.0510, 0.0996, 0.1461, 0.1907, 0.2337, 0.2751, 0.3150, 0.3538, 0.3913]
    )
    quoted = np.array([0.0508, 0.0992, 0.1454, 0.1898, 0.2325, 0.2736, 0.3134, 0.3518, 0.3891])
    assert np.all(ours - quoted > 1.5e-4)
    other_fit = {"r": 0.05210, "alpha": 1.0, "s": 0.6054, "beta": 11.517}
    np.testing.assert_allclose(pareto_nbd.expected_purchases(other_fit, t), quoted, atol=6e-5)


def test_p_alive_once_per_distinct_row_equals_row_by_row(monkeypatch):
    summary = _simulated_summary(5_000, seed=7)
    x, t_x, T = (summary[c].to_numpy(np.float64) for c in ("frequency", "recency", "T"))
    by_distinct = pareto_nbd.probability_alive(BTYD, x, t_x, T)
    monkeypatch.setattr(pareto_nbd.math, "UNIQUE_FROM", 10**9)
    np.testing.assert_array_equal(by_distinct, pareto_nbd.probability_alive(BTYD, x, t_x, T))
    codes, first = pareto_nbd._distinct_rows(x, t_x, T)
    assert len(first) < len(x)
    for column in (x, t_x, T):
        np.testing.assert_array_equal(column[first][codes], column)


def test_forward_difference_information_matches_central_differences(pnbd_cdnow, cdnow_summary):
    """The Pareto/NBD's observed information (forward differences) against the estimation
    sequence's central differences, at the CDNOW estimate."""
    from clvmodels.models._mle import MaximumLikelihoodModel

    stats = pnbd_cdnow._sufficient_statistics(cdnow_summary, None)
    log_params = np.log(pnbd_cdnow._params_array())
    forward = pnbd_cdnow._hessian(log_params, stats)
    central = MaximumLikelihoodModel._hessian(pnbd_cdnow, log_params, stats)
    np.testing.assert_allclose(forward, central, rtol=2e-4, atol=1e-6 * np.abs(central).max())
