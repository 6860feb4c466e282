"""Future P(alive) and the count distributions against simulation with known truth (issue 25).

``probability_alive(summary, at=s)`` is P(alive at T + s | history). Each model's customers
are drawn here from its story with numpy (not from ``clvmodels``), observed through T, and
followed through T + s: in groups of customers by frequency, the number alive at T + s
must match the sum of the predicted probabilities, and the number with k purchases in
(T, T + s] the sum of the predicted P(Y(s) = k | history), within 4.5 standard deviations
of a sum of independent Bernoulli draws (about 1 in 150 000 for each of the ~100
comparisons). ``at=0`` is today's P(alive) to 1e-12, and the BG/NBD's future P(alive) is
checked against a 20-digit mpmath integral over the dropout probability.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.models import beta_geo, modified_beta_geo, pareto_nbd
from clvmodels.models.beta_geo import counts as bg_counts
from clvmodels.models.beta_geo_beta_binom import counts as bb_counts
from clvmodels.models.beta_geo_beta_binom import math as bb_math
from clvmodels.models.modified_beta_geo import counts as mbg_counts
from clvmodels.models.pareto_nbd import counts as pnbd_counts

BG = {"r": 0.8, "alpha": 6.0, "a": 0.7, "b": 3.0}
PNBD = {"r": 0.8, "alpha": 6.0, "s": 0.9, "beta": 20.0}
BB = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
T_CAL, AHEAD, N = 52.0, 26.0, 20_000
Z_MAX = 4.5


def draw_beta_geo(params, trial_flip: bool, seed: int) -> pd.DataFrame:
    """(x, t_x, T), purchases in (T, T + AHEAD] and alive at T + AHEAD of BG/NBD customers.

    ``trial_flip``: the MBG/NBD's customer also flips her coin at her first purchase.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], N)
    p = rng.beta(params["a"], params["b"], N)
    now = np.zeros(N)
    alive = rng.random(N) >= p if trial_flip else np.ones(N, dtype=bool)
    x, t_x, y = np.zeros(N), np.zeros(N), np.zeros(N)
    active = alive.copy()
    while active.any():
        now = np.where(active, now + rng.exponential(1.0 / lam), now)
        active &= now <= T_CAL + AHEAD
        in_cal = active & (now <= T_CAL)
        x += in_cal
        t_x = np.where(in_cal, now, t_x)
        y += active & (now > T_CAL)
        dies = active & (rng.random(N) < p)
        alive &= ~dies
        active &= ~dies
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": T_CAL, "y": y, "alive": alive})


def draw_pareto(params, seed: int) -> pd.DataFrame:
    """The same for Pareto/NBD customers (Poisson counts on the lifetime)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], N)
    life = rng.exponential(1.0 / rng.gamma(params["s"], 1.0 / params["beta"], N))
    seen = np.minimum(life, T_CAL)
    x = rng.poisson(lam * seen)
    t_x = np.where(x > 0, seen * rng.random(N) ** (1.0 / np.maximum(x, 1)), 0.0)
    y = rng.poisson(lam * np.clip(np.minimum(life, T_CAL + AHEAD) - T_CAL, 0.0, None))
    return pd.DataFrame(
        {"frequency": x, "recency": t_x, "T": T_CAL, "y": y, "alive": life > T_CAL + AHEAD}
    )


def draw_bgbb(params, n: int, ahead: int, seed: int) -> pd.DataFrame:
    """(x, t_x, n), transactions in the next ``ahead`` periods, alive in period n + ahead."""
    rng = np.random.default_rng(seed)
    p = rng.beta(params["alpha"], params["beta"], N)
    theta = rng.beta(params["gamma"], params["delta"], N)
    alive = np.ones(N, dtype=bool)
    x, t_x, y = np.zeros(N), np.zeros(N), np.zeros(N)
    for period in range(1, n + ahead + 1):
        alive &= rng.random(N) >= theta  # death at the start of the period
        buys = alive & (rng.random(N) < p)
        if period <= n:
            x += buys
            t_x = np.where(buys, period, t_x)
        else:
            y += buys
    return pd.DataFrame(
        {"frequency": x, "recency": t_x, "n_periods": float(n), "y": y, "alive": alive}
    )


def check_sums(observed: np.ndarray, probabilities: np.ndarray, what: str) -> None:
    """The count of events against the sum of their probabilities (independent Bernoullis)."""
    expected = probabilities.sum()
    sd = np.sqrt((probabilities * (1 - probabilities)).sum())
    z = (observed.sum() - expected) / max(sd, 1e-12)
    assert abs(z) < Z_MAX, f"{what}: observed {observed.sum()}, expected {expected:.1f} (z={z:.2f})"


def check_against_draws(data: pd.DataFrame, pmf: np.ndarray, alive: np.ndarray) -> None:
    """Per frequency group: alive at the end, and each count 0..4 and >= 5 in the holdout."""
    groups = np.digitize(data["frequency"], [1, 3, 6, 10])
    for group in np.unique(groups):
        rows = groups == group
        check_sums(data["alive"].to_numpy()[rows], alive[rows], f"alive, group {group}")
        for k in range(5):
            check_sums((data["y"].to_numpy() == k)[rows], pmf[k, rows], f"Y = {k}, group {group}")
        rest = np.clip(1.0 - pmf[:5, rows].sum(axis=0), 0.0, 1.0)
        check_sums((data["y"].to_numpy() >= 5)[rows], rest, f"Y >= 5, group {group}")


@pytest.mark.parametrize(
    ("counts", "trial_flip"), [(bg_counts, False), (mbg_counts, True)], ids=["bgnbd", "mbgnbd"]
)
def test_beta_geo_family_matches_simulation(counts, trial_flip):
    data = draw_beta_geo(BG, trial_flip, seed=11)
    history = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    x, t_x, T = history
    pmf = counts.conditional_probability_of_purchases(BG, AHEAD, np.arange(5.0)[:, None], x, t_x, T)
    alive = counts.probability_alive_after(BG, AHEAD, x, t_x, T)
    check_against_draws(data, pmf, alive)


def test_pareto_matches_simulation():
    data = draw_pareto(PNBD, seed=12)
    x, t_x, T = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    pmf = pnbd_counts.conditional_probability_of_purchases(
        PNBD, AHEAD, np.arange(5.0)[:, None], x, t_x, T
    )
    alive = pnbd_counts.probability_alive_after(PNBD, AHEAD, x, t_x, T)
    check_against_draws(data, pmf, alive)


def test_bgbb_matches_simulation():
    data = draw_bgbb(BB, n=6, ahead=5, seed=13)
    x, t_x, n = (data[c].to_numpy() for c in ("frequency", "recency", "n_periods"))
    pmf = bb_counts.conditional_probability_of_purchases(BB, 5, np.arange(5.0)[:, None], x, t_x, n)
    alive = bb_math.probability_alive(BB, x, t_x, n, 5)
    check_against_draws(data, pmf, alive)


# -- at = 0, monotone, mpmath ---------------------------------------------------------------


HISTORY = (np.array([0.0, 1, 4, 30]), np.array([0.0, 3, 30, 51]), np.array([52.0, 52, 52, 52]))


@pytest.mark.parametrize(
    ("math", "counts", "params"),
    [
        (beta_geo, bg_counts, BG),
        (modified_beta_geo, mbg_counts, BG),
        (pareto_nbd, pnbd_counts, PNBD),
    ],
)
def test_at_zero_is_todays_probability_alive_and_it_falls_with_at(math, counts, params):
    today = math.probability_alive(params, *HISTORY)
    np.testing.assert_allclose(
        counts.probability_alive_after(params, 0.0, *HISTORY), today, rtol=0, atol=1e-12
    )
    path = np.array(
        [counts.probability_alive_after(params, s, *HISTORY) for s in (1, 10, 100, 1e4)]
    )
    assert np.all(np.diff(path, axis=0) < 0) and np.all(path >= 0)


def test_bgnbd_future_alive_matches_mpmath():
    """P_A times E_p[(1 + p s / (alpha + T))^-(r + x)], p ~ Beta(a, b + x), by quadrature."""
    mp.mp.dps = 20
    r, alpha, a, b = (mp.mpf(v) for v in BG.values())
    for x, t_x, T, s in ((4, 30.0, 52.0, 26.0), (30, 51.0, 52.0, 300.0)):
        p_a = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))

        def survives(q, x=x, s=s, T=T):
            p = 1 / (1 + mp.exp(-q))
            density = p**a * (1 - p) ** (b + x) / mp.beta(a, b + x)
            return density * (1 + p * s / (alpha + T)) ** (-(r + x))

        want = p_a * mp.quad(survives, mp.linspace(-80, 40, 60))
        got = bg_counts.probability_alive_after(BG, s, x, t_x, T)
        assert float(got) == pytest.approx(float(want), rel=1e-8, abs=1e-12)


# -- the estimators' keyword ----------------------------------------------------------------


def test_models_take_at_and_bgbb_at_is_periods_ahead(cdnow_summary):
    for cls in (clv.BetaGeoModel, clv.ModifiedBetaGeoModel, clv.ParetoNBDModel):
        model = cls().fit(cdnow_summary)
        np.testing.assert_allclose(
            model.probability_alive(cdnow_summary, at=0),
            model.probability_alive(cdnow_summary),
            atol=1e-12,
        )
        later = model.probability_alive(cdnow_summary, at=52)
        assert (
            later.name == "p_alive"
            and (later <= model.probability_alive(cdnow_summary) + 1e-15).all()
        )
        with pytest.raises(ValueError, match="at must be one finite number >= 0"):
            model.probability_alive(cdnow_summary, at=-1)
    donations = clv.datasets.load_donations()
    bb = clv.BetaGeoBetaBinomModel().fit(donations, weights=donations["count"])
    for m in (0, 1, 3):
        pd.testing.assert_series_equal(
            bb.probability_alive(donations, at=m), bb.probability_alive(donations, periods_ahead=m)
        )


def test_time_varying_covariate_models_refuse_at(bgnbd_cdnow, cdnow_summary):
    """Their P(alive) follows each customer's covariate path to T; beyond T it is not offered."""
    model = clv.BetaGeoModel()
    model.__dict__.update(bgnbd_cdnow.__dict__)
    model.dynamic_covariates_ = None  # marks a time-varying fit
    with pytest.raises(NotImplementedError, match="not available with time-varying covariates"):
        model.probability_alive(cdnow_summary, at=4.0)
