"""Compiled likelihood loops: bound as ``params -> (value, gradient)``, or run over rows.

The loops of ``_bgnbd_rows``, ``_gamma_gamma_rows`` and ``_pareto_nbd_rows`` take the
parameters, their data arrays and an output array ``(sum w ll, sum w grad...)``; a sampler
calls them 10^5 times, so the data are made contiguous once, when bound. A compiled loop
that fills per-row outputs over rows ``start:stop`` (and releases the GIL) runs on
contiguous ranges in threads (:func:`over_rows`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

#: Rows below which a per-row loop runs in the calling thread (a thread hand-off costs
#: ~50 microseconds, ~2,000 rows of the cheapest loop).
THREADED_FROM = 20_000


def threads() -> int:
    """How many threads the per-row loops use: the CPUs this process may run on.

    ``CLVMODELS_THREADS`` (a whole number >= 1) overrides it.
    """
    setting = os.environ.get("CLVMODELS_THREADS")
    if setting is not None:
        if not setting.isdigit() or int(setting) < 1:
            raise ValueError(
                f"CLVMODELS_THREADS must be a whole number >= 1, e.g. 2; got {setting!r}"
            )
        return int(setting)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@functools.cache
def _pool(workers: int, process: int) -> ThreadPoolExecutor:
    """The threads of this process (a forked child, which has none, gets its own pool)."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clvmodels-rows")


def over_rows(run: Callable[[int, int], Any], n: int) -> None:
    """``run(start, stop)`` over ``range(n)`` in contiguous ranges, one per thread.

    ``run`` must write only its own rows (a compiled loop with ``nogil=True``: the ranges
    then run at the same time). Below :data:`THREADED_FROM` rows, or with one thread, it
    is one call in this thread.
    """
    workers = min(threads(), max(1, n // THREADED_FROM))
    if workers == 1:
        run(0, n)
        return
    bounds = np.linspace(0, n, workers + 1).astype(int)
    futures = [
        _pool(workers, os.getpid()).submit(run, int(start), int(stop))
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    for future in futures:
        future.result()


def contiguous(values: Any) -> np.ndarray:
    """A writeable contiguous float64 array (one numba signature for every caller)."""
    return np.require(values, np.float64, ["C", "W"])


def bind(
    kernel: Any, data: Sequence[np.ndarray], n_params: int
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``params -> (sum of weighted log-likelihoods, gradient)`` of ``kernel`` on ``data``.

    The arrays are taken as writeable contiguous float64, one numba signature for every
    caller.
    """
    arrays = tuple(contiguous(values) for values in data)

    def evaluate(params: np.ndarray) -> tuple[float, np.ndarray]:
        out = np.empty(n_params + 1)
        kernel(np.asarray(params, dtype=np.float64), *arrays, out)
        return float(out[0]), out[1:]

    return evaluate
