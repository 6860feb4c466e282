"""BG/NBD: the beta-geometric / negative-binomial model of repeat buying.

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
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from clvmodels.checks import positive_parameters
from clvmodels.data.validation import check_summary
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.estimation.rows import SufficientStatistics
from clvmodels.exceptions import ConvergenceWarning
from clvmodels.models._compiled_sums import bind
from clvmodels.models._special import beta_geometric_nbd_mean, beta_geometric_nbd_mean_grid
from clvmodels.models.namespace import NUMPY

__all__ = [
    "BetaGeoModel",
    "conditional_expected_purchases",
    "expected_purchases",
    "grouped_log_likelihood",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
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
        np.asarray(x_index, dtype=np.intp), *(_distinct(v)[1] for v in (recency, T))
    )
    t_x_unique, T_unique = _distinct(recency)[0], _distinct(T)[0]
    # rows -> distinct (x, T) and (x, t_x) pairs -> distinct x, T, t_x
    xT_index, (xT_x, xT_T) = _pairs(x_index, T_index)
    xtx_index, (xtx_x, xtx_tx) = _pairs(x_index, t_x_index)
    per_x, log_a_b_x = _x_terms(r, alpha, a, b, x_unique, xp)
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


def _x_terms(r: Any, alpha: Any, a: Any, b: Any, x_unique: np.ndarray, xp: SimpleNamespace):
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
    log_a_b_x = xp.log(a) - xp.log(b + np.maximum(x_unique, 1.0) - 1.0)
    return per_x, log_a_b_x


def _pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Codes of the distinct (first, second) index pairs (shape of the inputs), and the pairs."""
    span = int(second.max()) + 1 if second.size else 1
    unique, index = np.unique(first.astype(np.int64) * span + second, return_inverse=True)
    return index.reshape(first.shape).astype(np.intp), (unique // span, unique % span)


def _distinct(values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (1-D) and each element's position among them (same shape)."""
    values = np.asarray(values, dtype=np.float64)
    unique, index = np.unique(values, return_inverse=True)
    return unique, index.reshape(values.shape).astype(np.intp)


def _loglik_grad(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood (:func:`grouped_log_likelihood`) and its gradient.

    One compiled pass over the rows (:mod:`._bgnbd_rows`) on tables of the terms that
    depend on one statistic alone (:func:`_tables`). The value is the shared function's,
    term for term (``tests/models/test_shared_likelihood.py`` pins it, and the
    hand-written gradient to PyTensor's automatic derivative of
    :func:`grouped_log_likelihood`).
    """
    layout, tables = _tables(params, columns)
    n = len(layout[0])
    ll, grad = np.empty(n), np.empty((4, n))
    _rows().each_row(*layout, *tables, *params[:3], ll, grad)
    return ll, grad


def _loglik_grad_sums(
    params: np.ndarray, columns: dict[str, np.ndarray], weights: np.ndarray
) -> tuple[float, np.ndarray]:
    """``sum(weights * ll)`` and ``sum(weights * grad, axis=1)`` of :func:`_loglik_grad`.

    In the same pass over the rows, without the per-row arrays.
    """
    layout, tables = _tables(params, columns)
    out = np.empty(5)
    _rows().weighted(*layout, *tables, *params[:3], _contiguous(weights), out)
    return float(out[0]), out[1:]


def _tables(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple[tuple, tuple]:
    """The rows' positions among the distinct x, t_x, T, and per distinct value its terms.

    Per x the columns :data:`._bgnbd_rows.X_COLUMNS`: x, the likelihood's terms in x alone
    and ``ln(a / (b + x - 1))`` (:func:`_x_terms`, as the shared function computes them),
    and their derivatives ``psi(r + x) - psi(r) + ln alpha``, ``psi(a + b) - psi(a + b +
    x)`` (in a), that plus ``psi(b + x) - psi(b)`` (in b), and ``1 / (b + x - 1)``; per T
    and per t_x ``ln(alpha + t)`` and ``1 / (alpha + t)``. The positions come from
    ``columns`` where :func:`sufficient_statistics` stored them, else they are computed.
    """
    r, alpha, a, b = (float(v) for v in params)
    layout, (x_unique, *distinct) = _layout(columns)
    per_x, log_a_b_x = _x_terms(r, alpha, a, b, x_unique, NUMPY)
    dig = special.digamma
    d_a = dig(a + b) - dig(a + b + x_unique)
    x_table = np.stack(
        [
            x_unique,
            per_x,
            log_a_b_x,
            dig(r + x_unique) - dig(r) + np.log(alpha),
            d_a,
            d_a + dig(b + x_unique) - dig(b),
            1.0 / (b + np.maximum(x_unique, 1.0) - 1.0),
        ],
        axis=1,
    )
    t_x_table, T_table = (
        np.stack([np.log(alpha + t), 1.0 / (alpha + t)], axis=1) for t in distinct
    )
    return layout, (x_table, T_table, t_x_table)


def _layout(columns: dict[str, np.ndarray]) -> tuple[tuple, tuple]:
    """The rows' positions among the distinct x, t_x and T, and those distinct values."""
    layout = [_contiguous(columns["x_index"])]
    distinct = [_contiguous(columns["x_unique"])]
    for name in ("recency", "T"):
        if f"{name}_index" in columns:
            unique, index = columns[f"{name}_unique"], columns[f"{name}_index"]
        else:
            unique, index = _distinct(columns[name])
        layout.append(_contiguous(index))
        distinct.append(_contiguous(unique))
    return tuple(layout), tuple(distinct)


def weighted_log_likelihood(stats: SufficientStatistics) -> Any:
    """``params -> (sum of weighted log-likelihoods, its gradient)`` for ``stats``'s rows.

    The data are bound once: a call evaluates the per-value tables and one compiled pass
    over the rows (:mod:`._bgnbd_rows`), with no per-call copying, so a sampler can call
    it 10^5 times (a few microseconds plus the rows' pass), from several threads (the
    compiled call releases the GIL). Its tables come from
    :func:`._bgnbd_rows.fill_tables`, with ``ln B`` from lgammas as in the PyMC model:
    they differ from :func:`_tables`' (scipy's ``betaln``, which the maximum-likelihood
    fit keeps) by ~1e-12 relative at parameters in the thousands.

    Parameters
    ----------
    stats
        Distinct rows with counts, from :func:`sufficient_statistics`.

    Returns
    -------
    callable
        ``f(params)`` with ``params = (r, alpha, a, b)`` returns ``(float, ndarray(4))``.
    """
    layout, distinct = _layout(stats.arrays)
    return bind(_rows().weighted_at, (*layout, *distinct, stats.weights), len(PARAM_NAMES))


def _rows() -> ModuleType:
    """The compiled row loops of :mod:`._bgnbd_rows` (numba is imported on first use)."""
    from clvmodels.models import _bgnbd_rows

    return _bgnbd_rows


def _contiguous(values: ArrayLike) -> np.ndarray:
    """A writeable contiguous float64 array (one numba signature for every caller)."""
    return np.require(values, np.float64, ["C", "W"])


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
    t_x = np.asarray(recency, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    log_odds_dead = (
        np.log(a)
        - np.log(b + np.maximum(x, 1.0) - 1.0)
        + (r + x) * np.log1p((T - t_x) / (alpha + t_x))
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
    t = _check_horizon(t)
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
    t = _check_horizon(t)
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
    t = _check_horizon(t)
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


def _check_horizon(t: ArrayLike) -> np.ndarray:
    t = np.asarray(t, dtype=np.float64)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"the horizon t must be finite and >= 0, got {t}")
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


#: A shape parameter (or ratio) this large is reported as the model's limit.
_LIMIT_RATIO = 1e4


class BetaGeoModel(RFMPredictions, MaximumLikelihoodModel):
    """BG/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` added to the mean negative
        log-likelihood per customer, with ``alpha`` in the summary's own time unit (0 = plain
        MLE). ``lifetimes`` writes the same penalty but first rescales time by ``1 / max(T)``,
        so its ``alpha`` is far smaller and the same coefficient shrinks it far less; the two
        coefficients are not interchangeable.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``; ``alpha`` is in the summary's time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate (comparable with the papers).
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters (inverse observed information).

    Examples
    --------
    >>> import clvmodels as clv
    >>> bg = clv.BetaGeoModel().fit(clv.datasets.load_cdnow_summary())
    >>> round(bg.params_["r"], 3)
    0.243

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
    the easy way. *Marketing Science*, 24(2), 275-284.
    """

    param_names = PARAM_NAMES
    functions = PurchaseFunctions(
        expected_purchases,
        conditional_expected_purchases,
        probability_alive,
        probability_of_purchases,
    )

    def _sufficient_statistics(self, data: Any, weights: Any) -> SufficientStatistics:
        return sufficient_statistics(data, weights)

    def _starting_values(self, stats: SufficientStatistics) -> list[np.ndarray]:
        w, c = stats.weights, stats.columns
        x = c["frequency"]
        rate = max(float(np.dot(w, x) / max(np.dot(w, c["T"]), 1e-12)), 1e-6)
        return [
            np.array([1.0, 1.0 / rate, 1.0, 3.0]),
            np.array([0.5, 0.5 / rate, 0.5, 2.0]),
            np.array([2.0, 2.0 / rate, 2.0, 8.0]),
        ]

    _loglik_grad = staticmethod(_loglik_grad)

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        if type(self)._loglik_grad is not _loglik_grad:  # a subclass's own likelihood
            return super()._weighted_loglik_grad(params, arrays, weights)
        return _loglik_grad_sums(params, arrays, weights)

    def _limits(self, params: dict[str, float]) -> list[str]:
        """The BG/NBD's limits, reached when the likelihood is flat towards them.

        b -> inf with E[p] = a / (a + b) -> 0: the NBD; a + b -> inf with b / a fixed: one dropout
        probability for all; r, alpha -> inf with r / alpha fixed: one purchase rate for all
        (Fader, Hardie & Lee 2005, sec. 3). The predictions are continuous into each limit.
        """
        r, alpha, a, b = (params[name] for name in PARAM_NAMES)
        limits = []
        if b > _LIMIT_RATIO and a / (a + b) < 1e-3:
            limits.append(
                f"no evidence of dropout: BG/NBD reduces to the NBD (b = {b:.3g} -> inf, "
                f"mean dropout probability a/(a+b) = {a / (a + b):.2g})"
            )
        elif a + b > _LIMIT_RATIO:
            limits.append(
                "no evidence of heterogeneity in dropout: every customer drops out after a "
                f"purchase with the same probability a/(a+b) = {a / (a + b):.4g} "
                f"(a = {a:.3g}, b = {b:.3g} -> inf)"
            )
        if r > _LIMIT_RATIO:
            limits.append(
                "no evidence of heterogeneity in purchase rates: every customer buys at the "
                f"same rate r/alpha = {r / alpha:.4g} per unit of time "
                f"(r = {r:.3g}, alpha = {alpha:.3g} -> inf)"
            )
        return limits
