"""Customers drawn from the models' stories: rates, dropout, and what they did in (0, T].

The building blocks of :mod:`clvmodels.simulate`, written from numpy alone (never from
``clvmodels.models``), so that tests can use the draws as known truth. Every function takes
a ``numpy.random.Generator``.

BG/NBD (Fader, Hardie & Lee 2005, section 3): purchase rate lambda ~ Gamma(r, rate alpha),
dropout probability p ~ Beta(a, b); purchases follow a Poisson process with rate lambda,
and after each repeat purchase she drops out with probability p.

Pareto/NBD (Schmittlein, Morrison & Colombo 1987): lambda ~ Gamma(r, rate alpha), dropout
rate mu ~ Gamma(s, rate beta), lifetime tau ~ Exp(mu); Poisson purchases while alive.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "bgnbd_purchase_events",
    "check_params",
    "draw_bgnbd_customers",
    "draw_pareto_nbd_customers",
    "draw_spend_rates",
    "generator",
    "observation_lengths",
]


def generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """``seed`` itself when it is a Generator, else a new Generator seeded with it."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def check_params(params: Mapping[str, float], names: tuple[str, ...], model: str) -> list[float]:
    """The named parameters as floats; each must be present, finite and > 0."""
    missing = [n for n in names if n not in params]
    if missing:
        raise ValueError(f"{model} parameters need {names}; missing {missing}")
    values = [float(params[n]) for n in names]
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"{model} parameters must be finite and > 0, got {dict(params)}")
    return values


def observation_lengths(T: ArrayLike, n: int) -> np.ndarray:
    """``T`` broadcast to one length per customer; each finite and >= 0."""
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    if np.any(~np.isfinite(T)) or np.any(T < 0):
        raise ValueError("T must be finite and >= 0")
    return T


def draw_bgnbd_customers(
    n: int, bgnbd: Mapping[str, float], T: ArrayLike, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of ``n`` BG/NBD customers, drawn without simulating each purchase.

    She dies after her K-th repeat purchase, K ~ Geometric(p); N(T) ~ Poisson(lambda T)
    purchases would happen in (0, T] were she immortal; so x = min(K, N(T)), and given
    N(T) = m the x-th arrival is the x-th of m uniform order statistics on (0, T], i.e.
    t_x = T * Beta(x, m - x + 1).
    """
    r, alpha, a, b = check_params(bgnbd, ("r", "alpha", "a", "b"), "BG/NBD")
    T = observation_lengths(T, n)
    rate = rng.gamma(r, 1.0 / alpha, size=n)
    dropout = rng.beta(a, b, size=n)
    repeats_before_death = rng.geometric(dropout)
    n_immortal = rng.poisson(rate * T)
    x = np.minimum(repeats_before_death, n_immortal)
    positive = x > 0
    t_x = np.zeros(n)
    t_x[positive] = T[positive] * rng.beta(x[positive], n_immortal[positive] - x[positive] + 1)
    return x, t_x, T


def bgnbd_purchase_events(
    n: int, bgnbd: Mapping[str, float], T: ArrayLike, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each repeat purchase of ``n`` BG/NBD customers, one after another.

    The story told step by step: from her first purchase at 0 she waits an Exp(lambda)
    time for each next purchase; one after T is not seen (and ends her record); after each
    repeat purchase she drops out with probability p. Nothing is drawn from the summary's
    distribution, so this checks :func:`draw_bgnbd_customers`.

    Returns
    -------
    tuple
        ``owner`` (the customer 0..n-1 of each purchase) and ``time`` (its time after her
        first purchase, in (0, T]), ordered by purchase number.
    """
    r, alpha, a, b = check_params(bgnbd, ("r", "alpha", "a", "b"), "BG/NBD")
    T = observation_lengths(T, n)
    rate = rng.gamma(r, 1.0 / alpha, size=n)
    dropout = rng.beta(a, b, size=n)
    clock = np.zeros(n)
    active = np.arange(n)
    owners, times = [], []
    while active.size:
        with np.errstate(divide="ignore"):  # a rate that underflowed to 0 never buys
            clock[active] += rng.standard_exponential(active.size) / rate[active]
        active = active[clock[active] <= T[active]]
        owners.append(active)
        times.append(clock[active])
        active = active[rng.random(active.size) >= dropout[active]]
    return np.concatenate(owners), np.concatenate(times)


def draw_pareto_nbd_customers(
    n: int, pareto_nbd: Mapping[str, float], T: ArrayLike, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of ``n`` Pareto/NBD customers, drawn exactly.

    She lives an Exp(mu) time tau; she buys x ~ Poisson(lambda min(tau, T)) times in
    (0, min(tau, T)], and given x the last purchase is the largest of x uniform times
    there, t_x = min(tau, T) * Beta(x, 1).
    """
    r, alpha, s, beta = check_params(pareto_nbd, ("r", "alpha", "s", "beta"), "Pareto/NBD")
    T = observation_lengths(T, n)
    rate = rng.gamma(r, 1.0 / alpha, size=n)
    dropout = rng.gamma(s, 1.0 / beta, size=n)
    alive_for = np.minimum(rng.exponential(1.0 / dropout), T)
    x = rng.poisson(rate * alive_for)
    # the largest of x uniform times on (0, alive_for]: alive_for * Beta(x, 1)
    t_x = np.where(x > 0, alive_for * rng.random(n) ** (1.0 / np.maximum(x, 1)), 0.0)
    return x, t_x, T


def draw_spend_rates(
    n: int, spend: Mapping[str, float], rng: np.random.Generator
) -> tuple[float, np.ndarray]:
    """The shape p and per-customer rates nu ~ Gamma(q, rate v) of spend per purchase."""
    p, q, v = check_params(spend, ("p", "q", "v"), "Gamma-Gamma")
    return p, rng.gamma(q, 1.0 / v, size=n)
