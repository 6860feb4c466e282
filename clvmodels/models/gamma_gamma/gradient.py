"""The Gamma-Gamma value and gradient for the optimiser and the sampler: one compiled kernel.

:func:`log_likelihood_gradient` and :func:`weighted_sums` (the maximum-likelihood fit) fill
the per-x table with scipy (:func:`tables`, ``betaln`` through :func:`.math.x_terms`);
:func:`weighted_log_likelihood` (the sampler) lets the kernel fill it (``ln B`` from
lgammas, as in the PyMC model: the two differ by ~1e-12 relative at px in the thousands).
Both run the same row loop of :mod:`._kernel`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
from scipy import special

from clvmodels.estimation.rows import CompressedRows
from clvmodels.models._compiled_sums import bind, contiguous
from clvmodels.models.gamma_gamma.math import (
    PARAM_NAMES,
    grouped_log_likelihood,
    spend_parameters,
    x_terms,
)

__all__ = [
    "covariate_terms",
    "log_likelihood_gradient",
    "tables",
    "weighted_log_likelihood",
    "weighted_sums",
]


def log_likelihood_gradient(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    """Per-row log-likelihood (:func:`.math.grouped_log_likelihood`) and its gradient in (p, q, v).

    ``tests/models/test_shared_likelihood.py`` pins both to PyTensor's evaluation and
    automatic derivative of :func:`.math.grouped_log_likelihood`.
    """
    data, per_x = _rows(columns), tables(params, columns)
    ll, grad = np.empty(len(data[0])), np.empty((3, len(data[0])))
    _kernel().each_row(*data, per_x, *(float(v) for v in params), ll, grad)
    return ll, grad


def weighted_sums(
    params: np.ndarray, columns: dict[str, np.ndarray], weights: np.ndarray
) -> tuple[float, np.ndarray]:
    """``sum(weights * ll)`` and ``sum(weights * grad, axis=1)``, in one pass over the rows."""
    out = np.empty(4)
    per_x = tables(params, columns)
    _kernel().weighted(
        *_rows(columns), per_x, *(float(v) for v in params), contiguous(weights), out
    )
    return float(out[0]), out[1:]


def tables(params: np.ndarray, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Per distinct x the columns :data:`._kernel.X_COLUMNS`, by numpy and scipy.

    x, ``-ln B(px, q)`` (:func:`.math.x_terms`), ``x [psi(px + q) - psi(px)]``,
    ``psi(px + q) - psi(q)`` and ``ln x``.
    """
    p, q = float(params[0]), float(params[1])
    x = np.asarray(columns["x_unique"], dtype=np.float64)
    dig_pxq = special.digamma(p * x + q)
    table = [x, x_terms(p, q, x), x * (dig_pxq - special.digamma(p * x))]
    table += [dig_pxq - special.digamma(q), np.log(x)]
    return np.ascontiguousarray(np.stack(table, axis=1))


def weighted_log_likelihood(stats: CompressedRows) -> Any:
    """``params -> (sum of weighted log-likelihoods, its gradient)`` for ``stats``'s rows.

    The data are bound once and a call is one compiled pass (:mod:`._kernel`) that
    releases the GIL, for a sampler (:mod:`clvmodels.estimation.density`).

    Parameters
    ----------
    stats
        Distinct (x, m) rows with counts, from :func:`.math.sufficient_statistics`.

    Returns
    -------
    callable
        ``f(params)`` with ``params = (p, q, v)`` returns ``(float, ndarray(3))``.
    """
    columns = stats.arrays
    data = [columns[name] for name in ("x_unique", "x_index", "monetary_value", "log_m")]
    return bind(_kernel().weighted_at, (*data, stats.weights), len(PARAM_NAMES))


def covariate_terms(
    params: np.ndarray, columns: dict[str, np.ndarray], eta_spend: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-row log-likelihood with static spend covariates and its derivatives (4 x rows).

    Customer i has :math:`v_i = v e^{\eta^S_i}` (:func:`.math.spend_parameters`) in
    :func:`.math.grouped_log_likelihood`. With :math:`\ell = -\ln B(px, q) - \ln m -
    px \ln(1 + v/(mx)) - q \ln(1 + mx/v)`:
    :math:`\partial_p \ell = x[\psi(px+q) - \psi(px)] - x \ln(1 + v/(mx))`,
    :math:`\partial_q \ell = \psi(px+q) - \psi(q) - \ln(1 + mx/v)` and
    :math:`v\,\partial_v \ell = q - (px+q)\, v / (v + mx)`. Gradient rows: p, q, v, then
    d/d eta_spend = v_i dl/dv_i. The digammas are evaluated once per distinct x.
    """
    p, q, v = (float(value) for value in params)
    v_i = spend_parameters({"p": p, "q": q, "v": v}, eta_spend)["v"]
    x_unique, x_index = columns["x_unique"], columns["x_index"].astype(np.intp)
    x, m = x_unique[x_index], columns["monetary_value"]
    ll = grouped_log_likelihood({"p": p, "q": q, "v": v_i}, x_unique, x_index, m)
    dig_pxq = special.digamma(p * x_unique + q)
    mx = m * x
    grad = np.empty((4, len(x)))
    grad[0] = (x_unique * (dig_pxq - special.digamma(p * x_unique)))[x_index] - x * np.log1p(
        v_i / mx
    )
    grad[1] = (dig_pxq - special.digamma(q))[x_index] - np.log1p(mx / v_i)
    grad[3] = q - (p * x + q) * (v_i / (v_i + mx))
    grad[2] = grad[3] / v
    return ll, grad


def _rows(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The per-row arrays the kernel reads: position among the distinct x, m and ln m."""
    return tuple(contiguous(columns[name]) for name in ("x_index", "monetary_value", "log_m"))


def _kernel() -> ModuleType:
    """The compiled row loops of :mod:`._kernel` (numba is imported on first use)."""
    from clvmodels.models.gamma_gamma import _kernel

    return _kernel
