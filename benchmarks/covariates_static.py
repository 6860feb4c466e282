"""Static covariates at scale: BG/NBD and Pareto/NBD maximum likelihood, 1M customers.

Five covariates (gender 0/1, age in whole years, contacts 0-10: numeric; channel with 3
levels and region with 4: categorical), drawn with known effects; times in whole days
(in weeks), as a daily transaction log gives. Prints fit times (wall clock and the
process's CPU time over all threads, with the load average: the machine may be shared),
the distinct rows and covariate profiles, and the estimates against the truth. Run:
``python benchmarks/covariates_static.py [n]``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd

import clvmodels as clv

COLUMNS = ["gender", "age", "contacts", "channel", "region"]


def customers(n: int, story: str, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "gender": rng.integers(0, 2, n).astype(float),
            "age": rng.integers(18, 81, n).astype(float),
            "contacts": np.minimum(rng.poisson(2.0, n), 10).astype(float),
            "channel": rng.choice(["email", "online", "store"], n),
            "region": rng.choice(["east", "north", "south", "west"], n),
        }
    )
    eta_p = (
        0.3 * frame["gender"]
        - 0.01 * (frame["age"] - 45)
        + 0.1 * frame["contacts"]
        + 0.4 * (frame["channel"] == "online")
        - 0.2 * (frame["region"] == "west")
    ).to_numpy()
    eta_d = (
        -0.4 * frame["gender"] + 0.01 * (frame["age"] - 45) + 0.5 * (frame["channel"] == "store")
    ).to_numpy()
    T = rng.integers(30, 366, n) / 7.0
    if story == "pnbd":
        lam = rng.gamma(0.6, 1.0 / (8.0 * np.exp(-eta_p)))
        mu = rng.gamma(0.8, 1.0 / (12.0 * np.exp(-eta_d)))
        end = np.minimum(rng.exponential(1.0 / mu), T)
        x = rng.poisson(lam * end)
        t_x = np.where(x > 0, end * rng.beta(np.maximum(x, 1), 1.0), 0.0)
    else:
        lam = rng.gamma(0.25, 1.0 / (4.0 * np.exp(-eta_p)))
        p = rng.beta(0.8 * np.exp(eta_d), 2.5 * np.exp(eta_d))
        events = rng.poisson(lam * T)
        x = np.minimum(events, rng.geometric(np.clip(p, 1e-300, 1.0)))
        t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(events - x + 1, 1)), 0)
    t_x = np.minimum(np.ceil(t_x * 7.0) / 7.0, T)  # whole days
    t_x = np.where(x > 0, t_x, 0.0)
    summary = pd.DataFrame({"frequency": x.astype(float), "recency": t_x, "T": T})
    return summary.join(frame)


def main(n: int) -> None:
    for story, cls in (("bgnbd", clv.BetaGeoModel), ("pnbd", clv.ParetoNBDModel)):
        summary = customers(n, story)
        cls(purchase_covariates=COLUMNS, dropout_covariates=COLUMNS).fit(summary.head(2000))
        plain = cls()
        start = time.perf_counter()
        plain.fit(summary)
        plain_s = time.perf_counter() - start
        model = cls(purchase_covariates=COLUMNS, dropout_covariates=COLUMNS)
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(summary)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        profiles = len(summary[COLUMNS].drop_duplicates())
        print(
            f"{cls.__name__}: {n} customers; without covariates {plain_s:.1f} s on "
            f"{plain.n_unique_rows_} distinct rows; with 5 covariates ({len(model.param_names)} "
            f"parameters) {seconds:.1f} s ({cpu:.1f} s CPU, load {os.getloadavg()[0]:.1f}) on "
            f"{model.n_unique_rows_} distinct rows ({profiles} covariate profiles), "
            f"{model.n_iterations_} iterations, log-likelihood {model.log_likelihood_:.6f}"
        )
        print(model.summary()[["estimate", "std_error"]].round(4).to_string())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
