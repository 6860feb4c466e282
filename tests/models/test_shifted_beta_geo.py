"""sBG against Fader & Hardie (2007, 2010), brute-force sums and scipy."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

import clvmodels as clv
from clvmodels.exceptions import ConvergenceWarning, DataValidationError
from clvmodels.models import shifted_beta_geo as sbg
from clvmodels.models.shifted_beta_geo import ShiftedBetaGeoModel

# Fader & Hardie (2007), "How to project customer retention", fitted to years 1..7 of
# each cohort (Table 1 data): regular alpha = 0.704, beta = 1.182, LL = -1680.27;
# high end alpha = 0.668, beta = 3.806, LL = -1611.16.
PAPER = {
    "regular": {"alpha": 0.704, "beta": 1.182, "ll": -1680.27},
    "high_end": {"alpha": 0.668, "beta": 3.806, "ll": -1611.16},
}
# Fader & Hardie (2010), d = 10% a year: DEL regular 3.695, high end 5.923.
PAPER_DEL = {"regular": 3.695, "high_end": 5.923}

EXTREMES = [1e-3, 1e4]


@pytest.fixture(scope="module")
def cohorts():
    return clv.datasets.load_retention_cohorts()


@pytest.fixture(scope="module")
def fits(cohorts):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return {name: ShiftedBetaGeoModel().fit(cohorts[name]) for name in cohorts}


# -- independent references, written from the definitions --------------------------------
def brute_survival(alpha, beta, t_max):
    """S(0..t_max) as the running product of r_t = (beta + t - 1) / (alpha + beta + t - 1)."""
    t = np.arange(1, t_max + 1, dtype=float)
    return np.concatenate([[1.0], np.cumprod((beta + t - 1) / (alpha + beta + t - 1))])


def _n_terms(d):
    # (1 + d)^-K < 1e-19 bounds every neglected term (S <= 1).
    return int(math.ceil(44.0 / math.log1p(d))) + 10


def brute_del(alpha, beta, d):
    """sum_{t >= 0} S(t) / (1 + d)^t, truncated where the terms are below 1e-19."""
    K = _n_terms(d)
    s = brute_survival(alpha, beta, K)
    return float(np.sum(s * np.exp(-np.arange(K + 1) * math.log1p(d))))


def brute_derl(alpha, beta, d, n):
    """sum_{t >= n+1} S(t)/S(n) / (1 + d)^(t - n - 1), truncated likewise."""
    K = _n_terms(d)
    t = np.arange(n + 1, n + 1 + K, dtype=float)
    ratio = np.cumprod((beta + t - 1) / (alpha + beta + t - 1))  # S(t) / S(n)
    return float(np.sum(ratio * np.exp(-np.arange(K) * math.log1p(d))))


def hand_log_likelihood(alpha, beta, counts):
    counts = np.asarray(counts, dtype=float)
    ll = 0.0
    for t in range(1, len(counts)):
        p = math.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta))
        ll += (counts[t - 1] - counts[t]) * math.log(p)
    s = math.exp(special.betaln(alpha, beta + len(counts) - 1) - special.betaln(alpha, beta))
    return ll + counts[-1] * math.log(s)


def fit_data(name):
    return clv.datasets.load_retention_cohorts()[name].to_numpy()


# -- published numbers --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["regular", "high_end"])
def test_reproduces_published_estimates(fits, name):
    fit, paper = fits[name], PAPER[name]
    assert fit.params_["alpha"] == pytest.approx(paper["alpha"], abs=5e-4)
    assert fit.params_["beta"] == pytest.approx(paper["beta"], abs=5e-4)
    assert fit.log_likelihood_ == pytest.approx(paper["ll"], abs=5e-3)
    assert fit.n_customers_ == 1000
    assert fit.time_unit_ == "Y"
    assert fit.log_likelihood_ == pytest.approx(
        hand_log_likelihood(fit.params_["alpha"], fit.params_["beta"], fit_data(name)), rel=1e-12
    )


def test_reproduces_published_discounted_expected_lifetime(fits):
    # Fader & Hardie (2010), d = 0.10: DEL = 3.695 (regular), 5.923 (high end).
    assert fits["regular"].discounted_expected_lifetime(0.10) == pytest.approx(3.695, abs=5e-4)
    for name, value in PAPER_DEL.items():
        at_printed = sbg.discounted_expected_lifetime(PAPER[name], 0.10)
        assert float(at_printed) == pytest.approx(value, abs=5e-4)
    # The paper's 5.923 is evaluated at the rounded estimates (0.668, 3.806); at the
    # unrounded MLE (0.66809, 3.80609) DEL is 5.92225, 7.5e-4 below the printed value.
    assert fits["high_end"].discounted_expected_lifetime(0.10) == pytest.approx(5.923, abs=1e-3)


def test_summary_and_standard_errors(fits):
    table = fits["regular"].summary()
    assert list(table.index) == ["alpha", "beta"]
    assert (table["std_error"] > 0).all()
    assert table.attrs["log_likelihood"] == fits["regular"].log_likelihood_


# -- closed forms against brute-force sums ------------------------------------------------
CLOSED_FORM_CASES = [
    (0.704, 1.182, 0.10),
    (0.668, 3.806, 0.10),
    (0.5, 2.0, 0.01),
    (1.0, 1.2, 0.001),  # c - a - b = alpha - 1 = 0: scipy's hyp2f1 is wrong here
    (3.0, 0.3, 0.001),
    (2.0, 5.0, 2.0),
    (1e-3, 1e-3, 0.05),
    (1e-3, 1e4, 0.05),
    (1e4, 1e-3, 0.05),
    (1e4, 1e4, 0.05),
]


@pytest.mark.parametrize(("alpha", "beta", "d"), CLOSED_FORM_CASES)
def test_discounted_expected_lifetime_matches_brute_force_sum(alpha, beta, d):
    params = {"alpha": alpha, "beta": beta}
    expected = brute_del(alpha, beta, d)
    assert float(sbg.discounted_expected_lifetime(params, d)) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(("alpha", "beta", "d"), CLOSED_FORM_CASES)
def test_discounted_expected_residual_lifetime_matches_brute_force_sum(alpha, beta, d):
    params = {"alpha": alpha, "beta": beta}
    n = np.array([0, 1, 4, 50, 1000])
    closed = sbg.discounted_expected_residual_lifetime(params, d, n)
    expected = [brute_derl(alpha, beta, d, k) for k in n]
    np.testing.assert_allclose(closed, expected, rtol=1e-8)


def test_closed_forms_agree_with_scipy_hyp2f1_where_it_is_reliable():
    # The published formulas, evaluated with scipy, in the region of the papers.
    for alpha, beta in [(0.704, 1.182), (0.668, 3.806)]:
        params = {"alpha": alpha, "beta": beta}
        for d in (0.05, 0.10, 0.25):
            z = 1.0 / (1.0 + d)
            assert float(sbg.discounted_expected_lifetime(params, d)) == pytest.approx(
                special.hyp2f1(1.0, beta, alpha + beta, z), rel=1e-10
            )
            for n in range(6):
                paper = (beta + n) / (alpha + beta + n)
                paper *= special.hyp2f1(1.0, beta + n + 1, alpha + beta + n + 1, z)
                derl = sbg.discounted_expected_residual_lifetime(params, d, n)
                assert float(derl) == pytest.approx(paper, rel=1e-10)


def test_new_customer_is_a_first_payment_plus_residual_lifetime_discounted_once():
    params = {"alpha": 0.704, "beta": 1.182}
    for d in (0.02, 0.1, 1.0):
        derl0 = sbg.discounted_expected_residual_lifetime(params, d, 0)
        assert float(sbg.discounted_expected_lifetime(params, d)) == pytest.approx(
            1.0 + derl0 / (1.0 + d), rel=1e-12
        )


def test_undiscounted_lifetime_is_finite_only_for_alpha_above_one():
    # d = 0: DEL = E[T] = (alpha + beta - 1) / (alpha - 1); DERL(0 | n) = (beta + n) / (alpha - 1)
    params = {"alpha": 3.0, "beta": 2.0}
    assert float(sbg.discounted_expected_lifetime(params, 0.0)) == pytest.approx(2.0)
    assert float(sbg.discounted_expected_residual_lifetime(params, 0.0, 4)) == pytest.approx(3.0)
    # continuity at d -> 0
    assert float(sbg.discounted_expected_lifetime(params, 1e-6)) == pytest.approx(2.0, rel=1e-4)
    heavy = {"alpha": 0.7, "beta": 2.0}
    assert np.isinf(sbg.discounted_expected_lifetime(heavy, 0.0))
    assert np.isinf(sbg.discounted_expected_residual_lifetime(heavy, 0.0, 3))


# -- the sBG's shape ----------------------------------------------------------------------
def test_survival_falls_and_retention_rises(fits):
    for fit in fits.values():
        t = np.arange(0, 30)
        s = fit.survival(t)
        assert s[0] == 1.0 and np.all(np.diff(s) < 0)
        r = fit.retention_rate(t[1:])
        assert np.all(np.diff(r) > 0)  # the sBG's signature: retention rises with tenure
        np.testing.assert_allclose(r, s[1:] / s[:-1], rtol=1e-12)
        np.testing.assert_allclose(fit.churn_probability(t[1:]), s[:-1] - s[1:], rtol=1e-10)
        a, b = fit.params_["alpha"], fit.params_["beta"]
        np.testing.assert_allclose(s, brute_survival(a, b, 29), rtol=1e-12)


def test_project_gives_observed_and_expected_survivors(fits, cohorts):
    fit = fits["regular"]
    table = fit.project(cohorts["regular"], 5)
    assert list(table.columns) == ["observed", "expected"]
    assert table.index.tolist() == list(range(13)) and table.index.name == "period"
    np.testing.assert_array_equal(table["observed"].iloc[:8], cohorts["regular"].to_numpy())
    assert table["observed"].iloc[8:].isna().all()
    expected = 1000 * brute_survival(fit.params_["alpha"], fit.params_["beta"], 12)
    np.testing.assert_allclose(table["expected"], expected, rtol=1e-12)
    with pytest.raises(ValueError, match="one cohort"):
        fit.project(cohorts, 3)


# -- fitting machinery --------------------------------------------------------------------
def test_gradient_matches_finite_differences(cohorts):
    stats = ShiftedBetaGeoModel()._sufficient_statistics(cohorts, None)
    point = np.array([0.9, 2.5])

    def total(p):
        return np.dot(stats.weights, sbg._loglik_grad(p, stats.columns)[0])

    numeric = optimize.approx_fprime(point, total, 1e-7)
    exact = sbg._loglik_grad(point, stats.columns)[1] @ stats.weights
    np.testing.assert_allclose(exact, numeric, rtol=1e-5)


def test_sufficient_statistics_are_the_distinct_cells(cohorts):
    stats = ShiftedBetaGeoModel()._sufficient_statistics(cohorts, None)
    # 7 churn cells + 1 still-alive cell per cohort, shared between the two cohorts
    assert len(stats.weights) == 8
    assert stats.n_customers == 2000
    alive_cell = (stats.columns["t"] == 7) & (stats.columns["survived"] == 1)
    assert stats.weights[alive_cell].tolist() == [241 + 491]


def test_pooled_cohorts_of_different_lengths(cohorts):
    frame = cohorts.astype(float)
    frame.loc[6:, "high_end"] = np.nan  # observed for years 0..5 only
    model = ShiftedBetaGeoModel().fit(frame)
    a, b = model.params_["alpha"], model.params_["beta"]
    hand = hand_log_likelihood(a, b, frame["regular"]) + hand_log_likelihood(
        a, b, frame["high_end"].iloc[:6]
    )
    assert model.log_likelihood_ == pytest.approx(hand, rel=1e-12)
    assert model.n_customers_ == 2000
    # the estimate is a maximum of the hand-written likelihood
    for step in ([1e-3, 0], [0, 1e-3], [-1e-3, 0], [0, -1e-3]):
        assert (
            hand_log_likelihood(a + step[0], b + step[1], frame["regular"])
            + (hand_log_likelihood(a + step[0], b + step[1], frame["high_end"].iloc[:6]))
            < hand + 1e-9
        )
    assert float(sbg.log_likelihood(model.params_, frame)) == pytest.approx(hand, rel=1e-12)


def test_one_column_frame_list_and_series_fit_alike(cohorts, fits):
    for data in (cohorts[["regular"]], cohorts["regular"].tolist(), cohorts["regular"].to_numpy()):
        model = ShiftedBetaGeoModel().fit(data)
        assert model.params_ == pytest.approx(fits["regular"].params_, rel=1e-6)


def test_json_round_trip(tmp_path, fits, cohorts):
    path = tmp_path / "sbg.json"
    fits["high_end"].save(path)
    loaded = ShiftedBetaGeoModel.load(path, data=cohorts["high_end"])
    assert loaded.params_ == fits["high_end"].params_
    assert loaded.log_likelihood_ == fits["high_end"].log_likelihood_
    assert loaded.time_unit_ == "Y"
    np.testing.assert_allclose(loaded.covariance_, fits["high_end"].covariance_)
    assert loaded.discounted_expected_lifetime(0.1) == fits[
        "high_end"
    ].discounted_expected_lifetime(0.1)
    with pytest.raises(ValueError, match="do not match"):
        ShiftedBetaGeoModel.load(path, data=cohorts["regular"])


# -- broadcasting and extreme values ------------------------------------------------------
def test_functions_broadcast_over_parameter_draws(cohorts):
    rng = np.random.default_rng(2007)
    draws = {"alpha": rng.uniform(0.3, 3, (2, 3, 1)), "beta": rng.uniform(0.5, 5, (2, 3, 1))}
    t = np.arange(1, 6)
    n = np.array([0, 2, 10])
    calls = {  # name -> (params -> values); each broadcasts draws (2, 3, 1) against the data
        "survival": lambda p: sbg.survival(p, t),
        "retention": lambda p: sbg.retention_rate(p, t),
        "churn": lambda p: sbg.churn_probability(p, t),
        "del": lambda p: sbg.discounted_expected_lifetime(p, 0.1),
        "derl": lambda p: sbg.discounted_expected_residual_lifetime(p, 0.1, n),
        "loglik": lambda p: sbg.log_likelihood(p, cohorts),
    }
    together = {name: call(draws) for name, call in calls.items()}
    shapes = {name: values.shape for name, values in together.items()}
    assert shapes == {
        "survival": (2, 3, 5),
        "retention": (2, 3, 5),
        "churn": (2, 3, 5),
        "del": (2, 3, 1),
        "derl": (2, 3, 3),
        "loglik": (2, 3, 1),  # the data axis is summed: the parameters' shape
    }
    flat = {"alpha": draws["alpha"][..., 0], "beta": draws["beta"][..., 0]}
    assert sbg.log_likelihood(flat, cohorts).shape == (2, 3)
    for i in range(2):
        for j in range(3):
            one = {"alpha": draws["alpha"][i, j, 0], "beta": draws["beta"][i, j, 0]}
            for name, call in calls.items():
                np.testing.assert_allclose(together[name][i, j], call(one), rtol=1e-12)
            hand = hand_log_likelihood(one["alpha"], one["beta"], cohorts["regular"])
            hand += hand_log_likelihood(one["alpha"], one["beta"], cohorts["high_end"])
            assert together["loglik"][i, j, 0] == pytest.approx(hand, rel=1e-12)


@pytest.mark.parametrize("alpha", EXTREMES)
@pytest.mark.parametrize("beta", EXTREMES)
def test_extreme_parameters_give_finite_values(alpha, beta, cohorts):
    params = {"alpha": alpha, "beta": beta}
    t = np.array([0, 1, 10, 1000])
    values = [
        sbg.survival(params, t),
        sbg.retention_rate(params, t[1:]),
        sbg.churn_probability(params, t[1:]),
        sbg.log_likelihood(params, cohorts),
        sbg.discounted_expected_lifetime(params, [1e-4, 0.1, 10.0]),
        sbg.discounted_expected_residual_lifetime(params, 0.1, [0, 10, 10_000]),
    ]
    for value in values:
        assert np.all(np.isfinite(value))
    assert np.all(values[1] >= 0) and np.all(values[1] <= 1)


# -- invalid input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1000, 631, 700, 382], r"column 'alive': 1 of 3 periods break the rule 'alive\[t\] <= "),
        ([1000, -5, -6], r"'counts are whole numbers >= 0'; e\.g\. row 1: alive=-5"),
        ([1000, 631.5, 400], r"whole numbers >= 0"),
        ([0, 0, 0], r"must start with more than 0 customers"),
        ([1000], r"needs at least 2 counts"),
        ([1000, np.nan, 500], r"NaN only as trailing padding"),
        ([1000, np.inf, 500], r"counts are finite"),
        (pd.Series(["a", "b"], name="plan"), r"column 'plan': counts must be numeric"),
    ],
)
def test_invalid_counts_raise(data, message):
    with pytest.raises(DataValidationError, match=message):
        ShiftedBetaGeoModel().fit(data)


def test_every_broken_cohort_is_named_at_once():
    frame = pd.DataFrame({"basic": [100, 120, 90], "premium": [0, 0, 0], "gold": [10, 9, 8]})
    with pytest.raises(DataValidationError) as info:
        ShiftedBetaGeoModel().fit(frame)
    message = str(info.value)
    assert "column 'basic'" in message and "100 -> 120" in message
    assert "column 'premium'" in message and "column 'gold'" not in message


def test_wrong_types_raise():
    with pytest.raises(TypeError, match="one column per cohort"):
        ShiftedBetaGeoModel().fit(np.ones((3, 2)))
    with pytest.raises(TypeError, match="got dict"):
        ShiftedBetaGeoModel().fit({"a": [1, 2]})
    with pytest.raises(TypeError, match="no weights"):
        ShiftedBetaGeoModel().fit([10, 5], weights=[1, 1])
    with pytest.raises(RuntimeError, match="not fitted"):
        ShiftedBetaGeoModel().survival(1)


def test_invalid_arguments_raise():
    params = {"alpha": 0.7, "beta": 1.2}
    with pytest.raises(DataValidationError, match=r"discount_rate must be finite and >= 0.*-0\.1"):
        sbg.discounted_expected_lifetime(params, -0.1)
    with pytest.raises(DataValidationError, match=r"discount_rate.*0 or >= 1e-08; got 1e-10"):
        sbg.discounted_expected_residual_lifetime(params, 1e-10, 1)
    with pytest.raises(
        DataValidationError,
        match=r"n_renewals must be whole numbers >= 0; got 1\.5 at position \(1,\)",
    ):
        sbg.discounted_expected_residual_lifetime(params, 0.1, [0, 1.5])
    with pytest.raises(DataValidationError, match=r"t must be whole numbers >= 0; got -1"):
        sbg.survival(params, -1)
    with pytest.raises(DataValidationError, match=r"t must be whole numbers >= 1; got 0"):
        sbg.retention_rate(params, 0)
    with pytest.raises(DataValidationError, match=r"t must be whole numbers >= 1; got 0"):
        sbg.churn_probability(params, [0, 1])
    with pytest.raises(ValueError, match=r"parameter beta must be positive and finite; got -1"):
        sbg.survival({"alpha": 1.0, "beta": -1.0}, 2)
