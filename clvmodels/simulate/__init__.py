"""Customers drawn from the models' stories with known parameters: summaries and logs.

For tests (parameter recovery, coverage) and benchmarks. Written from numpy alone, never
from ``clvmodels.models``, so tests can use the draws as known truth. Every function takes
an explicit ``numpy.random.Generator`` (or a seed); nothing touches global random state.

=============================== ===================================================
function                        draws
=============================== ===================================================
:func:`simulate_summary`        BG/NBD (+ Gamma-Gamma) RFM summaries, exactly
:func:`simulate_pareto_nbd_summary` Pareto/NBD (+ Gamma-Gamma) RFM summaries, exactly
:func:`simulate_transactions`   BG/NBD logs, from the summary or purchase by purchase
:func:`simulate_pareto_nbd_transactions` Pareto/NBD logs
:func:`simulate_bgbb_transactions` BG/BB logs over discrete opportunities
:func:`simulate_bgbb_summary`   BG/BB (x, t_x, n)
=============================== ===================================================
"""

from clvmodels.simulate.bgbb import simulate_bgbb_summary, simulate_bgbb_transactions
from clvmodels.simulate.logs import simulate_pareto_nbd_transactions, simulate_transactions
from clvmodels.simulate.summaries import simulate_pareto_nbd_summary, simulate_summary

__all__ = [
    "simulate_bgbb_summary",
    "simulate_bgbb_transactions",
    "simulate_pareto_nbd_summary",
    "simulate_pareto_nbd_transactions",
    "simulate_summary",
    "simulate_transactions",
]
