r"""The BG/BB log-likelihood with static covariates and its gradient: one compiled row loop.

With covariates every (x, t_x, n, covariate profile) is a row of its own, tens of
thousands of them, each with its own alpha_i and gamma_i. A row's likelihood
(:func:`clvmodels.models.beta_geo_beta_binom.math.log_likelihood`) is a sum of ratios of
beta functions whose arguments differ from (alpha, beta) and (gamma, delta) by whole
numbers, so every ratio is a product of rational factors and every derivative a sum of
reciprocals:

.. math::

    \ln\frac{B(p+u, q+v)}{B(p, q)} = -\sum_{j<u}\ln\Big(1 + \frac{q}{p+j}\Big)
        - \sum_{k<v}\ln\Big(1 + \frac{p+u}{q+k}\Big), \qquad
    \partial_p = \sum_{j<u}\frac{1}{p+j} - \sum_{l<u+v}\frac{1}{p+q+l}.

One pass over k = 0..n per row accumulates them (no special function, exact to rounding
for any size of the parameters), and the terms are summed in log space as they come.
"""

from __future__ import annotations

import math

import numba

__all__ = ["covariate_rows"]

jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@jit
def covariate_rows(
    alpha, beta, gamma, delta, x, t_x, n, eta_p, eta_d, ll, grad
):  # pragma: no cover
    r"""Per-row log-likelihood and gradient, customer i having alpha e^eta_p, gamma e^eta_d.

    ``grad`` rows: alpha, beta, gamma, delta (the base parameters), then d/d eta_p
    (alpha_i dl/dalpha_i) and d/d eta_d (gamma_i dl/dgamma_i).
    """
    for i in range(x.shape[0]):
        a = alpha * math.exp(eta_p[i])
        g = gamma * math.exp(eta_d[i])
        b, d = beta, delta
        xi, ti, ni = int(x[i]), int(t_x[i]), int(n[i])
        # ln B(a + x, b) / B(a, b) without its b part, and sum 1 / (a + j), j < x
        log_ax = 0.0
        s_a = 0.0
        for j in range(xi):
            log_ax -= math.log1p(b / (a + j))
            s_a += 1.0 / (a + j)
        # running sums over k < m (and k < m - x for the b terms)
        s_ab = s_b = s_d = s_gd = 0.0
        log_b = log_d1 = log_d0 = 0.0
        log_g = -math.log1p(d / g)  # ln g / (g + d)
        top = -math.inf
        total = 0.0
        acc_a = acc_b = acc_g = acc_d = 0.0
        for m in range(ni + 1):
            if m >= ti:
                if m < ni:  # died after period m (= t_x + i)
                    s_gd_next = s_gd + 1.0 / (g + d + m)
                    value = log_ax + log_b + log_g + log_d1
                    da = s_a - s_ab
                    db = s_b - s_ab
                    dg = 1.0 / g - s_gd_next
                    dd = s_d - s_gd_next
                else:  # alive through period n
                    value = log_ax + log_b + log_d0
                    da = s_a - s_ab
                    db = s_b - s_ab
                    dg = -s_gd
                    dd = s_d - s_gd
                if value > top:
                    scale = math.exp(top - value) if top > -math.inf else 0.0
                    total *= scale
                    acc_a *= scale
                    acc_b *= scale
                    acc_g *= scale
                    acc_d *= scale
                    top = value
                w = math.exp(value - top)
                total += w
                acc_a += w * da
                acc_b += w * db
                acc_g += w * dg
                acc_d += w * dd
            # advance the running sums from m to m + 1
            s_ab += 1.0 / (a + b + m)
            s_d += 1.0 / (d + m)
            s_gd += 1.0 / (g + d + m)
            log_d1 -= math.log1p((g + 1.0) / (d + m))
            log_d0 -= math.log1p(g / (d + m))
            k = m - xi
            if k >= 0:
                s_b += 1.0 / (b + k)
                log_b -= math.log1p((a + xi) / (b + k))
        ll[i] = top + math.log(total)
        g_a, g_g = acc_a / total, acc_g / total
        grad[0, i] = g_a * a / alpha
        grad[1, i] = acc_b / total
        grad[2, i] = g_g * g / gamma
        grad[3, i] = acc_d / total
        grad[4, i] = g_a * a
        grad[5, i] = g_g * g
