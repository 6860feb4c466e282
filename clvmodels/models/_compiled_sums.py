"""A compiled weighted-likelihood loop called as ``params -> (value, gradient)``.

The loops of ``_bgnbd_rows``, ``_gamma_gamma_rows`` and ``_pareto_nbd_rows`` take the
parameters, their data arrays and an output array ``(sum w ll, sum w grad...)``; a sampler
calls them 10^5 times, so the data are made contiguous once, when bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


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
