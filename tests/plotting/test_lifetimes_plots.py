"""The plots lifetimes users know, by their lifetimes names: the drawn data.

Each test reads the bars or lines back from the Axes and compares them with numbers
computed independently: lifetimes 0.11.3 at the same parameters (its own plot where it
still runs, else its formulas), scipy.stats densities, or a base simulated from known
parameters.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import clvmodels as clv
from clvmodels import plotting

BG = "BG/NBD + Gamma-Gamma"
CUT = "1997-09-30"
BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PARETO = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}
BGBB = {"alpha": 1.20, "beta": 0.75, "gamma": 0.66, "delta": 2.78}  # donations, note 010


@pytest.fixture(scope="module")
def fitted(cdnow_backtest):
    return cdnow_backtest.fitted[CUT][BG][0]


@pytest.fixture(scope="module")
def summary(cdnow_backtest):
    return cdnow_backtest.summaries[CUT]


@pytest.fixture(scope="module")
def lifetimes_bg(fitted, summary):
    lifetimes = pytest.importorskip("lifetimes")
    fitter = lifetimes.BetaGeoFitter()
    fitter.params_ = pd.Series(fitted.params_)
    fitter.data = pd.DataFrame(summary[["frequency", "recency", "T"]])
    return fitter


def _known(model_class, params, unit="W"):
    model = model_class()
    model.params_ = dict(params)
    model.time_unit_ = unit
    return model


def _bars(ax, label):
    (container,) = [c for c in ax.containers if c.get_label() == label]
    return np.array([bar.get_height() for bar in container])


def _line(ax, label):
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line


# -- plot_period_transactions -------------------------------------------------------------
def test_period_transactions_bars_are_the_counts_and_lifetimes_probabilities(
    fitted, summary, lifetimes_bg, ax
):
    plotting.plot_period_transactions(fitted, summary, max_frequency=7, ax=ax)
    actual, model = _bars(ax, "actual"), _bars(ax, "model")
    counts = summary["frequency"].value_counts()
    np.testing.assert_array_equal(actual[:7], [counts.get(k, 0) for k in range(7)])
    assert actual[7] == (summary["frequency"] >= 7).sum()
    # The expected bars: sum over customers of lifetimes' P(X(T_i) = k), eq. 8 of FHL 2005.
    ages = summary["T"].to_numpy()
    expected = [
        sum(lifetimes_bg.probability_of_n_purchases_up_to_time(T, k) for T in ages)
        for k in range(7)
    ]
    np.testing.assert_allclose(model[:7], expected, rtol=1e-9)
    assert model.sum() == pytest.approx(len(summary), rel=1e-12)
    assert actual.sum() == len(summary) == 2357
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7+"


@pytest.mark.parametrize(
    ("model_class", "params", "draw"),
    [
        (clv.BetaGeoModel, BGNBD, clv.simulate.simulate_summary),
        (clv.ParetoNBDModel, PARETO, clv.simulate.simulate_pareto_nbd_summary),
    ],
)
def test_period_transactions_expectation_matches_a_simulated_base(model_class, params, draw):
    rng = np.random.default_rng(2024)
    n = 30_000
    base = draw(n, params, T=rng.choice([13.0, 26.0, 39.0, 52.0], size=n), seed=rng)
    table = plotting.period_transactions(_known(model_class, params), base, max_frequency=5)
    # Each count is binomial(n, P_k): 4.5 standard deviations leave ~1e-5 of false alarms.
    share = table["expected"] / n
    sd = np.sqrt(n * share * (1.0 - share))
    assert (np.abs(table["actual"] - table["expected"]) < 4.5 * sd).all(), table
    assert table["actual"].sum() == n


def test_period_transactions_refuses_what_it_cannot_draw(fitted, summary):
    with pytest.raises(TypeError, match="probability_of_purchases"):
        plotting.period_transactions(clv.GammaGammaModel(), summary)
    with pytest.raises(ValueError, match="max_frequency"):
        plotting.period_transactions(fitted, summary, max_frequency=0)
    with pytest.raises(ValueError, match="'T' column"):
        plotting.period_transactions(fitted, summary.drop(columns="T"))


# -- plot_expected_repeat_purchases -------------------------------------------------------
def test_expected_repeat_purchases_lines_are_lifetimes_expectation(
    fitted, summary, lifetimes_bg, ax
):
    plotting.plot_expected_repeat_purchases(fitted, summary, ax=ax)
    inside, after = ax.get_lines()
    end = summary["T"].max()
    np.testing.assert_allclose(inside.get_xdata(), np.linspace(0, end, 100))
    np.testing.assert_allclose(after.get_xdata(), np.linspace(end, 1.5 * end, 100))
    for line in (inside, after):
        expected = lifetimes_bg.expected_number_of_purchases_up_to_time(line.get_xdata())
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-10)
    assert after.get_linestyle() == "--" and after.get_color() == inside.get_color()
    with pytest.raises(ValueError, match="T must be"):
        plotting.plot_expected_repeat_purchases(fitted, -1.0, ax=ax)


# -- heterogeneity ------------------------------------------------------------------------
def test_heterogeneity_lines_are_lifetimes_lines(fitted, lifetimes_bg, ax):
    lifetimes_plotting = pytest.importorskip("lifetimes.plotting")
    pairs = [
        (plotting.plot_transaction_rate_heterogeneity, "plot_transaction_rate_heterogeneity"),
        (plotting.plot_dropout_rate_heterogeneity, "plot_dropout_rate_heterogeneity"),
    ]
    for ours, theirs in pairs:
        ax.clear()
        (line,) = ours(fitted, ax=ax).get_lines()
        reference = getattr(lifetimes_plotting, theirs)(lifetimes_bg)
        (their_line,) = reference.get_lines()
        np.testing.assert_allclose(line.get_xdata(), their_line.get_xdata(), rtol=1e-12)
        np.testing.assert_allclose(line.get_ydata(), their_line.get_ydata(), rtol=1e-12)
        # lifetimes titles its axes with the mean and variance; so do we.
        assert reference.get_title().split("mean")[1] in ax.get_title()
        plt.close(reference.figure)


@pytest.mark.parametrize(
    ("model_class", "params", "purchase", "dropout"),
    [
        (
            clv.ParetoNBDModel,
            PARETO,
            stats.gamma(0.55, scale=1 / 10.6),
            stats.gamma(0.61, scale=1 / 11.7),
        ),
        (
            clv.ModifiedBetaGeoModel,
            BGNBD,
            stats.gamma(0.243, scale=1 / 4.414),
            stats.beta(0.793, 2.426),
        ),
        (clv.BetaGeoBetaBinomModel, BGBB, stats.beta(1.20, 0.75), stats.beta(0.66, 2.78)),
    ],
)
def test_heterogeneity_densities_of_every_purchase_model(
    model_class, params, purchase, dropout, ax
):
    model = _known(model_class, params)
    for plot, truth in (
        (plotting.plot_transaction_rate_heterogeneity, purchase),
        (plotting.plot_dropout_rate_heterogeneity, dropout),
    ):
        ax.clear()
        (line,) = plot(model, quantile=0.95, n_points=50, ax=ax).get_lines()
        x = line.get_xdata()
        assert x[0] == 0.0 and x[-1] == pytest.approx(truth.ppf(0.95), rel=1e-12)
        assert len(x) == 50
        np.testing.assert_allclose(line.get_ydata()[1:], truth.pdf(x[1:]), rtol=1e-12)
        assert f"mean: {truth.mean():.3f}" in ax.get_title()


def test_heterogeneity_refuses_other_models(ax):
    with pytest.raises(TypeError, match="BG/NBD, MBG/NBD, Pareto/NBD or BG/BB"):
        plotting.plot_transaction_rate_heterogeneity(_known(clv.GammaGammaModel, {}), ax=ax)
    with pytest.raises(ValueError, match="not fitted"):
        plotting.plot_dropout_rate_heterogeneity(clv.BetaGeoModel(), ax=ax)
    with pytest.raises(ValueError, match="quantile"):
        plotting.plot_dropout_rate_heterogeneity(_known(clv.BetaGeoModel, BGNBD), 1.5, ax=ax)


# -- plot_calibration_purchases_vs_holdout_purchases --------------------------------------
@pytest.mark.parametrize(
    "kind", ["frequency_cal", "recency_cal", "T_cal", "time_since_last_purchase"]
)
def test_calibration_vs_holdout_kinds_are_lifetimes_lines(fitted, sample_log, kind, ax):
    lifetimes = pytest.importorskip("lifetimes")
    lifetimes_plotting = pytest.importorskip("lifetimes.plotting")
    split = clv.calibration_holdout_split(
        sample_log, "customer_id", "date", CUT, "1998-06-30", time_unit="W"
    )
    plotting.plot_calibration_purchases_vs_holdout_purchases(fitted, split, kind, n=7, ax=ax)
    theirs = split.rename(columns={c: f"{c}_cal" for c in ("frequency", "recency", "T")})
    fitter = lifetimes.BetaGeoFitter()
    fitter.params_ = pd.Series(fitted.params_)
    reference = lifetimes_plotting.plot_calibration_purchases_vs_holdout_purchases(
        fitter, pd.DataFrame(theirs), kind=kind, n=7
    )
    actual_theirs, model_theirs = reference.get_lines()
    for ours, their in ((_line(ax, "actual"), actual_theirs), (_line(ax, "model"), model_theirs)):
        np.testing.assert_allclose(ours.get_xdata(), their.get_xdata().astype(float))
        np.testing.assert_allclose(ours.get_ydata(), their.get_ydata(), rtol=1e-9)
    assert len(_line(ax, "actual").get_xdata()) == 7
    plt.close(reference.figure)


def test_calibration_vs_holdout_table_groups_and_errors(fitted, sample_log):
    split = clv.calibration_holdout_split(
        sample_log, "customer_id", "date", CUT, "1998-06-30", time_unit="W"
    )
    table = plotting.calibration_purchases_vs_holdout_table(fitted, split, "frequency", n=3)
    zero = split[split["frequency"] == 0]
    assert table.loc[0, "actual"] == pytest.approx(zero["frequency_holdout"].mean())
    assert table.loc[0, "n_customers"] == len(zero)
    assert list(table.index) == [0, 1, 2]
    with pytest.raises(ValueError, match="kind must be one of"):
        plotting.calibration_purchases_vs_holdout_table(fitted, split, "monetary")
    with pytest.raises(ValueError, match="split needs columns"):
        plotting.calibration_purchases_vs_holdout_table(fitted, split.drop(columns="T"))


# -- plot_cumulative_transactions / plot_incremental_transactions -------------------------
def test_cumulative_and_incremental_lines_are_lifetimes_numbers(fitted, sample_log, ax):
    lifetimes = pytest.importorskip("lifetimes")
    utils = pytest.importorskip("lifetimes.utils")
    log = sample_log[sample_log["date"] <= "1998-06-30"]
    fitter = lifetimes.BetaGeoFitter()
    fitter.params_ = pd.Series(fitted.params_)
    plotting.plot_cumulative_transactions(
        fitted, log, "customer_id", "date", 78, 39, freq="D", time_unit="W", ax=ax
    )
    # lifetimes' plot cannot count days in weeks (its plot drops freq_multiplier): its table
    # can, and its row k - 1 is the end of our week k (tests/evaluation/test_tracking.py)
    theirs = utils.expected_cumulative_transactions(
        fitter, log, "date", "customer_id", 78 * 7, freq="D", freq_multiplier=7
    )
    actual, model = _line(ax, "actual"), _line(ax, "model")
    np.testing.assert_array_equal(actual.get_xdata(), np.arange(1, 79))
    np.testing.assert_array_equal(actual.get_ydata(), theirs["actual"].to_numpy())
    np.testing.assert_allclose(model.get_ydata(), theirs["predicted"].to_numpy(), rtol=1e-10)
    assert _line(ax, "calibration end").get_xdata()[0] == 39
    assert actual.get_ydata()[-1] == 2457 + 1882  # CDNOW sample: calibration + holdout repeats
    ax.clear()
    plotting.plot_incremental_transactions(
        fitted, log, "customer_id", "date", 78, 39, freq="D", time_unit="W", ax=ax
    )
    increments = _line(ax, "model").get_ydata()
    np.testing.assert_allclose(np.cumsum(increments), theirs["predicted"].to_numpy(), rtol=1e-10)
    assert _line(ax, "actual").get_ydata().sum() == 2457 + 1882


def test_heterogeneity_of_a_bayesian_model_is_at_its_posterior_means(ax):
    class Posterior:  # a fitted Bayesian BG/NBD as the plot sees it
        spec = clv.BetaGeoModel.spec
        idata_ = object()

        def posterior_mean_params(self):
            return dict(BGNBD)

    (line,) = plotting.plot_dropout_rate_heterogeneity(Posterior(), ax=ax).get_lines()
    x = line.get_xdata()[1:]
    np.testing.assert_allclose(line.get_ydata()[1:], stats.beta(0.793, 2.426).pdf(x), rtol=1e-12)
