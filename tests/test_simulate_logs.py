"""Transaction-log simulators against closed forms computed independently.

BG/BB logs: the joint distribution of (x, t_x) over n opportunities against the BG/BB
likelihood written here with scipy (Fader, Hardie & Shang 2010, eq. 5) and the count
distribution against lifetimes' eq. 7. Pareto/NBD logs: E[X(T)] against lifetimes (note
009, eq. 27) and P(X(T) = 0) by quadrature. BG/NBD: the purchase-by-purchase log against
the summary-based one, and both against lifetimes' E[X(t)] and P(X(t) = 0) (FHL 2005,
eq. 8-9). Every comparison is a test at 1 - 1e-3 (chi-square) or 4 standard errors.
"""

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, ParetoNBDFitter
from scipy import integrate, special, stats

import clvmodels as clv

BGBB = {"alpha": 1.20, "beta": 0.75, "gamma": 0.66, "delta": 2.78}  # note 010's donations
BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # CDNOW, FHL 2005
PARETO = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}


def _bgbb_pattern_probability(x, t_x, n):
    """P(a given purchase string with x purchases, the last at t_x) (FHS 2010, eq. 5)."""
    a, b, g, d = (BGBB[k] for k in ("alpha", "beta", "gamma", "delta"))
    alive = special.betaln(a + x, b + n - x) + special.betaln(g, d + n)
    total = np.exp(alive - special.betaln(a, b) - special.betaln(g, d))
    for i in range(n - t_x):
        died = special.betaln(a + x, b + t_x - x + i) + special.betaln(g + 1, d + t_x + i)
        total += np.exp(died - special.betaln(a, b) - special.betaln(g, d))
    return total


def _chi_square(observed, expected):
    observed, expected = np.asarray(observed, float), np.asarray(expected, float)
    return float(((observed - expected) ** 2 / expected).sum())


def test_bgbb_log_has_the_models_joint_distribution_of_x_and_t_x():
    n = 6
    log = clv.simulate.simulate_bgbb_transactions(60_000, BGBB, n, seed=2010)
    assert set(log["period"]) <= set(range(n + 1)) and (log["period"] == 0).sum() == 60_000
    summary = clv.data.opportunities.opportunity_summary(log, "customer_id", "period", n)
    cells = [(0, 0)] + [(x, t) for t in range(1, n + 1) for x in range(1, t + 1)]
    # strings with x purchases ending at t_x: choose the other x - 1 of the first t_x - 1
    probability = np.array(
        [
            (special.comb(t - 1, x - 1) if x else 1.0) * _bgbb_pattern_probability(x, t, n)
            for x, t in cells
        ]
    )
    assert probability.sum() == pytest.approx(1.0, abs=1e-12)
    counts = summary.groupby(["frequency", "recency"]).size()
    observed = np.array([counts.get(cell, 0) for cell in cells])
    expected = 60_000 * probability
    assert expected.min() > 20
    statistic = _chi_square(observed, expected)
    assert statistic < stats.chi2.ppf(0.999, df=len(cells) - 1), statistic


def test_bgbb_summary_counts_match_lifetimes_expected_counts():
    summary = clv.simulate.simulate_bgbb_summary(40_000, BGBB, 6, seed=7, time_unit="Y")
    assert summary.attrs["time_unit"] == "Y"
    assert (summary["n_periods"] == 6).all()
    fitter = BetaGeoBetaBinomFitter()
    fitter.params_ = pd.Series(BGBB)
    fitter.data = pd.DataFrame({"frequency": np.arange(7), "weights": np.ones(7)})
    expected = fitter.expected_number_of_transactions_in_first_n_periods(6)["model"] / 7
    observed = np.bincount(summary["frequency"], minlength=7)
    assert _chi_square(observed, 40_000 * expected.to_numpy()) < stats.chi2.ppf(0.999, df=6)


def test_bgbb_fit_on_a_simulated_log_recovers_the_parameters():
    summary = clv.simulate.simulate_bgbb_summary(40_000, BGBB, 6, seed=11, time_unit="Y")
    fit = clv.BetaGeoBetaBinomModel().fit(summary)
    names = fit.param_names
    diff = np.log([fit.params_[k] for k in names]) - np.log([BGBB[k] for k in names])
    assert float(diff @ np.linalg.solve(fit.log_covariance_, diff)) < stats.chi2.ppf(0.999, 4)


def _continuous_summary(log, time_unit="W"):
    """(x, t_x, T) per customer of a simulated log, in ``time_unit``, without rounding."""
    days = 7.0 if time_unit == "W" else 1.0
    end = pd.Timestamp(log.attrs["observation_period_end"])
    grouped = log.groupby("customer_id")["date"]
    first, last = grouped.min(), grouped.max()
    return pd.DataFrame(
        {
            "frequency": grouped.size() - 1,
            "recency": (last - first).dt.total_seconds() / 86_400 / days,
            "T": (end - first).dt.total_seconds() / 86_400 / days,
        }
    )


def _pareto_probability_of_no_purchase(t):
    """P(X(t) = 0): alive and no purchase, or dead at tau < t with none before (quad)."""
    r, alpha, s, beta = (PARETO[k] for k in ("r", "alpha", "s", "beta"))

    def died(tau):
        return (alpha / (alpha + tau)) ** r * s * beta**s / (beta + tau) ** (s + 1)

    alive = (alpha / (alpha + t)) ** r * (beta / (beta + t)) ** s
    return alive + integrate.quad(died, 0.0, t, epsabs=1e-13, epsrel=1e-11)[0]


def test_pareto_nbd_log_matches_the_closed_forms():
    log = clv.simulate.simulate_pareto_nbd_transactions(40_000, PARETO, seed=1987)
    summary = _continuous_summary(log)
    assert len(summary) == 40_000
    assert summary["T"].between(52.0 - 1e-6, 104.0).all()
    x, T = summary["frequency"].to_numpy(), summary["T"].to_numpy()
    fitter = ParetoNBDFitter()
    fitter.params_ = pd.Series(PARETO)
    mean = fitter.expected_number_of_purchases_up_to_time(T).mean()
    assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(len(x))
    grid = np.linspace(51.9, 104.1, 200)
    p_zero = np.interp(T, grid, [_pareto_probability_of_no_purchase(t) for t in grid])
    share, expected = np.mean(x == 0), p_zero.mean()
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / len(x))


@pytest.fixture(scope="module")
def bgnbd_logs():
    events = clv.simulate.simulate_transactions(40_000, BGNBD, seed=3, method="events")
    drawn = clv.simulate.simulate_transactions(40_000, BGNBD, seed=4, method="summary")
    return _continuous_summary(events), _continuous_summary(drawn)


def test_bgnbd_purchase_by_purchase_log_agrees_with_the_summary_simulator(bgnbd_logs):
    events, drawn = bgnbd_logs
    # x in cells 0..7 and 8+: a two-sample chi-square test of homogeneity, 8 df
    table = np.array(
        [np.bincount(np.minimum(s["frequency"], 8), minlength=9) for s in (events, drawn)]
    )
    statistic, p_value, df, _ = stats.chi2_contingency(table)
    assert df == 8 and p_value > 1e-3, statistic
    # the last purchase's time among repeat buyers, as a share of their age
    shares = [
        s.loc[s["frequency"] > 0, "recency"] / s.loc[s["frequency"] > 0, "T"] for s in bgnbd_logs
    ]
    se = np.sqrt(sum(v.var() / len(v) for v in shares))
    assert abs(shares[0].mean() - shares[1].mean()) < 4 * se
    assert stats.ks_2samp(*shares).pvalue > 1e-3


@pytest.mark.parametrize("which", [0, 1], ids=["events", "summary"])
def test_bgnbd_logs_match_lifetimes_closed_forms(bgnbd_logs, which):
    summary = bgnbd_logs[which]
    x, T = summary["frequency"].to_numpy(), summary["T"].to_numpy()
    fitter = BetaGeoFitter()
    fitter.params_ = pd.Series(BGNBD)
    mean = np.mean(fitter.expected_number_of_purchases_up_to_time(T))
    assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(len(x))
    p_zero = np.mean(fitter.probability_of_n_purchases_up_to_time(T, 0))
    assert abs(np.mean(x == 0) - p_zero) < 4 * np.sqrt(p_zero * (1 - p_zero) / len(x))


def test_log_simulators_check_their_input():
    with pytest.raises(ValueError, match="method must be one of"):
        clv.simulate.simulate_transactions(10, BGNBD, method="exact")
    with pytest.raises(ValueError, match="BG/BB parameters need"):
        clv.simulate.simulate_bgbb_transactions(10, {"alpha": 1.0}, 6)
    with pytest.raises(ValueError, match="n_periods"):
        clv.simulate.simulate_bgbb_transactions(10, BGBB, 0)
    with pytest.raises(ValueError, match="acquisition_periods must not exceed"):
        clv.simulate.simulate_pareto_nbd_transactions(10, PARETO, acquisition_periods=200)
    one = clv.simulate.simulate_bgbb_transactions(50, BGBB, 4, seed=1)
    assert one.equals(clv.simulate.simulate_bgbb_transactions(50, BGBB, 4, seed=1))
