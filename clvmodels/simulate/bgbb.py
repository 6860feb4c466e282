r"""BG/BB customers: transaction logs over discrete opportunities, and their summaries.

The story (Fader, Hardie & Shang 2010): after her acquisition period (period 0) a
customer has ``n_periods`` transaction opportunities. She transacts at each opportunity at
which she is alive with probability :math:`p \sim B(\alpha, \beta)`; at the beginning of
each opportunity an alive customer drops out with probability
:math:`\theta \sim B(\gamma, \delta)`, so she is alive at opportunities :math:`1..L` with
:math:`P(L \ge k) = (1 - \theta)^k`.

References
----------
Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086-1108.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clvmodels.checks import whole_number
from clvmodels.data.opportunities import opportunity_summary
from clvmodels.simulate.customers import check_params, generator

__all__ = ["simulate_bgbb_summary", "simulate_bgbb_transactions"]


def simulate_bgbb_transactions(
    n_customers: int,
    bgbb_params: Mapping[str, float],
    n_periods: int,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Draw a BG/BB log: one row per (customer, period with a transaction).

    Parameters
    ----------
    n_customers
        Number of customers, all acquired in period 0.
    bgbb_params
        ``alpha``, ``beta`` (transaction probability) and ``gamma``, ``delta`` (dropout
        probability).
    n_periods
        Number of repeat opportunities, n >= 1.
    seed
        A ``numpy.random.Generator`` or a seed for one.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` (0..n_customers-1) and ``period`` (0 for every customer's
        acquisition, then the opportunities 1..n with a transaction), sorted by customer
        and period; :func:`~clvmodels.data.opportunities.opportunity_summary` turns it into
        the BG/BB's (x, t_x, n).
    """
    alpha, beta, gamma, delta = check_params(
        bgbb_params, ("alpha", "beta", "gamma", "delta"), "BG/BB"
    )
    n = whole_number(n_customers, "n_customers", at_least=1)
    periods = whole_number(n_periods, "n_periods", at_least=1)
    rng = generator(seed)
    buy = rng.beta(alpha, beta, size=n)
    drop = rng.beta(gamma, delta, size=n)
    alive_for = rng.geometric(drop) - 1  # opportunities alive: P(L >= k) = (1 - theta)^k
    opportunity = np.arange(1, periods + 1)
    bought = (rng.random((n, periods)) < buy[:, None]) & (opportunity <= alive_for[:, None])
    customer, index = np.nonzero(bought)
    log = pd.DataFrame(
        {
            "customer_id": np.concatenate([np.arange(n), customer]),
            "period": np.concatenate([np.zeros(n, np.int64), opportunity[index]]),
        }
    )
    return log.sort_values(["customer_id", "period"], kind="stable", ignore_index=True)


def simulate_bgbb_summary(
    n_customers: int,
    bgbb_params: Mapping[str, float],
    n_periods: int,
    seed: int | np.random.Generator | None = None,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Draw BG/BB customers' (x, t_x, n): :func:`simulate_bgbb_transactions`, summarised.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` with ``frequency``, ``recency`` and ``n_periods``, as
        :func:`~clvmodels.data.opportunities.opportunity_summary` gives them
        (``attrs["time_unit"]`` is ``time_unit`` when given).
    """
    log = simulate_bgbb_transactions(n_customers, bgbb_params, n_periods, seed)
    return opportunity_summary(log, "customer_id", "period", int(n_periods), time_unit)
