r"""The Gamma-Gamma weighted log-likelihood and its gradient in one compiled pass (numba).

For a sampler, which evaluates it 10^5 times from several threads: the terms in x alone
(``-ln B(px, q)`` from lgammas as in the PyMC model, the digamma parts of the gradient,
``ln x``) are computed once per distinct x, and per row remain two ``log1p`` and one
``log``. The formula is :func:`clvmodels.models.gamma_gamma.grouped_log_likelihood`'s
(Fader & Hardie, note 025, eq. 1a),

.. math::

    \ell = -\ln B(px, q) - \ln m - px \ln\left(1 + \frac{\gamma}{mx}\right)
           - q \ln\left(1 + \frac{mx}{\gamma}\right),

with gradient ``x[psi(px + q) - psi(px) + ln(mx) - ln(gamma + mx)]`` in p,
``psi(px + q) - psi(q) + ln gamma - ln(gamma + mx)`` in q and
``q / gamma - (px + q) / (gamma + mx)`` in gamma; ``tests/bayes/test_density.py`` pins
both to the PyMC model's.
"""

from __future__ import annotations

import math

import numpy as np

from clvmodels.models._numba_special import digamma, jit, log_beta

#: Rows summed before a block's sum is added to the total.
BLOCK = 1024


@jit
def weighted_at(params, x_unique, x_index, m, log_m, weights, out):  # pragma: no cover
    """``out = (sum w ll, sum w d/dp, sum w d/dq, sum w d/dgamma)`` at ``params``."""
    p, q, v = params[0], params[1], params[2]
    per_x = np.empty((x_unique.shape[0], 4))
    psi_q = digamma(q)
    for k in range(x_unique.shape[0]):
        x = x_unique[k]
        px = p * x
        psi_pxq = digamma(px + q)
        per_x[k, 0] = -log_beta(px, q)
        per_x[k, 1] = x * (psi_pxq - digamma(px))
        per_x[k, 2] = psi_pxq - psi_q
        per_x[k, 3] = math.log(x)
    log_v = math.log(v)
    for j in range(4):
        out[j] = 0.0
    n = weights.shape[0]
    for start in range(0, n, BLOCK):
        s0 = s1 = s2 = s3 = 0.0
        for i in range(start, min(start + BLOCK, n)):
            k = int(x_index[i])
            x = x_unique[k]
            mx = m[i] * x
            log_v_mx = math.log(v + mx)
            w = weights[i]
            s0 += w * (per_x[k, 0] - log_m[i] - p * x * math.log1p(v / mx) - q * math.log1p(mx / v))
            s1 += w * (per_x[k, 1] + x * (log_m[i] + per_x[k, 3] - log_v_mx))
            s2 += w * (per_x[k, 2] + log_v - log_v_mx)
            s3 += w * (q / v - (p * x + q) / (v + mx))
        out[0] += s0
        out[1] += s1
        out[2] += s2
        out[3] += s3
