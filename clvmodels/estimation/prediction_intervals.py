r"""Parameter-uncertainty intervals for the predictions of maximum-likelihood fits.

A maximum-likelihood fit stores its estimate :math:`\hat w` on the optimiser's working scale
(the positive parameters' logarithms, then any covariate coefficients as they are) and the
inverse observed information there, ``log_covariance_`` :math:`\hat\Sigma`. A prediction
:math:`f(w)` (a customer's expected purchases, P(alive), expected spend, CLV, or their
sum over the base) then gets an interval in two ways, chosen with ``method``:

``"delta"``
    The delta method: :math:`\operatorname{Var} g(f) \approx \nabla_w g(f)'\,\hat\Sigma\,
    \nabla_w g(f)`, the gradient taken by central differences in :math:`w` (two
    evaluations per parameter), on the scale ``g`` where the normal approximation suits
    the quantity and keeps it in range: ``log`` for positive quantities (purchases, spend,
    CLV, totals), ``logit`` for probabilities (P(alive)). The bounds are
    :math:`g^{-1}(g(f(\hat w)) \pm z\,\mathrm{se})`: the highest-density interval of that
    normal, mapped back.
``"bootstrap"``
    Parametric bootstrap: ``draws`` parameter vectors :math:`w_d \sim N(\hat w, \hat\Sigma)`,
    the prediction evaluated at every draw (vectorised: a ``(draw, row)`` array per chunk
    of distinct rows), and the highest-density interval of the draws (as the Bayesian
    models' HDIs, :func:`clvmodels.estimation.intervals.hdi`).

Either way the prediction is evaluated once per *distinct* data row (the same
(frequency, recency, T) and covariate profile), then expanded to the customers, and the
base total is the count-weighted sum over the rows (its gradient, or its draws), so the
total's interval accounts for the correlation between customers through the shared
parameters.

Layout of the result (the same as the Bayesian ``hdi=`` frames): a DataFrame indexed like
the summary with columns ``mean`` (the prediction at the estimate, :math:`f(\hat w)`, for
both methods), and the lower and upper bounds named by
:func:`~clvmodels.estimation.intervals.interval_names` (``hdi_5%`` and ``hdi_95%`` for
``interval=0.9``). ``attrs`` holds ``quantity``, ``interval``, ``method`` (``"delta"``,
``"bootstrap"``) and ``base_total``: a dict with the same three keys for the sum over the
customers.

What the interval covers: the uncertainty of the estimated parameters only, i.e. where
:math:`f(\theta)` lies for the true :math:`\theta`. It does not cover the randomness of
a single customer's future (the Poisson noise of her count, whether she is in fact
alive): a customer's actual count falls outside her interval for E[X] far more often
than ``interval`` says. A prediction interval for a customer's count needs the
conditional count distribution P(X(t) = k | history) mixed over these parameter draws
(the hook: :data:`COUNT_INTERVALS_NOTE`).

References
----------
Casella, G. & Berger, R. L. (2002). *Statistical Inference*, 2nd ed., section 5.5.4 (the
delta method). Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*,
section 6.5 (the parametric bootstrap).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from clvmodels.estimation.intervals import hdi
from clvmodels.estimation.parameter_stack import (
    IntervalRequest,
    ParameterStack,
    interval_request,
    model_uncertainty,
)
from clvmodels.estimation.posterior import distinct_rows

__all__ = [
    "COUNT_INTERVALS_NOTE",
    "count_prediction_interval",
    "design_matrix",
    "distinct_data",
    "interval_frame",
    "horizon_interval",
    "interval_request",
    "single_horizon",
    "stacked_interval",
]

#: Values (parameter vectors x rows x horizons) evaluated at once.
CHUNK_ELEMENTS = 4_000_000

#: Where a prediction interval for a customer's count (not only for its expectation) goes.
COUNT_INTERVALS_NOTE = (
    "intervals here cover parameter uncertainty only; a prediction interval for a "
    "customer's count comes from the conditional count distribution P(X(t) = k | history) "
    "(count_prediction_interval), mixed over the bootstrap's parameter draws "
    "(ParameterStack.working) to add the parameters' uncertainty"
)


def _link(values: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray]:
    """``g(values)`` and where g is finite (log: v != 0 by |v|; logit: 0 < v < 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if link == "logit":
            inside = (values > 0) & (values < 1)
            return special.logit(np.where(inside, values, 0.5)), inside
        inside = values != 0
        return np.log(np.abs(np.where(inside, values, 1.0))), inside


def _unlink(centre: np.ndarray, values: np.ndarray, shift: np.ndarray, link: str) -> np.ndarray:
    """``g^{-1}(centre + shift)`` (log: keeping the sign of ``values``)."""
    if link == "logit":
        return special.expit(centre + shift)
    return np.sign(values) * np.exp(centre + shift)


def _delta_bounds(
    point: np.ndarray, gradient: np.ndarray, covariance: np.ndarray, z: float, link: str
) -> np.ndarray:
    """``(..., 2)`` bounds of the delta method; ``gradient`` is ``(params, ...)``."""
    centre, inside = _link(point, link)
    if link == "logit":
        scale = np.where(inside, 1.0 / (point * (1.0 - point) + ~inside), 0.0)
    else:
        scale = np.where(inside, 1.0 / np.where(inside, point, 1.0), 0.0)
    variance = np.einsum("i...,ij,j...->...", gradient, covariance, gradient)
    se = np.sqrt(np.clip(variance, 0.0, None)) * np.abs(scale)
    low = _unlink(centre, point, -z * se, link)
    high = _unlink(centre, point, z * se, link)
    bounds = np.stack([np.minimum(low, high), np.maximum(low, high)], axis=-1)
    return np.where(inside[..., None], bounds, point[..., None])


def interval_frame(
    evaluate: Callable[[slice], np.ndarray],
    n_rows: int,
    inverse: np.ndarray,
    index: pd.Index,
    stack: ParameterStack,
    request: IntervalRequest,
    *,
    name: str,
    link: str = "log",
    width: int = 1,
) -> pd.DataFrame:
    """Point and interval per customer, and for the base total, of a stacked evaluation.

    Parameters
    ----------
    evaluate
        ``evaluate(rows)`` -> ``(len(stack.working), len(rows))``: the prediction at every
        parameter vector of the stack for a slice of the distinct rows.
    n_rows
        Number of distinct rows.
    inverse
        Each customer's distinct row.
    index
        The customers' index.
    stack, request
        The parameter vectors and the interval asked for.
    name
        The quantity (``attrs["quantity"]``).
    link
        ``"log"`` (positive quantities) or ``"logit"`` (probabilities): the delta
        method's scale for the customers' values; the base total always uses ``"log"``.
    width
        Values ``evaluate`` holds per vector and row (e.g. horizons), for the chunk size.

    Returns
    -------
    pandas.DataFrame
        ``mean`` and the bounds per customer, ``attrs["base_total"]`` (see the module).
    """
    n_vectors = len(stack.working)
    counts = np.bincount(inverse, minlength=n_rows).astype(np.float64)
    step = max(1, CHUNK_ELEMENTS // (n_vectors * max(1, width)))
    z = float(stats.norm.ppf(0.5 + request.prob / 2))

    def reduce(part: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chunk's points, bounds and its rows' share of the total (gradient or draws)."""
        values = np.asarray(evaluate(part), dtype=np.float64)
        values = np.broadcast_to(values, (n_vectors, part.stop - part.start))
        weight = counts[part]
        if stack.method == "delta":
            gradient = (values[1::2] - values[2::2]) / (2.0 * stack.step)
            band = _delta_bounds(values[0], gradient, stack.covariance, z, link)
            # einsum's own loop: BLAS's threads would compete with the chunks' threads
            return values[0], band, np.einsum("kr,r->k", gradient, weight)
        # a row's draws contiguous: numpy sorts them fastest so
        band = hdi(np.ascontiguousarray(values[1:].T), request.prob, axis=1)
        return values[0], band, np.einsum("dr,r->d", values[1:], weight)

    from clvmodels.models._compiled_sums import threads  # (models import this module)

    parts = [slice(start, min(n_rows, start + step)) for start in range(0, n_rows, step)]
    workers = min(threads(), len(parts))
    if workers > 1:  # numpy, the sort and the compiled kernels release the GIL
        with ThreadPoolExecutor(workers, thread_name_prefix="clvmodels-intervals") as pool:
            results = list(pool.map(reduce, parts))
    else:
        results = [reduce(part) for part in parts]
    point = np.concatenate([r[0] for r in results]) if results else np.zeros(0)
    band = np.concatenate([r[1] for r in results]) if results else np.zeros((0, 2))
    shares = [r[2] for r in results]  # summed in the rows' order: the same for any threads
    size = stack.working.shape[1] if stack.method == "delta" else n_vectors - 1
    total_gradient = total_draws = np.sum(shares, axis=0) if shares else np.zeros(size)
    total = float(point @ counts)
    if stack.method == "delta":
        total_band = _delta_bounds(
            np.array(total), total_gradient[:, None], stack.covariance, z, "log"
        )[0]
    else:
        total_band = hdi(total_draws, request.prob)
    lower, upper = request.names
    frame = pd.DataFrame(
        {"mean": point[inverse], lower: band[inverse, 0], upper: band[inverse, 1]}, index=index
    )
    frame.attrs.update(
        quantity=name,
        interval=request.prob,
        method=stack.method,
        base_total={"mean": total, lower: float(total_band[0]), upper: float(total_band[1])},
    )
    return frame


def distinct_data(
    arrays: Sequence[np.ndarray], matrix: np.ndarray | None
) -> tuple[list[np.ndarray], np.ndarray | None, np.ndarray]:
    """The distinct rows of the data columns and the design matrix, and each customer's row.

    Returns the distinct rows' columns, their design matrix (or None) and the inverse.
    The rows are sorted by the first column, then the third, then the rest: for
    (x, t_x, T) histories by (x, T), so that a chunk of rows shares the (x, T) terms that
    the BG/NBD evaluates once per distinct pair and parameter vector.
    """
    columns = [np.asarray(a, dtype=np.float64) for a in arrays]
    if matrix is not None:
        columns += list(np.asarray(matrix, dtype=np.float64).T)
    order = list(range(len(columns)))
    if len(order) >= 3:
        order[1], order[2] = 2, 1
    rows, inverse = distinct_rows(*(columns[j] for j in order))
    rows = rows[:, np.argsort(order)]
    data = [np.ascontiguousarray(rows[:, j]) for j in range(len(arrays))]
    design = None if matrix is None else np.ascontiguousarray(rows[:, len(arrays) :])
    return data, design, inverse


def count_prediction_interval(
    probabilities: np.ndarray, prob: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed prediction interval of a count from its probabilities ``P(X = k)``.

    Parameters
    ----------
    probabilities
        ``(customers, K + 1)``: P(X = 0), ..., P(X = K) per customer (the conditional
        count distribution of a purchase model).
    prob
        Probability of the interval, in (0, 1).

    Returns
    -------
    lower, upper
        Per customer, the smallest k with P(X <= k) >= (1 - prob) / 2 and with
        P(X <= k) >= (1 + prob) / 2; K where the table's mass does not reach it (the
        table is then too short for the upper end: give more k).
    """
    request = interval_request(prob)
    table = np.asarray(probabilities, dtype=np.float64)
    if table.ndim != 2 or table.shape[1] < 1 or np.any(~np.isfinite(table)) or np.any(table < 0):
        raise ValueError(
            "probabilities must be a (customers, counts) array of finite values >= 0, "
            f"P(X = 0), P(X = 1), ... per row; got shape {table.shape}"
        )
    cumulative = np.cumsum(table, axis=1)
    last = table.shape[1] - 1
    bounds = []
    for level in ((1 - request.prob) / 2, (1 + request.prob) / 2):
        reached = cumulative >= level - 1e-12
        first = np.argmax(reached, axis=1)
        bounds.append(np.where(reached.any(axis=1), first, last).astype(np.float64))
    return bounds[0], bounds[1]


def single_horizon(horizons: np.ndarray) -> None:
    """Refuse many horizons with ``interval=`` (one horizon per call)."""
    if np.ndim(horizons) != 0:
        raise NotImplementedError(
            "interval= takes one horizon t (a number), e.g. t=52.0; ask for each horizon "
            f"in its own call (got t of shape {np.shape(horizons)})"
        )


def design_matrix(model: Any, summary: pd.DataFrame) -> np.ndarray | None:
    """The design matrix of ``summary``'s covariates for a covariate model, else None.

    Raises
    ------
    NotImplementedError
        For a model fitted with time-varying covariates (their paths are not rows).
    """
    if getattr(model, "has_dynamic_covariates", False) and hasattr(model, "dynamic_covariates_"):
        raise NotImplementedError(
            f"{type(model).__name__} fitted with dynamic_covariates: parameter-uncertainty "
            "intervals need the predictions of the time-varying model at a stack of "
            "parameter vectors, which it does not offer yet; fit with static covariates "
            "(or none) for interval="
        )
    if not getattr(model, "has_covariates", False):
        return None
    return model.covariate_design_.matrix(summary, "the prediction summary")


def stacked_interval(
    model: Any,
    function: Callable[..., np.ndarray],
    arrays: Sequence[np.ndarray],
    summary: pd.DataFrame,
    request: IntervalRequest,
    *,
    name: str,
    link: str = "log",
) -> pd.DataFrame:
    """``function(params, *data)`` per customer with its parameter-uncertainty interval.

    ``arrays`` are the model's data columns of the (checked) ``summary``; ``function``
    broadcasts parameters ``(vectors, 1)`` (or ``(vectors, rows)`` with covariates)
    against the distinct rows, as the models' pure functions do.
    """
    data, design, inverse = distinct_data(arrays, design_matrix(model, summary))
    estimate, covariance = model_uncertainty(model)
    stack = ParameterStack.build(estimate, covariance, request)

    def evaluate(part: slice) -> np.ndarray:
        params = model._parameters_at(stack.working, None if design is None else design[part])
        return function(params, *(column[part] for column in data))

    n_rows = len(data[0]) if data else 0
    return interval_frame(
        evaluate, n_rows, inverse, summary.index, stack, request, name=name, link=link
    )


def horizon_interval(
    model: Any,
    function: Callable[..., np.ndarray],
    horizon: np.ndarray,
    arrays: Sequence[np.ndarray],
    summary: pd.DataFrame,
    request: IntervalRequest,
) -> pd.DataFrame:
    """Expected purchases ``function(params, horizon, *data)`` at one horizon, with interval."""
    single_horizon(horizon)

    def at_horizon(params: Any, *history: np.ndarray) -> np.ndarray:
        return function(params, horizon, *history)

    return stacked_interval(model, at_horizon, arrays, summary, request, name="expected_purchases")
