r"""The Pareto/NBD with time-varying covariates (Bachmann, Meierer & Naef 2021).

While alive, customer i buys at the rate :math:`\lambda_i e^{\gamma_P' x_i(t)}` and dies at
the rate :math:`\mu_i e^{\gamma_D' x_i(t)}`, with :math:`\lambda_i \sim \Gamma(r, \alpha)`
and :math:`\mu_i \sim \Gamma(s, \beta)` as in the plain model, and covariates
:math:`x_i(t)` constant within each calendar period. With the covariate-weighted exposures
from her first purchase (time 0)

.. math::

    A(t) = \int_0^t e^{\gamma_P' x(u)} du, \qquad B(t) = \int_0^t e^{\gamma_D' x(u)} du

(piecewise linear), her repeat purchases at :math:`t_1 \dots t_x` and her age T, the
likelihood, integrated over the gamma mixing, is

.. math::

    L = \frac{\Gamma(r+x)\alpha^r\beta^s}{\Gamma(r)} e^{\gamma_P' \sum_j x(t_j)}
        \Big[\big(\alpha+A(T)\big)^{-(r+x)}\big(\beta+B(T)\big)^{-s}
        + s\int_{t_x}^{T} e^{\gamma_D' x(\tau)}
          \big(\alpha+A(\tau)\big)^{-(r+x)}\big(\beta+B(\tau)\big)^{-(s+1)} d\tau\Big]

(alive at T, or died at tau after her last purchase; the last factor of the death term is
its hazard). With covariates constant over time, A(t) = e^{eta_P} t and the likelihood is
the static-covariate one with :math:`\alpha_i = \alpha e^{-\eta_P}`,
:math:`\beta_i = \beta e^{-\eta_D}` (:func:`.math.customer_parameters`); with all
covariates 0 it is the plain Pareto/NBD.

The integral is a sum over the periods between t_x and T. On a period where the
exponentials are a and b, put :math:`\tau' = b u` (u the time into the piece):

.. math::

    \int_0^d b\,(p + a u)^{-m}(q + b u)^{-n} du
    = (a/b)^{-m}\int_0^{bd} (p b / a + \tau')^{-m} (q + \tau')^{-n} d\tau',

(p = alpha + A and q = beta + B at the piece's start, m = r + x, n = s + 1): the plain
model's integral with both constants positive. It is taken on the plain model's
log-spaced nodes (:mod:`.quadrature`), with fewer of them where it falls little over the
piece (:data:`PIECE_RULES`). The gradient differentiates under the integral sign on the
same nodes; the derivatives in the coefficients go through A, B and their derivatives
:math:`\partial A / \partial \gamma_P = \int_0^t e^{\gamma_P' x} x\, du`.

References
----------
Bachmann, P., Meierer, M. & Naef, J. (2021). The role of time-varying contextual factors
in latent attrition models for customer base analysis. *Marketing Science*, 40(4), 783-809.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from clvmodels.models._numba_special import digamma, jit
from clvmodels.models.pareto_nbd.quadrature import TAIL_CUT, gauss_legendre_01

__all__ = [
    "ON_BOUNDARY",
    "PIECE_RULES",
    "customer_terms",
    "kernel_inputs",
    "log_likelihood_terms",
    "piece",
    "piece_rules",
    "single",
]

#: The customer loop runs on all cores, in chunks of this many customers.
CHUNK = 512

parallel_jit = numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
prange = numba.prange

#: Piece ends within this share of a period of T are T (float rounding of positions).
ON_BOUNDARY = 1e-9

#: The rules of a piece, by how far its integrand falls (``drop``, the log of h(0) / h(d))
#: and how wide it is against its curvature (``eps = max(a d / p, b d / q)``): (largest
#: drop, Gauss-Legendre nodes) per family. Where eps <= 0.25 (almost every weekly piece of
#: real data) or eps <= 0.5, Gauss-Legendre on u itself, 3 nodes for a drop below 2^-7 to
#: 8 below 4; otherwise the plain model's log-spaced nodes (:mod:`.quadrature`). Each
#: choice is within 1e-10 of the log-spaced 40-node rule in log integral over 20,000
#: random pieces (p, q in 1e-2..1e3, exponentials in e^-3..e^3, m up to 300).
PIECE_RULES = (
    ((2.0**-7, 3), (2.0**-3, 4), (0.5, 5), (2.0, 6), (4.0, 8)),
    ((2.0**-6, 4), (0.25, 5), (1.0, 6), (2.0, 8)),
    ((2.0, 10), (6.0, 16), (20.0, 24), (np.inf, 40)),
)


def piece_rules() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:data:`PIECE_RULES` as arrays for numba: limits, counts (family x rule), nodes, weights.

    Row c of ``nodes`` and ``weights`` is the c-point Gauss-Legendre rule on [0, 1].
    """
    size = max(len(family) for family in PIECE_RULES) + 1  # each row ends with inf, 0
    limits = np.full((len(PIECE_RULES), size), np.inf)
    counts = np.zeros((len(PIECE_RULES), size), dtype=np.int64)
    for f, family in enumerate(PIECE_RULES):
        for j, (limit, count) in enumerate(family):
            limits[f, j], counts[f, j] = limit, count
    widest = int(counts.max())
    nodes = np.zeros((widest + 1, widest))
    weights = np.zeros((widest + 1, widest))
    for count in np.unique(counts[counts > 0]):
        nodes[count, :count], weights[count, :count] = gauss_legendre_01(int(count))
    return limits, counts, nodes, weights


@jit
def direct(p, a, q, b, d, m, n, count, nodes, node_weights, out):  # pragma: no cover
    """:func:`piece` by Gauss-Legendre on u (a piece over which the integrand is smooth)."""
    log_p, log_q = math.log(p), math.log(q)
    total = s_l1 = s_l2 = s_i1 = s_u1 = s_i2 = s_u2 = 0.0
    for j in range(count):
        u = d * nodes[count, j]
        l1 = math.log1p(a * u / p)
        l2 = math.log1p(b * u / q)
        term = node_weights[count, j] * math.exp(-m * l1 - n * l2)
        inv1 = 1.0 / (p + a * u)
        inv2 = 1.0 / (q + b * u)
        total += term
        s_l1 += term * l1
        s_l2 += term * l2
        s_i1 += term * inv1
        s_u1 += term * u * inv1
        s_i2 += term * inv2
        s_u2 += term * u * inv2
    out[0] = log_p + s_l1 / total
    out[1] = log_q + s_l2 / total
    out[2] = s_i1 / total
    out[3] = s_u1 / total
    out[4] = s_i2 / total
    out[5] = s_u2 / total
    return math.log(b * d * total) - m * log_p - n * log_q


@jit
def single(p, a, q, b, d, m, n, limits, counts, nodes, node_weights, out):  # pragma: no cover
    r"""ln of :math:`\int_0^d b (p + a u)^{-m} (q + b u)^{-n} du` and node means.

    ``out`` receives, as means under the integrand: ln(p + a u), ln(q + b u),
    1 / (p + a u), u / (p + a u), 1 / (q + b u), u / (q + b u). Returns the log integral.
    The rule is chosen by :data:`PIECE_RULES` (:func:`piece` splits wide pieces first).
    """
    eps = max(a * d / p, b * d / q)
    drop = m * math.log1p(a * d / p) + n * math.log1p(b * d / q)  # ln h(0) - ln h(d)
    family = 0 if eps <= 0.25 else (1 if eps <= 0.5 else 2)
    rule = 0
    while drop > limits[family, rule]:
        rule += 1
    if counts[family, rule] == 0:  # beyond the direct rules: log-spaced
        family = 2
        rule = 0
        while drop > limits[family, rule]:
            rule += 1
    count = counts[family, rule]
    if family < 2:
        return direct(p, a, q, b, d, m, n, count, nodes, node_weights, out)
    ratio = a / b
    alpha_p = p / ratio  # the constants of the plain model's integral, both > 0
    beta_p = q
    larger = alpha_p >= beta_p
    c, other = (alpha_p, beta_p) if larger else (beta_p, alpha_p)
    qq = n if larger else m
    big_m = m + n - 1.0
    z = (c - other) / c
    one_minus_z = other / c
    log_c = math.log(c)
    upper = big_m * math.log1p(b * d / c)
    upper = min(upper, TAIL_CUT)
    width = big_m * one_minus_z
    scale = min(width / max(qq * z, width), upper)
    log1m_z = math.log(one_minus_z)
    span = math.log1p(upper / scale)
    total = s_l1 = s_l2 = s_i1 = s_u1 = s_i2 = s_u2 = 0.0
    log_ratio = math.log(ratio)
    for j in range(count):
        grow = math.exp(nodes[count, j] * span)
        ell = scale * (grow - 1.0)
        decay_m1 = math.expm1(-ell / big_m)
        shrink = one_minus_z - z * decay_m1
        log_shrink = math.log(shrink)
        term = node_weights[count, j] * scale * span * grow
        term *= math.exp(-qq * (log_shrink - log1m_z) - ell)
        log_ct = log_c + ell / big_m  # ln(c + tau')
        tau = c * (-decay_m1) / (1.0 + decay_m1)
        if larger:
            log_first, log_second = log_ct, log_ct + log_shrink
        else:
            log_first, log_second = log_ct + log_shrink, log_ct
        inv1 = math.exp(-log_first) / ratio  # 1 / (p + a u)
        inv2 = math.exp(-log_second)  # 1 / (q + b u)
        u = tau / b
        total += term
        s_l1 += term * (log_ratio + log_first)
        s_l2 += term * log_second
        s_i1 += term * inv1
        s_u1 += term * u * inv1
        s_i2 += term * inv2
        s_u2 += term * u * inv2
    out[0] = s_l1 / total
    out[1] = s_l2 / total
    out[2] = s_i1 / total
    out[3] = s_u1 / total
    out[4] = s_i2 / total
    out[5] = s_u2 / total
    return -m * log_ratio - big_m * log_c - math.log(big_m) - qq * log1m_z + math.log(total)


#: A piece wider than this against its curvature (eps) is split into geometric parts
#: of at most this eps (the log-spaced rule converges slowly on them otherwise).
SPLIT_EPS = 0.5


@jit
def piece(p, a, q, b, d, m, n, limits, counts, nodes, node_weights, out):  # pragma: no cover
    r"""ln of :math:`\int_0^d b (p + a u)^{-m} (q + b u)^{-n} du` and its node means (``out``).

    As :func:`single`; a piece with ``max(a d / p, b d / q) > SPLIT_EPS`` (the purchase or
    dropout clock runs fast against alpha + A or beta + B, e.g. at its start) is summed
    over parts on which p + a u and q + b u grow by at most 1 + SPLIT_EPS, each by
    :func:`single`; parts after the integral has fallen by e^-40 are left out.
    """
    if a * d <= SPLIT_EPS * p and b * d <= SPLIT_EPS * q:
        return single(p, a, q, b, d, m, n, limits, counts, nodes, node_weights, out)
    part = np.empty(6)
    u = 0.0
    ref = -np.inf
    tot = 0.0
    sums = np.zeros(6)
    while u < d:
        p_u, q_u = p + a * u, q + b * u
        h = min(d - u, SPLIT_EPS * p_u / a, SPLIT_EPS * q_u / b)
        if d - u - h < 1e-12 * d:
            h = d - u
        log_part = single(p_u, a, q_u, b, h, m, n, limits, counts, nodes, node_weights, part)
        if log_part > ref:
            shrink = math.exp(ref - log_part) if tot > 0.0 else 0.0
            tot *= shrink
            for j in range(6):
                sums[j] *= shrink
            ref = log_part
        w = math.exp(log_part - ref)
        tot += w
        sums[0] += w * part[0]
        sums[1] += w * part[1]
        sums[2] += w * part[2]
        sums[3] += w * (part[3] + u * part[2])
        sums[4] += w * part[4]
        sums[5] += w * (part[5] + u * part[4])
        u += h
        # the rest is at most (this part / h) * (d - u): the integrand falls
        if u < d and log_part - math.log(h) + math.log(d - u) < ref - 40.0:
            break
    for j in range(6):
        out[j] = sums[j] / tot
    return ref + math.log(tot)


@parallel_jit
def customer_terms(
    r,
    alpha,
    s,
    beta,
    x,
    t_x,
    T,
    start,
    n_periods,
    offset,
    period,
    rate_p,
    rate_d,
    design,
    limits,
    counts,
    nodes,
    node_weights,
    ll,
    grad,
    log_alive,
    log_died,
    exposure,
):  # pragma: no cover
    """Per customer: the log-likelihood without the purchase-covariate term, and its gradient.

    ``grad`` rows: r, alpha, s, beta, then d/d beta_P (k rows) and d/d beta_D (k rows),
    beta_P and beta_D the per-column effects in the two predictors (``rate_p`` and
    ``rate_d``: their exponentials per design row). ``ln(alive)`` and ``ln(died)`` per
    customer go to ``log_alive`` and ``log_died`` (P(alive) is their logistic), A(T) and
    B(T) to ``exposure[0]`` and ``exposure[1]``. Customers run in parallel chunks.
    """
    k = design.shape[1]
    n_customers = x.shape[0]
    for chunk in prange((n_customers + CHUNK - 1) // CHUNK):
        means = np.empty(6)
        d_a = np.empty(k)
        d_b = np.empty(k)
        acc_p = np.empty(k)
        acc_d = np.empty(k)
        for i in range(chunk * CHUNK, min(n_customers, (chunk + 1) * CHUNK)):
            m = r + x[i]
            n = s + 1.0
            big_a = 0.0
            big_b = 0.0
            for j in range(k):
                d_a[j] = 0.0
                d_b[j] = 0.0
                acc_p[j] = 0.0
                acc_d[j] = 0.0
            ref = -np.inf
            tot = acc_r = acc_s = acc_alpha = acc_beta = 0.0
            u0 = 0.0
            last = n_periods[i] - 1
            for piece_no in range(n_periods[i]):
                u1 = (piece_no + 1) * period - offset[i]
                if u1 >= T[i] - ON_BOUNDARY * period or piece_no == last:
                    u1 = T[i]
                row = start[i] + piece_no
                a = rate_p[row]
                b = rate_d[row]
                if u1 > t_x[i] and u1 > u0:
                    lo = max(u0, t_x[i])
                    lead = lo - u0
                    p = alpha + big_a + a * lead
                    q = beta + big_b + b * lead
                    log_piece = piece(
                        p, a, q, b, u1 - lo, m, n, limits, counts, nodes, node_weights, means
                    )
                    if log_piece > ref:
                        scale = math.exp(ref - log_piece) if tot > 0.0 else 0.0
                        tot *= scale
                        acc_r *= scale
                        acc_s *= scale
                        acc_alpha *= scale
                        acc_beta *= scale
                        for j in range(k):
                            acc_p[j] *= scale
                            acc_d[j] *= scale
                        ref = log_piece
                    w = math.exp(log_piece - ref)
                    tot += w
                    acc_r -= w * means[0]
                    acc_s -= w * means[1]
                    acc_alpha -= w * m * means[2]
                    acc_beta -= w * n * means[4]
                    into_p = (means[2] * lead + means[3]) * a
                    into_d = (means[4] * lead + means[5]) * b
                    for j in range(k):
                        x_j = design[row, j]
                        acc_p[j] -= w * m * (means[2] * d_a[j] + into_p * x_j)
                        acc_d[j] += w * (x_j - n * (means[4] * d_b[j] + into_d * x_j))
                width = u1 - u0
                big_a += a * width
                big_b += b * width
                for j in range(k):
                    d_a[j] += a * width * design[row, j]
                    d_b[j] += b * width * design[row, j]
                u0 = u1
                if u1 >= T[i]:
                    break
            head = math.lgamma(m) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
            log_at = math.log(alpha + big_a)
            log_bt = math.log(beta + big_b)
            alive = -m * log_at - s * log_bt
            g_r = digamma(m) - digamma(r) + math.log(alpha)
            g_alpha = r / alpha
            g_s = math.log(beta)
            g_beta = s / beta
            log_alive[i] = alive
            exposure[0, i] = big_a
            exposure[1, i] = big_b
            if tot > 0.0:
                died = math.log(s) + ref + math.log(tot)
                top = max(alive, died)
                ll[i] = head + top + math.log(math.exp(alive - top) + math.exp(died - top))
                p_alive = 1.0 / (1.0 + math.exp(died - alive))
                log_died[i] = died
            else:
                ll[i] = head + alive
                p_alive = 1.0
                log_died[i] = -np.inf
            p_died = 1.0 - p_alive
            inv = 1.0 / tot if tot > 0.0 else 0.0
            grad[0, i] = g_r - p_alive * log_at + p_died * acc_r * inv
            grad[1, i] = g_alpha - p_alive * m / (alpha + big_a) + p_died * acc_alpha * inv
            grad[2, i] = g_s - p_alive * log_bt + p_died * (1.0 / s + acc_s * inv)
            grad[3, i] = g_beta - p_alive * s / (beta + big_b) + p_died * acc_beta * inv
            for j in range(k):
                grad[4 + j, i] = -p_alive * m * d_a[j] / (alpha + big_a) + p_died * acc_p[j] * inv
                grad[4 + k + j, i] = (
                    -p_alive * s * d_b[j] / (beta + big_b) + p_died * acc_d[j] * inv
                )


_RULES = piece_rules()


def kernel_inputs(
    params: np.ndarray, beta_p: np.ndarray, beta_d: np.ndarray, arrays: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple]:
    """The design, the predictors' exponentials per design row, the paths as kernels take them."""
    matrix = arrays["path_design"]
    rate_p = np.exp(matrix @ beta_p) if len(beta_p) else np.ones(len(matrix))
    rate_d = np.exp(matrix @ beta_d) if len(beta_d) else np.ones(len(matrix))
    path = tuple(
        np.ascontiguousarray(arrays[name], dtype=dtype)
        for name, dtype in (
            ("frequency", np.float64),
            ("recency", np.float64),
            ("T", np.float64),
            ("path_start", np.int64),
            ("path_periods", np.int64),
            ("path_offset", np.float64),
        )
    )
    return matrix, rate_p, rate_d, path


def log_likelihood_terms(
    params: np.ndarray, beta_p: np.ndarray, beta_d: np.ndarray, arrays: dict
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per-customer log-likelihood and gradient (rows: r, alpha, s, beta, beta_P, beta_D).

    ``arrays`` hold each customer's path (``estimation.dynamic_covariates`` lays them out):
    ``frequency``, ``recency``, ``T``, ``path_start``, ``path_periods``, ``path_offset``,
    ``purchase_sums`` (customers x covariates, summed at the repeat purchases), and the
    shared ``path_design`` and ``path_period``. The third item holds ``log_alive``,
    ``log_died`` and ``exposure`` (A(T), B(T)) per customer.
    """
    r, alpha, s, beta = (float(v) for v in params)
    matrix, rate_p, rate_d, path = kernel_inputs(params, beta_p, beta_d, arrays)
    n, k = len(path[0]), matrix.shape[1]
    ll, grad = np.empty(n), np.empty((4 + 2 * k, n))
    parts = {"log_alive": np.empty(n), "log_died": np.empty(n), "exposure": np.empty((2, n))}
    customer_terms(
        r,
        alpha,
        s,
        beta,
        *path[:5],
        path[5],
        float(arrays["path_period"][0]),
        rate_p,
        rate_d,
        np.ascontiguousarray(matrix),
        *_RULES,
        ll,
        grad,
        parts["log_alive"],
        parts["log_died"],
        parts["exposure"],
    )
    sums = arrays.get("purchase_sums")
    if sums is not None and len(beta_p):
        ll += sums @ beta_p
        grad[4 : 4 + k] += sums.T
    return ll, grad, parts
