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

import numba

from clvmodels.models._numba_special import digamma, jit, trigamma
from clvmodels.models.pareto_nbd.quadrature import TAIL_CUT as CUT

#: Helpers compiled into their callers (the row loops), not called.
inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


@inline
def substitution(r, alpha, s, beta, x, t_x, T):  # pragma: no cover
    """The tail integral's variable and scale (:func:`..quadrature.tail_integral`'s).

    Returns m = r + s + x, whether alpha >= beta, q, c + t_x, z, 1 - z, whether there is
    a tail (T > t_x), the nodes' scale, ln(1 - z) and the log-spaced span.
    """
    m = r + s + x
    larger = alpha >= beta
    c, other = (alpha, beta) if larger else (beta, alpha)
    q = s + 1.0 if larger else r + x
    base = c + t_x
    z = (c - other) / base
    one_minus_z = (other + t_x) / base
    upper = m * math.log1p((T - t_x) / base)
    has_tail = upper > 0.0
    upper = min(upper, CUT) if has_tail else 1.0
    width = m * one_minus_z
    scale = min(width / max(q * z, width), upper)
    return (
        m,
        larger,
        q,
        base,
        z,
        one_minus_z,
        has_tail,
        scale,
        math.log(one_minus_z),
        math.log1p(upper / scale),
    )


@inline
def node(v, weight, m, q, z, one_minus_z, scale, log1m_z, span):  # pragma: no cover
    """One node's term of the integral, and ell, e^(-ell/m) - 1, shrink and its log."""
    grow = math.exp(v * span)
    ell = scale * (grow - 1.0)
    decay_m1 = math.expm1(-ell / m)
    shrink = one_minus_z - z * decay_m1
    log_shrink = math.log(shrink)
    term = weight * scale * span * grow
    term *= math.exp(-q * (log_shrink - log1m_z) - ell)
    return term, ell, decay_m1, shrink, log_shrink


@jit
def row(r, alpha, s, beta, x, t_x, T, nodes, node_weights):  # pragma: no cover
    """Log-likelihood of one customer and its derivatives in (r, alpha, s, beta)."""
    m, larger, q, base, z, one_minus_z, has_tail, scale, log1m_z, span = substitution(
        r, alpha, s, beta, x, t_x, T
    )
    log_base = math.log(base)
    integral = sum_log_c = sum_log_shrink = sum_inverse_c = sum_inverse_other = 0.0
    for j in range(nodes.shape[0]):
        term, ell, decay_m1, shrink, log_shrink = node(
            nodes[j], node_weights[j], m, q, z, one_minus_z, scale, log1m_z, span
        )
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


@jit
def curvature(r, alpha, s, beta, x, t_x, T, nodes, node_weights, out, i):  # pragma: no cover
    r"""Hessian of one customer's log-likelihood in (ln r, ln alpha, ln s, ln beta).

    Written to ``out[i]`` as the upper triangle by rows (rr, r alpha, r s, r beta,
    alpha alpha, alpha s, alpha beta, s s, s beta, beta beta). The likelihood is
    :func:`row`'s, :math:`\ell = h + \ln(e^{A} + e^{D})` with D = ln s + ln I, so

    .. math::

        \nabla^2\ell = \nabla^2 h + p_A \nabla^2 A + p_D \nabla^2 D
            + p_A p_D (\nabla A - \nabla D)(\nabla A - \nabla D)',

    and, differentiating under the integral sign on :func:`row`'s nodes,
    :math:`\nabla^2 \ln I = E[\nabla^2 \ln f] + \mathrm{Cov}[\nabla \ln f]` over the
    nodes' shares of I, with :math:`\ln f = -(r+x)\ln(\alpha+\tau) - (s+1)\ln(\beta+\tau)`.
    The node moments are taken about ln(c + t_x) (no cancellation in the variances).
    ``tests/models/test_covariate_curvature.py`` pins it to differences of the gradient.
    """
    m, larger, q, base, z, one_minus_z, has_tail, scale, log1m_z, span = substitution(
        r, alpha, s, beta, x, t_x, T
    )
    total = 0.0
    # sums of term * (u_c, u_o, i_c, i_o) and of their products: u = ln(. + tau) - ln(c + t_x)
    s_uc = s_uo = s_ic = s_io = 0.0
    s_ucuc = s_ucuo = s_uouo = s_ucic = s_ucio = s_uoic = s_uoio = s_icic = s_icio = s_ioio = 0.0
    for j in range(nodes.shape[0]):
        term, ell, decay_m1, shrink, log_shrink = node(
            nodes[j], node_weights[j], m, q, z, one_minus_z, scale, log1m_z, span
        )
        uc = ell / m
        uo = uc + log_shrink
        ic = (1.0 + decay_m1) / base
        io = ic / shrink
        total += term
        s_uc += term * uc
        s_uo += term * uo
        s_ic += term * ic
        s_io += term * io
        s_ucuc += term * uc * uc
        s_ucuo += term * uc * uo
        s_uouo += term * uo * uo
        s_ucic += term * uc * ic
        s_ucio += term * uc * io
        s_uoic += term * uo * ic
        s_uoio += term * uo * io
        s_icic += term * ic * ic
        s_icio += term * ic * io
        s_ioio += term * io * io
    r_x = r + x
    log_alpha_T, log_beta_T = math.log(alpha + T), math.log(beta + T)
    inv_alpha_T, inv_beta_T = 1.0 / (alpha + T), 1.0 / (beta + T)
    # the head h and the alive term A: gradients and Hessians in (r, alpha, s, beta)
    g = (
        digamma(r_x) - digamma(r) + math.log(alpha),
        r / alpha,
        math.log(beta),
        s / beta,
    )
    h_rr = trigamma(r_x) - trigamma(r)
    h_ra, h_aa = 1.0 / alpha, -r / (alpha * alpha)
    h_sb, h_bb = 1.0 / beta, -s / (beta * beta)
    a_r, a_a, a_s, a_b = -log_alpha_T, -r_x * inv_alpha_T, -log_beta_T, -s * inv_beta_T
    alive = -r_x * log_alpha_T - s * log_beta_T
    # H = h'' + p_A A'' + p_D D'' + p_A p_D (A' - D')(A' - D')'; 10 entries
    H = out[i]  # accumulated in place, then taken to the log scale
    H[:] = 0.0
    H[0] = h_rr
    H[1] = h_ra
    H[4] = h_aa
    H[8] = h_sb
    H[9] = h_bb
    if not has_tail:
        H[1] += -inv_alpha_T
        H[4] += r_x * inv_alpha_T * inv_alpha_T
        H[8] += -inv_beta_T
        H[9] += s * inv_beta_T * inv_beta_T
        grad = (g[0] + a_r, g[1] + a_a, g[2] + a_s, g[3] + a_b)
    else:
        died = math.log(s) - m * math.log(base) - math.log(m) - q * log1m_z + math.log(total)
        p_alive = 1.0 / (1.0 + math.exp(died - alive))
        p_died = 1.0 - p_alive
        mu_c, mu_o, mi_c, mi_o = s_uc / total, s_uo / total, s_ic / total, s_io / total
        v_cc = s_ucuc / total - mu_c * mu_c
        v_co = s_ucuo / total - mu_c * mu_o
        v_oo = s_uouo / total - mu_o * mu_o
        c_uc_ic = s_ucic / total - mu_c * mi_c
        c_uc_io = s_ucio / total - mu_c * mi_o
        c_uo_ic = s_uoic / total - mu_o * mi_c
        c_uo_io = s_uoio / total - mu_o * mi_o
        e_icic, e_ioio = s_icic / total, s_ioio / total
        w_cc = e_icic - mi_c * mi_c
        w_co = s_icio / total - mi_c * mi_o
        w_oo = e_ioio - mi_o * mi_o
        log_base = math.log(base)
        # moments of L_alpha, L_beta (logs) and I_alpha, I_beta (inverses) over the nodes
        if larger:
            m_la, m_lb, m_ia, m_ib = log_base + mu_c, log_base + mu_o, mi_c, mi_o
            v_la, v_lab, v_lb = v_cc, v_co, v_oo
            c_la_ia, c_la_ib, c_lb_ia, c_lb_ib = c_uc_ic, c_uc_io, c_uo_ic, c_uo_io
            e_iaia, e_ibib, v_ia, v_iab, v_ib = e_icic, e_ioio, w_cc, w_co, w_oo
        else:
            m_la, m_lb, m_ia, m_ib = log_base + mu_o, log_base + mu_c, mi_o, mi_c
            v_la, v_lab, v_lb = v_oo, v_co, v_cc
            c_la_ia, c_la_ib, c_lb_ia, c_lb_ib = c_uo_io, c_uo_ic, c_uc_io, c_uc_ic
            e_iaia, e_ibib, v_ia, v_iab, v_ib = e_ioio, e_icic, w_oo, w_co, w_cc
        s_1 = s + 1.0
        d_r, d_a, d_s, d_b = -m_la, -r_x * m_ia, 1.0 / s - m_lb, -s_1 * m_ib
        grad = (
            g[0] + p_alive * a_r + p_died * d_r,
            g[1] + p_alive * a_a + p_died * d_a,
            g[2] + p_alive * a_s + p_died * d_s,
            g[3] + p_alive * a_b + p_died * d_b,
        )
        # p_A A'' (A'' has r alpha, alpha alpha, s beta, beta beta entries)
        H[1] += p_alive * -inv_alpha_T
        H[4] += p_alive * r_x * inv_alpha_T * inv_alpha_T
        H[8] += p_alive * -inv_beta_T
        H[9] += p_alive * s * inv_beta_T * inv_beta_T
        # p_D D'': E[ln f''] + Cov[ln f'] (+ the -1/s^2 of ln s)
        H[0] += p_died * v_la
        H[1] += p_died * (-m_ia + r_x * c_la_ia)
        H[2] += p_died * v_lab
        H[3] += p_died * s_1 * c_la_ib
        H[4] += p_died * (r_x * e_iaia + r_x * r_x * v_ia)
        H[5] += p_died * r_x * c_lb_ia
        H[6] += p_died * r_x * s_1 * v_iab
        H[7] += p_died * (v_lb - 1.0 / (s * s))
        H[8] += p_died * (-m_ib + s_1 * c_lb_ib)
        H[9] += p_died * (s_1 * e_ibib + s_1 * s_1 * v_ib)
        # p_A p_D (A' - D')(A' - D')'
        diff = (a_r - d_r, a_a - d_a, a_s - d_s, a_b - d_b)
        both = p_alive * p_died
        k = 0
        for row_ in range(4):
            for col in range(row_, 4):
                H[k] += both * diff[row_] * diff[col]
                k += 1
    # to the log scale: theta_j theta_k H_jk + delta_jk theta_j g_j
    theta = (r, alpha, s, beta)
    k = 0
    for row_ in range(4):
        for col in range(row_, 4):
            H[k] *= theta[row_] * theta[col]
            if row_ == col:
                H[k] += theta[row_] * grad[row_]
            k += 1


@jit
def covariate_curvature_rows(
    r, alpha, s, beta, x, t_x, T, eta_p, eta_d, nodes, node_weights, out, start, stop
):  # pragma: no cover
    """Each row's Hessian in its own log-parameters (:func:`curvature`), rows start:stop.

    At the customers' alpha_i and beta_i, as in :func:`covariate_rows`.
    """
    for i in range(start, stop):
        curvature(
            r,
            alpha * math.exp(-eta_p[i]),
            s,
            beta * math.exp(-eta_d[i]),
            x[i],
            t_x[i],
            T[i],
            nodes,
            node_weights,
            out,
            i,
        )
