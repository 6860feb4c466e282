"""Brand-switching (Markov chain) shares and brand values.

:func:`markov_shares` propagates brand shares through a row-stochastic transition
matrix; :func:`markov_brand_clv` discounts the expected revenue per brand along
that path.  The conventions shared by all deterministic formulas are described in
:mod:`clvmodels.value.deterministic`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from clvmodels.checks import finite_scalar, whole_number
from clvmodels.exceptions import DataValidationError
from clvmodels.value.deterministic._checks import (
    _NON_NEGATIVE,
    ArrayLike,
    _fmt,
    _require,
    _scalar_or_sequence,
    _to_array,
)

__all__ = ["markov_brand_clv", "markov_shares"]

_SUM_TOLERANCE = 1e-9


def _transition_matrix(matrix: object) -> tuple[np.ndarray, pd.Index | None]:
    """Validate a row-stochastic transition matrix; keep DataFrame labels."""
    labels: pd.Index | None = None
    if isinstance(matrix, pd.DataFrame):
        if not matrix.index.equals(matrix.columns):
            raise DataValidationError(
                "transition_matrix must carry the same brand labels, in the same order, on "
                f"rows and columns; got rows {list(matrix.index)} and "
                f"columns {list(matrix.columns)}"
            )
        labels = matrix.columns
    p, _ = _to_array(matrix, "transition_matrix")
    if p.ndim != 2 or p.shape[0] != p.shape[1] or p.shape[0] == 0:
        raise DataValidationError(
            f"transition_matrix must be a non-empty square 2-D matrix; got shape {p.shape}"
        )
    _require(p >= 0, p, "transition_matrix", "entries must be non-negative", labels)
    row_sums = p.sum(axis=1)
    off = np.flatnonzero(np.abs(row_sums - 1.0) > _SUM_TOLERANCE)
    if off.size:
        row = int(off[0])
        label = "" if labels is None else f" (label {labels[row]!r})"
        raise DataValidationError(
            f"transition_matrix rows must sum to 1 (within {_SUM_TOLERANCE:g}); "
            f"got a sum of {_fmt(row_sums[row])} for row {row}{label}"
        )
    return p, labels


def _initial_shares(
    shares: object, n_states: int, labels: pd.Index | None
) -> tuple[np.ndarray, pd.Index | None]:
    """Validate initial shares against the transition matrix (and its labels)."""
    if isinstance(shares, pd.Series) and labels is not None:
        if set(shares.index) != set(labels) or len(shares) != len(labels):
            raise DataValidationError(
                "initial_shares must be labelled with the transition_matrix brands "
                f"{list(labels)}; got {list(shares.index)}"
            )
        shares = shares.reindex(labels)
    s, share_labels = _to_array(shares, "initial_shares", _NON_NEGATIVE)
    if s.shape != (n_states,):
        raise DataValidationError(
            f"initial_shares must hold one share per brand (shape ({n_states},)); "
            f"got shape {s.shape}"
        )
    total = float(s.sum())
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise DataValidationError(
            f"initial_shares must sum to 1 (within {_SUM_TOLERANCE:g}); got a sum of {_fmt(total)}"
        )
    return s, labels if labels is not None else share_labels


def _share_path(p: np.ndarray, s0: np.ndarray, n_periods: int) -> np.ndarray:
    """Return the (T + 1, k) array of shares S_0..S_T with S_{t+1} = S_t P."""
    path = np.empty((n_periods + 1, s0.shape[0]))
    path[0] = s0
    for t in range(n_periods):
        path[t + 1] = path[t] @ p
    return path


def markov_shares(
    initial_shares: ArrayLike,
    transition_matrix: npt.ArrayLike | pd.DataFrame,
    n_periods: int,
) -> npt.NDArray[np.float64] | pd.DataFrame:
    r"""Brand (spend) shares over time under a brand-switching Markov chain.

    .. math:: S_{t+1} = S_t P, \qquad t = 0, \dots, T - 1

    where :math:`S_t` is the row vector of shares and
    :math:`P_{ij}` the probability that a buyer of brand :math:`i` buys
    brand :math:`j` next period.

    Parameters
    ----------
    initial_shares : array-like or Series
        :math:`S_0`, one non-negative share per brand, summing to 1
        (within 1e-9).  A Series is matched to the matrix labels by name.
    transition_matrix : array-like or DataFrame
        Row-stochastic matrix :math:`P` (entries non-negative, each row
        summing to 1 within 1e-9).  A DataFrame must carry the same brand
        labels on rows and columns.
    n_periods : int
        Number of transitions :math:`T` (non-negative).

    Returns
    -------
    ndarray or DataFrame
        Shape ``(T + 1, k)``: row ``t`` is :math:`S_t`.  A DataFrame indexed
        by ``period`` with brand columns when brand labels were given.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, a non-square or non-row-stochastic matrix,
        shares that are negative, of the wrong length, mislabelled or not
        summing to 1, or a negative ``n_periods``.

    References
    ----------
    .. [1] Pfeifer, P. E., & Carraway, R. L. (2000). Modeling customer
       relationships as Markov chains. *Journal of Interactive Marketing*,
       14(2), 43-55.

    Examples
    --------
    >>> markov_shares([1.0, 0.0], [[0.9, 0.1], [0.2, 0.8]], 1)
    array([[1. , 0. ],
           [0.9, 0.1]])
    """
    p, labels = _transition_matrix(transition_matrix)
    s0, labels = _initial_shares(initial_shares, p.shape[0], labels)
    path = _share_path(p, s0, whole_number(n_periods, "n_periods"))
    if labels is None:
        return path
    return pd.DataFrame(path, index=pd.RangeIndex(len(path), name="period"), columns=labels)


def markov_brand_clv(
    initial_shares: ArrayLike,
    transition_matrix: npt.ArrayLike | pd.DataFrame,
    revenue: ArrayLike,
    discount_rate: float,
    n_periods: int,
    purchase_frequency: ArrayLike = 1.0,
) -> npt.NDArray[np.float64] | pd.Series:
    r"""Discounted expected value per brand under a brand-switching Markov chain.

    .. math::

       \mathrm{CLV}_b = \sum_{t=0}^{T} \frac{F_t \, S_{b,t} \, R_t}{(1 + r)^t}

    with the share path :math:`S_t` from :func:`markov_shares`.  Period 0
    (the current shares) is not discounted.

    Parameters
    ----------
    initial_shares : array-like or Series
        :math:`S_0`; see :func:`markov_shares`.
    transition_matrix : array-like or DataFrame
        Row-stochastic :math:`P`; see :func:`markov_shares`.
    revenue : float or array-like
        Revenue per purchase :math:`R_t`: a scalar or one value per period
        ``0..T`` (length ``T + 1``).
    discount_rate : float
        Discount rate per period, :math:`r > -1`.
    n_periods : int
        Horizon :math:`T` (non-negative); periods ``0..T`` are summed.
    purchase_frequency : float or array-like, default 1.0
        Purchases per period :math:`F_t` (non-negative): a scalar or one
        value per period ``0..T``.

    Returns
    -------
    ndarray or Series
        One value per brand; a Series named by brand when labels were given.

    Raises
    ------
    DataValidationError
        As :func:`markov_shares`, plus ``discount_rate <= -1`` or not a
        single number, and ``revenue``/``purchase_frequency`` of the wrong
        length, non-finite or (frequency) negative.

    References
    ----------
    .. [1] Pfeifer, P. E., & Carraway, R. L. (2000). Modeling customer
       relationships as Markov chains. *Journal of Interactive Marketing*,
       14(2), 43-55.
    .. [2] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value:
       Marketing models and applications. *Journal of Interactive
       Marketing*, 12(1), 17-30.

    Examples
    --------
    >>> markov_brand_clv([1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], 100.0, 0.0, 2)
    array([300.,   0.])
    """
    p, labels = _transition_matrix(transition_matrix)
    s0, labels = _initial_shares(initial_shares, p.shape[0], labels)
    horizon = whole_number(n_periods, "n_periods")
    rate = finite_scalar(discount_rate, "discount_rate", greater_than=-1)
    revenues = _scalar_or_sequence(revenue, "revenue", horizon + 1, "period 0..T")
    frequency = _scalar_or_sequence(
        purchase_frequency, "purchase_frequency", horizon + 1, "period 0..T", _NON_NEGATIVE
    )
    path = _share_path(p, s0, horizon)
    discount = (1.0 + rate) ** -np.arange(horizon + 1, dtype=float)
    value = (frequency * revenues * discount) @ path
    if labels is None:
        return value
    return pd.Series(value, index=labels, name="markov_brand_clv")
