"""The MBG/NBD log-likelihood with its hand-written gradient, for the optimiser.

``tests/models/test_modified_beta_geo.py`` pins the gradient to finite differences of
:func:`.math.log_likelihood`.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clvmodels.models.modified_beta_geo.math import PARAM_NAMES, terms
from clvmodels.models.namespace import NUMPY

__all__ = ["log_likelihood_gradient"]


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood (:func:`.math.log_likelihood`) and its gradient in (r, alpha, a, b).

    In numpy, on :func:`.math.terms` (the MBG/NBD has no compiled kernel: it is fitted
    on compressed rows, and sampled through PyMC's graph of the same terms).
    """
    r, alpha, a, b = params
    x, t_x, T = columns["frequency"], columns["recency"], columns["T"]
    head, alive, dropped = terms(dict(zip(PARAM_NAMES, params, strict=True)), x, t_x, T, NUMPY)
    ll = head + np.logaddexp(alive, dropped)
    w_dropped = special.expit(dropped - alive)
    w_alive = 1.0 - w_dropped
    dig = special.digamma
    grad = np.empty((4, len(x)))
    grad[0] = (
        dig(r + x)
        - dig(r)
        + np.log(alpha)
        - w_alive * np.log(alpha + T)
        - w_dropped * np.log(alpha + t_x)
    )
    grad[1] = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x))
    common = dig(a + b) - dig(a + b + x + 1.0)
    grad[2] = common + w_dropped / a
    grad[3] = common + dig(b + x + 1.0) - dig(b) - w_dropped / (b + x)
    return ll, grad
