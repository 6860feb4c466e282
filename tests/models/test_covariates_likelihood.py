"""Static covariates: the likelihood, its gradient and the predictions against independent values.

References: mpmath (50 digits) for the covariate likelihood at large positive and negative
linear predictors; the existing no-covariate code for eta = 0 (to 1e-10); central finite
differences for the gradient; the plain model at a customer's own parameters for the
predictions.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import clvmodels as clv
from clvmodels.models.beta_geo import gradient as bg_gradient
from clvmodels.models.beta_geo import math as bg_math
from clvmodels.models.pareto_nbd import gradient as pnbd_gradient
from clvmodels.models.pareto_nbd import math as pnbd_math
from tests.models.covariate_draws import TRUE_EFFECTS, beta_geo_customers, pareto_nbd_customers

BG = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PNBD = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.6}

# (x, t_x, T) with linear predictors far from 0 both ways
ROWS = [(0, 0.0, 30.0), (1, 5.0, 38.0), (7, 30.5, 39.0), (40, 35.0, 40.0), (150, 20.0, 52.0)]
ETAS = [(-6.0, 6.0), (6.0, -6.0), (3.5, 4.0), (-4.0, -3.0), (0.0, 0.0)]


def _columns(rows):
    x, t_x, T = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    return {"frequency": x, "recency": t_x, "T": T}


def _bg_mp(p, x, t_x, T, eta_p, eta_d):
    mpmath.mp.dps = 50
    r, alpha = mpmath.mpf(p["r"]), mpmath.mpf(p["alpha"]) * mpmath.exp(-eta_p)
    a, b = (mpmath.mpf(p[k]) * mpmath.exp(eta_d) for k in ("a", "b"))
    head = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha)
    head += mpmath.log(mpmath.beta(a, b + x)) - mpmath.log(mpmath.beta(a, b))
    body = (alpha + T) ** (-(r + x))
    if x > 0:
        body += a / (b + x - 1) * (alpha + t_x) ** (-(r + x))
    return float(head + mpmath.log(body))


def _pnbd_mp(p, x, t_x, T, eta_p, eta_d):
    mpmath.mp.dps = 50
    r, s = mpmath.mpf(p["r"]), mpmath.mpf(p["s"])
    alpha = mpmath.mpf(p["alpha"]) * mpmath.exp(-eta_p)
    beta = mpmath.mpf(p["beta"]) * mpmath.exp(-eta_d)
    head = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha)
    head += s * mpmath.log(beta)
    alive = (alpha + T) ** (-(r + x)) * (beta + T) ** (-s)
    died = s * mpmath.quad(
        lambda tau: (alpha + tau) ** (-(r + x)) * (beta + tau) ** (-(s + 1)),
        mpmath.linspace(t_x, T, 129),  # a peaked integrand (x large): subdivide
    )
    return float(head + mpmath.log(alive + died))


@pytest.mark.parametrize("model", ["bg", "pnbd"])
def test_covariate_likelihood_matches_mpmath_at_large_predictors(model):
    columns = _columns(ROWS)
    eta_p, eta_d = (np.array(e) for e in zip(*ETAS, strict=True))
    if model == "bg":
        ll, _ = bg_gradient.covariate_terms(np.array(list(BG.values())), columns, eta_p, eta_d)
        reference = [_bg_mp(BG, *row, *eta) for row, eta in zip(ROWS, ETAS, strict=True)]
        # grouped_log_likelihood tabulates x terms per distinct x, so it takes one
        # customer's parameters at a time
        mine = bg_math.customer_parameters(BG, eta_p, eta_d)
        via_math = [
            float(
                bg_math.log_likelihood(
                    {k: v[i] if np.ndim(v) else v for k, v in mine.items()}, [x], [t_x], [T]
                )[0]
            )
            for i, (x, t_x, T) in enumerate(ROWS)
        ]
    else:
        ll, _ = pnbd_gradient.covariate_terms(np.array(list(PNBD.values())), columns, eta_p, eta_d)
        reference = [_pnbd_mp(PNBD, *row, *eta) for row, eta in zip(ROWS, ETAS, strict=True)]
        via_math = pnbd_math.log_likelihood(
            pnbd_math.customer_parameters(PNBD, eta_p, eta_d), *columns.values()
        )
    np.testing.assert_allclose(ll, reference, rtol=1e-10, atol=1e-8)
    # the model's one formula (math.py) at each customer's parameters agrees too
    np.testing.assert_allclose(via_math, reference, rtol=1e-10, atol=1e-8)


def test_no_covariates_equals_todays_likelihood_to_1e10():
    summary = clv.datasets.load_cdnow_summary()
    columns = bg_math.sufficient_statistics(summary).arrays
    zeros = np.zeros(len(columns["frequency"]))
    point = np.array(list(BG.values()))
    today_ll, today_grad = bg_gradient.log_likelihood_gradient(point, columns)
    ll, grad = bg_gradient.covariate_terms(point, columns, zeros, zeros)
    np.testing.assert_allclose(ll, today_ll, rtol=0, atol=1e-10)
    np.testing.assert_allclose(grad[:4], today_grad, rtol=1e-10, atol=1e-10)
    # the Pareto/NBD's plain gradient is the covariate kernel at eta = 0: its value is the
    # shared numpy function's, its gradient that function's central differences
    columns = pnbd_math.sufficient_statistics(summary).arrays
    zeros = np.zeros(len(columns["frequency"]))
    point = np.array(list(PNBD.values()))
    ll, grad = pnbd_gradient.covariate_terms(point, columns, zeros, zeros)
    data = [columns[name] for name in ("frequency", "recency", "T")]
    np.testing.assert_allclose(ll, pnbd_math.log_likelihood(PNBD, *data), rtol=0, atol=1e-10)
    for j, name in enumerate(pnbd_math.PARAM_NAMES):
        step = 1e-6 * PNBD[name]
        up, down = PNBD | {name: PNBD[name] + step}, PNBD | {name: PNBD[name] - step}
        central = (pnbd_math.log_likelihood(up, *data) - pnbd_math.log_likelihood(down, *data)) / (
            2 * step
        )
        np.testing.assert_allclose(grad[j], central, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(
        pnbd_gradient.log_likelihood_gradient(point, columns)[1], grad[:4]
    )
    # and a model given no covariate keywords is today's model
    assert clv.BetaGeoModel(purchase_covariates=[]).fit(summary).log_likelihood_ == (
        pytest.approx(-9582.4, abs=0.05)
    )


@pytest.mark.parametrize(
    "cls,draw,base",
    [
        (clv.BetaGeoModel, beta_geo_customers, BG),
        (clv.ParetoNBDModel, pareto_nbd_customers, PNBD),
    ],
)
def test_gradient_matches_finite_differences(cls, draw, base):
    summary = draw(400, base, TRUE_EFFECTS, seed=3)
    model = cls(
        purchase_covariates=["gender", "channel"],
        dropout_covariates=["gender", "channel"],
        equal_effects=["gender"],
    )
    stats = model._sufficient_statistics(summary, None)
    assert model.param_names[4:] == (
        "purchase:channel[online]",
        "purchase:channel[store]",
        "dropout:channel[online]",
        "dropout:channel[store]",
        "both:gender",
    )
    point = np.array([*base.values(), -0.3, 0.2, 0.5, -0.4, 0.3])

    def total(p):
        return float(np.dot(stats.weights, model._loglik_grad(p, stats.arrays)[0]))

    exact = model._loglik_grad(point, stats.arrays)[1] @ stats.weights
    numeric = np.empty_like(point)
    for j in range(len(point)):
        step = 1e-6 * max(1.0, abs(point[j]))
        up, down = point.copy(), point.copy()
        up[j] += step
        down[j] -= step
        numeric[j] = (total(up) - total(down)) / (2 * step)
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-5)
    value, summed = model._weighted_loglik_grad(point, stats.arrays, stats.weights)
    assert value == pytest.approx(total(point), rel=1e-12)
    np.testing.assert_allclose(summed, exact, rtol=1e-10, atol=1e-9)


@pytest.fixture(scope="module")
def fitted_pnbd():
    summary = pareto_nbd_customers(3000, PNBD, TRUE_EFFECTS, seed=5)
    model = clv.ParetoNBDModel(
        purchase_covariates=["gender", "channel"], dropout_covariates=["gender"]
    ).fit(summary)
    return model, summary


def test_predictions_equal_the_plain_model_at_each_customers_parameters(fitted_pnbd):
    model, summary = fitted_pnbd
    rows = summary.iloc[[0, 1, 2, 7]]
    p_alive = model.probability_alive(rows)
    expected = model.conditional_expected_purchases(10.0, rows)
    dert = model.discounted_expected_residual_transactions(0.01, rows)
    gamma = model.params_
    for i, (_, customer) in enumerate(rows.iterrows()):
        channel = customer["channel"]
        eta_p = gamma["purchase:gender"] * customer["gender"] + sum(
            gamma[f"purchase:channel[{level}]"] * (channel == level)
            for level in ("online", "store")
        )
        eta_d = gamma["dropout:gender"] * customer["gender"]
        plain = clv.ParetoNBDModel()
        plain.params_ = {
            "r": gamma["r"],
            "alpha": gamma["alpha"] * np.exp(-eta_p),
            "s": gamma["s"],
            "beta": gamma["beta"] * np.exp(-eta_d),
        }
        plain.time_unit_ = model.time_unit_
        one = rows.iloc[[i]][["frequency", "recency", "T"]]
        assert p_alive.iloc[i] == pytest.approx(plain.probability_alive(one).iloc[0], rel=1e-12)
        assert expected.iloc[i] == pytest.approx(
            plain.conditional_expected_purchases(10.0, one).iloc[0], rel=1e-12
        )
        assert dert.iloc[i] == pytest.approx(
            plain.discounted_expected_residual_transactions(0.01, one).iloc[0], rel=1e-12
        )
    many = model.conditional_expected_purchases(np.array([5.0, 10.0]), rows)
    np.testing.assert_allclose(many[10.0].to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_summary_and_likelihood_ratio(fitted_pnbd):
    model, summary = fitted_pnbd
    table = model.summary()
    assert list(table.index[4:]) == [
        "purchase:gender",
        "purchase:channel[online]",
        "purchase:channel[store]",
        "dropout:gender",
    ]
    coefficient = table.loc["purchase:gender"]
    assert coefficient["std_error"] > 0
    # coefficients get plain Wald intervals (they may be negative)
    assert coefficient["lower_95%"] == pytest.approx(
        coefficient["estimate"] - 1.959964 * coefficient["std_error"], rel=1e-5
    )
    test = clv.evaluation.covariate_likelihood_ratio(model, summary)
    assert test["df"] == 4
    assert test["statistic"] == pytest.approx(
        2 * (model.log_likelihood_ - clv.ParetoNBDModel().fit(summary).log_likelihood_), rel=1e-6
    )
    assert test["p_value"] < 1e-6  # the simulated effects are real
    comparison = clv.compare_models(
        summary,
        {"plain": clv.ParetoNBDModel(), "covariates": model},
        nested=[("plain", "covariates")],
    )
    assert comparison.models.at["covariates", "n_params"] == 8


def test_penalty_shrinks_and_is_not_in_the_log_likelihood():
    summary = beta_geo_customers(3000, BG, TRUE_EFFECTS, seed=9)
    plain = clv.BetaGeoModel(purchase_covariates=["gender"]).fit(summary)
    shrunk = clv.BetaGeoModel(
        purchase_covariates=["gender"], covariate_penalty={"purchase": 1.0}
    ).fit(summary)
    assert abs(shrunk.params_["purchase:gender"]) < abs(plain.params_["purchase:gender"])
    # log_likelihood_ is the data log-likelihood, so the penalised fit's is lower
    assert shrunk.log_likelihood_ < plain.log_likelihood_
    params = np.array([shrunk.params_[n] for n in shrunk.param_names])
    stats = shrunk._sufficient_statistics(summary, None)
    ll, _ = shrunk._loglik_grad(params, stats.arrays)
    assert shrunk.log_likelihood_ == pytest.approx(float(np.dot(stats.weights, ll)), rel=1e-12)


def test_fitted_on_checks_the_data_without_changing_the_fit(fitted_pnbd):
    model, summary = fitted_pnbd
    names = model.param_names
    assert model.fitted_on(summary)
    other = summary.assign(frequency=summary["frequency"].where(summary.index != 0, 99.0))
    assert not model.fitted_on(other)
    assert model.param_names == names
    with pytest.raises(ValueError, match="do not match the data the model was fitted on"):
        clv.compare_models(other, {"covariates": model})
