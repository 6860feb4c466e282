r"""The Gamma-Gamma log-likelihood and its gradient row by row, compiled by numba.

One kernel for the optimiser and the sampler. The formula is
:func:`clvmodels.models.gamma_gamma.math.grouped_log_likelihood`'s (Fader & Hardie,
note 025, eq. 1a),

.. math::

    \ell = -\ln B(px, q) - \ln m - px \ln\left(1 + \frac{\gamma}{mx}\right)
           - q \ln\left(1 + \frac{mx}{\gamma}\right),

with gradient ``x[psi(px + q) - psi(px) + ln(mx) - ln(gamma + mx)]`` in p,
``psi(px + q) - psi(q) + ln gamma - ln(gamma + mx)`` in q and
``q / gamma - (px + q) / (gamma + mx)`` in gamma. The terms in x alone come in a table
with one row per distinct x (:data:`X_COLUMNS`): the maximum-likelihood fit fills it
with scipy (:func:`clvmodels.models.gamma_gamma.gradient.tables`), the sampler with
:func:`fill_tables` (``ln B`` from lgammas, as in the PyMC model); per row remain two
``log1p`` and one ``log``. ``tests/models/test_shared_likelihood.py`` and
``tests/bayes/test_density.py`` pin value and gradient to PyTensor's.
"""

from __future__ import annotations

import math

import numpy as np

from clvmodels.models._numba_special import digamma, jit, log_beta

#: Columns of the per-x table the row loops read.
X_COLUMNS = ("x", "x_terms", "d_p", "d_q", "log_x")

#: Rows summed before a block's sum is added to the total.
BLOCK = 1024


@jit
def fill_tables(p, q, x_unique, per_x):  # pragma: no cover
    """The per-x table (:data:`X_COLUMNS`) at (p, q), with ``ln B`` from lgammas."""
    psi_q = digamma(q)
    for k in range(x_unique.shape[0]):
        x = x_unique[k]
        px = p * x
        psi_pxq = digamma(px + q)
        per_x[k, 0] = x
        per_x[k, 1] = -log_beta(px, q)
        per_x[k, 2] = x * (psi_pxq - digamma(px))
        per_x[k, 3] = psi_pxq - psi_q
        per_x[k, 4] = math.log(x)


@jit
def row(i, x_index, m, log_m, per_x, p, q, v, log_v):  # pragma: no cover
    """Log-likelihood of row i and its derivatives in (p, q, gamma)."""
    k = int(x_index[i])
    x = per_x[k, 0]
    mx = m[i] * x
    log_v_mx = math.log(v + mx)
    value = per_x[k, 1] - log_m[i] - p * x * math.log1p(v / mx) - q * math.log1p(mx / v)
    grad_p = per_x[k, 2] + x * ((log_m[i] + per_x[k, 4]) - log_v_mx)
    grad_q = per_x[k, 3] + (log_v - log_v_mx)
    grad_v = q / v - (p * x + q) / (v + mx)
    return value, grad_p, grad_q, grad_v


@jit
def each_row(x_index, m, log_m, per_x, p, q, v, ll, grad):  # pragma: no cover
    """Fill ``ll[i]`` and ``grad[:, i]`` for every row."""
    log_v = math.log(v)
    for i in range(ll.shape[0]):
        ll[i], grad[0, i], grad[1, i], grad[2, i] = row(i, x_index, m, log_m, per_x, p, q, v, log_v)


@jit
def weighted(x_index, m, log_m, per_x, p, q, v, weights, out):  # pragma: no cover
    """``out = (sum w ll, sum w d/dp, sum w d/dq, sum w d/dgamma)``, by blocks of rows."""
    log_v = math.log(v)
    for j in range(4):
        out[j] = 0.0
    n = weights.shape[0]
    for start in range(0, n, BLOCK):
        s0 = s1 = s2 = s3 = 0.0
        for i in range(start, min(start + BLOCK, n)):
            value, g_p, g_q, g_v = row(i, x_index, m, log_m, per_x, p, q, v, log_v)
            w = weights[i]
            s0 += w * value
            s1 += w * g_p
            s2 += w * g_q
            s3 += w * g_v
        out[0] += s0
        out[1] += s1
        out[2] += s2
        out[3] += s3


@jit
def weighted_at(params, x_unique, x_index, m, log_m, weights, out):  # pragma: no cover
    """:func:`fill_tables` and :func:`weighted` in one call, without the GIL (a sampler's)."""
    p, q, v = params[0], params[1], params[2]
    per_x = np.empty((x_unique.shape[0], len(X_COLUMNS)))
    fill_tables(p, q, x_unique, per_x)
    weighted(x_index, m, log_m, per_x, p, q, v, weights, out)
