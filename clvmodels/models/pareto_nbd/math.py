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

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.checks import positive_parameters
from clvmodels.data.validation import check_summary
from clvmodels.estimation.rows import CompressedRows
from clvmodels.models.beta_geo.math import check_horizon
from clvmodels.models.namespace import NUMPY
from clvmodels.models.pareto_nbd.count_integral import log_new_customer_pmf
from clvmodels.models.pareto_nbd.quadrature import (
    BLOCK,
    NODES,
    TAIL_CUT,
    WEIGHTS,
    log_spaced_nodes,
    tail_integral,
)

__all__ = [
    "CUSTOMER_LOG_SHIFTS",
    "customer_parameters",
    "PARAM_NAMES",
    "blockwise",
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "distinct_rows",
    "expected_purchases",
    "log_likelihood",
    "parts",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
]

PARAM_NAMES = ("r", "alpha", "s", "beta")


#: Customers from which P(alive) is computed once per distinct (x, t_x, T).
UNIQUE_FROM = 2000


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "Pareto/NBD")


def parts(
    params: Mapping[str, Any],
    frequency: Any,
    recency: Any,
    T: Any,
    xp: Any,
    rule: tuple[np.ndarray, np.ndarray] = (NODES, WEIGHTS),
    with_gradient: bool = True,
) -> tuple:
    """The three log terms of the likelihood: A1 (x only), alive at T, died in (t_x, T]."""
    r, alpha, s, beta = (params[name] for name in PARAM_NAMES)
    x, t_x = frequency, recency
    head = xp.gammaln(r + x) - xp.gammaln(r) + r * xp.log(alpha) + s * xp.log(beta)
    alive = -(r + x) * xp.log(alpha + T) - s * xp.log(beta + T)
    tail = tail_integral(r, alpha, s, beta, x, t_x, T, xp, rule, with_gradient)
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
        head, alive, died, _ = parts(params, x, t_x, T, xp)
        return head + xp.logaddexp(alive, died)

    def block(named: dict, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        head, alive, died, _ = parts(named, x, t_x, T, NUMPY, with_gradient=False)
        return head + np.logaddexp(alive, died)

    return blockwise(block, params, frequency, recency, T)


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
        _, alive, died, _ = parts(named, x, t_x, T, NUMPY, with_gradient=False)
        return special.expit(alive - died)

    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    scalar_params = all(np.ndim(v) == 0 for v in _unpack(params))
    if scalar_params and x.ndim == t_x.ndim == T.ndim == 1 and x.size > UNIQUE_FROM:
        # one value per distinct (x, t_x, T): real data repeat rows a lot
        codes, first = distinct_rows(x, t_x, T)
        return blockwise(block, params, x[first], t_x[first], T[first])[codes]
    return blockwise(block, params, x, t_x, T)


def distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    t = check_horizon(t)
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
    t = check_horizon(t)
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
    ell, weights = log_spaced_nodes(scale, np.full(shape, TAIL_CUT), NUMPY)
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
    Fader & Hardie 2006, note 012). The integral is certified to 1e-9 relative on v =
    ln(tau), where it is log-concave
    (:func:`~clvmodels.models.pareto_nbd.count_integral.log_count_integral`), or a
    :class:`~clvmodels.exceptions.NumericalPrecisionError` names the inputs.
    """
    r, alpha, s, beta = _unpack(params)
    t = check_horizon(t)
    n = np.asarray(n)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(f"n must be whole numbers >= 0, e.g. n=[0, 1, 2]; got {n}")
    return np.exp(log_new_customer_pmf(r, alpha, s, beta, t, n.astype(np.float64)))


def blockwise(fn: Any, params: Mapping[str, ArrayLike], *data: ArrayLike) -> np.ndarray:
    """``fn(params, *data)`` over the broadcast of parameters and data, in blocks.

    Everything is broadcast to one shape and taken ``BLOCK`` elements at a time, so that
    the (elements x nodes) temporaries of the quadrature stay in cache; the result has the
    broadcast shape.
    """
    arrays = np.broadcast_arrays(*_unpack(params), *(np.asarray(v, np.float64) for v in data))
    shape = arrays[0].shape
    flat = [a.ravel() for a in arrays]
    out = np.empty(flat[0].size)
    for start in range(0, out.size, BLOCK):
        rows = slice(start, start + BLOCK)
        named = dict(zip(PARAM_NAMES, (a[rows] for a in flat[:4]), strict=True))
        out[rows] = fn(named, *(a[rows] for a in flat[4:]))
    return out.reshape(shape)


def sufficient_statistics(data: Any, weights: Any = None) -> CompressedRows:
    """The checked summary's distinct (x, t_x, T) rows with their counts (for the MLE)."""
    check_summary(data)
    return CompressedRows.from_frame(data, ("frequency", "recency", "T"), weights)


#: How a unit of each linear predictor moves each customer's log-parameters in
#: :func:`customer_parameters` (ln alpha_i = ln alpha - eta_P, ln beta_i = ln beta - eta_D):
#: the map is linear in the log scale, which the covariate fit's Hessian uses
#: (``tests/models/test_covariate_curvature.py`` pins it).
CUSTOMER_LOG_SHIFTS = {"purchase": (0.0, -1.0, 0.0, 0.0), "dropout": (0.0, 0.0, 0.0, -1.0)}


def customer_parameters(
    params: Mapping[str, Any], eta_purchase: ArrayLike, eta_dropout: ArrayLike
) -> dict[str, Any]:
    r"""Each customer's (r, alpha, s, beta) under static covariates (CLVTools' parametrisation).

    .. math::

        \alpha_i = \alpha\, e^{-\gamma_P' z_i}, \qquad \beta_i = \beta\, e^{-\gamma_D' z_i}

    with ``eta_purchase`` = :math:`\gamma_P' z_i` and ``eta_dropout`` = :math:`\gamma_D' z_i`:
    the mean purchase rate r / alpha_i and the mean dropout rate s / beta_i are multiplied
    by exp(gamma' z) (Bachmann, Meierer & Naef 2021; CLVTools' ``pnbd`` with static
    covariates). Every function of this module takes the result as ``params``.
    """
    eta_p = np.asarray(eta_purchase, dtype=np.float64)
    eta_d = np.asarray(eta_dropout, dtype=np.float64)
    return {
        "r": params["r"],
        "alpha": params["alpha"] * np.exp(-eta_p),
        "s": params["s"],
        "beta": params["beta"] * np.exp(-eta_d),
    }
