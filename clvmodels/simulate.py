"""Draw customers from BG/NBD or Pareto/NBD (+ Gamma-Gamma) with known parameters.

For tests (parameter recovery) and benchmarks. Every function takes an explicit
``numpy.random.Generator`` (or a seed); nothing touches global random state.

The summary is drawn exactly, without simulating each purchase.

BG/NBD: a customer with purchase rate lambda and dropout probability p dies
after her K-th repeat purchase, K ~ Geometric(p); N(T) ~ Poisson(lambda T)
purchases would happen in (0, T] were she immortal; so x = min(K, N(T)), and
given N(T) = n the x-th arrival is the x-th of n uniform order statistics on
(0, T], i.e. t_x = T * Beta(x, n - x + 1).

Pareto/NBD: a customer with purchase rate lambda and dropout rate mu lives an
Exp(mu) time tau; she buys x ~ Poisson(lambda min(tau, T)) times in
(0, min(tau, T)], and given x the last purchase is the largest of x uniform
times there, t_x = min(tau, T) * Beta(x, 1).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
the easy way. *Marketing Science*, 24(2), 275-284 (the BG/NBD's story, section 3).

Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your
customers: who are they and what will they do next? *Management Science*,
33(1), 1-24 (the Pareto/NBD's assumptions).

Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model
and related expressions. http://brucehardie.com/notes/009/
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.units import TIME_UNIT_ATTR, canonical_unit, days_per_unit

__all__ = ["simulate_pareto_nbd_summary", "simulate_summary", "simulate_transactions"]


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_params(params: Mapping[str, float], names: tuple[str, ...], model: str) -> list[float]:
    missing = [n for n in names if n not in params]
    if missing:
        raise ValueError(f"{model} parameters need {names}; missing {missing}")
    values = [float(params[n]) for n in names]
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"{model} parameters must be finite and > 0, got {dict(params)}")
    return values


def _observation_lengths(T: ArrayLike, n: int) -> np.ndarray:
    T = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    if np.any(~np.isfinite(T)) or np.any(T < 0):
        raise ValueError("T must be finite and >= 0")
    return T


def _draw_customers(n, bgnbd, T, rng):
    r, alpha, a, b = _check_params(bgnbd, ("r", "alpha", "a", "b"), "BG/NBD")
    T = _observation_lengths(T, n)
    rate = rng.gamma(r, 1.0 / alpha, size=n)
    dropout = rng.beta(a, b, size=n)
    repeats_before_death = rng.geometric(dropout)
    n_immortal = rng.poisson(rate * T)
    x = np.minimum(repeats_before_death, n_immortal)
    positive = x > 0
    t_x = np.zeros(n)
    t_x[positive] = T[positive] * rng.beta(x[positive], n_immortal[positive] - x[positive] + 1)
    return x, t_x, T


def _draw_spend(n, spend, rng):
    """The shape p and per-customer rates nu ~ Gamma(q, rate v) of spend per purchase."""
    p, q, v = _check_params(spend, ("p", "q", "v"), "Gamma-Gamma")
    return p, rng.gamma(q, 1.0 / v, size=n)


def _draw_pareto_nbd_customers(n, pareto_nbd, T, rng):
    r, alpha, s, beta = _check_params(pareto_nbd, ("r", "alpha", "s", "beta"), "Pareto/NBD")
    T = _observation_lengths(T, n)
    rate = rng.gamma(r, 1.0 / alpha, size=n)
    dropout = rng.gamma(s, 1.0 / beta, size=n)
    alive_for = np.minimum(rng.exponential(1.0 / dropout), T)
    x = rng.poisson(rate * alive_for)
    # the largest of x uniform times on (0, alive_for]: alive_for * Beta(x, 1)
    t_x = np.where(x > 0, alive_for * rng.random(n) ** (1.0 / np.maximum(x, 1)), 0.0)
    return x, t_x, T


def _summary_frame(x, t_x, T, gamma_gamma_params, time_unit, time_step, rng) -> pd.DataFrame:
    """The RFM frame of drawn customers; recency on the grid; mean spend drawn last."""
    if time_step is not None:
        step = float(time_step)
        if not (np.isfinite(step) and step > 0):
            raise ValueError(
                f"time_step must be finite and > 0, e.g. time_step=1/7; got {time_step}"
            )
        on_grid = np.minimum(np.maximum(np.ceil(t_x / step), 1.0) * step, T)
        t_x = np.where(x > 0, on_grid, 0.0)
    frame = pd.DataFrame(
        {"frequency": x, "recency": t_x, "T": T},
        index=pd.RangeIndex(len(x), name="customer_id"),
    )
    if gamma_gamma_params is not None:
        p, nu = _draw_spend(len(x), gamma_gamma_params, rng)
        # The mean of x iid Gamma(p, rate nu) values is Gamma(p x, rate nu x).
        positive = x > 0
        mean = np.zeros(len(x))
        mean[positive] = rng.gamma(p * x[positive], 1.0 / (nu[positive] * x[positive]))
        frame["monetary_value"] = mean
    frame.attrs[TIME_UNIT_ATTR] = canonical_unit(time_unit)
    return frame


def simulate_summary(
    n_customers: int,
    bgnbd_params: Mapping[str, float],
    T: ArrayLike,
    gamma_gamma_params: Mapping[str, float] | None = None,
    time_unit: str = "W",
    seed: int | np.random.Generator | None = None,
    *,
    time_step: float | None = None,
) -> pd.DataFrame:
    """Draw an RFM summary from the BG/NBD (and Gamma-Gamma) model.

    Parameters
    ----------
    n_customers
        Number of customers.
    bgnbd_params
        ``r``, ``alpha``, ``a``, ``b``, with ``alpha`` in ``time_unit``.
    T
        Observation length per customer (scalar or one per customer), in ``time_unit``.
    gamma_gamma_params
        ``p``, ``q``, ``v``: add ``monetary_value``, the mean of the repeat
        purchases' values (0 when there are none).
    time_unit
        Recorded in ``attrs["time_unit"]``.
    time_step
        If given, recency is rounded up to a whole number of steps (at least one,
        at most T), as purchases recorded on a grid give it (e.g. ``1 / 7`` for
        days in weeks; give T on the grid too). Purchases within one step are not
        merged: ``frequency`` is the model's.
    seed
        A ``numpy.random.Generator`` or a seed for one.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (0..n-1) with ``frequency``, ``recency``,
        ``T`` [, ``monetary_value``]; continuous times unless ``time_step``.
    """
    rng = _rng(seed)
    x, t_x, T_arr = _draw_customers(int(n_customers), bgnbd_params, T, rng)
    return _summary_frame(x, t_x, T_arr, gamma_gamma_params, time_unit, time_step, rng)


def simulate_pareto_nbd_summary(
    n_customers: int,
    pareto_nbd_params: Mapping[str, float],
    T: ArrayLike,
    gamma_gamma_params: Mapping[str, float] | None = None,
    time_unit: str = "W",
    seed: int | np.random.Generator | None = None,
    *,
    time_step: float | None = None,
) -> pd.DataFrame:
    """Draw an RFM summary from the Pareto/NBD (and Gamma-Gamma) model.

    Per customer: purchase rate lambda ~ Gamma(r, rate alpha), dropout rate
    mu ~ Gamma(s, rate beta), lifetime tau ~ Exp(mu); while alive she buys as a
    Poisson process with rate lambda (Schmittlein, Morrison & Colombo 1987;
    Fader & Hardie 2005, note 009). The summary is drawn exactly:
    x ~ Poisson(lambda min(tau, T)), t_x = min(tau, T) * Beta(x, 1).

    Parameters
    ----------
    n_customers
        Number of customers.
    pareto_nbd_params
        ``r``, ``alpha``, ``s``, ``beta``, with ``alpha`` and ``beta`` in ``time_unit``.
    T, gamma_gamma_params, time_unit, seed, time_step
        As in :func:`simulate_summary`.

    Returns
    -------
    pandas.DataFrame
        As :func:`simulate_summary` gives it: ``frequency``, ``recency``, ``T``
        [, ``monetary_value``] indexed by ``customer_id``.

    Examples
    --------
    >>> frame = simulate_pareto_nbd_summary(
    ...     3, {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}, T=52.0, seed=1
    ... )
    >>> list(frame.columns), frame.attrs["time_unit"]
    (['frequency', 'recency', 'T'], 'W')
    """
    rng = _rng(seed)
    x, t_x, T_arr = _draw_pareto_nbd_customers(int(n_customers), pareto_nbd_params, T, rng)
    return _summary_frame(x, t_x, T_arr, gamma_gamma_params, time_unit, time_step, rng)


def simulate_transactions(
    n_customers: int,
    bgnbd_params: Mapping[str, float],
    gamma_gamma_params: Mapping[str, float] | None = None,
    start: str = "2020-01-01",
    acquisition_periods: float = 52.0,
    observation_periods: float = 104.0,
    time_unit: str = "W",
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw a transaction log (one row per purchase, first purchases included).

    Customers are acquired uniformly over the first ``acquisition_periods``
    after ``start``; observation ends ``observation_periods`` after ``start``.
    Given a customer's last repeat purchase at t_x, the earlier ones are
    uniform order statistics on (0, t_x) (a Poisson-process property).

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int), ``date`` (datetime64, to the second) and, with
        ``gamma_gamma_params``, ``spend``; sorted by date. ``attrs`` holds
        ``observation_period_end``.
    """
    if acquisition_periods > observation_periods:
        raise ValueError("acquisition_periods must not exceed observation_periods")
    rng = _rng(seed)
    n = int(n_customers)
    acquired = rng.uniform(0.0, acquisition_periods, size=n)
    x, t_x, _ = _draw_customers(n, bgnbd_params, observation_periods - acquired, rng)

    owner = np.repeat(np.arange(n), x + 1)
    first = np.concatenate(([0], np.cumsum(x + 1)[:-1]))
    offset = rng.uniform(0.0, 1.0, size=len(owner)) * t_x[owner]
    offset[first] = 0.0  # the acquisition purchase
    last = first + x
    offset[last[x > 0]] = t_x[x > 0]
    order = np.lexsort((offset, owner))
    owner, offset = owner[order], offset[order]

    seconds = (acquired[owner] + offset) * days_per_unit(time_unit) * 86_400.0
    dates = pd.Timestamp(start) + pd.to_timedelta(np.floor(seconds), unit="s")
    log = pd.DataFrame({"customer_id": owner, "date": dates})
    if gamma_gamma_params is not None:
        p, nu = _draw_spend(n, gamma_gamma_params, rng)
        log["spend"] = rng.gamma(p, 1.0 / nu[owner])
    log = log.sort_values("date", kind="stable", ignore_index=True)
    end = pd.Timestamp(start) + pd.to_timedelta(
        observation_periods * days_per_unit(time_unit), unit="D"
    )
    log.attrs["observation_period_end"] = str(end.date())
    return log
