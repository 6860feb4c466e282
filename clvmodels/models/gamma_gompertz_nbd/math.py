r"""Gamma-Gompertz/NBD: Poisson purchases while alive, Gamma/Gompertz lifetimes.

While alive, a customer buys as a Poisson process with rate :math:`\lambda \sim
\mathrm{Gamma}(r, \alpha)`; her lifetime has the Gompertz hazard :math:`b\eta e^{b\tau}`
with her own :math:`\eta \sim \mathrm{Gamma}(s, \beta)` (b common), so that across
customers it is Gamma/Gompertz (Bemmaor & Glady 2012):

.. math::

    S(\tau) = \Big(\frac{\beta}{E(\tau)}\Big)^{s}, \qquad
    f(\tau) = \frac{b s \beta^s e^{b\tau}}{E(\tau)^{s+1}}, \qquad
    E(\tau) = \beta - 1 + e^{b\tau}.

The likelihood of (x, t_x, T) is (Bemmaor & Glady 2012; CLVTools' ``ggomnbd_LL``)

.. math::

    L = \frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)} \Big[
        \frac{S(T)}{(\alpha+T)^{r+x}}
        + \int_{t_x}^{T} \frac{f(\tau)}{(\alpha+\tau)^{r+x}}\, d\tau \Big],

whose integral has no closed form: it is taken on log-spaced Gauss-Legendre nodes in a
variable in which the integrand is decreasing and log-convex (:mod:`.quadrature`), in a
compiled loop (:mod:`._kernel`). Given alive at T, the posterior of lambda is
Gamma(r + x, alpha + T) and that of eta Gamma(s, beta - 1 + e^{bT}), independently, so
every prediction is a rate times an integral of the survival curve from T:

.. math::

    K_\delta(T, t) = \int_0^t e^{-\delta u}\,
        \Big(\frac{E(T)}{E(T+u)}\Big)^{s} du .

The model is the Pareto/NBD in the limit b -> 0 with beta / b fixed (the Pareto/NBD's
beta): :math:`E(\tau) \approx b(\beta/b + \tau)`.

References
----------
Bemmaor, A. C. & Glady, N. (2012). Modeling purchasing behavior with sudden "death": a
flexible customer lifetime model. *Management Science*, 58(5), 1012-1021.

Adler, J. (2022). Comment on "Modeling purchasing behavior with sudden 'death'".
*Management Science*, 69(3), 1929-1930 (the corrected conditional expectation).

Meierer, M., Naef, J., Bachmann, P. & Jung, J. CLVTools (R package, 0.12.1): ``ggomnbd``,
``ggomnbd_LL``, ``ggomnbd_PAlive``, ``ggomnbd_CET``, ``ggomnbd_expectation``,
``ggomnbd_PMF``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from clvmodels.checks import finite_scalar, positive_parameters
from clvmodels.data.validation import check_summary
from clvmodels.estimation.rows import CompressedRows
from clvmodels.exceptions import NumericalPrecisionError
from clvmodels.models.beta_geo.math import check_horizon
from clvmodels.models.gamma_gompertz_nbd import _kernel
from clvmodels.models.gamma_gompertz_nbd.quadrature import NODES, WEIGHTS, gauss_legendre_01

__all__ = [
    "CUSTOMER_LOG_SHIFTS",
    "PARAM_NAMES",
    "conditional_expected_purchases",
    "customer_parameters",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "log_likelihood",
    "probability_alive",
    "log_survival",
    "probability_of_purchases",
    "sufficient_statistics",
    "survival_integral",
]

PARAM_NAMES = ("r", "alpha", "b", "s", "beta")


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "Gamma-Gompertz/NBD")


def _flat(*arrays: ArrayLike) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The broadcast shape and each array broadcast to it, flat and contiguous."""
    broadcast = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in arrays))
    shape = broadcast[0].shape
    return shape, [np.ascontiguousarray(a.ravel()) for a in broadcast]


def _rows(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's log-likelihood and log odds of being alive at T."""
    shape, flat = _flat(*_unpack(params), frequency, recency, T)
    ll, log_odds = np.empty(flat[0].size), np.empty(flat[0].size)
    _kernel.rows(*flat, NODES, WEIGHTS, ll, log_odds)
    return ll.reshape(shape), log_odds.reshape(shape)


def log_likelihood(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""Log-likelihood of each customer's (x, t_x, T) under the Gamma-Gompertz/NBD.

    .. math::

        \ell = \ln\frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)} + \ln\Big[
            \frac{S(T)}{(\alpha+T)^{r+x}}
            + \int_{t_x}^{T}\frac{f(\tau)}{(\alpha+\tau)^{r+x}}\,d\tau\Big]

    (Bemmaor & Glady 2012; the individual likelihood of CLVTools' ``ggomnbd_LL``), the
    sum as a ``logaddexp``, the integral on the 64-point rule of :mod:`.quadrature`.

    Parameters
    ----------
    params
        ``r, alpha, b, s, beta``: numbers or arrays that broadcast against the data,
        finite and > 0.
    frequency, recency, T
        x, t_x and T of each customer.

    Returns
    -------
    numpy.ndarray
        One value per customer, in nats.
    """
    return _rows(params, frequency, recency, T)[0]


def probability_alive(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""P(alive at T | x, t_x, T): the share of the likelihood in which she is alive at T.

    .. math::

        P = \frac{S(T)(\alpha+T)^{-(r+x)}}{S(T)(\alpha+T)^{-(r+x)}
            + \int_{t_x}^{T} f(\tau)(\alpha+\tau)^{-(r+x)}\,d\tau}

    (CLVTools' ``ggomnbd_PAlive``), as the logistic of the log odds.
    """
    return special.expit(_rows(params, frequency, recency, T)[1])


def survival_integral(
    params: Mapping[str, ArrayLike], start: ArrayLike, horizon: ArrayLike, discount: float = 0.0
) -> np.ndarray:
    r""":math:`K_\delta(T, t) = \int_0^t e^{-\delta u} S(T+u)/S(T)\, du`.

    The expected time alive (discounted at the continuous rate delta) in the next t time
    units of a customer alive at ``start`` = T; ``horizon`` may be ``inf`` when
    ``discount`` > 0. Computed on the 64-point rule of :mod:`.quadrature`.
    """
    _, _, b, s, beta = _unpack(params)
    shape, flat = _flat(b, s, beta, start, horizon)
    out = np.empty(flat[0].size)
    _kernel.survival_integrals(*flat, float(discount), NODES, WEIGHTS, out)
    return out.reshape(shape)


def expected_purchases(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""E[X(t)]: expected purchases of a new customer in (0, t].

    .. math::

        E[X(t)] = \frac{r}{\alpha}\int_0^t S(\tau)\,d\tau
                = \frac{r}{\alpha}\Big[t\,S(t) + \int_0^t \tau f(\tau)\,d\tau\Big]

    (the second form is CLVTools' ``ggomnbd_expectation``).
    """
    r, alpha, *_ = _unpack(params)
    t = check_horizon(t)
    return r / alpha * survival_integral(params, 0.0, t)


def conditional_expected_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (CET).

    .. math::

        E = P(\text{alive} \mid x, t_x, T)\,\frac{r+x}{\alpha+T}
            \int_0^t \Big(\frac{E(T)}{E(T+u)}\Big)^{s} du

    (the expectation as corrected by Adler 2022; CLVTools' ``ggomnbd_CET`` writes the
    integral with two 2F1(1, s; s+1; .)). ``t`` broadcasts against the data: pass
    ``t[:, None]`` for a (horizons x customers) array.
    """
    r, alpha, *_ = _unpack(params)
    t = check_horizon(t)
    x, T_arr = np.asarray(frequency, np.float64), np.asarray(T, np.float64)
    p_alive = probability_alive(params, x, recency, T_arr)
    return p_alive * (r + x) / (alpha + T_arr) * survival_integral(params, T_arr, t)


def discounted_expected_residual_transactions(
    params: Mapping[str, ArrayLike],
    discount_rate: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""DERT: future purchases discounted continuously at rate delta, over an infinite horizon.

    .. math::

        \mathrm{DERT}(\delta) = P(\text{alive} \mid x, t_x, T)\,\frac{r+x}{\alpha+T}
            \int_0^\infty e^{-\delta u}\Big(\frac{E(T)}{E(T+u)}\Big)^{s} du

    (the posterior rate times the discounted expected remaining lifetime; CLVTools states
    that it has not derived DERT for this model: this is the expectation of
    :math:`\int_T^\infty e^{-\delta(\tau - T)} \lambda 1[\text{alive at } \tau]\, d\tau`
    under the posterior of the story above).

    Parameters
    ----------
    discount_rate
        delta, the continuously compounded rate per unit of the summary's time, > 0.
    """
    r, alpha, *_ = _unpack(params)
    delta = finite_scalar(discount_rate, "discount_rate", greater_than=0.0)
    x, T_arr = np.asarray(frequency, np.float64), np.asarray(T, np.float64)
    p_alive = probability_alive(params, x, recency, T_arr)
    return p_alive * (r + x) / (alpha + T_arr) * survival_integral(params, T_arr, np.inf, delta)


def probability_of_purchases(
    params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike
) -> np.ndarray:
    r"""P(X(t) = n) for a new customer.

    .. math::

        P(X(t)=n) = \mathrm{NB}\Big(n; r, \frac{\alpha}{\alpha+t}\Big) S(t)
            + \int_0^t \mathrm{NB}\Big(n; r, \frac{\alpha}{\alpha+\tau}\Big) f(\tau)\,d\tau

    (alive at t, or died at tau having bought n times before; CLVTools' ``ggomnbd_PMF``,
    derived by Adler 2024). The integral is taken over the cumulative hazard on
    Gauss-Legendre rules of 64 and 128 nodes, doubled up to 1,024 where they differ;
    :class:`~clvmodels.exceptions.NumericalPrecisionError` if they still differ by more
    than 1e-9.
    """
    r, alpha, b, s, beta = _unpack(params)
    t = check_horizon(t)
    n = np.asarray(n)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(f"n must be whole numbers >= 0, e.g. n=[0, 1, 2]; got {n}")
    shape, flat = _flat(r, alpha, b, s, beta, t, n)
    r_f, alpha_f, b_f, s_f, beta_f, t_f, n_f = flat
    log_survival = s_f * (np.log(beta_f) - _log_e(b_f, beta_f, t_f))
    alive = stats.nbinom.logpmf(n_f, r_f, alpha_f / (alpha_f + t_f)) + log_survival

    def died(n_nodes: int) -> np.ndarray:
        out = np.empty(t_f.size)
        _kernel.purchases_before_deaths(*flat, *gauss_legendre_01(n_nodes), out)
        return out

    n_nodes, coarse = 64, died(64)
    while True:
        fine = died(2 * n_nodes)
        bad = np.abs(fine - coarse) > 1e-9 * np.maximum(fine, 1e-300)
        if not np.any(bad) or n_nodes >= 512:
            break
        n_nodes, coarse = 2 * n_nodes, fine
    if np.any(bad):
        where = int(np.flatnonzero(bad)[0])
        shown = {k: float(v[where]) for k, v in zip((*PARAM_NAMES, "t", "n"), flat, strict=True)}
        raise NumericalPrecisionError(
            f"P(X(t) = n) under the Gamma-Gompertz/NBD cannot be computed to 1e-9 at {shown}"
        )
    return (np.exp(alive) + fine).reshape(shape)


def log_survival(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""ln S(t), the population's lifetime survival: :math:`s \ln(\beta / (\beta - 1 + e^{bt}))`.

    (Bemmaor & Glady 2012, eq. 3: the Gompertz survival mixed over its gamma scale.)
    """
    _, _, b, s, beta = _unpack(params)
    return s * (np.log(beta) - _log_e(b, beta, np.asarray(t, dtype=np.float64)))


def _log_e(b: np.ndarray, beta: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """ln(beta - 1 + e^(b tau)) without cancellation or overflow (as the kernel's)."""
    bt = b * tau
    small = bt < 1.0
    return np.where(
        small,
        np.log(beta + np.expm1(np.minimum(bt, 1.0))),
        bt + np.log1p((beta - 1.0) * np.exp(-np.maximum(bt, 1.0))),
    )


def sufficient_statistics(data: Any, weights: Any = None) -> CompressedRows:
    """The checked summary's distinct (x, t_x, T) rows with their counts (for the MLE)."""
    check_summary(data)
    return CompressedRows.from_frame(data, ("frequency", "recency", "T"), weights)


#: How a unit of each linear predictor moves each customer's log-parameters in
#: :func:`customer_parameters` (ln alpha_i = ln alpha - eta_P, ln beta_i = ln beta - eta_D).
CUSTOMER_LOG_SHIFTS = {
    "purchase": (0.0, -1.0, 0.0, 0.0, 0.0),
    "dropout": (0.0, 0.0, 0.0, 0.0, -1.0),
}


def customer_parameters(
    params: Mapping[str, Any], eta_purchase: ArrayLike, eta_dropout: ArrayLike
) -> dict[str, Any]:
    r"""Each customer's (r, alpha, b, s, beta) under static covariates (CLVTools' form).

    .. math::

        \alpha_i = \alpha\, e^{-\gamma_P' z_i}, \qquad \beta_i = \beta\, e^{-\gamma_D' z_i}

    (CLVTools' ``ggomnbd`` with static covariates: ``ggomnbd_staticcov_alpha_i`` and
    ``ggomnbd_staticcov_beta_i``): the mean purchase rate r / alpha_i is multiplied by
    exp(gamma_P' z), and the mean of eta, s / beta_i, by exp(gamma_D' z).
    """
    eta_p = np.asarray(eta_purchase, dtype=np.float64)
    eta_d = np.asarray(eta_dropout, dtype=np.float64)
    return {
        "r": params["r"],
        "alpha": params["alpha"] * np.exp(-eta_p),
        "b": params["b"],
        "s": params["s"],
        "beta": params["beta"] * np.exp(-eta_d),
    }
