"""The arguments of the count-distribution and future-P(alive) predictions, and their frame.

Shared by the maximum-likelihood and the Bayesian prediction mixins
(:mod:`clvmodels.estimation.rfm_predictions`, :mod:`clvmodels.estimation.purchase_predictions`)
and the BG/BB estimator: one check and one message per argument.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["check_count_request", "check_offset", "count_frame"]


def count_frame(values: np.ndarray, counts: np.ndarray, index: pd.Index, name: str) -> Any:
    """(counts x customers) values as a Series (one count) or a customers x counts frame."""
    if counts.ndim == 0:
        return pd.Series(values, index=index, name=name)
    return pd.DataFrame(values.T, index=index, columns=pd.Index(counts, name="n"))


def check_count_request(n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Counts asked for: one number or a 1-D sequence; and the form the functions take.

    The second is ``counts[:, None]`` for a sequence (counts x customers).
    """
    counts = np.asarray(n, dtype=np.float64)
    if counts.ndim > 1:
        raise ValueError(f"n must be a whole number or a 1-D sequence, e.g. n=[0, 1, 2]; got {n!r}")
    return counts, counts[:, None] if counts.ndim else counts


def check_offset(at: ArrayLike, name: str = "at") -> float:
    """A time after the end of observation: one finite number >= 0."""
    value = np.asarray(at, dtype=np.float64) if np.ndim(at) == 0 else None
    if value is None or not np.isfinite(value) or value < 0:
        raise ValueError(
            f"{name} must be one finite number >= 0 of time units after the end of "
            f"observation, e.g. {name}=13.0; got {at!r}"
        )
    return float(value)
