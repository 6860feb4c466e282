"""BG/NBD math: the likelihood's terms and the predictions built from them, written once.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r,
alpha); after each purchase she drops out with probability p ~ Beta(a, b). The
likelihood depends on a customer only through (x, t_x, T) = (frequency,
recency, T).

The math is written once, as functions of ``(params, data)`` where ``params``
maps ``r, alpha, a, b`` to scalars or arrays (e.g. posterior draws of shape
``(chain, draw, 1)``) that broadcast against the data arrays.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
the easy way: an alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275-284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2008). Computing P(alive) using the
BG/NBD model. http://brucehardie.com/notes/021/

Fader, P. S., Hardie, B. G. S. (2013). Overcoming the BG/NBD model's #NUM!
error problem. http://brucehardie.com/notes/027/
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from clvmodels.checks import positive_parameters
from clvmodels.data.validation import check_summary
from clvmodels.estimation.rows import SufficientStatistics
from clvmodels.exceptions import ConvergenceWarning
from clvmodels.models._special import beta_geometric_nbd_mean, beta_geometric_nbd_mean_grid
from clvmodels.models.namespace import NUMPY

__all__ = [
    "CUSTOMER_LOG_SHIFTS",
    "customer_parameters",
    "PARAM_NAMES",
    "check_horizon",
    "conditional_expected_purchases",
    "distinct_values",
    "dropout_log_odds",
    "expected_purchases",
    "grouped_log_likelihood",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
    "x_terms",
]

PARAM_NAMES = ("r", "alpha", "a", "b")


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    """The parameters as float arrays; each must be finite and > 0."""
    return positive_parameters(params, PARAM_NAMES, "BG/NBD")


def _parameters(params: Mapping[str, Any], xp: SimpleNamespace) -> tuple[Any, ...]:
    """The four parameters: checked float arrays for numpy, as given for PyTensor."""
    if xp is NUMPY:
        return _unpack(params)
    return tuple(xp.asarray(params[name]) for name in PARAM_NAMES)


def log_likelihood(
    params: Mapping[str, Any],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""Log-likelihood of each customer's (x, t_x, T) under the BG/NBD.

    .. math::

        \ell = \ln\frac{\Gamma(r+x)\alpha^r}{\Gamma(r)}
             + \ln\frac{B(a, b+x)}{B(a, b)}
             + \ln\Big[(\alpha+T)^{-(r+x)}
             + 1_{x>0}\,\frac{a}{b+x-1}(\alpha+t_x)^{-(r+x)}\Big]

    with the last term as a ``logaddexp`` (Fader, Hardie & Lee 2005, eq. 6;
    Hardie's note 027 for the rearrangement that avoids overflow). The terms that
    depend on x alone are evaluated once per distinct x (see
    :func:`grouped_log_likelihood`, which this calls).

    Parameters
    ----------
    params
        ``r``, ``alpha``, ``a``, ``b``: numbers or arrays that broadcast against the data
        (e.g. draws of shape ``(chain, draw, 1)``), or PyTensor variables with
        ``xp=pytensor_namespace()``.
    frequency, recency, T
        The customers' (x, t_x, T), numeric arrays that broadcast.
    xp
        The array namespace (:mod:`clvmodels.models.namespace`).

    Returns
    -------
    numpy.ndarray or pytensor variable
        The broadcast of ``params`` against the data, in nats. This is the full
        likelihood: its sum over CDNOW is the -9582.4 of the paper.
    """
    x = np.asarray(frequency, dtype=np.float64)
    x_unique, x_index = np.unique(x, return_inverse=True)
    return grouped_log_likelihood(params, x_unique, x_index.reshape(x.shape), recency, T, xp)


def grouped_log_likelihood(
    params: Mapping[str, Any],
    x_unique: ArrayLike,
    x_index: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    """The BG/NBD log-likelihood of rows whose frequencies are ``x_unique[x_index]``.

    The one BG/NBD likelihood of the package: maximum likelihood evaluates it with numpy,
    the Bayesian model with PyTensor (the formula is in :func:`log_likelihood`). Every
    term that depends on one statistic alone is evaluated once per distinct value of it
    and gathered by index: ``gammaln(r + x)``, ``betaln(a, b + x)`` and ``ln(b + x - 1)``
    per distinct x, ``ln(alpha + T)`` per distinct T and ``ln(alpha + t_x)`` per distinct
    t_x (in whole weeks, tens to hundreds of values even for millions of customers). Per
    row remain a few products and one ``logaddexp``.

    Parameters
    ----------
    params
        ``r``, ``alpha``, ``a``, ``b`` (see :func:`log_likelihood`).
    x_unique
        The distinct frequencies (1-D).
    x_index
        Integer positions into ``x_unique``, one per row.
    recency, T
        t_x and T per row.
    xp
        The array namespace.

    Returns
    -------
    numpy.ndarray or pytensor variable
        Per-row log-likelihood, broadcast against the parameters.
    """
    r, alpha, a, b = _parameters(params, xp)
    x_unique = np.asarray(x_unique, dtype=np.float64)
    x_index, t_x_index, T_index = np.broadcast_arrays(
        np.asarray(x_index, dtype=np.intp), *(distinct_values(v)[1] for v in (recency, T))
    )
    t_x_unique, T_unique = distinct_values(recency)[0], distinct_values(T)[0]
    # rows -> distinct (x, T) and (x, t_x) pairs -> distinct x, T, t_x
    xT_index, (xT_x, xT_T) = _pairs(x_index, T_index)
    xtx_index, (xtx_x, xtx_tx) = _pairs(x_index, t_x_index)
    per_x, log_a_b_x = x_terms(r, alpha, a, b, x_unique, xp)
    # per (x, T): the x terms and a3 = -(r + x) ln(alpha + T); a4 - a3 = D - Q with
    # D = ln(a / (b + x - 1)) + (r + x) ln(alpha + T) per (x, T), Q = (r + x) ln(alpha + t_x)
    r_x_T = r + x_unique[xT_x]
    log_alpha_T = xp.take(xp.log(alpha + T_unique), xT_T)
    a3 = -r_x_T * log_alpha_T
    alive_part = xp.take(per_x, xT_x) + a3
    D = xp.take(log_a_b_x, xT_x) + r_x_T * log_alpha_T
    Q = (r + x_unique[xtx_x]) * xp.take(xp.log(alpha + t_x_unique), xtx_tx)
    # per row: logaddexp(a3, a4) = a3 + ln(1 + e^(a4 - a3)), the second term only for x > 0
    dropped = xp.logaddexp(0.0, xp.take(D, xT_index) - xp.take(Q, xtx_index))
    repeat = x_unique[x_index] > 0
    return xp.take(alive_part, xT_index) + xp.where(repeat, dropped, 0.0)


def x_terms(r: Any, alpha: Any, a: Any, b: Any, x_unique: np.ndarray, xp: SimpleNamespace):
    """Per distinct x: the likelihood's terms in x alone, and ``ln(a / (b + x - 1))``.

    ``ln[Gamma(r + x) alpha^r / Gamma(r)] + ln[B(a, b + x) / B(a, b)]`` (Fader, Hardie &
    Lee 2005, eq. 6); the second is the log-odds weight of the dropout term (x > 0; for
    x = 0 it is computed at x = 1 and not used).
    """
    per_x = (
        xp.gammaln(r + x_unique)
        - xp.gammaln(r)
        + r * xp.log(alpha)
        + xp.betaln(a, b + x_unique)
        - xp.betaln(a, b)
    )
    log_a_b_x = xp.log(a) - xp.log(b + (np.maximum(x_unique, 1.0) - 1.0))  # exact: x - 1 first
    return per_x, log_a_b_x


def _pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Codes of the distinct (first, second) index pairs (shape of the inputs), and the pairs."""
    span = int(second.max()) + 1 if second.size else 1
    unique, index = np.unique(first.astype(np.int64) * span + second, return_inverse=True)
    return index.reshape(first.shape).astype(np.intp), (unique // span, unique % span)


def distinct_values(values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (1-D) and each element's position among them (same shape)."""
    values = np.asarray(values, dtype=np.float64)
    unique, index = np.unique(values, return_inverse=True)
    return unique, index.reshape(values.shape).astype(np.intp)


def dropout_log_odds(
    r: ArrayLike,
    alpha: ArrayLike,
    log_weight: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""Log odds that a customer with history (x, t_x, T) has dropped out, against alive.

    .. math::

        \ln\frac{P(\text{dead})}{P(\text{alive})} = \ln w
            + (r + x)\ln\Big(1 + \frac{T - t_x}{\alpha + t_x}\Big)

    with ``log_weight`` = ``ln w`` the model's weight of the "dropped out after the last
    purchase" term: ``ln(a / (b + x - 1))`` for the BG/NBD (x > 0; Fader, Hardie & Lee
    2005, eq. 13), ``ln(a / (b + x))`` for the MBG/NBD (Batislam et al. 2007, eq. 5). The
    ``log1p`` keeps x in the hundreds and T in the thousands finite. The one copy of this
    formula: both models' ``probability_alive`` are ``expit(-log odds)``.
    """
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (frequency, recency, T))
    return log_weight + (r + x) * np.log1p((T - t_x) / (alpha + t_x))


def probability_alive(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""P(alive at T | x, t_x, T).

    .. math::

        P = \Big[1 + 1_{x>0}\frac{a}{b+x-1}
            \Big(\frac{\alpha+T}{\alpha+t_x}\Big)^{r+x}\Big]^{-1}

    evaluated as ``expit(-log odds)`` so that x in the hundreds and T in the
    thousands neither overflow nor give NaN (Fader, Hardie & Lee 2005, eq. 13;
    note 021).
    """
    r, alpha, a, b = _unpack(params)
    x = np.asarray(frequency, dtype=np.float64)
    log_odds_dead = dropout_log_odds(
        r, alpha, np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0), x, recency, T
    )
    return np.where(x > 0, special.expit(-log_odds_dead), 1.0)


def expected_purchases(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""E[X(t)]: expected purchases of a new customer in (0, t].

    .. math::

        E[X(t)] = \frac{a+b-1}{a-1}\Big[1 - \Big(\frac{\alpha}{\alpha+t}\Big)^r
                  {}_2F_1\big(r, b; a+b-1; \tfrac{t}{\alpha+t}\big)\Big]

    (Fader, Hardie & Lee 2005, eq. 9), computed from its mixture form by
    :func:`~clvmodels.models._special.beta_geometric_nbd_mean`, which is right to 1e-8
    relative for every valid input (or raises
    :class:`~clvmodels.exceptions.NumericalPrecisionError`).
    """
    r, alpha, a, b = _unpack(params)
    t = check_horizon(t)
    return beta_geometric_nbd_mean(r, alpha, a, b, t)


def conditional_expected_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
) -> np.ndarray:
    r"""E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with that history.

    .. math::

        E = \frac{a+b+x-1}{a-1}\Big[1-\Big(\frac{\alpha+T}{\alpha+T+t}\Big)^{r+x}
            {}_2F_1\big(r+x, b+x; a+b+x-1; \tfrac{t}{\alpha+T+t}\big)\Big]
            \cdot P(\text{alive} \mid x, t_x, T)

    (Fader, Hardie & Lee 2005, eq. 10). The bracket is E[X(t)] of a new customer with the
    posterior parameters ``(r + x, alpha + T, a, b + x)``, computed by
    :func:`~clvmodels.models._special.beta_geometric_nbd_mean` (no cancellation, no
    special case at a = 1, continuous into the limits a, b -> inf). ``t`` broadcasts
    against the data: pass ``t[:, None]`` for a (horizons x customers) array, and draws
    of shape ``(chain, draw, 1, 1)`` for ``(chain, draw, horizon, customer)``; the bracket
    is then evaluated once per distinct (x, T), draw and horizon
    (:func:`~clvmodels.models._special.beta_geometric_nbd_mean_grid`).

    With ``weights`` (one per horizon of a 1-D ``t``) the result is the weighted sum over
    the horizons, ``sum_h weights[h] E[Y(t[h]) | x, t_x, T]`` (e.g. discounted increments
    of the path, for the CLV), taken per distinct (x, T) before P(alive) and the rows:
    the shape of ``t`` drops out of the result.
    """
    r, alpha, a, b = _unpack(params)
    t = check_horizon(t)
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if t.ndim != 1 or weights.shape != t.shape or not np.all(np.isfinite(weights)):
            raise ValueError(
                "weights must be finite, one per horizon of a 1-D t (e.g. t=[4.3, 8.7], "
                f"weights=[0.5, 0.4]); got t of shape {t.shape}, weights of shape "
                f"{weights.shape}"
            )
    x = np.asarray(frequency, dtype=np.float64)
    T_arr = np.asarray(T, dtype=np.float64)
    draws_shape = np.broadcast_shapes(r.shape, alpha.shape, a.shape, b.shape)
    # The bracket depends on a customer only through (x, T): with one row per customer
    # (1-D data) and parameters and horizons on their own axes, evaluate it once per
    # distinct (x, T) pair, draw and horizon (summaries in whole periods have few pairs).
    apart = x.ndim == 1 and x.shape == T_arr.shape and draws_shape[-1:] in ((), (1,))
    if t.ndim == 2:  # (horizon, 1): a horizon axis before the rows
        apart = apart and t.shape[1] == 1 and draws_shape[-2:-1] in ((), (1,))
    elif t.ndim == 1:  # summed over (weights), else paired with the rows
        apart = apart and weights is not None
    if apart and t.ndim <= 2:
        codes, (x_pairs, T_pairs) = _distinct_pairs(x, T_arr)
        draws = [np.broadcast_to(v, draws_shape).reshape(-1) for v in (r, alpha, a, b)]
        grid = beta_geometric_nbd_mean_grid(*draws, x_pairs, T_pairs, t.reshape(-1))
        if weights is not None:
            grid = np.einsum("dhp,h->dp", grid, weights)
            shape = np.broadcast_shapes(draws_shape, x.shape)
        else:
            shape = np.broadcast_shapes(draws_shape, t.shape, x.shape)
        bracket = grid[..., codes].reshape(shape)
    elif weights is not None:
        bracket = sum(
            w * beta_geometric_nbd_mean(r + x, alpha + T_arr, a, b + x, horizon)
            for w, horizon in zip(weights, t, strict=True)
        )
    else:
        bracket = beta_geometric_nbd_mean(r + x, alpha + T_arr, a, b + x, t)
    return bracket * probability_alive(params, x, recency, T_arr)


def _distinct_pairs(
    x: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Codes into the distinct (x, T) pairs, and the pairs."""
    x_codes, x_values = pd.factorize(x)
    T_codes, T_values = pd.factorize(T)
    pair_codes, pairs = pd.factorize(x_codes.astype(np.int64) * len(T_values) + T_codes)
    return pair_codes, (x_values[pairs // len(T_values)], T_values[pairs % len(T_values)])


def probability_of_purchases(
    params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike
) -> np.ndarray:
    r"""P(X(t) = n) for a new customer.

    .. math::

        P(X(t)=n) = \frac{B(a,b+n)}{B(a,b)}\,\mathrm{NB}(n; r, \tfrac{\alpha}{\alpha+t})
          + 1_{n>0}\frac{B(a+1,b+n-1)}{B(a,b)}
            \,P\big(\mathrm{NB}(r, \tfrac{\alpha}{\alpha+t}) \ge n\big)

    where NB is the negative binomial (Fader, Hardie & Lee 2005, eq. 8); the
    tail sum is the negative-binomial survival function.
    """
    r, alpha, a, b = _unpack(params)
    t = check_horizon(t)
    n = np.asarray(n)
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(f"n must be whole numbers >= 0, got {n}")
    n = n.astype(np.float64)
    p = alpha / (alpha + t)
    log_beta_ab = special.betaln(a, b)
    first = special.betaln(a, b + n) - log_beta_ab + stats.nbinom.logpmf(n, r, p)
    tail = np.where(
        n > 0,
        special.betaln(a + 1.0, b + np.maximum(n, 1.0) - 1.0)
        - log_beta_ab
        + stats.nbinom.logsf(np.maximum(n, 1.0) - 1.0, r, p),
        -np.inf,
    )
    return np.exp(np.logaddexp(first, tail))


def check_horizon(t: ArrayLike) -> np.ndarray:
    """``t`` as a float array of horizons; each must be finite and >= 0."""
    t = np.asarray(t, dtype=np.float64)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"the horizon t must be finite and >= 0, e.g. t=52.0; got {t}")
    return t


def sufficient_statistics(data: Any, weights: Any = None) -> SufficientStatistics:
    """The distinct (x, t_x, T) rows of a summary, their counts, and the distinct x.

    What :func:`grouped_log_likelihood` is evaluated on, by maximum likelihood and by the
    Bayesian model alike. ``weights`` (optional) are customers per row of ``data``.
    """
    check_summary(data)
    rows = SufficientStatistics.from_frame(data, ("frequency", "recency", "T"), weights)
    if not np.any(rows.columns["frequency"] > 0):
        warnings.warn(
            "no customer in the summary made a repeat purchase: the BG/NBD purchase rate "
            "tends to 0 (alpha -> inf) and dropout cannot be estimated; predictions will "
            "be close to 0. Check the time window and the freq of the summary.",
            ConvergenceWarning,
            stacklevel=5,
        )
    unique, counts = rows.columns, rows.weights
    x_unique, x_index = np.unique(unique["frequency"], return_inverse=True)
    unique["x_index"] = x_index.astype(np.float64)
    shared = {"x_unique": x_unique}
    # each row's position among the distinct t_x and T, for the MLE's evaluations
    for name in ("recency", "T"):
        codes, distinct = pd.factorize(unique[name], sort=True)
        unique[f"{name}_index"] = codes.astype(np.float64)
        shared[f"{name}_unique"] = distinct
    derived = frozenset({"recency_index", "T_index", "recency_unique", "T_unique"})
    return SufficientStatistics(unique, counts, rows.time_unit, shared, derived)


#: How a unit of each linear predictor moves each customer's log-parameters in
#: :func:`customer_parameters` (ln alpha_i = ln alpha - eta_P, ln a_i = ln a + eta_D,
#: ln b_i = ln b + eta_D): the map is linear in the log scale, which the covariate fit's
#: Hessian uses (``tests/models/test_covariate_curvature.py`` pins it).
CUSTOMER_LOG_SHIFTS = {"purchase": (0.0, -1.0, 0.0, 0.0), "dropout": (0.0, 0.0, 1.0, 1.0)}


def customer_parameters(
    params: Mapping[str, Any], eta_purchase: ArrayLike, eta_dropout: ArrayLike
) -> dict[str, Any]:
    r"""Each customer's (r, alpha, a, b) under static covariates (CLVTools' parametrisation).

    .. math::

        \alpha_i = \alpha\, e^{-\gamma_P' z_i}, \qquad
        a_i = a\, e^{\gamma_D' z_i}, \qquad b_i = b\, e^{\gamma_D' z_i}

    with ``eta_purchase`` = :math:`\gamma_P' z_i` and ``eta_dropout`` = :math:`\gamma_D' z_i`
    (Bachmann, Meierer & Naef 2021; CLVTools' ``bgnbd`` with static covariates). A positive
    purchase coefficient raises the purchase rate (its mean r / alpha_i); a positive
    dropout coefficient leaves the mean dropout probability a / (a + b) as it is and
    concentrates it. Every function of this module takes the result as ``params``.
    """
    eta_p = np.asarray(eta_purchase, dtype=np.float64)
    eta_d = np.asarray(eta_dropout, dtype=np.float64)
    scale = np.exp(eta_d)
    return {
        "r": params["r"],
        "alpha": params["alpha"] * np.exp(-eta_p),
        "a": params["a"] * scale,
        "b": params["b"] * scale,
    }
