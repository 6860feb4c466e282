r"""The Pareto/NBD weighted log-likelihood and its gradient in one compiled pass (numba).

For a sampler, which evaluates it 10^5 times from several threads (the loop releases the
GIL). Row by row it is :func:`clvmodels.models.pareto_nbd.math.log_likelihood` (Fader & Hardie
2005, note 009, eq. 3) with the integral on log-spaced Gauss-Legendre nodes as in
:func:`clvmodels.models.pareto_nbd.quadrature.tail_integral`, and the gradient of
:func:`clvmodels.models.pareto_nbd.gradient.log_likelihood_gradient` (differentiation
under the integral sign on the same nodes): one pass over the nodes per row, with no
(rows x nodes) temporaries.
``tests/bayes/test_density.py`` pins value and gradient to the PyMC model's.
"""

from __future__ import annotations

import math

from clvmodels.models._numba_special import digamma, jit
from clvmodels.models.pareto_nbd.quadrature import TAIL_CUT as CUT


@jit
def row(r, alpha, s, beta, x, t_x, T, nodes, node_weights):  # pragma: no cover
    """Log-likelihood of one customer and its derivatives in (r, alpha, s, beta)."""
    m = r + s + x
    larger = alpha >= beta
    c, other = (alpha, beta) if larger else (beta, alpha)
    q = s + 1.0 if larger else r + x
    base = c + t_x
    log_base = math.log(base)
    z = (c - other) / base
    one_minus_z = (other + t_x) / base
    upper = m * math.log1p((T - t_x) / base)
    has_tail = upper > 0.0
    upper = min(upper, CUT) if has_tail else 1.0
    width = m * one_minus_z
    scale = min(width / max(q * z, width), upper)
    log1m_z = math.log(one_minus_z)
    span = math.log1p(upper / scale)
    integral = sum_log_c = sum_log_shrink = sum_inverse_c = sum_inverse_other = 0.0
    for j in range(nodes.shape[0]):
        grow = math.exp(nodes[j] * span)
        ell = scale * (grow - 1.0)
        decay_m1 = math.expm1(-ell / m)
        shrink = one_minus_z - z * decay_m1
        log_shrink = math.log(shrink)
        term = node_weights[j] * scale * span * grow
        term *= math.exp(-q * (log_shrink - log1m_z) - ell)
        inverse_c = (1.0 + decay_m1) / base
        integral += term
        sum_log_c += term * (log_base + ell / m)
        sum_log_shrink += term * log_shrink
        sum_inverse_c += term * inverse_c
        sum_inverse_other += term * inverse_c / shrink
    head = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
    log_alpha_T, log_beta_T = math.log(alpha + T), math.log(beta + T)
    alive = -(r + x) * log_alpha_T - s * log_beta_T
    grad_r = digamma(r + x) - digamma(r) + math.log(alpha)
    grad_alpha = r / alpha
    grad_s = math.log(beta)
    grad_beta = s / beta
    if not has_tail:
        return (
            head + alive,
            grad_r - log_alpha_T,
            grad_alpha - (r + x) / (alpha + T),
            grad_s - log_beta_T,
            grad_beta - s / (beta + T),
        )
    died = math.log(s) - m * log_base - math.log(m) - q * log1m_z + math.log(integral)
    top = max(alive, died)
    value = head + top + math.log(math.exp(alive - top) + math.exp(died - top))
    p_alive = 1.0 / (1.0 + math.exp(died - alive))
    p_died = 1.0 - p_alive
    mean_log_c = sum_log_c / integral
    mean_log_other = mean_log_c + sum_log_shrink / integral
    mean_inverse_c = sum_inverse_c / integral
    mean_inverse_other = sum_inverse_other / integral
    if larger:
        d_r, d_s = -mean_log_c, -mean_log_other
        d_alpha, d_beta = -(r + x) * mean_inverse_c, -(s + 1.0) * mean_inverse_other
    else:
        d_r, d_s = -mean_log_other, -mean_log_c
        d_alpha, d_beta = -(r + x) * mean_inverse_other, -(s + 1.0) * mean_inverse_c
    return (
        value,
        grad_r - p_alive * log_alpha_T + p_died * d_r,
        grad_alpha - p_alive * (r + x) / (alpha + T) + p_died * d_alpha,
        grad_s - p_alive * log_beta_T + p_died * (1.0 / s + d_s),
        grad_beta - p_alive * s / (beta + T) + p_died * d_beta,
    )


@jit
def weighted_at(params, x, t_x, T, weights, nodes, node_weights, out):  # pragma: no cover
    """``out = (sum w ll, sum w d/dr, ..., sum w d/dbeta)`` at ``params``."""
    r, alpha, s, beta = params[0], params[1], params[2], params[3]
    for j in range(5):
        out[j] = 0.0
    for i in range(weights.shape[0]):
        w = weights[i]
        value, g_r, g_alpha, g_s, g_beta = row(
            r, alpha, s, beta, x[i], t_x[i], T[i], nodes, node_weights
        )
        out[0] += w * value
        out[1] += w * g_r
        out[2] += w * g_alpha
        out[3] += w * g_s
        out[4] += w * g_beta


@jit
def covariate_rows(
    r, alpha, s, beta, x, t_x, T, eta_p, eta_d, nodes, node_weights, ll, grad, start, stop
):  # pragma: no cover
    r"""Per-row log-likelihood with static covariates and its derivatives, rows start:stop.

    Customer i has :math:`\alpha_i = \alpha e^{-\eta^P_i}` and
    :math:`\beta_i = \beta e^{-\eta^D_i}` (CLVTools' parametrisation) in :func:`row`.
    ``grad`` rows: r, alpha, s, beta (the base parameters), then d/d eta_p and d/d eta_d.
    Each call writes only its own rows, so ranges of rows run in parallel threads.
    """
    for i in range(start, stop):
        e_p = math.exp(-eta_p[i])
        e_d = math.exp(-eta_d[i])
        alpha_i, beta_i = alpha * e_p, beta * e_d
        value, g_r, g_alpha, g_s, g_beta = row(
            r, alpha_i, s, beta_i, x[i], t_x[i], T[i], nodes, node_weights
        )
        ll[i] = value
        grad[0, i] = g_r
        grad[1, i] = g_alpha * e_p
        grad[2, i] = g_s
        grad[3, i] = g_beta * e_d
        grad[4, i] = -g_alpha * alpha_i
        grad[5, i] = -g_beta * beta_i
