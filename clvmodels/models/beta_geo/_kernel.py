r"""The BG/NBD log-likelihood and its gradient row by row, compiled by numba (MLE and sampler).

The formula is :func:`clvmodels.models.beta_geo.math.grouped_log_likelihood`'s: every term that
depends on one statistic alone comes in a table with one row per distinct value of it
(per distinct x: the x terms of the likelihood, ``ln(a / (b + x - 1))`` and their
derivatives; per distinct T and t_x: ``ln(alpha + T)``, ``1 / (alpha + T)``), and what
remains per customer row is one ``logaddexp`` and its derivative, the share

.. math::

    w_4 = \operatorname{expit}\Big(\ln\frac{a}{b+x-1} + (r+x)\big[\ln(\alpha+T)
          - \ln(\alpha+t_x)\big]\Big)

of the "dropped out after the last purchase" term (0 for x = 0). One pass over the rows
gives the value and the four derivatives together, with no temporaries; the weighted
sums are taken in blocks of rows, so their rounding error grows with the block count,
not with the row count.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way. *Marketing Science*, 24(2), 275-284 (eq. 6).

Fader, P. S. & Hardie, B. G. S. (2013). Overcoming the BG/NBD model's #NUM! error
problem. http://brucehardie.com/notes/027/
"""

from __future__ import annotations

import math

import numba
import numpy as np

from clvmodels.models._numba_special import digamma, log_beta

#: Columns of the per-x table the kernels read.
X_COLUMNS = ("x", "x_terms", "log_odds", "d_r", "d_a", "d_b", "inv_b")

#: Rows summed before a block's sum is added to the total.
BLOCK = 1024

# Compiled on first call and cached on disk (beta_geo imports this module, and so numba,
# on first use). The loops are module-level functions, not closures: numba does not find
# the on-disk cache of a closure that calls another compiled closure, and compiles it
# again in every process (1-2 s).
# error_model="numpy": x / 0 is inf or nan (then refused by the optimiser), never an
# exception.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@jit
def fill_tables(
    r, alpha, a, b, x_unique, t_x_unique, T_unique, per_x, per_t_x, per_T
):  # pragma: no cover
    """The per-value tables the row loops read, for the parameters (r, alpha, a, b).

    ``per_x`` rows (:data:`X_COLUMNS`): x; the likelihood's terms in x alone,
    ``ln[Gamma(r + x) alpha^r / Gamma(r)] + ln[B(a, b + x) / B(a, b)]``;
    ``ln(a / (b + max(x, 1) - 1))``; their derivatives ``psi(r + x) - psi(r) + ln alpha``,
    ``psi(a + b) - psi(a + b + x)`` (in a), that plus ``psi(b + x) - psi(b)`` (in b); and
    ``1 / (b + max(x, 1) - 1)``. ``per_t_x`` and ``per_T`` rows: ``ln(alpha + t)`` and
    ``1 / (alpha + t)``. The terms are those of
    :func:`clvmodels.models.beta_geo.math.grouped_log_likelihood` (Fader, Hardie & Lee 2005,
    eq. 6), with ``ln B`` from lgammas as in its PyTensor form.
    """
    log_alpha = math.log(alpha)
    lgamma_r, log_beta_ab = math.lgamma(r), log_beta(a, b)
    psi_r, psi_ab, psi_b = digamma(r), digamma(a + b), digamma(b)
    for k in range(x_unique.shape[0]):
        x = x_unique[k]
        b_x_1 = b + (max(x, 1.0) - 1.0)  # x - 1 first: exact, b may be 1e-18
        d_a = psi_ab - digamma(a + b + x)
        per_x[k, 0] = x
        per_x[k, 1] = (
            math.lgamma(r + x) - lgamma_r + r * log_alpha + log_beta(a, b + x) - log_beta_ab
        )
        per_x[k, 2] = math.log(a) - math.log(b_x_1)
        per_x[k, 3] = digamma(r + x) - psi_r + log_alpha
        per_x[k, 4] = d_a
        per_x[k, 5] = d_a + digamma(b + x) - psi_b
        per_x[k, 6] = 1.0 / b_x_1
    for values, table in ((t_x_unique, per_t_x), (T_unique, per_T)):
        for j in range(values.shape[0]):
            table[j, 0] = math.log(alpha + values[j])
            table[j, 1] = 1.0 / (alpha + values[j])


@jit
def row(i, x_index, t_x_index, T_index, per_x, per_T, per_t_x, r, alpha, a):  # pragma: no cover
    """Log-likelihood of row i and its derivatives in (r, alpha, a, b).

    Without branches on the data (x > 0, the sign of d): they are as often true as
    not, and mispredicting them cost more than twice the arithmetic.
    """
    k = int(x_index[i])
    j = int(T_index[i])
    m = int(t_x_index[i])
    x = per_x[k, 0]
    r_x = r + x
    log_T, inv_T = per_T[j, 0], per_T[j, 1]
    log_t_x, inv_t_x = per_t_x[m, 0], per_t_x[m, 1]
    repeat = x > 0.0
    # logaddexp(0, d) as numpy computes it, max(d, 0) + log1p(exp(-|d|)), and its
    # derivative expit(d); both only for x > 0
    d = (per_x[k, 2] + r_x * log_T) - r_x * log_t_x
    e = math.exp(-abs(d))
    q = 1.0 / (1.0 + e)
    dropped = (max(d, 0.0) + math.log1p(e)) if repeat else 0.0
    w4 = (q if d > 0.0 else e * q) if repeat else 0.0
    # the likelihood while alive at T, x terms and -(r + x) ln(alpha + T), + dropped
    value = (per_x[k, 1] + -r_x * log_T) + dropped
    grad_r = per_x[k, 3] - log_T + w4 * (log_T - log_t_x)
    grad_alpha = r / alpha - r_x * (inv_T + w4 * (inv_t_x - inv_T))
    grad_a = per_x[k, 4] + w4 / a
    grad_b = per_x[k, 5] - w4 * per_x[k, 6]
    return value, grad_r, grad_alpha, grad_a, grad_b


@jit
def each_row(
    x_index, t_x_index, T_index, per_x, per_T, per_t_x, r, alpha, a, ll, grad
):  # pragma: no cover
    """Fill ``ll[i]`` and ``grad[:, i]`` for every row."""
    for i in range(ll.shape[0]):
        ll[i], grad[0, i], grad[1, i], grad[2, i], grad[3, i] = row(
            i, x_index, t_x_index, T_index, per_x, per_T, per_t_x, r, alpha, a
        )


@jit
def weighted(
    x_index, t_x_index, T_index, per_x, per_T, per_t_x, r, alpha, a, weights, out
):  # pragma: no cover
    """``out = (sum w ll, sum w grad_r, ..., sum w grad_b)`` over the rows, by blocks."""
    for j in range(5):
        out[j] = 0.0
    n = weights.shape[0]
    for start in range(0, n, BLOCK):
        s0 = s1 = s2 = s3 = s4 = 0.0
        for i in range(start, min(start + BLOCK, n)):
            value, g_r, g_alpha, g_a, g_b = row(
                i, x_index, t_x_index, T_index, per_x, per_T, per_t_x, r, alpha, a
            )
            w = weights[i]
            s0 += w * value
            s1 += w * g_r
            s2 += w * g_alpha
            s3 += w * g_a
            s4 += w * g_b
        out[0] += s0
        out[1] += s1
        out[2] += s2
        out[3] += s3
        out[4] += s4


@jit
def weighted_at(
    params, x_index, t_x_index, T_index, x_unique, t_x_unique, T_unique, weights, out
):  # pragma: no cover
    """:func:`fill_tables` and :func:`weighted` in one call, without the GIL.

    For a sampler that evaluates the likelihood 10^5 times, from several threads: the
    tables are allocated per call.
    """
    r, alpha, a, b = params[0], params[1], params[2], params[3]
    per_x = np.empty((x_unique.shape[0], len(X_COLUMNS)))
    per_t_x = np.empty((t_x_unique.shape[0], 2))
    per_T = np.empty((T_unique.shape[0], 2))
    fill_tables(r, alpha, a, b, x_unique, t_x_unique, T_unique, per_x, per_t_x, per_T)
    weighted(x_index, t_x_index, T_index, per_x, per_T, per_t_x, r, alpha, a, weights, out)


#: Up to this x, x-only differences of lgamma and digamma are summed term by term.
_SUM_UP_TO = 64


@jit
def _beta_ratio(a, b, x):  # pragma: no cover
    """ln[B(a, b + x) / B(a, b)] and its derivatives in a and b, accurate for huge a, b."""
    if x <= _SUM_UP_TO:
        value = d_a = d_b = 0.0
        for j in range(int(x)):
            value += math.log1p(-a / (a + b + j))
            d_a -= 1.0 / (a + b + j)
            d_b += 1.0 / (b + j) - 1.0 / (a + b + j)
        return value, d_a, d_b
    psi_abx = digamma(a + b + x)
    d_a = digamma(a + b) - psi_abx
    return log_beta(a, b + x) - log_beta(a, b), d_a, d_a + digamma(b + x) - digamma(b)


@jit
def covariate_x_terms(r, per_x):  # pragma: no cover
    """Fill ``per_x[:, 1:3]``, the covariate likelihood's terms in x alone.

    For the x in ``per_x[:, 0]``: ``ln Gamma(r + x) - ln Gamma(r)`` and ``psi(r + x) - psi(r)``.
    """
    for k in range(per_x.shape[0]):
        per_x[k, 1] = math.lgamma(r + per_x[k, 0]) - math.lgamma(r)
        per_x[k, 2] = digamma(r + per_x[k, 0]) - digamma(r)


@jit
def covariate_rows(
    r, alpha, a, b, x, t_x, T, eta_p, eta_d, x_index, per_x, ll, grad, start, stop
):  # pragma: no cover
    r"""Per-row log-likelihood with static covariates and its derivatives, rows start:stop.

    Customer i has :math:`\alpha_i = \alpha e^{-\eta^P_i}`, :math:`a_i = a e^{\eta^D_i}`,
    :math:`b_i = b e^{\eta^D_i}` (CLVTools' parametrisation) in the likelihood of
    :func:`clvmodels.models.beta_geo.math.log_likelihood`. ``grad`` rows: r, alpha, a, b
    (the base parameters), then d/d eta_p and d/d eta_d. The terms in x alone come from
    ``per_x`` (one row per distinct x, ``x_index`` gives each row's; filled by
    :func:`covariate_x_terms`). Each call writes only its own rows, so ranges of rows run
    in parallel threads.
    """
    for i in range(start, stop):
        k = int(x_index[i])
        e_p = math.exp(-eta_p[i])
        e_d = math.exp(eta_d[i])
        alpha_i, a_i, b_i = alpha * e_p, a * e_d, b * e_d
        xi = x[i]
        r_x = r + xi
        log_T = math.log(alpha_i + T[i])
        ratio, d_a, d_b = _beta_ratio(a_i, b_i, xi)
        value = per_x[k, 1] + r * math.log(alpha_i) + ratio - r_x * log_T
        w4 = 0.0
        span = 0.0
        if xi > 0.0:
            span = math.log1p((T[i] - t_x[i]) / (alpha_i + t_x[i]))
            d = math.log(a_i) - math.log(b_i + (xi - 1.0)) + r_x * span
            e = math.exp(-abs(d))
            value += max(d, 0.0) + math.log1p(e)
            w4 = 1.0 / (1.0 + e) if d > 0.0 else e / (1.0 + e)
        inv_T = 1.0 / (alpha_i + T[i])
        inv_t_x = 1.0 / (alpha_i + t_x[i])
        g_alpha = r / alpha_i - r_x * (inv_T + w4 * (inv_t_x - inv_T))
        g_a = d_a + w4 / a_i
        g_b = d_b - (w4 / (b_i + (xi - 1.0)) if xi > 0.0 else 0.0)
        ll[i] = value
        grad[0, i] = per_x[k, 2] + math.log(alpha_i) - log_T + w4 * span
        grad[1, i] = g_alpha * e_p
        grad[2, i] = g_a * e_d
        grad[3, i] = g_b * e_d
        grad[4, i] = -g_alpha * alpha_i
        grad[5, i] = g_a * a_i + g_b * b_i
