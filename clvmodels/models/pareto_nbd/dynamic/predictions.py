r"""Predictions of the Pareto/NBD with time-varying covariates (see :mod:`.likelihood`).

Given alive at T and her history, a customer's lambda and mu are independent
Gamma(r + x, alpha + A(T)) and Gamma(s, beta + B(T)) (the likelihood's alive term), so her
expected purchases in (T, T + t] are P(alive) times

.. math::

    \frac{r+x}{\alpha+A(T)} \int_T^{T+t} e^{\gamma_P' x(u)}
    \Big(\frac{\beta+B(T)}{\beta+B(u)}\Big)^s du,

with the covariates read through T + t; discounted continuously at delta, the same
integral with :math:`e^{-\delta (u - T)}` gives DERT over a finite horizon.
"""

from __future__ import annotations

import math

import numpy as np

from clvmodels.models._numba_special import jit
from clvmodels.models.pareto_nbd.dynamic.likelihood import (
    ON_BOUNDARY,
    kernel_inputs,
    log_likelihood_terms,
)
from clvmodels.models.pareto_nbd.quadrature import gauss_legendre_01

__all__ = [
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "future_rates",
    "probability_alive",
]


@jit
def future_rates(
    s,
    beta,
    T,
    start,
    n_periods,
    offset,
    period,
    rate_p,
    rate_d,
    big_b,
    horizons,
    delta,
    nodes,
    node_weights,
    out,
):  # pragma: no cover
    r"""``out[h, i]``: the discounted purchase-rate path after T, per horizon and customer.

    :math:`\int_T^{T+t_h} e^{-\delta(u-T)} a(u) ((\beta+B(T))/(\beta+B(u)))^s du`.

    The expected purchase rate's path after T for a customer alive at T, given lambda = 1
    (E[purchases] is ``(r+x)/(alpha+A(T))`` times it). Without discounting each period's
    part is closed-form, :math:`(a/b) q (Q/q)^s y (1-e^{-(s-1)y})/((s-1)y)` with
    :math:`y = \ln(1 + b w / q)`, Q = beta + B(T), q = beta + B at the piece's start;
    with discounting it is taken by Gauss-Legendre on the piece. ``horizons`` ascending.
    """
    for i in range(T.shape[0]):
        big_q = beta + big_b[i]
        q = big_q
        acc = 0.0
        h = 0
        piece_no = int(math.floor((T[i] + offset[i]) / period + ON_BOUNDARY))
        u0 = T[i]
        while h < horizons.shape[0]:
            target = T[i] + horizons[h]
            if piece_no >= n_periods[i]:
                for rest in range(h, horizons.shape[0]):
                    out[rest, i] = np.nan
                break
            u1 = min((piece_no + 1) * period - offset[i], target)
            row = start[i] + piece_no
            a = rate_p[row]
            b = rate_d[row]
            width = u1 - u0
            if width > 0.0:
                if delta == 0.0:
                    y = math.log1p(b * width / q)
                    ky = (s - 1.0) * y
                    ratio = 1.0 - ky / 2.0 if abs(ky) < 1e-8 else -math.expm1(-ky) / ky
                    acc += a / b * q * math.exp(s * math.log(big_q / q)) * y * ratio
                else:
                    for j in range(nodes.shape[0]):
                        u = width * nodes[j]
                        acc += (
                            width
                            * node_weights[j]
                            * a
                            * math.exp(-delta * (u0 - T[i] + u) - s * math.log((q + b * u) / big_q))
                        )
                q += b * width
            u0 = u1
            if u1 >= target - ON_BOUNDARY * period:
                out[h, i] = acc
                h += 1
            else:
                piece_no += 1


_DISCOUNT_RULE = gauss_legendre_01(12)


def probability_alive(params, beta_p, beta_d, arrays) -> np.ndarray:
    """P(alive at T | history) per customer: the alive share of the likelihood."""
    _, _, parts = log_likelihood_terms(params, beta_p, beta_d, arrays | {"purchase_sums": None})
    return 1.0 / (1.0 + np.exp(parts["log_died"] - parts["log_alive"]))


def _future(params, beta_p, beta_d, arrays, horizons, delta):
    r, alpha, s, beta = (float(v) for v in params)
    _, _, parts = log_likelihood_terms(params, beta_p, beta_d, arrays | {"purchase_sums": None})
    matrix, rate_p, rate_d, path = kernel_inputs(params, beta_p, beta_d, arrays)
    horizons = np.atleast_1d(np.asarray(horizons, dtype=np.float64))
    order = np.argsort(horizons)
    out = np.empty((len(horizons), len(path[0])))
    future_rates(
        s,
        beta,
        path[2],
        path[3],
        path[4],
        path[5],
        float(arrays["path_period"][0]),
        rate_p,
        rate_d,
        np.ascontiguousarray(parts["exposure"][1]),
        np.ascontiguousarray(horizons[order]),
        float(delta),
        *_DISCOUNT_RULE,
        out,
    )
    values = np.empty_like(out)
    values[order] = out
    p_alive = 1.0 / (1.0 + np.exp(parts["log_died"] - parts["log_alive"]))
    rate = (r + path[0]) / (alpha + parts["exposure"][0])
    return values * rate * p_alive


def conditional_expected_purchases(params, beta_p, beta_d, arrays, horizons) -> np.ndarray:
    r"""E[purchases in (T, T + t] | history], (horizons x customers), covariates through T + t.

    P(alive) times :math:`\frac{r+x}{\alpha+A(T)}\int_T^{T+t} e^{\gamma_P'x(u)}
    \big(\frac{\beta+B(T)}{\beta+B(u)}\big)^s du` (lambda and mu given alive at T are
    Gamma(r + x, alpha + A(T)) and Gamma(s, beta + B(T))).
    """
    return _future(params, beta_p, beta_d, arrays, horizons, 0.0)


def discounted_expected_residual_transactions(
    params, beta_p, beta_d, arrays, discount_rate: float, horizon: float
) -> np.ndarray:
    """DERT over (T, T + horizon]: as :func:`conditional_expected_purchases`, discounted.

    The covariates are known only through the frame, so the horizon is finite.
    """
    return _future(params, beta_p, beta_d, arrays, [horizon], discount_rate)[0]
