"""The BG/NBD log-likelihood with its gradient, for the optimiser and the sampler.

Both call the one compiled kernel (:mod:`._kernel`) on tables of the terms that depend on
one statistic alone (:func:`tables`, from :func:`.math.x_terms`). The value is
:func:`.math.grouped_log_likelihood`'s, term for term
(``tests/models/test_shared_likelihood.py`` pins it, and the hand-written gradient to
PyTensor's automatic derivative of that function).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.estimation.rows import CompressedRows
from clvmodels.models._compiled_sums import bind, over_rows
from clvmodels.models.beta_geo.math import PARAM_NAMES, distinct_values, x_terms
from clvmodels.models.namespace import NUMPY

__all__ = [
    "covariate_terms",
    "layout",
    "log_likelihood_gradient",
    "tables",
    "weighted_log_likelihood",
    "weighted_sums",
]


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood (:func:`grouped_log_likelihood`) and its gradient.

    One compiled pass over the rows (:mod:`._kernel`) on tables of the terms that
    depend on one statistic alone (:func:`tables`). The value is the shared function's,
    term for term (``tests/models/test_shared_likelihood.py`` pins it, and the
    hand-written gradient to PyTensor's automatic derivative of
    :func:`grouped_log_likelihood`).
    """
    positions, per_value = tables(params, columns)
    n = len(positions[0])
    ll, grad = np.empty(n), np.empty((4, n))
    _kernel().each_row(*positions, *per_value, *params[:3], ll, grad)
    return ll, grad


def weighted_sums(
    params: np.ndarray, columns: dict[str, np.ndarray], weights: np.ndarray
) -> tuple[float, np.ndarray]:
    """``sum(weights * ll)`` and ``sum(weights * grad, axis=1)`` of :func:`log_likelihood_gradient`.

    In the same pass over the rows, without the per-row arrays.
    """
    positions, per_value = tables(params, columns)
    out = np.empty(5)
    _kernel().weighted(*positions, *per_value, *params[:3], _contiguous(weights), out)
    return float(out[0]), out[1:]


def tables(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple[tuple, tuple]:
    """The rows' positions among the distinct x, t_x, T, and per distinct value its terms.

    Per x the columns :data:`._kernel.X_COLUMNS`: x, the likelihood's terms in x alone
    and ``ln(a / (b + x - 1))`` (:func:`.math.x_terms`, as the shared function computes them),
    and their derivatives ``psi(r + x) - psi(r) + ln alpha``, ``psi(a + b) - psi(a + b +
    x)`` (in a), that plus ``psi(b + x) - psi(b)`` (in b), and ``1 / (b + x - 1)``; per T
    and per t_x ``ln(alpha + t)`` and ``1 / (alpha + t)``. The positions come from
    ``columns`` where :func:`sufficient_statistics` stored them, else they are computed.
    """
    r, alpha, a, b = (float(v) for v in params)
    positions, (x_unique, *distinct) = layout(columns)
    per_x, log_a_b_x = x_terms(r, alpha, a, b, x_unique, NUMPY)
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
            1.0 / (b + (np.maximum(x_unique, 1.0) - 1.0)),
        ],
        axis=1,
    )
    t_x_table, T_table = (
        np.stack([np.log(alpha + t), 1.0 / (alpha + t)], axis=1) for t in distinct
    )
    return positions, (x_table, T_table, t_x_table)


def layout(columns: dict[str, np.ndarray]) -> tuple[tuple, tuple]:
    """The rows' positions among the distinct x, t_x and T, and those distinct values."""
    positions = [_contiguous(columns["x_index"])]
    distinct = [_contiguous(columns["x_unique"])]
    for name in ("recency", "T"):
        if f"{name}_index" in columns:
            unique, index = columns[f"{name}_unique"], columns[f"{name}_index"]
        else:
            unique, index = distinct_values(columns[name])
        positions.append(_contiguous(index))
        distinct.append(_contiguous(unique))
    return tuple(positions), tuple(distinct)


def weighted_log_likelihood(stats: CompressedRows) -> Any:
    """``params -> (sum of weighted log-likelihoods, its gradient)`` for ``stats``'s rows.

    The data are bound once: a call evaluates the per-value tables and one compiled pass
    over the rows (:mod:`._kernel`), with no per-call copying, so a sampler can call
    it 10^5 times (a few microseconds plus the rows' pass), from several threads (the
    compiled call releases the GIL). Its tables come from
    :func:`._kernel.fill_tables`, with ``ln B`` from lgammas as in the PyMC model:
    they differ from :func:`tables`' (scipy's ``betaln``, which the maximum-likelihood
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
    positions, distinct = layout(stats.arrays)
    return bind(_kernel().weighted_at, (*positions, *distinct, stats.weights), len(PARAM_NAMES))


def covariate_terms(
    params: np.ndarray,
    columns: dict[str, np.ndarray],
    eta_purchase: np.ndarray,
    eta_dropout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-likelihood with static covariates and its derivatives (6 x rows).

    The likelihood of :func:`.math.log_likelihood` at each customer's parameters
    (:func:`.math.customer_parameters`), in one compiled pass (:func:`._kernel.covariate_rows`);
    gradient rows: r, alpha, a, b, then d/d eta_purchase and d/d eta_dropout.
    ``tests/models/test_covariates_likelihood.py`` pins it to the math function, to
    mpmath and to finite differences. Ranges of rows run in parallel threads
    (:func:`clvmodels.models._compiled_sums.over_rows`).
    """
    data = [_contiguous(columns[name]) for name in ("frequency", "recency", "T")]
    if "x_index" in columns:
        x_unique, x_index = columns["x_unique"], columns["x_index"]
    else:
        x_unique, x_index = distinct_values(data[0])
    per_x = np.zeros((len(x_unique), 3))
    per_x[:, 0] = x_unique
    n = len(data[0])
    ll, grad = np.empty(n), np.empty((6, n))
    r, alpha, a, b = (float(v) for v in params)
    kernel = _kernel()
    kernel.covariate_x_terms(r, per_x)
    arrays = (*data, _contiguous(eta_purchase), _contiguous(eta_dropout), _contiguous(x_index))

    def run(start: int, stop: int) -> None:
        kernel.covariate_rows(r, alpha, a, b, *arrays, per_x, ll, grad, start, stop)

    over_rows(run, n)
    return ll, grad


def _kernel() -> ModuleType:
    """The compiled row loops of :mod:`._kernel` (numba is imported on first use)."""
    from clvmodels.models.beta_geo import _kernel

    return _kernel


def _contiguous(values: ArrayLike) -> np.ndarray:
    """A writeable contiguous float64 array (one numba signature for every caller)."""
    return np.require(values, np.float64, ["C", "W"])
