r"""The BG/NBD with time-varying covariates: a natural analogue of Bachmann et al. (2021).

No published BG/NBD has time-varying covariates (CLVTools has them for the Pareto/NBD
only). This one keeps the BG/NBD's story and lets the covariates of the period act on
each of its two steps:

- while alive, customer i buys at the rate :math:`\lambda_i e^{\gamma_P' x_i(t)}`,
  :math:`\lambda_i \sim \Gamma(r, \alpha)` (as in the Pareto/NBD of Bachmann, Meierer &
  Naef 2021);
- after her j-th repeat purchase, at :math:`t_j`, she drops out with probability
  :math:`1 - (1 - p_i)^{c_j}`, :math:`c_j = e^{\gamma_D' x_i(t_j)}`,
  :math:`p_i \sim \mathrm{Beta}(a, b)`: a proportional-hazards (complementary log-log)
  effect on the per-purchase survival :math:`1 - p_i`, the discrete analogue of the
  Pareto/NBD's dropout rate :math:`\mu e^{\gamma_D' x}` (over one period, survival
  :math:`e^{-\mu e^{\eta} d} = (e^{-\mu d})^{e^{\eta}}`).

A covariate raising :math:`\gamma_D' x` makes dropout after a purchase more likely; the
customer's own p keeps its beta heterogeneity. Scaling a and b themselves by
:math:`e^{\gamma' x}` (CLVTools' static form) cannot vary within a customer: p is drawn
once. With :math:`C_k = \sum_{j \le k} c_j`, the exposure
:math:`A(t) = \int_0^t e^{\gamma_P' x(u)} du` and the purchase sums
:math:`S = \sum_j x(t_j)`, the likelihood integrated over lambda and p is

.. math::

    L = \frac{\Gamma(r+x)\alpha^r}{\Gamma(r)} e^{\gamma_P' S} \Big[
        (\alpha + A(T))^{-(r+x)} \frac{B(a, b + C_x)}{B(a, b)}
        + 1_{x>0} (\alpha + A(t_x))^{-(r+x)}
          \frac{B(a, b + C_{x-1}) - B(a, b + C_x)}{B(a, b)} \Big]

(survived all x opportunities and alive at T; or dropped at the x-th, after which she made
no purchase): :math:`E[(1-p)^C] = B(a, b + C) / B(a, b)`. With all covariates 0,
:math:`C_k = k` and :math:`B(a, b+x-1) - B(a, b+x) = B(a+1, b+x-1)`: the BG/NBD of Fader,
Hardie & Lee (2005). ``tests/models/test_dynamic_covariates_beta_geo.py`` checks that,
a numerical integration over the beta mixing, and the recovery of simulated effects.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from clvmodels.models._numba_special import jit
from clvmodels.models.pareto_nbd.dynamic.likelihood import ON_BOUNDARY, kernel_inputs

__all__ = [
    "conditional_expected_purchases",
    "exposures",
    "future_purchases",
    "log_likelihood_terms",
    "posterior_p_nodes",
    "probability_alive",
]


@jit
def exposures(
    t_x, T, start, n_periods, offset, period, rate, design, out, d_out
):  # pragma: no cover
    """``out[0|1, i]``: A(t_x) and A(T); ``d_out[0|1, :, i]`` their derivatives in beta_P."""
    k = design.shape[1]
    for i in range(T.shape[0]):
        total = 0.0
        for j in range(k):
            d_out[0, j, i] = 0.0
            d_out[1, j, i] = 0.0
        u0 = 0.0
        done_tx = False
        for piece_no in range(n_periods[i]):
            u1 = (piece_no + 1) * period - offset[i]
            if u1 >= T[i] - ON_BOUNDARY * period or piece_no == n_periods[i] - 1:
                u1 = T[i]
            row = start[i] + piece_no
            if not done_tx and u1 >= t_x[i]:
                lead = t_x[i] - u0
                out[0, i] = total + rate[row] * lead
                for j in range(k):
                    d_out[0, j, i] = d_out[1, j, i] + rate[row] * lead * design[row, j]
                done_tx = True
            width = u1 - u0
            total += rate[row] * width
            for j in range(k):
                d_out[1, j, i] += rate[row] * width * design[row, j]
            u0 = u1
            if u1 >= T[i]:
                break
        out[1, i] = total


def _opportunities(arrays: dict, rate_d: np.ndarray, matrix: np.ndarray):
    """Per customer C_x, c_x (the last purchase's), dC_x and dc_x in beta_D."""
    x = arrays["frequency"].astype(np.int64)
    n, k = len(x), matrix.shape[1]
    owner = np.repeat(np.arange(n), x)
    first = np.repeat(arrays["purchase_from"].astype(np.int64), x)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(x) - x, x)
    rows = (
        arrays["path_start"].astype(np.int64)[owner]
        + arrays["purchase_period"].astype(np.int64)[first + within]
    )
    c = rate_d[rows]
    big_c = np.bincount(owner, weights=c, minlength=n)
    d_big_c = np.zeros((k, n))
    for j in range(k):
        d_big_c[j] = np.bincount(owner, weights=c * matrix[rows, j], minlength=n)
    last = np.cumsum(x) - 1
    c_last, d_last = np.ones(n), np.zeros((k, n))
    has = x > 0
    c_last[has] = c[last[has]]
    d_last[:, has] = c[last[has]] * matrix[rows[last[has]]].T
    return big_c, c_last, d_big_c, d_last


def _parts(params, beta_p, beta_d, arrays):
    r, alpha, a, b = (float(v) for v in params)
    matrix, rate_p, rate_d, path = kernel_inputs(params, beta_p, beta_d, arrays)
    n, k = len(path[0]), matrix.shape[1]
    exposure, d_exposure = np.empty((2, n)), np.empty((2, k, n))
    exposures(
        path[1],
        path[2],
        path[3],
        path[4],
        path[5],
        float(arrays["path_period"][0]),
        rate_p,
        np.ascontiguousarray(matrix),
        exposure,
        d_exposure,
    )
    big_c, c_last, d_big_c, d_last = _opportunities(arrays, rate_d, matrix)
    return r, alpha, a, b, path[0], exposure, d_exposure, big_c, c_last, d_big_c, d_last


def log_likelihood_terms(
    params: np.ndarray, beta_p: np.ndarray, beta_d: np.ndarray, arrays: dict
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per-customer log-likelihood and gradient (rows: r, alpha, a, b, beta_P, beta_D).

    ``arrays`` as for the Pareto/NBD (:func:`..pareto_nbd.dynamic.log_likelihood_terms`),
    with ``purchase_from`` and the shared ``purchase_period`` (each repeat purchase's
    period). The third item holds ``log_alive`` and ``log_died``.
    """
    r, alpha, a, b, x, exposure, d_exposure, big_c, c_last, d_big_c, d_last = _parts(
        params, beta_p, beta_d, arrays
    )
    m = r + x
    repeat = x > 0
    lb0 = special.betaln(a, b)
    b2 = b + big_c
    b1 = np.where(repeat, b2 - c_last, b + 1.0)
    lb1, lb2 = special.betaln(a, b1), special.betaln(a, b2)
    log_ratio = lb2 - lb1  # < 0 for a customer with repeat purchases
    safe = np.where(repeat, log_ratio, -1.0)
    log_at, log_atx = np.log(alpha + exposure[1]), np.log(alpha + exposure[0])
    alive = -m * log_at + lb2 - lb0
    died = np.where(repeat, -m * log_atx + lb1 + np.log(-np.expm1(safe)) - lb0, -np.inf)
    head = special.gammaln(m) - special.gammaln(r) + r * np.log(alpha)
    ll = head + np.logaddexp(alive, died)
    p_alive = special.expit(alive - died)
    p_died = 1.0 - p_alive
    psi = special.digamma
    rho = np.exp(safe)
    share = np.where(repeat, 1.0 / -np.expm1(safe), 0.0)  # 1 / (1 - rho)
    da1, da2 = psi(a) - psi(a + b1), psi(a) - psi(a + b2)
    dy1, dy2 = psi(b1) - psi(a + b1), psi(b2) - psi(a + b2)
    da0, db0 = psi(a) - psi(a + b), psi(b) - psi(a + b)
    k = len(beta_p)
    grad = np.empty((4 + 2 * k, len(x)))
    grad[0] = psi(m) - psi(r) + np.log(alpha) - p_alive * log_at - p_died * log_atx
    grad[1] = r / alpha - p_alive * m / (alpha + exposure[1]) - p_died * m / (alpha + exposure[0])
    grad[2] = p_alive * da2 + p_died * share * (da1 - rho * da2) - da0
    grad[3] = p_alive * dy2 + p_died * share * (dy1 - rho * dy2) - db0
    grad[4 : 4 + k] = -m * (
        p_alive * d_exposure[1] / (alpha + exposure[1])
        + p_died * d_exposure[0] / (alpha + exposure[0])
    )
    grad[4 + k :] = p_alive * dy2 * d_big_c + p_died * share * (
        dy1 * (d_big_c - d_last) - rho * dy2 * d_big_c
    )
    sums = arrays.get("purchase_sums")
    if sums is not None and k:
        ll += sums @ beta_p
        grad[4 : 4 + k] += sums.T
    return ll, grad, {"log_alive": alive, "log_died": died}


def probability_alive(params, beta_p, beta_d, arrays) -> np.ndarray:
    """P(alive at T | history): the alive share of the likelihood."""
    _, _, parts = log_likelihood_terms(params, beta_p, beta_d, arrays | {"purchase_sums": None})
    return special.expit(parts["log_alive"] - parts["log_died"])


@jit
def future_purchases(
    m, scale, T, start, n_periods, offset, period, rate_p, rate_d, horizons, p_nodes, weights, out
):  # pragma: no cover
    r"""``out[h, i]``: E[purchases in (T, T + t_h] | alive at T, history] per customer.

    Given p, lambda ~ Gamma(m, scale) (shape r + x, rate alpha + A(T)). In a period of
    width w with purchase multiplier :math:`a` and dropout weight :math:`c`, an alive
    customer buys at :math:`\lambda a` and each purchase ends her life with probability
    :math:`\sigma = 1 - (1-p)^c`, so survival decays at :math:`\lambda a \sigma` and the
    period adds :math:`E_\lambda[e^{-\lambda \Phi}](1 - (1 + a\sigma w/(\text{scale} +
    \Phi))^{-m}) / \sigma` with :math:`\Phi` the decay accumulated before it and
    :math:`E_\lambda[e^{-\lambda\Phi}] = (1 + \Phi/\text{scale})^{-m}` (the Poisson
    process thinned by dropout; :math:`\sigma \to 0` gives :math:`m a w / (\text{scale}
    + \Phi)`). p is integrated over its posterior Beta(a, b + C_x) with the nodes
    ``p_nodes[i]`` and ``weights``. ``horizons`` ascending; a path that stops early
    gives NaN (the caller checked it does not).
    """
    for i in range(T.shape[0]):
        for h in range(horizons.shape[0]):
            out[h, i] = 0.0
        for k in range(weights.shape[0]):
            log_survive = math.log1p(-p_nodes[i, k])
            phi = 0.0
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
                width = u1 - u0
                if width > 0.0:
                    sigma = -math.expm1(rate_d[row] * log_survive)
                    share = rate_p[row] * width / (scale[i] + phi)
                    before = math.exp(-m[i] * math.log1p(phi / scale[i]))
                    if sigma > 0.0:
                        acc += before * -math.expm1(-m[i] * math.log1p(share * sigma)) / sigma
                    else:
                        acc += before * m[i] * share
                    phi += rate_p[row] * sigma * width
                u0 = u1
                if u1 >= target - ON_BOUNDARY * period:
                    out[h, i] += weights[k] * acc
                    h += 1
                else:
                    piece_no += 1


def _tanh_sinh(step: float = 0.25, reach: float = 4.0) -> tuple[np.ndarray, ...]:
    """Tanh-sinh nodes on (0, 1) as (u, 1 - u) and their weights (sum 1)."""
    k = np.arange(-reach, reach + step / 2, step)
    inner = np.pi / 2 * np.sinh(k)
    weights = step * np.pi / 4 * np.cosh(k) / np.cosh(inner) ** 2
    return special.expit(2 * inner), special.expit(-2 * inner), weights / weights.sum()


_QUANTILE_RULE = _tanh_sinh()


def posterior_p_nodes(a: float, b_posterior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (customers x nodes) and weights for E over p ~ Beta(a, b_posterior).

    Tanh-sinh quadrature in the beta quantile u (p = I^{-1}(u)), which is exponentially
    convergent whatever the algebraic behaviour at u = 0, 1 (tiny a, large b + C_x);
    upper quantiles come from the complement, so p near 1 keeps its digits.
    """
    lower, upper, weights = _QUANTILE_RULE
    b_col = np.asarray(b_posterior, dtype=np.float64)[:, None]
    nodes = np.where(
        lower < 0.5,
        special.betaincinv(a, b_col, lower),
        special.betainccinv(a, b_col, upper),
    )
    return np.ascontiguousarray(nodes), np.ascontiguousarray(weights)


def conditional_expected_purchases(params, beta_p, beta_d, arrays, horizons) -> np.ndarray:
    r"""E[purchases in (T, T + t] | history] (horizons x customers), covariates through T + t.

    P(alive at T) times the expected purchases of a customer alive at T
    (:func:`future_purchases`): given alive, lambda ~ Gamma(r + x, alpha + A(T)) and
    p ~ Beta(a, b + C_x) independently (the likelihood's alive term), and after each
    future purchase at u she drops out with probability :math:`1 - (1-p)^{c(u)}`. With
    all effects 0 this is the BG/NBD's conditional expectation (Fader, Hardie & Lee 2005,
    eq. 10), which ``tests/models/test_dynamic_covariates_beta_geo.py`` checks, with a
    two-dimensional numerical integral and simulated holdouts.
    """
    r, alpha, a, b, x, exposure, _, big_c, *_ = _parts(params, beta_p, beta_d, arrays)
    _, rate_p, rate_d, path = kernel_inputs(params, beta_p, beta_d, arrays)
    horizons = np.atleast_1d(np.asarray(horizons, dtype=np.float64))
    order = np.argsort(horizons)
    nodes, weights = posterior_p_nodes(a, b + big_c)
    out = np.empty((len(horizons), len(x)))
    future_purchases(
        np.ascontiguousarray(r + x),
        np.ascontiguousarray(alpha + exposure[1]),
        path[2],
        path[3],
        path[4],
        path[5],
        float(arrays["path_period"][0]),
        rate_p,
        rate_d,
        np.ascontiguousarray(horizons[order]),
        nodes,
        weights,
        out,
    )
    values = np.empty_like(out)
    values[order] = out
    return values * probability_alive(params, beta_p, beta_d, arrays)
