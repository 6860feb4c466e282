"""Heat maps, P(alive) history, spend, retention and value plots: the drawn data."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import clvmodels as clv
from clvmodels import plotting

BG = "BG/NBD + Gamma-Gamma"
CUT = "1997-09-30"


@pytest.fixture(scope="module")
def fitted(cdnow_backtest):
    return cdnow_backtest.fitted[CUT][BG]


def test_probability_alive_heat_map_matches_lifetimes(fitted, ax):
    lifetimes = pytest.importorskip("lifetimes")
    bg, _ = fitted
    plotting.plot_frequency_recency_matrix(bg, 39, 10, quantity="probability_alive", ax=ax)
    image = ax.images[0].get_array()
    assert image.shape == (11, 40)
    assert image.mask[0, 1:].all() and image.mask[1:, 0].all()  # impossible cells
    fitter = lifetimes.BetaGeoFitter()
    fitter.params_ = pd.Series(bg.params_)
    x, t_x = 4, 20.0
    expected = fitter.conditional_probability_alive(x, t_x, 39.0)
    assert image[x, 20] == pytest.approx(np.ravel(expected)[0], rel=1e-9)


def test_expected_purchases_matrix(fitted):
    bg, _ = fitted
    matrix = plotting.frequency_recency_matrix(bg, 39, 5, t=39, n_recency=14)
    cell = pd.DataFrame({"frequency": [3], "recency": [matrix.columns[7]], "T": [39.0]})
    cell.attrs["time_unit"] = "W"
    expected = bg.conditional_expected_purchases(39, cell).iloc[0]
    assert matrix.iloc[3, 7] == pytest.approx(expected)
    with pytest.raises(ValueError, match="quantity must be one of"):
        plotting.frequency_recency_matrix(bg, 39, 5, quantity="clv")


def test_probability_alive_history(fitted, sample_log, ax):
    bg, _ = fitted
    customer = 1516
    plotting.plot_probability_alive_history(
        bg, sample_log, "customer_id", "date", customer, end=CUT, ax=ax
    )
    (line,) = [line for line in ax.get_lines() if line.get_label() == "P(alive)"]
    summary = clv.rfm_summary(
        sample_log, "customer_id", "date", observation_period_end=CUT, time_unit="W"
    )
    expected = bg.probability_alive(summary).loc[customer]
    assert line.get_ydata()[-1] == pytest.approx(expected, rel=1e-12)
    days = sample_log.loc[sample_log["customer_id"] == customer, "date"].unique()
    n_vlines = len(ax.get_lines()) - 1
    assert n_vlines == len(days)  # every purchase day of the log (to 1998-06-30)
    assert np.all((line.get_ydata() > 0) & (line.get_ydata() <= 1))


def test_spend_density_is_the_beta_prime_mixture(fitted, cdnow_backtest, ax):
    _, gg = fitted
    summary = cdnow_backtest.summaries[CUT]
    plotting.plot_spend_distribution(gg, summary, ax=ax)
    (line,) = ax.get_lines()
    p, q, v = gg.params_["p"], gg.params_["q"], gg.params_["v"]
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    z = line.get_xdata()[100]
    x = repeat["frequency"].to_numpy(float)
    expected = np.mean(stats.betaprime.pdf(x * z / v, p * x, q) * x / v)
    assert line.get_ydata()[100] == pytest.approx(expected, rel=1e-10)
    density = lambda s: plotting.mean_spend_density(gg.params_, x, np.array([s]))[0]  # noqa: E731
    assert integrate.quad(density, 0, np.inf, limit=200)[0] == pytest.approx(1.0, abs=1e-6)
    assert len(ax.patches) == 50  # histogram bars


def test_retention_curve_matches_the_sbg_recursion(ax):
    cohorts = clv.datasets.load_retention_cohorts()
    sbg = clv.ShiftedBetaGeoModel().fit(cohorts["regular"])
    plotting.plot_retention(sbg, cohorts["regular"], n_periods=12, fitted_periods=7, ax=ax)
    observed = [line for line in ax.get_lines() if line.get_label() == "observed"][0]
    np.testing.assert_allclose(observed.get_ydata(), cohorts["regular"] / 1000)
    model = [line for line in ax.get_lines() if line.get_label() == "sBG"][0]
    # S(t) = prod_{i<=t} (beta + i - 1) / (alpha + beta + i - 1) (Fader & Hardie 2007, eq. 5)
    a, b = sbg.params_["alpha"], sbg.params_["beta"]
    expected = np.cumprod([1.0] + [(b + i - 1) / (a + b + i - 1) for i in range(1, 13)])
    np.testing.assert_allclose(model.get_ydata(), expected, rtol=1e-10)
    assert (a, b) == pytest.approx((0.704, 1.182), abs=5e-4)  # published


def test_retention_rates_and_band(ax):
    alive = [1000, 631, 468, 382, 326]
    sbg = clv.ShiftedBetaGeoModel().fit(alive)
    lower, upper = np.full(6, 0.5), np.full(6, 0.9)
    plotting.plot_retention(sbg, alive, 6, quantity="retention_rate", band=(lower, upper), ax=ax)
    observed = [line for line in ax.get_lines() if line.get_label() == "observed"][0]
    np.testing.assert_allclose(observed.get_ydata(), np.array(alive[1:]) / np.array(alive[:-1]))
    assert len(ax.collections) == 1  # the band
    with pytest.raises(ValueError, match="band must be two arrays of 7"):
        plotting.plot_retention(sbg, alive, 6, band=(lower, upper), ax=ax)  # survival: 7


def test_clv_distribution_and_lorenz(ax):
    values = np.r_[np.zeros(50), np.arange(1.0, 51.0)]
    plotting.plot_clv_distribution(values, bins=10, quantile=1.0, ax=ax)
    assert sum(patch.get_height() for patch in ax.patches) == 100
    (mean_line,) = ax.get_lines()
    assert mean_line.get_xdata()[0] == pytest.approx(values.mean())
    ax.clear()
    plotting.plot_lorenz_curve([1.0, 1.0, 2.0], ax=ax)
    curve = ax.get_lines()[0]
    np.testing.assert_allclose(curve.get_ydata(), [0, 0.25, 0.5, 1.0])
    # Gini of (1, 1, 2) with the trapezoid rule: 1 - 2 * (0.125/3 + 0.375/3 + 0.75/3) = 1/6
    assert "Gini 0.17" in curve.get_label()
