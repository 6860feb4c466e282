r"""The certified quadrature of :mod:`clvmodels.models._special`, compiled by numba.

E_p[phi(p tau)] for p ~ Beta(a, b), phi(u) = (1 - (1 + u)^-r) / (r u), as the trapezoidal
rule over q = logit(p) on a grid mapped around the mode, checked against the rule with
half the nodes and refined (128, 512, 2048 nodes per side) until the change is below the
tolerance. The mathematics is described in :mod:`clvmodels.models._special`; here it is
written one value at a time, so that each value stops refining as soon as it is certified
and no (values x nodes) temporaries are built.

The functions are module-level (numba's disk cache cannot reload compiled closures that
call other closures: those were recompiled in every process); :mod:`._special` imports
this module on first use, so importing clvmodels does not import numba.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way. *Marketing Science*, 24(2), 275-284 (eq. 9, as a Beta mixture).
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: The lower end of the w grid: x = x_small * exp(-3.5 - e^3.5) ~ x_small * 1e-16.
W_LOW = -3.5


# error_model="numpy": x / 0 is inf or nan (then refused), never a Python exception
jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@jit
def log_sigmoid(q):  # pragma: no cover - compiled
    """log(1 / (1 + exp(-q))) without overflow."""
    return -np.logaddexp(0.0, -q)


@jit
def log1mexp(y):  # pragma: no cover - compiled
    """log(1 - exp(-y)) for y > 0, accurate at both ends (Maechler 2012)."""
    if y < math.log(2.0):
        return math.log(-math.expm1(-y))
    return math.log1p(-math.exp(-y))


@jit
def log_phi(log_u, r):  # pragma: no cover - compiled
    """log phi(u) from log u; 0 where u underflows."""
    if log_u < -600.0:
        return 0.0
    u = math.exp(log_u)
    return log1mexp(r * math.log1p(u)) - math.log(r) - log_u


@jit
def slope(q, log_tau, r, a, b):  # pragma: no cover - compiled
    """d/dq of the log integrand over sigmoid(-q): a + eta(u) - b e^q, decreasing."""
    log_u = log_tau + log_sigmoid(q)
    eta = 0.0
    if log_u >= -600.0:
        u = math.exp(log_u)
        ratio = r * u / ((1.0 + u) * math.expm1(r * math.log1p(u)))
        eta = (ratio if np.isfinite(ratio) else 0.0) - 1.0
    return a + eta - b * math.exp(min(q, 700.0))


@jit
def mode(log_tau, r, a, b):  # pragma: no cover - compiled
    """Bisection (40 steps) for the mode in q, below the Beta mode log(a / b)."""
    hi = math.log(a) - math.log(b)
    lo = hi - 800.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if slope(mid, log_tau, r, a, b) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@jit
def stirling_error(x):  # pragma: no cover - compiled
    """ln Gamma(x) - [(x - 1/2) ln x - x + ln(2 pi) / 2] (A&S 6.1.41 above 10)."""
    if x >= 10.0:
        x2 = x * x
        return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * x2)) / x2) / x2) / x
    return math.lgamma(x) - ((x - 0.5) * math.log(x) - x + 0.5 * math.log(2.0 * math.pi))


@jit
def log_beta_normaliser(a, b):  # pragma: no cover - compiled
    """ln of p^a (1 - p)^b / B(a, b) at p = a / (a + b), accurate for large a, b."""
    n = a + b
    return (
        0.5 * (math.log(a) + math.log(b) - math.log(n) - math.log(2.0 * math.pi))
        - stirling_error(a)
        - stirling_error(b)
        + stirling_error(n)
    )


@jit
def log1p_share_expm1(d, log_share, log_rest):  # pragma: no cover - compiled
    """ln(1 + s (e^d - 1)) for a share s given as ln s and ln(1 - s)."""
    if abs(d) < 1.0:
        return math.log1p(math.exp(log_share) * math.expm1(d))
    return np.logaddexp(log_rest, log_share + d)


@jit
def log_integrand(d, log_tau, r, a, b):  # pragma: no cover - compiled
    """log integrand at q = ln(a / b) + d, less the Beta normaliser at the mean."""
    log_share = -math.log1p(b / a)
    log_rest = -math.log1p(a / b)
    beta_part = a * (d - log1p_share_expm1(d, log_share, log_rest)) + b * (
        -d - log1p_share_expm1(-d, log_rest, log_share)
    )
    log_p = log_sigmoid(math.log(a) - math.log(b) + d)
    return beta_part + log_phi(log_tau + log_p, r)


@jit
def distance_to_drop(centre, peak, drop, side, log_tau, r, a, b):  # pragma: no cover
    """Distance from the mode where the log integrand has fallen by ``drop``."""
    lo = -14.0
    hi = 16.0
    for _ in range(11):
        mid = 0.5 * (lo + hi)
        if log_integrand(centre + side * math.exp(mid), log_tau, r, a, b) > peak - drop:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


@jit
def log_integral(log_tau, r, a, b, nodes):  # pragma: no cover - compiled
    """log E_p[phi(p tau)] and the relative change from the rule with half the nodes."""
    centre = mode(log_tau, r, a, b) - (math.log(a) - math.log(b))
    peak = log_integrand(centre, log_tau, r, a, b)
    full = 0.0
    half = 0.0
    step = 1.0 / nodes
    for side in (-1.0, 1.0):
        x_small = distance_to_drop(centre, peak, 1e-3, side, log_tau, r, a, b)
        x_tail = distance_to_drop(centre, peak, 1.0, side, log_tau, r, a, b)
        # beyond 40 x_tail the integrand is below e^-39 of its peak (log-concavity)
        length = math.log(40.0 * x_tail / x_small) + 1.0 - W_LOW
        log_x_small = math.log(x_small)
        total = 0.0
        even = 0.0
        ends = 0.0
        for k in range(nodes + 1):
            w = W_LOW + length * (1.0 if k == nodes else k * step)
            log_x = log_x_small + w - math.exp(-w)
            d = centre + side * math.exp(log_x)
            term = math.exp(log_integrand(d, log_tau, r, a, b) - peak + log_x) * (
                1.0 + math.exp(-w)
            )
            total += term
            if k % 2 == 0:
                even += term
            if k == 0 or k == nodes:
                ends += 0.5 * term
        full += length / nodes * (total - ends)
        half += 2.0 * length / nodes * (even - ends)
    log_value = math.log(full) + peak + log_beta_normaliser(a, b)
    return log_value, abs(full - half) / full


@jit
def log_mean(log_tau, r, a, b, nodes):  # pragma: no cover - compiled
    """log E_p[phi(p tau)]; below a + b = 1 split into two log-concave integrals."""
    if a + b >= 1.0:
        return log_integral(log_tau, r, a, b, nodes)
    left, left_error = log_integral(log_tau, r, a, b + 1.0, nodes)
    right, right_error = log_integral(log_tau, r, a + 1.0, b, nodes)
    log_left = math.log(b) + left
    log_right = math.log(a) + right
    value = np.logaddexp(log_left, log_right) - math.log(a + b)
    share_left = 1.0 / (1.0 + math.exp(log_right - log_left))
    return value, share_left * left_error + (1.0 - share_left) * right_error


@jit
def certified(log_tau, r, a, b, refinements, tolerance, out, failed):  # pragma: no cover
    """exp(log(r tau) + log I) per value, refined until the error estimate passes."""
    for i in range(r.shape[0]):
        failed[i] = True
        for nodes in refinements:
            value, error = log_mean(log_tau[i], r[i], a[i], b[i], nodes)
            out[i] = math.exp(math.log(r[i]) + log_tau[i] + value)
            if error < tolerance:
                failed[i] = False
                break
