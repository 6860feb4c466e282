"""RFM summaries drawn from BG/NBD or Pareto/NBD (+ Gamma-Gamma) with known parameters.

The summary is drawn exactly, without simulating each purchase
(:mod:`clvmodels.simulate.customers` tells each model's story).

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

from clvmodels.data.units import TIME_UNIT_ATTR, canonical_unit
from clvmodels.simulate.customers import (
    draw_bgnbd_customers,
    draw_pareto_nbd_customers,
    draw_spend_rates,
    generator,
)

__all__ = ["simulate_pareto_nbd_summary", "simulate_summary"]


def summary_frame(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    gamma_gamma_params: Mapping[str, float] | None,
    time_unit: str,
    time_step: float | None,
    rng: np.random.Generator,
) -> pd.DataFrame:
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
        p, nu = draw_spend_rates(len(x), gamma_gamma_params, rng)
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
    rng = generator(seed)
    x, t_x, T_arr = draw_bgnbd_customers(int(n_customers), bgnbd_params, T, rng)
    return summary_frame(x, t_x, T_arr, gamma_gamma_params, time_unit, time_step, rng)


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
    rng = generator(seed)
    x, t_x, T_arr = draw_pareto_nbd_customers(int(n_customers), pareto_nbd_params, T, rng)
    return summary_frame(x, t_x, T_arr, gamma_gamma_params, time_unit, time_step, rng)
