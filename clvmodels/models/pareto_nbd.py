r"""Pareto/NBD: Poisson purchases and exponential lifetimes, both heterogeneous.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); her
lifetime is exponential with rate mu ~ Gamma(s, beta), independent of lambda. The likelihood
depends on a customer only through (x, t_x, T) = (frequency, recency, T).

The likelihood is usually written with two Gauss hypergeometric functions whose difference
cancels, and with powers such as :math:`(\alpha + t_x)^{r+s+x}` that overflow for x in the
hundreds (the "Pareto/NBD overflow" reports against ``lifetimes``). Here its only
non-elementary part, the integral

.. math::

    I = \int_{t_x}^{T} (\alpha+\tau)^{-(r+x)} (\beta+\tau)^{-(s+1)}\, d\tau

(the customer dies at :math:`\tau` between her last purchase and T), is computed in log space
by Gauss-Legendre quadrature on a variable in which the integrand is smooth: with
:math:`c = \max(\alpha, \beta)` and :math:`\ell = (r+s+x) \ln\frac{c+\tau}{c+t_x}`,

.. math::

    I = \frac{(c+t_x)^{-(r+s+x)}}{r+s+x}\int_0^{L} e^{-\ell}\,
        \big(1 - z e^{-\ell/(r+s+x)}\big)^{-q}\, d\ell,
    \qquad z = \frac{|\alpha-\beta|}{c+t_x} \in [0, 1),

(q = s + 1 when alpha >= beta, else r + x), a positive, decreasing, log-convex integrand,
integrated on nodes spaced logarithmically from the scale on which it falls. No term
cancels, nothing overflows, and the rule uses only the functions of an array namespace, so
the same function runs in PyTensor. It agrees with 150-digit mpmath ``hyp2f1`` to ~1e-9 in
log-likelihood over x in 0..1000, T up to 5000 and parameters over eight decades
(``tests/models/test_pareto_nbd.py``).

References
----------
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are
they and what will they do next? *Management Science*, 33(1), 1-24.

Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
expressions. http://brucehardie.com/notes/009/

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research*, 42(4), 415-430.

Fader, P. S. & Hardie, B. G. S. (2006). Deriving an expression for P(X(t) = x) under the
Pareto/NBD model. http://brucehardie.com/notes/012/
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from clvmodels.checks import positive_parameters
from clvmodels.data.validation import check_summary
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.estimation.rows import SufficientStatistics
from clvmodels.exceptions import NumericalPrecisionError
from clvmodels.models._compiled_sums import bind
from clvmodels.models.namespace import NUMPY

__all__ = [
    "ParetoNBDModel",
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
]

PARAM_NAMES = ("r", "alpha", "s", "beta")


def _gauss_legendre_01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights of ``n`` points on [0, 1]."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return (nodes + 1.0) / 2.0, weights / 2.0


#: The rule of the log-likelihood integral: right to ~1e-9 across the whole box.
_NODES, _WEIGHTS = _gauss_legendre_01(64)
#: A 20-point rule that is exact to ~1e-13 on the rows real data give (it spans a few
#: decades of the log-spaced variable). The fit optimises with it and then checks every
#: row against the 64-point rule (:meth:`ParetoNBDModel._fit_statistics`).
_FAST_NODES, _FAST_WEIGHTS = _gauss_legendre_01(20)
#: Unique rows of the quick fit that gives the starting values of a larger data set.
_QUICK_ROWS = 5000
#: Customers in the sample that refines a start on larger data (see ParetoNBDModel._minimise).
_SAMPLE_ROWS = 50_000
#: Customers from which P(alive) is computed once per distinct (x, t_x, T).
_UNIQUE_FROM = 2000
#: Rows per block in the fit's objective: keeps the (rows x nodes) temporaries in cache.
_BLOCK = 4096

#: Beyond this, e^-l is below 2e-22 relative to the integrand's start: the integral is cut
#: (here and in the compiled kernel, :mod:`._pareto_nbd_rows`, which reads it from here).
TAIL_CUT = 50.0


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "Pareto/NBD")


def _log_spaced_nodes(
    scale: Any,
    upper: Any,
    xp: SimpleNamespace,
    nodes: np.ndarray = _NODES,
    weights: np.ndarray = _WEIGHTS,
) -> tuple:
    r"""Nodes and weights for :math:`\int_0^{U} g(\ell)\, d\ell`, g falling on a scale ``s``.

    The nodes are :math:`\ell = s\,(e^{v \ln(1 + U/s)} - 1)`, v the Gauss-Legendre nodes on
    [0, 1] (``nodes``, ``weights``), so the rule resolves every scale from ``s`` (at
    most 1) to ``U``.

    Returns
    -------
    ell, weights
        Arrays of the data's shape + (n,): the integral is ``sum(weights * g(ell))``.
    """
    span = xp.log1p(upper / scale)
    grow = xp.exp(nodes * span[..., None])
    return scale[..., None] * (grow - 1.0), weights * (scale * span)[..., None] * grow


def _tail_integral(
    r: Any,
    alpha: Any,
    s: Any,
    beta: Any,
    x: Any,
    t_x: Any,
    T: Any,
    xp: SimpleNamespace,
    rule: tuple[np.ndarray, np.ndarray] = (_NODES, _WEIGHTS),
    with_gradient: bool = True,
) -> SimpleNamespace:
    r"""ln I, I the integral in the module docstring, and what its gradient needs.

    ``rule`` is the Gauss-Legendre rule on [0, 1] (the 64-point one unless the fit's
    faster rule is asked for); with ``with_gradient=False`` only ``log_integral`` is
    returned.

    Returns
    -------
    SimpleNamespace
        ``log_integral`` (``-inf`` where T = t_x); at the nodes (last axis): ``share`` (each
        node's share of I), ``log_c_tau`` = ln(c + tau), ``shrink`` = (c' + tau) / (c + tau)
        and its log ``log_shrink``, and ``inverse_c_tau`` = 1 / (c + tau), where c and c'
        are the larger and smaller of alpha and beta (``alpha_larger`` says which).
    """
    m = r + s + x
    alpha_larger = alpha >= beta
    c = xp.where(alpha_larger, alpha, beta)
    q = xp.where(alpha_larger, s + 1.0, r + x)
    base = c + t_x
    log_base = xp.log(base)
    z = xp.where(alpha_larger, alpha - beta, beta - alpha) / base
    # 1 - z = (min(alpha, beta) + t_x) / (c + t_x), exactly even when z is close to 1
    one_minus_z = (xp.where(alpha_larger, beta, alpha) + t_x) / base
    upper = m * xp.log1p((T - t_x) / base)
    positive = upper > 0.0
    upper = xp.where(positive, xp.minimum(upper, TAIL_CUT), 1.0)
    # rho(l) / rho(0) falls by 1/e within about m (1 - z) / (q z); min(that, 1) written as
    # a ratio whose denominator is never 0, so that its derivative is finite at alpha = beta
    # (z = 0), where PyMC starts when both priors have the same centre
    width = m * one_minus_z
    scale = xp.minimum(width / xp.maximum(q * z, width), upper)
    log1m_z = xp.log(one_minus_z)
    ell, weights = _log_spaced_nodes(scale, upper, xp, *rule)
    ell_over_m = ell / m[..., None]
    decay_m1 = xp.expm1(-ell_over_m)  # e^(-l/m) - 1 = (c + t_x) / (c + tau) - 1
    # ln(1 - z e^(-l/m)) = ln((1 - z) + z (1 - e^(-l/m))), no cancellation
    shrink = one_minus_z[..., None] - z[..., None] * decay_m1
    log_shrink = xp.log(shrink)
    log_ratio = -q[..., None] * (log_shrink - log1m_z[..., None])
    terms = weights * xp.exp(log_ratio - ell)
    integral = xp.sum(terms, axis=-1)
    log_integral = xp.where(
        positive, -m * log_base - xp.log(m) - q * log1m_z + xp.log(integral), -np.inf
    )
    if not with_gradient:
        return SimpleNamespace(log_integral=log_integral)
    return SimpleNamespace(
        log_integral=log_integral,
        share=terms / integral[..., None],
        log_c_tau=log_base[..., None] + ell_over_m,
        log_shrink=log_shrink,
        shrink=shrink,
        inverse_c_tau=(1.0 + decay_m1) / base[..., None],
        alpha_larger=alpha_larger[..., None],
    )


def _parts(
    params: Mapping[str, Any],
    frequency: Any,
    recency: Any,
    T: Any,
    xp: Any,
    rule: tuple[np.ndarray, np.ndarray] = (_NODES, _WEIGHTS),
    with_gradient: bool = True,
) -> tuple:
    """The three log terms of the likelihood: A1 (x only), alive at T, died in (t_x, T]."""
    r, alpha, s, beta = (params[name] for name in PARAM_NAMES)
    x, t_x = frequency, recency
    head = xp.gammaln(r + x) - xp.gammaln(r) + r * xp.log(alpha) + s * xp.log(beta)
    alive = -(r + x) * xp.log(alpha + T) - s * xp.log(beta + T)
    tail = _tail_integral(r, alpha, s, beta, x, t_x, T, xp, rule, with_gradient)
    died = xp.log(s) + tail.log_integral
    return head, alive, died, tail


def log_likelihood(
    params: Mapping[str, Any],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""Log-likelihood of each customer's (x, t_x, T) under the Pareto/NBD.

    .. math::

        \ell = \ln\frac{\Gamma(r+x)\,\alpha^r\beta^s}{\Gamma(r)}
             + \ln\Big[(\alpha+T)^{-(r+x)}(\beta+T)^{-s}
             + s \int_{t_x}^{T}(\alpha+\tau)^{-(r+x)}(\beta+\tau)^{-(s+1)}\,d\tau\Big]

    (Fader & Hardie 2005, note 009, eq. 3 before the integral is written with 2F1), the sum
    as a ``logaddexp``, the integral as in the module docstring.

    Parameters
    ----------
    params
        ``r, alpha, s, beta``: numbers or arrays that broadcast against the data (with
        ``xp=NUMPY`` they are checked to be finite and > 0).
    frequency, recency, T
        x, t_x and T of each customer.
    xp
        The array namespace (:mod:`clvmodels.models.namespace`): ``NUMPY`` for maximum
        likelihood, ``pytensor_namespace()`` for PyMC.

    Returns
    -------
    array
        One value per customer, in nats (the full likelihood: its sum over CDNOW is the
        -9595.0 of Fader, Hardie & Lee 2005).
    """
    if xp is not NUMPY:
        x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
        head, alive, died, _ = _parts(params, x, t_x, T, xp)
        return head + xp.logaddexp(alive, died)

    def block(named: dict, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        head, alive, died, _ = _parts(named, x, t_x, T, NUMPY, with_gradient=False)
        return head + np.logaddexp(alive, died)

    return _blockwise(block, params, frequency, recency, T)


def _blockwise(fn: Any, params: Mapping[str, ArrayLike], *data: ArrayLike) -> np.ndarray:
    """``fn(params, *data)`` over the broadcast of parameters and data, in blocks.

    Everything is broadcast to one shape and taken ``_BLOCK`` elements at a time, so that
    the (elements x nodes) temporaries of the quadrature stay in cache; the result has the
    broadcast shape.
    """
    arrays = np.broadcast_arrays(*_unpack(params), *(np.asarray(v, np.float64) for v in data))
    shape = arrays[0].shape
    flat = [a.ravel() for a in arrays]
    out = np.empty(flat[0].size)
    for start in range(0, out.size, _BLOCK):
        rows = slice(start, start + _BLOCK)
        named = dict(zip(PARAM_NAMES, (a[rows] for a in flat[:4]), strict=True))
        out[rows] = fn(named, *(a[rows] for a in flat[4:]))
    return out.reshape(shape)


def _loglik_grad(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood and its gradient in (r, alpha, s, beta).

    The gradient differentiates under the integral sign on the same quadrature nodes;
    ``tests/models/test_pareto_nbd.py`` pins it to finite differences of
    :func:`log_likelihood`. Rows are taken in blocks of ``_BLOCK`` so that the
    (rows x nodes) temporaries stay in cache. ``columns`` may hold the quadrature rule as
    ``quadrature_nodes`` and ``quadrature_weights`` (the 64-point rule otherwise).
    """
    x, t_x, T = columns["frequency"], columns["recency"], columns["T"]
    rule = (
        columns.get("quadrature_nodes", _NODES),
        columns.get("quadrature_weights", _WEIGHTS),
    )
    ll = np.empty(len(x))
    grad = np.empty((4, len(x)))
    for start in range(0, len(x), _BLOCK):
        rows = slice(start, start + _BLOCK)
        ll[rows], grad[:, rows] = _block_loglik_grad(params, x[rows], t_x[rows], T[rows], rule)
    return ll, grad


def weighted_log_likelihood(stats: Any) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``params -> (sum of weighted log-likelihoods, its gradient)`` for ``stats``'s rows.

    The 64-node likelihood of :func:`log_likelihood` and the gradient of
    :func:`_loglik_grad` in one compiled pass per call (:mod:`._pareto_nbd_rows`: 3.7 ms
    against numpy's 9.1 ms on CDNOW's 1,016 rows, and without the GIL), the data bound
    once: for a sampler (:mod:`clvmodels.bayes.density`).

    Parameters
    ----------
    stats
        Distinct rows with counts: ``columns`` with ``frequency``, ``recency`` and ``T``,
        and ``weights`` (e.g. :func:`sufficient_statistics`).
    """
    from clvmodels.models import _pareto_nbd_rows

    data = [stats.columns[name] for name in ("frequency", "recency", "T")]
    return bind(
        _pareto_nbd_rows.weighted_at,
        (*data, stats.weights, _NODES, _WEIGHTS),
        len(PARAM_NAMES),
    )


def _block_loglik_grad(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, rule: tuple
) -> tuple:
    """:func:`_loglik_grad` on one block of rows."""
    r, alpha, s, beta = params
    named = dict(zip(PARAM_NAMES, params, strict=True))
    head, alive, died, tail = _parts(named, x, t_x, T, NUMPY, rule)
    ll = head + np.logaddexp(alive, died)
    p_alive = special.expit(alive - died)
    p_died = 1.0 - p_alive
    # d ln I / d theta: the node-weighted mean of d ln(integrand) / d theta, with
    # ln(c' + tau) = ln(c + tau) + ln shrink and 1 / (c' + tau) = 1 / ((c + tau) shrink);
    # reduced over the nodes first, then assigned to alpha and beta per row.
    share = tail.share
    mean_log_c = (share * tail.log_c_tau).sum(axis=-1)
    mean_log_other = mean_log_c + (share * tail.log_shrink).sum(axis=-1)
    weighted_inverse_c = share * tail.inverse_c_tau
    mean_inverse_c = weighted_inverse_c.sum(axis=-1)
    mean_inverse_other = (weighted_inverse_c / tail.shrink).sum(axis=-1)
    larger = tail.alpha_larger[..., 0]
    d_integral_r = -np.where(larger, mean_log_c, mean_log_other)
    d_integral_alpha = -(r + x) * np.where(larger, mean_inverse_c, mean_inverse_other)
    d_integral_s = -np.where(larger, mean_log_other, mean_log_c)
    d_integral_beta = -(s + 1.0) * np.where(larger, mean_inverse_other, mean_inverse_c)
    has_tail = np.isfinite(died)
    p_died = np.where(has_tail, p_died, 0.0)

    def mix(alive_part: np.ndarray, died_part: np.ndarray) -> np.ndarray:
        return p_alive * alive_part + p_died * np.where(has_tail, died_part, 0.0)

    grad = np.empty((4, len(x)))
    grad[0] = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        + mix(-np.log(alpha + T), d_integral_r)
    )
    grad[1] = r / alpha + mix(-(r + x) / (alpha + T), d_integral_alpha)
    grad[2] = np.log(beta) + mix(-np.log(beta + T), 1.0 / s + d_integral_s)
    grad[3] = s / beta + mix(-s / (beta + T), d_integral_beta)
    return ll, grad


def probability_alive(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""P(alive at T | x, t_x, T): the share of the likelihood in which the customer is alive.

    .. math::

        P = \frac{(\alpha+T)^{-(r+x)}(\beta+T)^{-s}}
                 {(\alpha+T)^{-(r+x)}(\beta+T)^{-s} + s\,I}

    (Fader & Hardie 2005, note 009, eq. 18), as ``expit`` of the log odds.
    """

    def block(named: dict, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        _, alive, died, _ = _parts(named, x, t_x, T, NUMPY, with_gradient=False)
        return special.expit(alive - died)

    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    scalar_params = all(np.ndim(v) == 0 for v in _unpack(params))
    if scalar_params and x.ndim == t_x.ndim == T.ndim == 1 and x.size > _UNIQUE_FROM:
        # one value per distinct (x, t_x, T): real data repeat rows a lot
        codes, first = _distinct_rows(x, t_x, T)
        return _blockwise(block, params, x[first], t_x[first], T[first])[codes]
    return _blockwise(block, params, x, t_x, T)


def _distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct rows of equal-length columns, and a row index of each code.

    ``columns[j][first][codes]`` is ``columns[j]``: evaluate on ``first``, map back by
    ``codes``.
    """
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(column)
        codes, _ = pd.factorize(codes * len(uniques) + column_codes)
    n_distinct = int(codes.max()) + 1 if codes.size else 0
    first = np.empty(n_distinct, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return codes, first


def _horizon_factor(shape: np.ndarray, rate: np.ndarray, t: np.ndarray) -> np.ndarray:
    r"""E[min(t, lifetime)] for lifetime ~ Exp(mu), mu ~ Gamma(shape, rate).

    .. math:: \frac{\mathrm{rate}}{\mathrm{shape}-1}
              \Big[1 - \Big(\frac{\mathrm{rate}}{\mathrm{rate}+t}\Big)^{\mathrm{shape}-1}\Big]

    computed as ``rate * y * (1 - exp(-k y)) / (k y)``, y = ln(1 + t / rate), k = shape - 1,
    which is continuous through shape = 1 (where it is ``rate * y``) and exact for small t.
    """
    y = np.log1p(t / rate)
    ky = (shape - 1.0) * y
    small = np.abs(ky) < 1e-8
    ratio = np.where(small, 1.0 - ky / 2.0, -np.expm1(-ky) / np.where(small, 1.0, ky))
    return rate * y * ratio


def expected_purchases(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""E[X(t)]: expected purchases of a new customer in (0, t].

    .. math::

        E[X(t)] = \frac{r\beta}{\alpha(s-1)}
                  \Big[1 - \Big(\frac{\beta}{\beta+t}\Big)^{s-1}\Big]

    (Fader & Hardie 2005, note 009, eq. 17; the limit s -> 1 is
    :math:`\tfrac{r\beta}{\alpha}\ln(1 + t/\beta)`), without cancellation.

    At the CDNOW estimates (r, alpha, s, beta) = (0.5534, 10.5802, 0.6061, 11.6562), weeks,
    this gives .0510 .0996 .1461 .1907 .2337 .2751 .3150 .3538 .3913 for t = 1..9, as do
    ``lifetimes`` and the formula in 40-digit mpmath
    (``tests/models/test_pareto_nbd.py``). A series quoted with these estimates,
    .0508 .0992 .1454 .1898 .2325 .2736 .3134 .3518 .3891, is 0.4-0.6 % lower and is not
    the formula at them, nor at the rounded published estimates (0.553, 10.578, 0.606,
    11.669), nor with days converted to weeks by 52/365.25 or shifted by a day. The
    formula reproduces it (to 4e-5, its rounding) only at different estimates,
    r / alpha = 0.05210, s = 0.6054, beta = 11.52 (against 0.05231, 0.6061, 11.66), so it
    was computed from another fit; its source was not found.
    """
    r, alpha, s, beta = _unpack(params)
    t = _check_horizon(t)
    return r / alpha * _horizon_factor(s, beta, t)


def conditional_expected_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with that history.

    .. math::

        E = \frac{(r+x)(\beta+T)}{(\alpha+T)(s-1)}
            \Big[1 - \Big(\frac{\beta+T}{\beta+T+t}\Big)^{s-1}\Big]
            \, P(\text{alive} \mid x, t_x, T)

    (Fader & Hardie 2005, note 009, eq. 22). ``t`` broadcasts against the data: pass
    ``t[:, None]`` for a (horizons x customers) array.
    """
    r, alpha, s, beta = _unpack(params)
    t = _check_horizon(t)
    x, T_arr = np.asarray(frequency, np.float64), np.asarray(T, np.float64)
    rate = (r + x) / (alpha + T_arr) * _horizon_factor(s, beta + T_arr, t)
    return rate * probability_alive(params, x, recency, T_arr)


def discounted_expected_residual_transactions(
    params: Mapping[str, ArrayLike],
    discount_rate: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""DERT: the customer's future purchases, discounted continuously, over an infinite horizon.

    .. math::

        \mathrm{DERT}(\delta) = \frac{r+x}{\alpha+T}\,
            E\Big[\frac{1}{\delta+\mu}\Big]\, P(\text{alive} \mid x, t_x, T),
        \qquad \mu \sim \mathrm{Gamma}(s, \beta+T),

    which is eq. 2 of Fader, Hardie & Lee (2005, "RFM and CLV"),
    :math:`\alpha^r\beta^s\delta^{s-1}\Gamma(r+x+1)\Psi(s, s; \delta(\beta+T)) /
    [\Gamma(r)(\alpha+T)^{r+x+1} L]`, with
    :math:`E[1/(\delta+\mu)] = \delta^{-1}\int_0^\infty e^{-v}(1 + v/(\delta(\beta+T)))^{-s}dv`
    computed by the same quadrature as the likelihood.

    Parameters
    ----------
    discount_rate
        delta, the continuously compounded rate per unit of the summary's time (e.g.
        ``ln(1.15) / 52`` per week for 15 % a year), > 0.
    """
    r, alpha, s, beta = _unpack(params)
    delta = float(discount_rate)
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(
            "discount_rate must be a continuously compounded rate per time unit > 0, "
            f"e.g. log(1.15) / 52 per week; got {discount_rate}"
        )
    x, T_arr = np.asarray(frequency, np.float64), np.asarray(T, np.float64)
    z = delta * (beta + T_arr)
    shape = np.broadcast(s, z).shape
    s_b, z_b = np.broadcast_to(s, shape), np.broadcast_to(z, shape)
    scale = np.minimum(1.0, z_b / s_b)
    ell, weights = _log_spaced_nodes(scale, np.full(shape, TAIL_CUT), NUMPY)
    integrand = np.exp(-ell - s_b[..., None] * np.log1p(ell / z_b[..., None]))
    integral = np.sum(weights * integrand, axis=-1)
    mean_inverse = integral / delta
    return (r + x) / (alpha + T_arr) * mean_inverse * probability_alive(params, x, recency, T_arr)


def probability_of_purchases(
    params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike
) -> np.ndarray:
    r"""P(X(t) = n) for a new customer.

    .. math::

        P(X(t)=n) = \mathrm{NB}\big(n; r, \tfrac{\alpha}{\alpha+t}\big)
            \Big(\frac{\beta}{\beta+t}\Big)^s
          + \frac{\Gamma(r+n)\,\alpha^r s\,\beta^s}{\Gamma(r)\, n!}
            \int_0^t \frac{\tau^n}{(\alpha+\tau)^{r+n}(\beta+\tau)^{s+1}}\, d\tau

    (alive at t, or died at tau having bought n times before; the mixture behind
    Fader & Hardie 2006, note 012). The integral is taken over u = tau / (alpha + tau) by
    Gauss-Legendre rules of 64 and 128 nodes, and 256 and 512 if those differ;
    :class:`~clvmodels.exceptions.NumericalPrecisionError` if they still differ by more
    than 1e-8 relative.
    """
    r, alpha, s, beta = _unpack(params)
    t = _check_horizon(t)
    n = np.asarray(n)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(f"n must be whole numbers >= 0, e.g. n=[0, 1, 2]; got {n}")
    n = n.astype(np.float64)
    r, alpha, s, beta, t, n = np.broadcast_arrays(r, alpha, s, beta, t, n)
    alive = stats.nbinom.logpmf(n, r, alpha / (alpha + t)) + s * (np.log(beta) - np.log(beta + t))
    u_t = np.where(t > 0, t / (alpha + t), 0.5)  # t = 0: no integral (died is -inf)
    log_const = (
        special.gammaln(r + n)
        - special.gammaln(r)
        - special.gammaln(n + 1.0)
        + np.log(s)
        + s * np.log(beta)
        + np.log(u_t)
    )

    def integral(n_nodes: int) -> np.ndarray:
        v, w = np.polynomial.legendre.leggauss(n_nodes)
        u = u_t[..., None] * (v + 1.0) / 2.0
        tau = alpha[..., None] * u / (1.0 - u)
        # tau^n (alpha + tau)^-(r+n) dtau = u^n alpha^-r (1-u)^(r-2) alpha du
        log_f = (
            n[..., None] * np.log(u)
            + (r[..., None] - 2.0) * np.log1p(-u)
            + np.log(alpha[..., None])
            - (s[..., None] + 1.0) * np.log(beta[..., None] + tau)
        )
        peak = np.max(log_f, axis=-1, keepdims=True)
        total = np.sum(w / 2.0 * np.exp(log_f - peak), axis=-1)
        return np.log(total) + peak[..., 0]

    coarse, fine = integral(64), integral(128)
    bad = np.abs(fine - coarse) > 1e-9
    if np.any(bad):
        coarse, fine = np.where(bad, integral(256), coarse), np.where(bad, integral(512), fine)
        bad = np.abs(fine - coarse) > 1e-8
        if np.any(bad):
            where = np.flatnonzero(bad.ravel())[0]
            shown = {
                k: float(v.ravel()[where])
                for k, v in zip(
                    ("r", "alpha", "s", "beta", "t", "n"), (r, alpha, s, beta, t, n), strict=True
                )
            }
            raise NumericalPrecisionError(
                f"P(X(t) = n) under the Pareto/NBD cannot be computed to 1e-8 at {shown}"
            )
    died = np.where(t > 0, log_const + fine, -np.inf)
    return np.exp(np.logaddexp(alive, died))


def _forward_hessian(objective: Any, log_params: np.ndarray, stats: Any) -> np.ndarray:
    """Symmetrised forward-difference Hessian of ``objective``'s gradient at ``log_params``."""
    _, gradient = objective(log_params, stats)
    hessian = np.empty((len(log_params), len(log_params)))
    for j in range(len(log_params)):
        step = 1e-5 * max(1.0, abs(log_params[j]))
        shifted = log_params.copy()
        shifted[j] += step
        hessian[:, j] = (objective(shifted, stats)[1] - gradient) / step
    return 0.5 * (hessian + hessian.T)


def _check_horizon(t: ArrayLike) -> np.ndarray:
    t = np.asarray(t, dtype=np.float64)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"the horizon t must be finite and >= 0, e.g. t=52.0; got {t}")
    return t


#: A shape parameter this large is reported as the model's limit.
_LIMIT = 1e4


class ParetoNBDModel(RFMPredictions, MaximumLikelihoodModel):
    """Pareto/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + s^2 + beta^2)`` added to the mean
        negative log-likelihood per customer, with ``alpha`` and ``beta`` in the summary's
        time unit (0 = plain MLE).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rate), ``s``, ``beta`` (dropout rate); ``alpha`` and
        ``beta`` are in the summary's time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate (comparable with the papers).
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters.

    Examples
    --------
    >>> import clvmodels as clv
    >>> pnbd = clv.ParetoNBDModel().fit(clv.datasets.load_cdnow_summary())
    >>> round(pnbd.params_["r"], 3), round(pnbd.log_likelihood_, 1)
    (0.553, -9595.0)

    References
    ----------
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers.
    *Management Science*, 33(1), 1-24.
    """

    param_names = PARAM_NAMES
    functions = PurchaseFunctions(
        expected_purchases,
        conditional_expected_purchases,
        probability_alive,
        probability_of_purchases,
    )

    def _sufficient_statistics(self, data: Any, weights: Any) -> SufficientStatistics:
        check_summary(data)
        return SufficientStatistics.from_frame(data, ("frequency", "recency", "T"), weights)

    def _starting_values(self, stats: SufficientStatistics) -> list[np.ndarray]:
        w, c = stats.weights, stats.columns
        rate = max(float(np.dot(w, c["frequency"]) / max(np.dot(w, c["T"]), 1e-12)), 1e-6)
        horizon = max(float(np.dot(w, c["T"]) / w.sum()), 1e-6)
        starts = [
            np.array([1.0, 1.0 / rate, 1.0, horizon]),
            np.array([0.5, 0.5 / rate, 0.5, 0.5 * horizon]),
            np.array([2.0, 2.0 / rate, 2.0, 4.0 * horizon]),
        ]
        if len(w) > _QUICK_ROWS:
            # A fit on a random subset of the unique rows lands close to the optimum, where
            # the full data need a few Newton-like steps (see _minimise).
            subset = stats.subsample(_QUICK_ROWS, np.random.default_rng(19870101))
            quick = self._minimise(starts[0], subset, 1e-5)
            if np.isfinite(quick.fun) and np.all(np.isfinite(quick.x)):
                starts.insert(0, np.exp(quick.x))
        return starts

    _loglik_grad = staticmethod(_loglik_grad)

    def _minimise(self, start: np.ndarray, stats: SufficientStatistics, gtol: float) -> Any:
        """BFGS started with the inverse Hessian at ``start`` where it is positive definite.

        From the start that a quick fit on a subset gives (:meth:`_starting_values`), the
        curvature at the start is close to the curvature at the optimum, so BFGS needs a
        handful of steps instead of rebuilding it from the identity (about 30 evaluations
        of the log-likelihood and its gradient); the forward-difference Hessian costs four.
        With more than ``_SAMPLE_ROWS`` rows, the start is first refined, and the Hessian
        taken, on a sample of ``_SAMPLE_ROWS`` customers drawn in proportion to the rows'
        counts (the mean log-likelihood per customer of the sample estimates the full one),
        so the full data see only the last few steps.
        """
        curvature = stats
        if len(stats.weights) > _SAMPLE_ROWS:
            curvature = stats.subsample(_SAMPLE_ROWS, np.random.default_rng(20051105))
            refined = self._minimise(start, curvature, 1e-5)
            if np.isfinite(refined.fun) and np.all(np.isfinite(refined.x)):
                start = np.exp(refined.x)
        log_start = np.log(start)
        hessian = _forward_hessian(self._objective, log_start, curvature)
        hess_inv0 = None
        if np.all(np.isfinite(hessian)):
            try:  # the inverse Hessian where the start is in a convex region
                inverse = np.linalg.inv(hessian)
                hess_inv0 = 0.5 * (inverse + inverse.T)
                np.linalg.cholesky(hess_inv0)
            except np.linalg.LinAlgError:
                hess_inv0 = None
        return optimize.minimize(
            self._objective,
            log_start,
            args=(stats,),
            jac=True,
            method="BFGS",
            options={"gtol": gtol, "maxiter": 1000, "hess_inv0": hess_inv0},
        )

    def _hessian(self, log_params: np.ndarray, stats: SufficientStatistics) -> np.ndarray:
        """Observed information in log-parameters by forward differences of the gradient.

        Five evaluations of the gradient instead of the eight of central differences (the
        Hessian's error is then ~1e-5 relative, immaterial for standard errors); at a
        million customers each costs about a second.
        """
        return _forward_hessian(self._objective, log_params, stats) * stats.n_customers

    def _fit_statistics(self, stats: SufficientStatistics) -> Self:
        """Fit with the 20-point rule, then check every row against the 64-point rule.

        The estimation sequence runs with :data:`_FAST_NODES` (about three times fewer
        nodes per row); at the estimate, each row's log-likelihood is recomputed with the
        64-point rule of :func:`log_likelihood`. Where all rows agree to ``1e-9`` nats the
        fit stands (and its log-likelihood is the 64-point one); otherwise, which only
        extreme data cause, the whole sequence runs again with the 64-point rule.
        """
        fast = SufficientStatistics(
            stats.columns,
            stats.weights,
            stats.time_unit,
            stats.shared | {"quadrature_nodes": _FAST_NODES, "quadrature_weights": _FAST_WEIGHTS},
        )
        super()._fit_statistics(fast)
        columns = stats.columns
        exact = log_likelihood(self.params_, columns["frequency"], columns["recency"], columns["T"])
        quick, _ = _loglik_grad(self._params_array(), fast.arrays)
        if not np.all(np.abs(quick - exact) <= 1e-9):
            return super()._fit_statistics(stats)
        self.log_likelihood_ = float(np.dot(stats.weights, exact))
        self.data_fingerprint_ = stats.fingerprint()
        return self

    def _limits(self, params: dict[str, float]) -> list[str]:
        """The Pareto/NBD's limits, reached when the likelihood is flat towards them.

        s, beta -> inf with s / beta -> 0: the NBD (no dropout); s, beta -> inf with s / beta
        fixed: one dropout rate for all; r, alpha -> inf: one purchase rate for all.
        """
        r, alpha, s, beta = (params[name] for name in PARAM_NAMES)
        limits = []
        if beta > _LIMIT and s / beta < 1e-6:
            limits.append(
                f"no evidence of dropout: Pareto/NBD reduces to the NBD (beta = {beta:.3g} -> "
                f"inf, mean dropout rate s/beta = {s / beta:.2g})"
            )
        elif s > _LIMIT:
            limits.append(
                "no evidence of heterogeneity in dropout: every customer drops out at the same "
                f"rate s/beta = {s / beta:.4g} per unit of time (s = {s:.3g} -> inf)"
            )
        if r > _LIMIT:
            limits.append(
                "no evidence of heterogeneity in purchase rates: every customer buys at the "
                f"same rate r/alpha = {r / alpha:.4g} per unit of time (r = {r:.3g} -> inf)"
            )
        return limits

    def discounted_expected_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """DERT per customer of ``summary`` (see :func:`discounted_expected_residual_transactions`).

        ``discount_rate`` is continuously compounded, per unit of the summary's time.
        """
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        values = discounted_expected_residual_transactions(self.params_, discount_rate, x, t_x, T)
        return pd.Series(values, index=summary.index, name="dert")
