r"""The MBG/NBD log-likelihood with static covariates and its gradient: one compiled row loop.

With covariates every (x, t_x, T, covariate profile) is a row of its own, each with its
own alpha_i, a_i, b_i (:func:`clvmodels.models.modified_beta_geo.gradient.covariate_terms`).
The row's terms are :func:`clvmodels.models.modified_beta_geo.math.terms`; the beta ratio
:math:`\ln B(a, b + x + 1) / B(a, b) = -\sum_{k \le x} \ln(1 + a / (b + k))` and its
derivatives are summed term by term (no special function; exact to rounding for any size
of a and b), the terms in x alone come from a table per distinct x.
"""

from __future__ import annotations

import math

import numba

__all__ = ["covariate_rows"]

jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@jit
def covariate_rows(
    r, alpha, a, b, x, t_x, T, eta_p, eta_d, x_index, per_x, ll, grad
):  # pragma: no cover
    r"""Per-row log-likelihood and gradient; customer i has alpha e^-eta_p, a e^eta_d, b e^eta_d.

    ``per_x`` rows (one per distinct x, ``x_index`` gives each row's): ``ln Gamma(r + x) -
    ln Gamma(r)`` and ``psi(r + x) - psi(r)``. ``grad`` rows: r, alpha, a, b, then
    d/d eta_p and d/d eta_d.
    """
    for i in range(x.shape[0]):
        k = int(x_index[i])
        e_p = math.exp(-eta_p[i])
        e_d = math.exp(eta_d[i])
        al, a_i, b_i = alpha * e_p, a * e_d, b * e_d
        xi = x[i]
        r_x = r + xi
        ratio = d_a = d_b = 0.0
        for j in range(int(xi) + 1):
            ratio -= math.log1p(a_i / (b_i + j))
            inv_ab = 1.0 / (a_i + b_i + j)
            d_a -= inv_ab
            d_b += 1.0 / (b_i + j) - inv_ab
        log_al = math.log(al)
        log_T = math.log(al + T[i])
        log_t = math.log(al + t_x[i])
        alive = -r_x * log_T
        dropped = math.log(a_i) - math.log(b_i + xi) - r_x * log_t
        diff = dropped - alive
        if diff > 0.0:
            e = math.exp(-diff)
            top = dropped
            w_d = 1.0 / (1.0 + e)
        else:
            e = math.exp(diff)
            top = alive
            w_d = e / (1.0 + e)
        w_a = 1.0 - w_d
        ll[i] = per_x[k, 0] + r * log_al + ratio + top + math.log1p(e)
        g_alpha = r / al - r_x * (w_a / (al + T[i]) + w_d / (al + t_x[i]))
        g_a = d_a + w_d / a_i
        g_b = d_b - w_d / (b_i + xi)
        grad[0, i] = per_x[k, 1] + log_al - w_a * log_T - w_d * log_t
        grad[1, i] = g_alpha * e_p
        grad[2, i] = g_a * e_d
        grad[3, i] = g_b * e_d
        grad[4, i] = -g_alpha * al
        grad[5, i] = g_a * a_i + g_b * b_i
