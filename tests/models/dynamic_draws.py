"""Customers with time-varying covariates drawn from the models' stories (numpy only).

Weekly periods from Sunday 2023-12-31 (CLVTools' weeks start on Sundays); each customer
is born (first purchase) on a day in the first ``birth_weeks`` weeks. Covariates per
customer and week: ``season`` (the same for everyone: 1 in weeks 10-19 and 30-39 of
each 52), ``contact`` (0/1 per customer and week, probability 0.3) and ``gender`` (0/1
per customer, constant).

Pareto/NBD: in week k the customer buys at the rate lambda e^{eta_P,k} and dies at the
rate mu e^{eta_D,k}. BG/NBD (the analogue of :mod:`clvmodels.models.beta_geo.dynamic`):
she buys at lambda e^{eta_P,k} and after each repeat purchase in week k survives with
probability (1 - p)^{e^{eta_D,k}}. Both are simulated in continuous time within each week
(exact: rates are constant there), then written as a log of timestamps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import clvmodels as clv

ORIGIN = pd.Timestamp("2023-12-31")
COLUMNS = ("season", "contact", "gender")


def covariate_frame(n: int, weeks: int, rng: np.random.Generator) -> pd.DataFrame:
    """The long frame: customer_id, period_start, season, contact, gender."""
    week = np.arange(weeks)
    season = (((week % 52) >= 10) & ((week % 52) < 20)) | (((week % 52) >= 30) & ((week % 52) < 40))
    gender = rng.integers(0, 2, n)
    contact = (rng.random((n, weeks)) < 0.3).astype(float)
    return pd.DataFrame(
        {
            "customer_id": np.repeat([f"c{i:06d}" for i in range(n)], weeks),
            "period_start": np.tile(ORIGIN + pd.to_timedelta(7 * week, unit="D"), n),
            "season": np.tile(season.astype(float), n),
            "contact": contact.ravel(),
            "gender": np.repeat(gender.astype(float), weeks),
        }
    )


def draw(
    model: str,
    n: int,
    truth: dict[str, float],
    effects: dict[str, float],
    seed: int,
    weeks: int = 60,
    calibration_weeks: int = 52,
    birth_weeks: int = 12,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(summary, frame, log) for ``model`` in {"pareto_nbd", "beta_geo"}.

    ``effects`` maps ``purchase:NAME`` / ``dropout:NAME`` to coefficients (missing = 0).
    The frame and the log run ``weeks`` weeks; the summary ends at the start of the last
    day of ``calibration_weeks`` (the log's later purchases are the holdout).
    """
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, weeks, rng)
    x = {c: frame[c].to_numpy().reshape(n, weeks) for c in COLUMNS}
    eta_p = sum(effects.get(f"purchase:{c}", 0.0) * x[c] for c in COLUMNS)
    eta_d = sum(effects.get(f"dropout:{c}", 0.0) * x[c] for c in COLUMNS)
    a, b = np.exp(eta_p + np.zeros((n, weeks))), np.exp(eta_d + np.zeros((n, weeks)))
    lam = rng.gamma(truth["r"], 1.0 / truth["alpha"], n)
    if model == "pareto_nbd":
        mu = rng.gamma(truth["s"], 1.0 / truth["beta"], n)
        hazard_left = rng.exponential(1.0, n)
    else:
        p = rng.beta(truth["a"], truth["b"], n)
    birth_day = rng.integers(0, 7 * birth_weeks, n)
    end = 7.0 * calibration_weeks - 1.0  # days from ORIGIN: the summary's last day starts
    ids, times = [np.arange(n)], [birth_day.astype(float)]
    alive = np.ones(n, dtype=bool)
    for k in range(weeks):
        lo = np.maximum(7.0 * k, birth_day)
        hi = np.full(n, 7.0 * (k + 1))
        width = np.where(alive, np.maximum(hi - lo, 0.0), 0.0) / 7.0  # weeks
        if model == "pareto_nbd":
            # death within this week where the remaining exposure runs out
            used = mu * b[:, k] * width
            dies = alive & (used >= hazard_left)
            width = np.where(dies, hazard_left / (mu * b[:, k]), width)
            hazard_left = np.where(alive, hazard_left - used, hazard_left)
        count = rng.poisson(lam * a[:, k] * width)
        for i in np.flatnonzero(count):
            when = np.sort(lo[i] + 7.0 * width[i] * rng.random(count[i]))
            if model == "beta_geo":  # a dropout chance after each purchase
                survive = rng.random(count[i]) < (1.0 - p[i]) ** b[i, k]
                stop = np.flatnonzero(~survive)
                if len(stop):
                    when = when[: stop[0] + 1]
                    alive[i] = False
            ids.append(np.full(len(when), i))
            times.append(when)
        if model == "pareto_nbd":
            alive &= ~dies
    ids, times = np.concatenate(ids), np.concatenate(times)
    # the summary ends at the start of its last day; purchases on that day itself would sit
    # at t_x = T on the period grid (where CLVTools 0.12.1 reads another customer's
    # covariates): the log has none, later ones are the holdout
    keep = (times < end) | (times >= end + 1.0)
    ids, times = ids[keep], times[keep]
    log = pd.DataFrame(
        {
            "customer_id": np.array([f"c{i:06d}" for i in range(n)])[ids],
            "date": ORIGIN + pd.to_timedelta(np.round(times * 86400), unit="s"),
        }
    )
    end_day = ORIGIN + pd.Timedelta(days=end)
    summary = clv.rfm_summary(
        log, "customer_id", "date", freq="D", time_unit="W", observation_period_end=end_day
    )
    return summary, frame, log


#: The Pareto/NBD truth the dynamic tests draw from.
PNBD_TRUTH = {"r": 0.8, "alpha": 6.0, "s": 0.7, "beta": 10.0}
PNBD_EFFECTS = {
    "purchase:season": 0.5,
    "purchase:contact": 0.4,
    "dropout:contact": -0.3,
    "dropout:gender": 0.4,
}


def assert_gradient(terms, theta: np.ndarray, arrays: dict, k: int) -> None:
    """``terms(base, beta_p, beta_d, arrays)``'s gradient against central differences."""

    def value(t):
        return terms(t[:4], t[4 : 4 + k], t[4 + k :], arrays)[0]

    _, grad, _ = terms(theta[:4], theta[4 : 4 + k], theta[4 + k :], arrays)
    for j in range(len(theta)):
        step = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        numeric = (value(up) - value(down)) / (2 * step)
        np.testing.assert_allclose(grad[j], numeric, rtol=1e-5, atol=1e-5 * np.abs(numeric).max())
