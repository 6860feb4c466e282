"""Accuracy and ranking metrics for per-customer predictions against what happened.

Every function takes the actual and the predicted values of the same customers (two
1-D arrays or Series of equal length) and returns a float. The ranking metrics
(:func:`top_share_captured`, :func:`gini`, :func:`lift`) rank customers by the
prediction; customers with *tied* predictions are treated as one block whose actual
value is shared in proportion to how much of the block a cut takes, which is the
expectation over every order of the tied customers. So a prediction that is the same
for everybody captures exactly the share of customers it selects, however the data
happen to be sorted.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284
(holdout comparisons of predicted and actual purchases).

Malthouse, E. C. & Blattberg, R. C. (2005). Can we predict customer lifetime value?
*Journal of Interactive Marketing*, 19(1), 2-16 (how much of the top customers' value a
ranking captures).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from clvmodels.exceptions import DataValidationError

__all__ = [
    "bias",
    "capture_curve",
    "gini",
    "interval_coverage",
    "lift",
    "mean_absolute_error",
    "pearson_correlation",
    "prediction_metrics",
    "root_mean_squared_error",
    "spearman_correlation",
    "top_share_captured",
]

ArrayLike = np.ndarray | pd.Series | list[float]


def _pair(actual: ArrayLike, predicted: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Both arguments as finite float arrays of one length (>= 1)."""
    out = []
    for name, values in (("actual", actual), ("predicted", predicted)):
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1:
            raise DataValidationError(f"{name} must be 1-D (one value per customer)")
        bad = ~np.isfinite(array)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise DataValidationError(
                f"{name} must be finite; {int(bad.sum())} of {len(array)} values are not, "
                f"e.g. {array[first]} at position {first}"
            )
        out.append(array)
    if len(out[0]) != len(out[1]):
        raise DataValidationError(
            f"actual and predicted must have one value per customer; got {len(out[0])} "
            f"and {len(out[1])} values"
        )
    if len(out[0]) == 0:
        raise DataValidationError("actual and predicted are empty: no customer to score")
    return out[0], out[1]


def mean_absolute_error(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Mean of ``|predicted - actual|`` over customers.

    Examples
    --------
    >>> mean_absolute_error([0, 2, 4], [1, 2, 1])
    1.3333333333333333
    """
    a, p = _pair(actual, predicted)
    return float(np.mean(np.abs(p - a)))


def root_mean_squared_error(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Square root of the mean of ``(predicted - actual)**2``.

    Examples
    --------
    >>> root_mean_squared_error([0, 0], [3, 4])
    3.5355339059327378
    """
    a, p = _pair(actual, predicted)
    return float(np.sqrt(np.mean((p - a) ** 2)))


def bias(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Mean of ``predicted - actual``: positive when the prediction is too high.

    Examples
    --------
    >>> bias([1, 1], [2, 3])
    1.5
    """
    a, p = _pair(actual, predicted)
    return float(np.mean(p - a))


def pearson_correlation(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Pearson correlation; NaN when either side is constant (no correlation defined)."""
    a, p = _pair(actual, predicted)
    if np.ptp(a) == 0 or np.ptp(p) == 0:
        return float("nan")
    return float(np.corrcoef(a, p)[0, 1])


def spearman_correlation(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when a side is constant."""
    a, p = _pair(actual, predicted)
    if np.ptp(a) == 0 or np.ptp(p) == 0:
        return float("nan")
    return float(stats.spearmanr(a, p).statistic)


def capture_curve(actual: ArrayLike, predicted: ArrayLike) -> np.ndarray:
    """Share of the total actual value held by the top k customers, k = 0..n.

    Customers are ranked by ``predicted`` (highest first); tied predictions share their
    block's value evenly (see the module notes). ``curve[k]`` is the share captured by
    the top ``k``; ``curve[0] = 0`` and ``curve[n] = 1``.

    Raises
    ------
    DataValidationError
        When the actual values are negative or sum to 0 (no value to capture).

    Examples
    --------
    >>> capture_curve([0, 1, 3], [0.2, 0.5, 0.9]).tolist()
    [0.0, 0.75, 1.0, 1.0]
    >>> capture_curve([0, 1, 3], [1, 1, 1]).round(4).tolist()
    [0.0, 0.3333, 0.6667, 1.0]
    """
    a, p = _pair(actual, predicted)
    if np.any(a < 0):
        raise DataValidationError("actual must be >= 0 to rank customers by captured value")
    total = a.sum()
    if total <= 0:
        raise DataValidationError("actual sums to 0: there is no value to capture")
    order = np.argsort(-p, kind="stable")
    p_sorted, a_sorted = p[order], a[order]
    # Blocks of tied predictions: every customer of a block gets the block's mean value.
    starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(p_sorted)])
    block_means = np.add.reduceat(a_sorted, starts) / sizes
    shared = np.repeat(block_means, sizes)
    return np.r_[0.0, np.cumsum(shared) / total]


def top_share_captured(actual: ArrayLike, predicted: ArrayLike, share: float = 0.1) -> float:
    """Share of the total actual value held by the top ``share`` of customers by prediction.

    The cut is ``share * n`` customers, interpolated between whole customers.

    Examples
    --------
    Ten customers; the prediction ranks the one holding half the value first:

    >>> actual = [10, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    >>> top_share_captured(actual, [9, 1, 1, 1, 1, 1, 1, 1, 1, 2], share=0.1)
    0.5
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must lie in (0, 1]; got {share}")
    curve = capture_curve(actual, predicted)
    n = len(curve) - 1
    return float(np.interp(share * n, np.arange(n + 1), curve))


def lift(actual: ArrayLike, predicted: ArrayLike, share: float = 0.1) -> float:
    """Top-``share`` capture divided by ``share``: 1 for a random ranking.

    Examples
    --------
    >>> lift([10, 1, 1, 1, 1, 1, 1, 1, 1, 2], [9, 1, 1, 1, 1, 1, 1, 1, 1, 2], share=0.1)
    5.0
    """
    return top_share_captured(actual, predicted, share) / share


def _gini_area(curve: np.ndarray) -> float:
    """Twice the area between the capture curve and the diagonal (trapezoid rule)."""
    n = len(curve) - 1
    x = np.linspace(0.0, 1.0, n + 1)
    return 2.0 * float(np.trapezoid(curve - x, x))


def gini(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Normalised Gini coefficient of the ranking: 1 perfect, 0 random, -1 reversed.

    Twice the area between the capture curve (see :func:`capture_curve`) of the
    prediction and the diagonal, divided by the same area for the ideal ranking (by the
    actual values themselves), so that 1 means the prediction orders customers as well
    as hindsight could.

    Examples
    --------
    >>> gini([0, 1, 3], [0.2, 0.5, 0.9])
    1.0
    >>> gini([0, 1, 3], [5, 5, 5])
    0.0
    """
    a, p = _pair(actual, predicted)
    ideal = _gini_area(capture_curve(a, a))
    if ideal == 0.0:
        return float("nan")
    return _gini_area(capture_curve(a, p)) / ideal


def prediction_metrics(actual: ArrayLike, predicted: ArrayLike) -> dict[str, float]:
    """Every metric of this module for one prediction, as a dict (one table row).

    Keys: ``mae``, ``rmse``, ``bias``, ``correlation``, ``spearman``,
    ``top10_capture``, ``top20_capture``, ``lift_top10``, ``gini``, and the totals
    ``actual_total``, ``predicted_total``, ``total_error`` (predicted - actual) and
    ``total_relative_error`` (over the actual total). The ranking metrics are NaN when
    the actual values sum to 0.

    Examples
    --------
    >>> row = prediction_metrics([0, 1, 3], [0.2, 0.5, 0.9])
    >>> round(row["mae"], 4), row["gini"], round(row["total_error"], 4)
    (0.9333, 1.0, -2.4)
    """
    a, p = _pair(actual, predicted)
    row = {
        "mae": mean_absolute_error(a, p),
        "rmse": root_mean_squared_error(a, p),
        "bias": bias(a, p),
        "correlation": pearson_correlation(a, p),
        "spearman": spearman_correlation(a, p),
    }
    rankable = a.sum() > 0 and not np.any(a < 0)
    for key, function in (
        ("top10_capture", lambda: top_share_captured(a, p, 0.1)),
        ("top20_capture", lambda: top_share_captured(a, p, 0.2)),
        ("lift_top10", lambda: lift(a, p, 0.1)),
        ("gini", lambda: gini(a, p)),
    ):
        row[key] = function() if rankable else float("nan")
    actual_total, predicted_total = float(a.sum()), float(p.sum())
    row.update(
        {
            "actual_total": actual_total,
            "predicted_total": predicted_total,
            "total_error": predicted_total - actual_total,
            "total_relative_error": (
                (predicted_total - actual_total) / actual_total if actual_total else float("nan")
            ),
        }
    )
    return row


def interval_coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of customers whose actual value lies in their interval ``[lower, upper]``.

    With intervals of probability p for what is measured (e.g. a prediction interval of a
    customer's holdout count), the share should be about p. An interval of the *expected*
    count (parameter uncertainty only, ``interval=`` of the maximum-likelihood models)
    covers far fewer actual counts: it leaves out each customer's own Poisson noise.

    Examples
    --------
    >>> interval_coverage([0, 2, 5], [0, 1, 1], [1, 3, 4])
    0.6666666666666666
    """
    a = np.asarray(actual, dtype=np.float64)
    low, high = (np.asarray(v, dtype=np.float64) for v in (lower, upper))
    if not a.ndim == 1 or low.shape != a.shape or high.shape != a.shape or not len(a):
        raise DataValidationError(
            "actual, lower and upper must be 1-D with one value per customer; got shapes "
            f"{a.shape}, {low.shape}, {high.shape}"
        )
    if np.any(np.isnan(a)) or np.any(np.isnan(low)) or np.any(np.isnan(high)):
        raise DataValidationError("actual, lower and upper must not be NaN")
    if np.any(low > high):
        first = int(np.flatnonzero(low > high)[0])
        raise DataValidationError(
            f"lower must be <= upper for every customer; at position {first} lower is "
            f"{low[first]} and upper {high[first]}"
        )
    return float(np.mean((low <= a) & (a <= high)))
