"""Transaction logs (one row per purchase) drawn from BG/NBD or Pareto/NBD (+ Gamma-Gamma).

Customers are acquired uniformly over the first ``acquisition_periods`` after ``start``
(their first purchase); observation ends ``observation_periods`` after ``start``.

Two ways to the same BG/NBD log: ``method="summary"`` draws each customer's (x, t_x)
exactly (:func:`~clvmodels.simulate.customers.draw_bgnbd_customers`) and places the
earlier purchases as uniform order statistics on (0, t_x) (a Poisson-process property);
``method="events"`` steps through every purchase (an Exp(lambda) wait, then a p coin
after each repeat purchase; :func:`~clvmodels.simulate.customers.bgnbd_purchase_events`).
The Pareto/NBD log places purchases the first way.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clvmodels.data.units import days_per_unit
from clvmodels.simulate.customers import (
    bgnbd_purchase_events,
    draw_bgnbd_customers,
    draw_pareto_nbd_customers,
    draw_spend_rates,
    generator,
)

__all__ = ["simulate_pareto_nbd_transactions", "simulate_transactions"]

_METHODS = ("summary", "events")


def _acquisitions(
    n_customers: int, acquisition_periods: float, observation_periods: float, rng
) -> np.ndarray:
    if acquisition_periods > observation_periods:
        raise ValueError("acquisition_periods must not exceed observation_periods")
    return rng.uniform(0.0, acquisition_periods, size=int(n_customers))


def _fill_in(x: np.ndarray, t_x: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Every purchase (first included, at 0) of customers with x repeats, the last at t_x.

    Given the last repeat purchase at t_x, the earlier ones are uniform on (0, t_x).
    """
    owner = np.repeat(np.arange(len(x)), x + 1)
    first = np.concatenate(([0], np.cumsum(x + 1)[:-1]))
    offset = rng.uniform(0.0, 1.0, size=len(owner)) * t_x[owner]
    offset[first] = 0.0  # the acquisition purchase
    last = first + x
    offset[last[x > 0]] = t_x[x > 0]
    return owner, offset


def _log(
    owner: np.ndarray,
    offset: np.ndarray,
    acquired: np.ndarray,
    gamma_gamma_params: Mapping[str, float] | None,
    start: str,
    observation_periods: float,
    time_unit: str,
    rng,
) -> pd.DataFrame:
    """The log frame: dates to the second, spend per purchase, sorted by date."""
    order = np.lexsort((offset, owner))
    owner, offset = owner[order], offset[order]
    seconds = (acquired[owner] + offset) * days_per_unit(time_unit) * 86_400.0
    dates = pd.Timestamp(start) + pd.to_timedelta(np.floor(seconds), unit="s")
    log = pd.DataFrame({"customer_id": owner, "date": dates})
    if gamma_gamma_params is not None:
        p, nu = draw_spend_rates(len(acquired), gamma_gamma_params, rng)
        log["spend"] = rng.gamma(p, 1.0 / nu[owner])
    log = log.sort_values("date", kind="stable", ignore_index=True)
    end = pd.Timestamp(start) + pd.to_timedelta(
        observation_periods * days_per_unit(time_unit), unit="D"
    )
    log.attrs["observation_period_end"] = str(end.date())
    return log


def simulate_transactions(
    n_customers: int,
    bgnbd_params: Mapping[str, float],
    gamma_gamma_params: Mapping[str, float] | None = None,
    start: str = "2020-01-01",
    acquisition_periods: float = 52.0,
    observation_periods: float = 104.0,
    time_unit: str = "W",
    seed: int | np.random.Generator | None = None,
    *,
    method: str = "summary",
) -> pd.DataFrame:
    """Draw a BG/NBD transaction log (one row per purchase, first purchases included).

    Parameters
    ----------
    n_customers
        Number of customers.
    bgnbd_params
        ``r``, ``alpha``, ``a``, ``b``, with ``alpha`` in ``time_unit``.
    gamma_gamma_params
        ``p``, ``q``, ``v``: add ``spend``, each purchase's value (Gamma(p, rate nu)
        with the customer's nu ~ Gamma(q, rate v)).
    start, acquisition_periods, observation_periods, time_unit
        Customers are acquired uniformly over the first ``acquisition_periods``
        ``time_unit``s after ``start``; observation ends ``observation_periods`` after it.
    seed
        A ``numpy.random.Generator`` or a seed for one.
    method
        ``"summary"`` (each customer's summary drawn exactly, the earlier purchases
        placed as uniform order statistics) or ``"events"`` (every purchase drawn in
        turn, as the model's story tells it). The two give the same distribution; the
        first is faster.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (int), ``date`` (datetime64, to the second) and, with
        ``gamma_gamma_params``, ``spend``; sorted by date. ``attrs`` holds
        ``observation_period_end``.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, e.g. method='events'; got {method!r}")
    rng = generator(seed)
    acquired = _acquisitions(n_customers, acquisition_periods, observation_periods, rng)
    T = observation_periods - acquired
    if method == "summary":
        x, t_x, _ = draw_bgnbd_customers(len(acquired), bgnbd_params, T, rng)
        owner, offset = _fill_in(x, t_x, rng)
    else:
        repeat_owner, repeat_time = bgnbd_purchase_events(len(acquired), bgnbd_params, T, rng)
        owner = np.concatenate([np.arange(len(acquired)), repeat_owner])
        offset = np.concatenate([np.zeros(len(acquired)), repeat_time])
    return _log(
        owner, offset, acquired, gamma_gamma_params, start, observation_periods, time_unit, rng
    )


def simulate_pareto_nbd_transactions(
    n_customers: int,
    pareto_nbd_params: Mapping[str, float],
    gamma_gamma_params: Mapping[str, float] | None = None,
    start: str = "2020-01-01",
    acquisition_periods: float = 52.0,
    observation_periods: float = 104.0,
    time_unit: str = "W",
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw a Pareto/NBD transaction log (one row per purchase, first purchases included).

    Each customer's (x, t_x) is drawn exactly
    (:func:`~clvmodels.simulate.customers.draw_pareto_nbd_customers`: Poisson purchases
    with rate lambda ~ Gamma(r, rate alpha) while alive, an Exp(mu) lifetime with
    mu ~ Gamma(s, rate beta)); given them, her earlier purchases are uniform on (0, t_x).

    Parameters
    ----------
    pareto_nbd_params
        ``r``, ``alpha``, ``s``, ``beta``, with ``alpha`` and ``beta`` in ``time_unit``.
    n_customers, gamma_gamma_params, start, acquisition_periods, observation_periods
        As in :func:`simulate_transactions`.
    time_unit, seed
        As in :func:`simulate_transactions`.

    Returns
    -------
    pandas.DataFrame
        As :func:`simulate_transactions` gives it.
    """
    rng = generator(seed)
    acquired = _acquisitions(n_customers, acquisition_periods, observation_periods, rng)
    x, t_x, _ = draw_pareto_nbd_customers(
        len(acquired), pareto_nbd_params, observation_periods - acquired, rng
    )
    owner, offset = _fill_in(x, t_x, rng)
    return _log(
        owner, offset, acquired, gamma_gamma_params, start, observation_periods, time_unit, rng
    )
