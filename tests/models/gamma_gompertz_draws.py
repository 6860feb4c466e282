"""Customers drawn from the Gamma-Gompertz/NBD's story with numpy (never from the model code).

lambda_i ~ Gamma(r, rate alpha); eta_i ~ Gamma(s, rate beta); the lifetime solves
exp(-eta (e^{b tau} - 1)) = U, i.e. tau = log1p(Exp(1) / eta) / b (a Gompertz lifetime with
hazard b eta e^{b tau}); purchases are Poisson at rate lambda while alive and before T.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import clvmodels  # noqa: F401  (the summary accessor)

#: A truth with a Gompertz acceleration (beta > s + 1: the lifetimes' density peaks at
#: ln((beta - 1) / s) / b = 30.8 weeks), in weeks.
TRUTH = {"r": 0.8, "alpha": 6.0, "b": 0.05, "s": 1.5, "beta": 8.0}


def draw(
    n: int,
    params: dict[str, float] = TRUTH,
    seed: int = 2012,
    ages: tuple[float, float] = (26.0, 104.0),
    days: bool = False,
) -> pd.DataFrame:
    """A summary (weeks) of ``n`` customers acquired uniformly over ``ages`` weeks ago.

    With ``days``, recency and T are whole days (in weeks), as a daily log gives them.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    eta = rng.gamma(params["s"], 1.0 / params["beta"], n)
    lifetime = np.log1p(rng.exponential(1.0, n) / eta) / params["b"]
    T = rng.uniform(*ages, n)
    if days:
        T = np.ceil(T * 7.0) / 7.0
    active = np.minimum(lifetime, T)
    x = rng.poisson(lam * active)
    # the last of x uniform purchase times on (0, active)
    t_x = np.where(x > 0, active * rng.uniform(size=n) ** (1.0 / np.maximum(x, 1)), 0.0)
    if days:
        t_x = np.floor(t_x * 7.0) / 7.0
        x = np.where(t_x > 0, x, 0)
    frame = pd.DataFrame(
        {"frequency": x.astype(np.int64), "recency": t_x, "T": T},
        index=pd.Index(np.arange(n), name="customer_id"),
    )
    return frame.clv.state(time_unit="W", freq="D", observation_period_end="2024-12-31")
