"""Static covariates for the rest of the family at scale: MBG/NBD, BG/BB, Gamma-Gamma, sBG.

The five covariates of ``covariates_static.py`` (gender 0/1, age in whole years, contacts
0-10: numeric; channel with 3 levels and region with 4: categorical) with known effects;
MBG/NBD times in whole days (in weeks), BG/BB in 4-10 whole periods, sBG tenures of at
most 24 months. Each model is fitted without and with the covariates (in every process it
has); prints fit times, distinct row counts, iterations and the largest |estimate - truth|
in standard errors. Run: ``python benchmarks/covariates_family.py [n ...]`` (default
100000 1000000).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import clvmodels as clv

COLUMNS = ["gender", "age", "contacts", "channel", "region"]
#: Effects per encoded column, the same for every process (scaled per process below).
EFFECTS = {
    "gender": 0.3,
    "age": -0.01,
    "contacts": 0.1,
    "channel[online]": 0.4,
    "channel[store]": -0.2,
    "region[north]": 0.0,
    "region[south]": 0.1,
    "region[west]": -0.2,
}


def covariates(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gender": rng.integers(0, 2, n).astype(float),
            "age": rng.integers(18, 81, n).astype(float),
            "contacts": np.minimum(rng.poisson(2.0, n), 10).astype(float),
            "channel": rng.choice(["email", "online", "store"], n),
            "region": rng.choice(["east", "north", "south", "west"], n),
        }
    )


def predictor(frame: pd.DataFrame, scale: float) -> np.ndarray:
    """scale * gamma' z with the EFFECTS (age centred at 45 in the truth's intercept)."""
    eta = np.zeros(len(frame))
    for name, value in EFFECTS.items():
        if "[" in name:
            column, level = name[:-1].split("[")
            eta += value * (frame[column] == level).to_numpy(float)
        else:
            eta += value * frame[name].to_numpy(float)
    return scale * eta


def mbgnbd(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    frame = covariates(n, rng)
    eta_p, eta_d = predictor(frame, 1.0), predictor(frame, -0.5)
    truth = {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 3.0}
    T = rng.integers(30, 366, n) / 7.0
    lam = rng.gamma(truth["r"], 1.0 / (truth["alpha"] * np.exp(-eta_p)))
    p = rng.beta(truth["a"] * np.exp(eta_d), truth["b"] * np.exp(eta_d))
    events = rng.poisson(lam * T)
    x = np.minimum(events, rng.geometric(np.clip(p, 1e-300, 1.0)) - 1)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(events - x + 1, 1)), 0.0)
    t_x = np.where(x > 0, np.minimum(np.ceil(t_x * 7.0) / 7.0, T), 0.0)  # whole days
    data = pd.DataFrame({"frequency": x.astype(float), "recency": t_x, "T": T}).join(frame)
    return data, _truth(truth, ("purchase", 1.0), ("dropout", -0.5))


def bgbb(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    frame = covariates(n, rng)
    eta_p, eta_d = predictor(frame, 1.0), predictor(frame, -0.5)
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.65, "delta": 2.8}
    p = rng.beta(truth["alpha"] * np.exp(eta_p), truth["beta"])
    theta = rng.beta(truth["gamma"] * np.exp(eta_d), truth["delta"])
    n_periods = rng.integers(4, 11, n).astype(float)
    alive_for = np.minimum(rng.geometric(np.clip(theta, 1e-300, 1.0)) - 1, n_periods)
    opportunity = np.arange(1, 11)
    bought = (rng.random((n, 10)) < p[:, None]) & (opportunity <= alive_for[:, None])
    x = bought.sum(axis=1).astype(float)
    t_x = np.where(x > 0, (bought * opportunity).max(axis=1), 0).astype(float)
    data = pd.DataFrame({"frequency": x, "recency": t_x, "n_periods": n_periods}).join(frame)
    return data, _truth(truth, ("purchase", 1.0), ("dropout", -0.5))


def gamma_gamma(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    frame = covariates(n, rng)
    truth = {"p": 6.0, "q": 4.0, "v": 15.0}
    nu = rng.gamma(truth["q"], 1.0 / (truth["v"] * np.exp(predictor(frame, 1.0))))
    x = (1 + rng.poisson(3.0, n)) * (rng.random(n) > 0.4)
    m = np.where(x > 0, rng.gamma(truth["p"] * np.maximum(x, 1)) / (np.maximum(x, 1) * nu), 0.0)
    m = np.round(m, 2)  # cents
    data = pd.DataFrame({"frequency": x.astype(float), "monetary_value": m}).join(frame)
    return data, _truth(truth, ("spend", 1.0))


def sbg(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    frame = covariates(n, rng)
    truth = {"alpha": 0.7, "beta": 1.2}
    theta = rng.beta(truth["alpha"] * np.exp(predictor(frame, 1.0)), truth["beta"])
    lifetime = rng.geometric(np.clip(theta, 1e-300, 1.0))
    observed = rng.integers(1, 25, n)
    churned = lifetime <= observed
    data = frame.assign(tenure=np.where(churned, lifetime, observed), churned=churned)
    return data, _truth(truth, ("churn", 1.0))


def _truth(base: dict, *processes: tuple[str, float]) -> dict:
    return base | {
        f"{process}:{name}": scale * value
        for process, scale in processes
        for name, value in EFFECTS.items()
    }


CASES = {
    "MBG/NBD": (mbgnbd, clv.ModifiedBetaGeoModel, ("purchase", "dropout")),
    "BG/BB": (bgbb, clv.BetaGeoBetaBinomModel, ("purchase", "dropout")),
    "Gamma-Gamma": (gamma_gamma, clv.GammaGammaModel, ("spend",)),
    "sBG per subscriber": (sbg, clv.ShiftedBetaGeoModel, ("churn",)),
}


def fit(cls: type, data: pd.DataFrame, processes: tuple[str, ...], with_covariates: bool):
    keywords = {f"{p}_covariates": COLUMNS for p in processes} if with_covariates else {}
    model = cls(**keywords)
    start = time.perf_counter()
    if cls is clv.ShiftedBetaGeoModel:
        model.fit_customers(data["tenure"], data["churned"], covariates=data)
    else:
        model.fit(data)
    return model, time.perf_counter() - start


def main(sizes: list[int]) -> None:
    for label, (draw, cls, processes) in CASES.items():
        small, _ = draw(2000, np.random.default_rng(0))
        fit(cls, small, processes, True)  # compile and warm up
        for n in sizes:
            data, truth = draw(n, np.random.default_rng(1))
            plain, plain_s = fit(cls, data, processes, False)
            model, seconds = fit(cls, data, processes, True)
            table = model.summary()
            z = max(
                abs(table.at[k, "estimate"] - v) / table.at[k, "std_error"]
                for k, v in truth.items()
            )
            print(
                f"{label}: {n} customers; without covariates {plain_s:.1f} s on "
                f"{plain.n_unique_rows_} distinct rows; with 5 covariates "
                f"({len(model.param_names)} parameters) {seconds:.1f} s on "
                f"{model.n_unique_rows_} distinct rows, {model.n_iterations_} iterations; "
                f"largest |estimate - truth| = {z:.1f} SE",
                flush=True,
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
