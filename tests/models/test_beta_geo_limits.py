"""BG/NBD limits and degenerate data: named warnings, finite predictions.

Known truth comes from the simulator (Fader, Hardie & Lee 2005, sec. 3: with p -> 0 the
BG/NBD is the NBD; with Beta(a, b) concentrated at one p, dropout is homogeneous).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.models import beta_geo


def _fit_recording(summary):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = clv.BetaGeoModel().fit(summary)
    return model, [str(w.message) for w in caught if issubclass(w.category, clv.ConvergenceWarning)]


def _summary(rows):
    frame = pd.DataFrame(rows, columns=["frequency", "recency", "T"])
    frame.attrs["time_unit"] = "W"
    return frame


def test_no_dropout_is_named_and_predicts_the_nbd():
    # Simulated with mean dropout probability 1e-7: the NBD is the truth.
    summary = clv.simulate.simulate_summary(
        4000, {"r": 0.5, "alpha": 5.0, "a": 1.0, "b": 1e7}, T=52, seed=3
    )
    model, messages = _fit_recording(summary)
    assert any("no evidence of dropout: BG/NBD reduces to the NBD" in m for m in messages)
    p = model.params_
    x, T = summary["frequency"].to_numpy(), summary["T"].to_numpy()
    nbd = (p["r"] + x) / (p["alpha"] + T) * 52.0
    got = model.conditional_expected_purchases(52, summary).to_numpy()
    assert np.all(np.isfinite(got))
    # Close to the NBD for nearly everyone; only customers with many purchases and a long
    # silence keep a visible chance of having dropped out at the estimate.
    assert np.quantile(np.abs(got - nbd) / nbd, 0.95) < 0.01


def test_homogeneous_dropout_is_named():
    summary = clv.simulate.simulate_summary(
        4000, {"r": 0.5, "alpha": 5.0, "a": 1e6, "b": 3e6}, T=52, seed=3
    )
    model, messages = _fit_recording(summary)
    assert any("no evidence of heterogeneity in dropout" in m for m in messages)
    assert model.params_["a"] / (model.params_["a"] + model.params_["b"]) == pytest.approx(
        0.25, abs=0.05
    )
    assert np.all(np.isfinite(model.conditional_expected_purchases(52, summary)))


@pytest.mark.parametrize(
    "rows",
    [
        [(3, 20.0, 40.0)],  # one customer
        [(3, 20.0, 40.0)] * 500,  # 500 identical rows
        [(0, 0.0, 40.0)] * 300,  # no repeat buyers
    ],
    ids=["one customer", "500 identical rows", "no repeat buyers"],
)
def test_degenerate_data_warn_and_predict_finite_values(rows):
    summary = _summary(rows)
    model, messages = _fit_recording(summary)
    assert messages, "a degenerate fit must say so"
    for values in (
        model.conditional_expected_purchases(np.array([1.0, 52.0, 1000.0]), summary).to_numpy(),
        model.probability_alive(summary).to_numpy(),
        np.atleast_1d(model.expected_purchases(np.array([0.0, 1.0, 1e4]))),
    ):
        assert np.all(np.isfinite(values)) and np.all(values >= 0)


def test_the_common_dropout_limit_is_continuous():
    # a, b -> inf with b/a = 3: p = 0.25 for everyone, E[X(t)] = (1 - (1 + p t/alpha)^-r) / p.
    r, alpha, t, p = 0.7, 3.0, 40.0, 0.25
    limit = (1.0 - (1.0 + p * t / alpha) ** -r) / p
    gaps = []
    for a in (1e2, 1e4, 1e6, 1e8, 1e10):
        value = beta_geo.expected_purchases({"r": r, "alpha": alpha, "a": a, "b": 3 * a}, t)
        gaps.append(abs(value - limit) / limit)
    # The gap closes like 1/a (the variance of p), with no floor from rounding.
    ratios = [earlier / later for earlier, later in zip(gaps, gaps[1:], strict=False)]
    assert all(80 < ratio < 120 for ratio in ratios), ratios
    assert gaps[-1] < 1e-10


def test_the_nbd_limit_is_continuous():
    # b -> inf with a fixed: no dropout, E[X(t)] = r t / alpha.
    r, alpha, t = 0.7, 3.0, 40.0
    gaps = [
        abs(
            beta_geo.expected_purchases({"r": r, "alpha": alpha, "a": 1.0, "b": b}, t)
            - r * t / alpha
        )
        / (r * t / alpha)
        for b in (1e2, 1e4, 1e6, 1e8)
    ]
    assert gaps[-1] < 1e-5
    assert all(later < earlier for earlier, later in zip(gaps, gaps[1:], strict=False))


def test_invalid_parameters_are_named():
    with pytest.raises(ValueError, match="'a' must be finite and > 0"):
        beta_geo.expected_purchases({"r": 1.0, "alpha": 1.0, "a": np.nan, "b": 1.0}, 1.0)


def _mpmath_log_likelihood(r, alpha, a, b, x, t_x, T):
    """Fader, Hardie & Lee (2005), eq. 6, at 50 digits (independent of the package)."""
    import mpmath as mp

    mp.mp.dps = 50
    r, alpha, a, b, t_x, T = map(mp.mpf, (r, alpha, a, b, t_x, T))
    head = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha)
    alive = mp.beta(a, b + x) / mp.beta(a, b) / (alpha + T) ** (r + x)
    gone = mp.beta(a + 1, b + x - 1) / mp.beta(a, b) / (alpha + t_x) ** (r + x) if x else 0
    return float(head + mp.log(alive + gone))


@pytest.mark.parametrize("x", [1, 2])
def test_tiny_dropout_parameters_give_the_exact_likelihood(x):
    # b = 3e-18: b + x - 1 computed as (b + x) - 1 loses b entirely at x = 1 (+inf was
    # returned to the optimiser at such trial points); x - 1 first keeps it.
    from clvmodels.models.beta_geo import gradient

    r, alpha, a, b = 0.85, 12.9, 5e-14, 3e-18
    row = {"frequency": np.array([float(x)]), "recency": np.array([20.0]), "T": np.array([40.0])}
    expected = _mpmath_log_likelihood(r, alpha, a, b, x, 20.0, 40.0)
    params = np.array([r, alpha, a, b])
    plain = beta_geo.math.log_likelihood({"r": r, "alpha": alpha, "a": a, "b": b}, **row)
    row["x_unique"], row["x_index"] = beta_geo.math.distinct_values(row["frequency"])
    compiled, _ = gradient.log_likelihood_gradient(params, row)
    covariate, _ = gradient.covariate_terms(params, row, np.zeros(1), np.zeros(1))
    for got in (plain, compiled, covariate):
        assert np.isfinite(got[0]) and got[0] == pytest.approx(expected, rel=1e-9)
