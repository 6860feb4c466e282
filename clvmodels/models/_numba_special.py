"""Special functions for the compiled likelihood loops (numba, cached on disk).

numba has ``math.lgamma`` but no digamma; the likelihood gradients of the BG/NBD and the
Gamma-Gamma need it per distinct frequency. ``tests/models/test_shared_likelihood.py``
pins :func:`digamma` to scipy's over 16 decades.
"""

from __future__ import annotations

import math

import numba

# error_model="numpy": x / 0 is inf or nan, never an exception; nogil: callable from
# several sampler threads at once.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Below this argument digamma steps up by psi(x) = psi(x + 1) - 1 / x before its
#: asymptotic series (truncated after x^-10: relative error < 2e-16 from 10 on).
_DIGAMMA_SERIES_FROM = 10.0


@jit
def digamma(x):  # pragma: no cover
    """psi(x) for x > 0 (Abramowitz & Stegun 6.3.5 and 6.3.18)."""
    shift = 0.0
    while x < _DIGAMMA_SERIES_FROM:
        shift += 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    tail = inv2 * (
        1.0 / 12.0
        - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0)))
    )
    return math.log(x) - 0.5 / x - tail - shift


@jit
def log_beta(a, b):  # pragma: no cover
    """ln B(a, b) from three lgammas, as PyTensor's ``betaln`` computes it."""
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@jit
def trigamma(x):  # pragma: no cover
    """psi'(x) for x > 0 (Abramowitz & Stegun 6.4.6 and 6.4.12)."""
    shift = 0.0
    while x < _DIGAMMA_SERIES_FROM:
        shift += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    tail = inv2 * (
        1.0 / 6.0
        - inv2 * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 * (1.0 / 30.0 - inv2 * 5.0 / 66.0)))
    )
    return shift + inv + 0.5 * inv2 + inv * tail
