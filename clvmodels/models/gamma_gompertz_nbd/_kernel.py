r"""The Gamma-Gompertz/NBD's compiled loops (numba): likelihood rows and lifetime integrals.

One row of the log-likelihood with its gradient (:func:`row`), the rows with static
covariates (:func:`covariate_rows`, which the plain fit calls with zero predictors), and
the integral of the survival curve behind every prediction (:func:`survival_integral`).
The integrals are taken on the log-spaced Gauss-Legendre nodes of :mod:`.quadrature`, in
the variable named there; gradients differentiate under the integral sign on the same
nodes. Notation: :math:`E(\tau) = \beta - 1 + e^{b\tau}` (> 0), its log ``le``, and
``lr`` = :math:`\ln(E(\tau) e^{-b\tau}) = \ln(1 + (\beta - 1)e^{-b\tau})`; the
Gamma/Gompertz survival is :math:`S(\tau) = (\beta / E(\tau))^s` and its hazard
:math:`s b e^{b\tau} / E(\tau) = s b e^{-\mathrm{lr}}`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from clvmodels.models._numba_special import digamma, jit
from clvmodels.models.gamma_gompertz_nbd.quadrature import CUT

#: Helpers compiled into their callers.
inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

#: Above this b * tau, e^(b tau) is taken in logs.
_LARGE = 30.0


@inline
def log_e(b, beta, tau):  # pragma: no cover
    """ln E(tau) = ln(beta - 1 + e^(b tau)), without cancellation or overflow."""
    bt = b * tau
    if bt < 1.0:
        return math.log(beta + math.expm1(bt))
    return bt + math.log1p((beta - 1.0) * math.exp(-bt))


@inline
def hazard_gain(b, s, beta, lr0, le0, t0, delta):  # pragma: no cover
    """s ln(E(t0 + delta) / E(t0)): the cumulative hazard from t0 to t0 + delta.

    ``le0`` = ln E(t0), ``lr0`` = le0 - b t0; E(t0 + delta) / E(t0) =
    1 + (e^(b delta) - 1) e^(b t0) / E(t0), without cancellation for a small delta.
    """
    bd = b * delta
    if bd < _LARGE:
        return s * math.log1p(math.expm1(bd) * math.exp(-lr0))
    return s * (log_e(b, beta, t0 + delta) - le0)


@inline
def time_of(b, s, lr0, v):  # pragma: no cover
    """b * (tau - t0) at cumulative hazard v since t0 (the inverse of :func:`hazard_gain`)."""
    q = v / s
    if q < _LARGE:
        return math.log1p(math.exp(lr0) * math.expm1(q))
    return q + lr0 + math.log1p((math.exp(-lr0) - 1.0) * math.exp(-q))


@inline
def log_spaced(w, weight, scale, span):  # pragma: no cover
    """A node of the log-spaced rule on [0, upper] and its weight (span = ln(1 + upper/scale))."""
    grow = math.exp(w * span)
    return scale * (grow - 1.0), weight * scale * span * grow


@jit
def row(r, alpha, b, s, beta, x, t_x, T, nodes, node_weights, grad):  # pragma: no cover
    r"""Log-likelihood of one customer; its gradient in (r, alpha, b, s, beta) into ``grad``.

    ``grad[5]`` receives the log odds of being alive at T (the alive term minus the
    died-after-the-last-purchase term: P(alive) is its logistic).

    .. math::

        \ell = \ln\frac{\Gamma(r+x)\alpha^r}{\Gamma(r)} + \ln\Big[
            \frac{S(T)}{(\alpha+T)^{r+x}} + \int_{t_x}^{T}
            \frac{S(\tau)\, s b e^{b\tau}/E(\tau)}{(\alpha+\tau)^{r+x}}\, d\tau\Big]

    (alive at T, or died at tau after the last purchase), the integral on the nodes of
    :mod:`.quadrature`.
    """
    rx = r + x
    log_alpha_T = math.log(alpha + T)
    le_T = log_e(b, beta, T)
    lr_T = le_T - b * T
    log_beta = math.log(beta)
    head = math.lgamma(rx) - math.lgamma(r) + r * math.log(alpha)
    alive = -rx * log_alpha_T + s * (log_beta - le_T)
    # d alive
    a_r = -log_alpha_T
    a_alpha = -rx / (alpha + T)
    a_b = -s * T * math.exp(-lr_T)
    a_s = log_beta - le_T
    a_beta = s / beta - s * math.exp(-le_T)
    h_r = digamma(rx) - digamma(r) + math.log(alpha)
    h_alpha = r / alpha
    if not T > t_x:
        grad[0] = h_r + a_r
        grad[1] = h_alpha + a_alpha
        grad[2] = a_b
        grad[3] = a_s
        grad[4] = a_beta
        grad[5] = math.inf
        return head + alive
    le0 = log_e(b, beta, t_x)
    lr0 = le0 - b * t_x
    base = alpha + t_x
    u1_rate = rx / base
    haz0 = s * b * math.exp(-lr0)
    span_T = T - t_x
    by_hazard = beta >= 1.0
    # the range: to T, or to where the purchase factor or the survival has fallen by e^-CUT
    reach = base * math.expm1(CUT / rx)
    if by_hazard:
        upper = min(hazard_gain(b, s, beta, lr0, le0, t_x, span_T), CUT)
        if reach < span_T:
            upper = min(upper, hazard_gain(b, s, beta, lr0, le0, t_x, reach))
        # the first fall (purchase factor against hazard), and the rise of the hazard
        # (by e^lr0 = E(t_x) e^(-b t_x) at most) within about s / (e^lr0 - 1) of hazard
        scale = min(haz0 / (haz0 + u1_rate), s / max(math.expm1(lr0), 1e-300), upper)
    else:
        upper = min(span_T, reach, time_of(b, s, lr0, CUT) / b)
        rate = u1_rate + haz0 + b * (1.0 - beta) * math.exp(-le0)
        scale = min(1.0 / rate, upper)
    span = math.log1p(upper / scale)
    log_base = math.log(base)
    rho0 = math.exp(lr0)  # E(t_x) e^(-b t_x)
    inv_rho0 = 1.0 / rho0
    # sums of each node's term, and of the term times: ln(1 + d / base), 1 / (alpha + tau),
    # tau (1 - (s + 1) e^(b tau) / E(tau)), ln(E(tau) / E(t_x)) / s, E(t_x) / E(tau)
    total = m_log = m_alpha = m_b = m_s = m_beta = 0.0
    # the rule's nodes are symmetric on [0, 1] (Gauss-Legendre): e^(span (1 - v)) is
    # e^span / e^(span v), one exp for each pair of nodes
    n_nodes = nodes.shape[0]
    e_span = math.exp(span)
    for j in range((n_nodes + 1) // 2):
        grow_j = math.exp(nodes[j] * span)
        for side in range(2):
            k = j if side == 0 else n_nodes - 1 - j
            if side == 1 and k == j:
                break
            grow = grow_j if side == 0 else e_span / grow_j
            node = scale * (grow - 1.0)
            weight = node_weights[k] * scale * span * grow
            if by_hazard:
                v = node
                q = v / s
                if q < _LARGE:
                    grow_m1 = math.expm1(q)  # E(tau) / E(t_x) - 1
                    bd = math.log1p(rho0 * grow_m1)
                    inv_grow = 1.0 / (1.0 + grow_m1)
                    # e^(b tau) / E(tau) = e^(-lr0) e^(b d) / e^q
                    e_over_E = (inv_rho0 + grow_m1) * inv_grow
                else:
                    inv_grow = math.exp(-q)
                    bd = q + lr0 + math.log1p((inv_rho0 - 1.0) * inv_grow)
                    e_over_E = 1.0 + (inv_rho0 - 1.0) * inv_grow
                d = bd / b
                lp = math.log1p(d / base)
                term = weight * math.exp(-v - rx * lp)
            else:
                d = node
                bd = b * d
                if bd < _LARGE:
                    e_bd_m1 = math.expm1(bd)
                    gain = 1.0 + e_bd_m1 * inv_rho0  # E(tau) / E(t_x)
                    q = math.log(gain)
                    inv_grow = 1.0 / gain
                    e_over_E = inv_rho0 * (1.0 + e_bd_m1) * inv_grow
                else:
                    q = log_e(b, beta, t_x + d) - le0
                    inv_grow = math.exp(-q)
                    e_over_E = math.exp(b * (t_x + d) - le0 - q)
                v = s * q
                lp = math.log1p(d / base)
                term = weight * math.exp(-v - rx * lp) * s * b * e_over_E
            tau = t_x + d
            total += term
            m_log += term * lp
            m_alpha += term / (alpha + tau)
            m_b += term * tau * (1.0 - (s + 1.0) * e_over_E)
            m_s += term * q
            m_beta += term * inv_grow
    m_r = m_log + log_base * total
    m_s += le0 * total
    m_beta *= math.exp(-le0)
    died = s * (log_beta - le0) - rx * log_base + math.log(total)
    top = max(alive, died)
    value = head + top + math.log(math.exp(alive - top) + math.exp(died - top))
    p_alive = 1.0 / (1.0 + math.exp(died - alive))
    p_died = 1.0 - p_alive
    d_r = -m_r / total
    d_alpha = -rx * m_alpha / total
    d_b = 1.0 / b + m_b / total
    d_s = 1.0 / s + log_beta - m_s / total
    d_beta = s / beta - (s + 1.0) * m_beta / total
    grad[0] = h_r + p_alive * a_r + p_died * d_r
    grad[1] = h_alpha + p_alive * a_alpha + p_died * d_alpha
    grad[2] = p_alive * a_b + p_died * d_b
    grad[3] = p_alive * a_s + p_died * d_s
    grad[4] = p_alive * a_beta + p_died * d_beta
    grad[5] = alive - died
    return value


@jit
def covariate_rows(
    r, alpha, b, s, beta, x, t_x, T, eta_p, eta_d, nodes, node_weights, ll, grad, start, stop
):  # pragma: no cover
    r"""Per-row log-likelihood and derivatives, rows start:stop, with static covariates.

    Customer i has :math:`\alpha_i = \alpha e^{-\eta^P_i}` and
    :math:`\beta_i = \beta e^{-\eta^D_i}` (CLVTools' ``ggomnbd`` with static covariates).
    ``grad`` rows: r, alpha, b, s, beta, then d/d eta_p and d/d eta_d. Each call writes
    only its own rows (ranges of rows run in parallel threads).
    """
    g = np.empty(6)
    for i in range(start, stop):
        e_p = math.exp(-eta_p[i])
        e_d = math.exp(-eta_d[i])
        alpha_i, beta_i = alpha * e_p, beta * e_d
        ll[i] = row(r, alpha_i, b, s, beta_i, x[i], t_x[i], T[i], nodes, node_weights, g)
        grad[0, i] = g[0]
        grad[1, i] = g[1] * e_p
        grad[2, i] = g[2]
        grad[3, i] = g[3]
        grad[4, i] = g[4] * e_d
        grad[5, i] = -g[1] * alpha_i
        grad[6, i] = -g[4] * beta_i


@jit
def rows(r, alpha, b, s, beta, x, t_x, T, nodes, node_weights, ll, log_odds):  # pragma: no cover
    """:func:`row` over arrays of one length (parameters and data broadcast by the caller)."""
    g = np.empty(6)
    for i in range(ll.shape[0]):
        ll[i] = row(r[i], alpha[i], b[i], s[i], beta[i], x[i], t_x[i], T[i], nodes, node_weights, g)
        log_odds[i] = g[5]


@jit
def weighted_rows(params, x, t_x, T, weights, nodes, node_weights, out):  # pragma: no cover
    """``out = (sum w ll, sum w d/dr, ..., sum w d/dbeta)`` at ``params`` (one thread)."""
    g = np.empty(6)
    for j in range(6):
        out[j] = 0.0
    for i in range(weights.shape[0]):
        w = weights[i]
        out[0] += w * row(
            params[0], params[1], params[2], params[3], params[4],
            x[i], t_x[i], T[i], nodes, node_weights, g,
        )  # fmt: skip
        for k in range(5):
            out[k + 1] += w * g[k]


@jit
def survival_integral(b, s, beta, t0, horizon, delta, nodes, node_weights):  # pragma: no cover
    r""":math:`\int_0^{h} e^{-\delta u}\, S(t_0 + u) / S(t_0)\, du`, h = ``horizon`` (may be inf).

    The expected time alive in the next h time units (discounted at the continuous rate
    delta) of a customer alive at t0: CET, DERT and E[X(t)] are rates times this.
    """
    if not horizon > 0.0:
        return 0.0
    le0 = log_e(b, beta, t0)
    lr0 = le0 - b * t0
    haz0 = s * b * math.exp(-lr0)
    limit = horizon
    if delta > 0.0:
        limit = min(limit, CUT / delta)
    if beta >= 1.0:
        upper = CUT
        if limit < math.inf:
            upper = min(upper, hazard_gain(b, s, beta, lr0, le0, t0, limit))
        rate = 1.0 + math.expm1(lr0) / s + delta / haz0
        scale = min(1.0 / rate, upper)
    else:
        upper = min(limit, time_of(b, s, lr0, CUT) / b)
        scale = min(1.0 / (haz0 + delta), upper)
    if not upper > 0.0:
        return 0.0
    span = math.log1p(upper / scale)
    total = 0.0
    for j in range(nodes.shape[0]):
        node, weight = log_spaced(nodes[j], node_weights[j], scale, span)
        if beta >= 1.0:
            bd = time_of(b, s, lr0, node)
            lr_tau = lr0 + node / s - bd
            # du = dv / hazard(tau)
            total += weight * math.exp(-node - delta * bd / b + lr_tau) / (s * b)
        else:
            v = hazard_gain(b, s, beta, lr0, le0, t0, node)
            total += weight * math.exp(-v - delta * node)
    return total


@jit
def survival_integrals(
    b, s, beta, t0, horizon, delta, nodes, node_weights, out
):  # pragma: no cover
    """:func:`survival_integral` over arrays of one length (b, s, beta, t0, horizon)."""
    for i in range(out.shape[0]):
        out[i] = survival_integral(
            b[i], s[i], beta[i], t0[i], horizon[i], delta, nodes, node_weights
        )


@jit
def purchases_before_death(r, alpha, b, s, beta, t, n, nodes, node_weights):  # pragma: no cover
    r"""P(X(t) = n, died by t) for a new customer: the lifetime integral of P(X(tau) = n).

    .. math::

        \int_0^t \mathrm{NB}\Big(n; r, \frac{\alpha}{\alpha+\tau}\Big) f(\tau)\, d\tau
        = \int_0^{V} \mathrm{NB}\Big(n; r, \frac{\alpha}{\alpha+\tau(v)}\Big) e^{-v}\, dv

    over the cumulative hazard v (f(tau) d tau = S(tau) dv = e^-v dv), V the hazard at t
    (cut at :data:`CUT`), on a plain Gauss-Legendre rule (the integrand starts at 0 for
    n >= 1): the caller compares rules of increasing size.
    """
    lr0 = math.log(beta)
    upper = min(hazard_gain(b, s, beta, lr0, lr0, 0.0, t), CUT)
    if not upper > 0.0:
        return 0.0
    log_front = math.lgamma(r + n) - math.lgamma(r) - math.lgamma(n + 1.0)
    total = 0.0
    for j in range(nodes.shape[0]):
        v = upper * nodes[j]
        tau = time_of(b, s, lr0, v) / b
        log_a = math.log(alpha + tau)
        pmf = r * (math.log(alpha) - log_a)
        if n > 0.0:
            pmf += n * (math.log(tau) - log_a)
        total += node_weights[j] * math.exp(log_front + pmf - v)
    return upper * total


@jit
def purchases_before_deaths(
    r, alpha, b, s, beta, t, n, nodes, node_weights, out
):  # pragma: no cover
    """:func:`purchases_before_death` over arrays of one length."""
    for i in range(out.shape[0]):
        out[i] = purchases_before_death(
            r[i], alpha[i], b[i], s[i], beta[i], t[i], n[i], nodes, node_weights
        )
