"""The BG/BB log-likelihood's gradient for the optimiser, by central differences (no kernel).

The BG/BB's data have few distinct rows (22 for the donations), so 8 extra evaluations
of :func:`.math.log_likelihood` cost nothing and need no second formula.
"""

from __future__ import annotations

import numpy as np

from clvmodels.data.opportunities import COLUMNS
from clvmodels.models.beta_geo_beta_binom.math import PARAM_NAMES, log_likelihood

__all__ = ["log_likelihood_gradient"]

#: Relative step of the central differences.
STEP = 1e-6


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood and its gradient by central differences, step 1e-6 relative."""
    x, t_x, n = (columns[c] for c in COLUMNS)
    named = dict(zip(PARAM_NAMES, params, strict=True))
    ll = log_likelihood(named, x, t_x, n)
    grad = np.empty((4, len(x)))
    for j, name in enumerate(PARAM_NAMES):
        h = STEP * params[j]
        up = log_likelihood(named | {name: params[j] + h}, x, t_x, n)
        down = log_likelihood(named | {name: params[j] - h}, x, t_x, n)
        grad[j] = (up - down) / (2.0 * h)
    return ll, grad
