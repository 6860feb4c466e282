"""Simulated customers with static covariates, drawn from the models' stories (not the code).

Pareto/NBD: lambda_i ~ Gamma(r, rate alpha e^{-eta_p}), mu_i ~ Gamma(s, rate beta e^{-eta_d}),
an exponential lifetime, Poisson purchases while alive. BG/NBD: lambda_i as above,
p_i ~ Beta(a e^{eta_d}, b e^{eta_d}); after each purchase the customer drops out with
probability p_i. Only numpy's generators are used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TRUE_EFFECTS = {
    "purchase:gender": 0.4,
    "purchase:channel[online]": -0.3,
    "purchase:channel[store]": 0.0,
    "dropout:gender": -0.5,
    "dropout:channel[online]": 0.6,
    "dropout:channel[store]": 0.0,
}


def covariate_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """gender (0/1, numeric) and channel (email / online / store, categorical)."""
    return pd.DataFrame(
        {
            "gender": rng.integers(0, 2, n).astype(float),
            "channel": rng.choice(["email", "online", "store"], n),
        },
        index=pd.Index(np.arange(n), name="customer_id"),
    )


def predictors(frame: pd.DataFrame, effects: dict[str, float]) -> tuple[np.ndarray, ...]:
    online = (frame["channel"] == "online").to_numpy(float)
    store = (frame["channel"] == "store").to_numpy(float)
    gender = frame["gender"].to_numpy(float)
    return tuple(
        effects[f"{p}:gender"] * gender
        + effects[f"{p}:channel[online]"] * online
        + effects[f"{p}:channel[store]"] * store
        for p in ("purchase", "dropout")
    )


def _summary(x, t_x, T, frame):
    out = pd.DataFrame({"frequency": x.astype(float), "recency": t_x, "T": T}, index=frame.index)
    return out.join(frame)


def pareto_nbd_customers(n, params, effects, seed):
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, rng)
    eta_p, eta_d = predictors(frame, effects)
    T = rng.uniform(26.0, 52.0, n)
    lam = rng.gamma(params["r"], 1.0 / (params["alpha"] * np.exp(-eta_p)))
    mu = rng.gamma(params["s"], 1.0 / (params["beta"] * np.exp(-eta_d)))
    end = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * end)
    t_x = np.where(x > 0, end * rng.beta(np.maximum(x, 1), 1.0), 0.0)  # max of x uniforms
    return _summary(x, t_x, T, frame)


def beta_geo_customers(n, params, effects, seed):
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, rng)
    eta_p, eta_d = predictors(frame, effects)
    T = rng.uniform(26.0, 52.0, n)
    lam = rng.gamma(params["r"], 1.0 / (params["alpha"] * np.exp(-eta_p)))
    p = rng.beta(params["a"] * np.exp(eta_d), params["b"] * np.exp(eta_d))
    events = rng.poisson(lam * T)  # purchases in (0, T] if she never dropped out
    made = rng.geometric(np.clip(p, 1e-300, 1.0))  # she drops out right after this purchase
    x = np.minimum(events, made)
    # the x-th of `events` uniform times on (0, T) is T * Beta(x, events - x + 1)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(events - x + 1, 1)), 0.0)
    return _summary(x, t_x, T, frame)


def modified_beta_geo_customers(n, params, effects, seed):
    """MBG/NBD: as the BG/NBD, with a dropout coin at the first (trial) purchase too."""
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, rng)
    eta_p, eta_d = predictors(frame, effects)
    T = rng.uniform(26.0, 52.0, n)
    lam = rng.gamma(params["r"], 1.0 / (params["alpha"] * np.exp(-eta_p)))
    p = rng.beta(params["a"] * np.exp(eta_d), params["b"] * np.exp(eta_d))
    events = rng.poisson(lam * T)
    # coins at purchases 0 (the trial), 1, 2, ...: the first heads at coin k leaves k repeats
    made = rng.geometric(np.clip(p, 1e-300, 1.0)) - 1
    x = np.minimum(events, made)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(events - x + 1, 1)), 0.0)
    return _summary(x, t_x, T, frame)


def beta_geo_beta_binom_customers(n, params, effects, seed, periods=(5, 7)):
    """BG/BB: p_i ~ Beta(alpha e^{eta_p}, beta), theta_i ~ Beta(gamma e^{eta_d}, delta).

    Before each opportunity a living customer dies with probability theta_i; while alive she
    transacts in an opportunity with probability p_i. Returns (frequency, recency,
    n_periods) with the covariates; n is drawn from ``periods`` (the cohorts' lengths).
    """
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, rng)
    eta_p, eta_d = predictors(frame, effects)
    p = rng.beta(params["alpha"] * np.exp(eta_p), params["beta"])
    theta = rng.beta(params["gamma"] * np.exp(eta_d), params["delta"])
    n_periods = rng.choice(np.asarray(periods, dtype=float), n)
    alive_for = np.minimum(rng.geometric(np.clip(theta, 1e-300, 1.0)) - 1, n_periods)
    opportunity = np.arange(1, int(max(periods)) + 1)
    bought = (rng.random((n, len(opportunity))) < p[:, None]) & (opportunity <= alive_for[:, None])
    x = bought.sum(axis=1).astype(float)
    t_x = np.where(x > 0, (bought * opportunity).max(axis=1), 0).astype(float)
    out = pd.DataFrame({"frequency": x, "recency": t_x, "n_periods": n_periods}, index=frame.index)
    return out.join(frame)


SPEND_EFFECTS = {"spend:gender": 0.3, "spend:channel[online]": -0.25, "spend:channel[store]": 0.0}


def linear_predictor(frame: pd.DataFrame, effects: dict[str, float], process: str) -> np.ndarray:
    """gamma' z of one process, from the effects named ``process:COLUMN[LEVEL]``."""
    return (
        effects[f"{process}:gender"] * frame["gender"].to_numpy(float)
        + effects[f"{process}:channel[online]"] * (frame["channel"] == "online").to_numpy(float)
        + effects[f"{process}:channel[store]"] * (frame["channel"] == "store").to_numpy(float)
    )


def gamma_gamma_customers(n, params, effects, seed):
    """Gamma-Gamma: nu_i ~ Gamma(q, rate v e^{eta_s}), each spend ~ Gamma(p, rate nu_i).

    x ~ 1 + Poisson(3) repeat purchases (a fifth of the customers have none: x = 0, m = 0);
    m is the mean of the x spends, Gamma(p x, rate x nu_i).
    """
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, rng)
    eta = linear_predictor(frame, effects, "spend")
    nu = rng.gamma(params["q"], 1.0 / (params["v"] * np.exp(eta)))
    x = (1 + rng.poisson(3.0, n)) * (rng.random(n) > 0.2)
    m = np.where(x > 0, rng.gamma(params["p"] * np.maximum(x, 1)) / (np.maximum(x, 1) * nu), 0.0)
    out = pd.DataFrame({"frequency": x.astype(float), "monetary_value": m}, index=frame.index)
    return out.join(frame)


CHURN_EFFECTS = {"churn:gender": 0.5, "churn:channel[online]": -0.4, "churn:channel[store]": 0.0}


def subscribers(n, params, effects, seed, horizon=10):
    """sBG: theta_i ~ Beta(alpha e^{eta_c}, beta); she churns at renewal t w.p. theta_i each.

    Each subscriber is observed for H ~ uniform{1..horizon} renewals: tenure = her lifetime
    T (churned) if T <= H, else H (still active).
    """
    rng = np.random.default_rng(seed)
    frame = covariate_frame(n, rng)
    eta = linear_predictor(frame, effects, "churn")
    theta = rng.beta(params["alpha"] * np.exp(eta), params["beta"])
    lifetime = rng.geometric(np.clip(theta, 1e-300, 1.0))
    observed = rng.integers(1, horizon + 1, n)
    churned = lifetime <= observed
    return frame.assign(tenure=np.where(churned, lifetime, observed), churned=churned)
