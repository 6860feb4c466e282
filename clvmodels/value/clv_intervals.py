r"""Intervals for the CLV of maximum-likelihood fits, and the same frame from Bayesian ones.

:func:`customer_lifetime_value` with ``interval=`` returns one frame whichever way the
models were fitted: ``mean`` and the bounds (``hdi_5%``, ``hdi_95%`` for 0.9) per
customer, with ``attrs["base_total"]`` for the sum over the base.

For two maximum-likelihood fits, :func:`mle_clv_interval` evaluates

.. math:: \mathrm{CLV}_i(w) = m \, E[S_i \mid w_S] \, \mathrm{DET}_i(w_P)

at a stack of parameter vectors :math:`w = (w_P, w_S)` of both models, the two fits
independent (their covariance block-diagonal): for the delta method the estimate and
each parameter moved up and down, for the bootstrap draws from the estimates' asymptotic
normals (:mod:`clvmodels.estimation.prediction_intervals`). Each distinct (purchase
history, spend, covariate profile) row is evaluated once per vector; the discounted
expected transactions sum their horizons inside the model's function where it can
(the BG/NBD, per distinct (x, T)) and over a ``(vector, horizon, row)`` path otherwise.
The interval covers the uncertainty of both models' estimates, not a customer's own
randomness (whether she buys, and how much).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg

from clvmodels.estimation.intervals import interval_names
from clvmodels.estimation.parameter_stack import (
    IntervalRequest,
    ParameterStack,
    model_uncertainty,
)
from clvmodels.estimation.prediction_intervals import (
    design_matrix,
    distinct_data,
    interval_frame,
)
from clvmodels.value.posterior_clv import PosteriorCLV
from clvmodels.value.schedule import DiscountSchedule

__all__ = ["mle_clv_interval", "posterior_clv_frame"]


def posterior_clv_frame(result: PosteriorCLV) -> pd.DataFrame:
    """A :class:`PosteriorCLV` as the frame ``interval=`` returns (base total in ``attrs``)."""
    frame = result.per_customer.copy()
    summary = result.base_total_summary()
    lower, upper = interval_names(result.hdi)
    frame.attrs.update(
        quantity="clv",
        interval=result.hdi,
        method="posterior",
        base_total={key: float(summary[key]) for key in ("mean", lower, upper)},
    )
    return frame


def _purchase_function(model: Any) -> Any:
    functions = getattr(model, "functions", None)
    if functions is not None:
        return functions.conditional_expected_purchases
    from clvmodels.models.beta_geo_beta_binom import BetaGeoBetaBinomModel
    from clvmodels.models.beta_geo_beta_binom import math as bgbb

    if isinstance(model, BetaGeoBetaBinomModel):
        return bgbb.conditional_expected_purchases
    raise NotImplementedError(
        f"interval= needs the purchase model's prediction function at a stack of "
        f"parameters; {type(model).__name__} names none (a maximum-likelihood model of "
        "clvmodels with `functions`, or a Bayesian model, gives intervals)"
    )


def _spend_function(model: Any) -> Any:
    from clvmodels.models.gamma_gamma import GammaGammaModel
    from clvmodels.models.gamma_gamma import math as gamma_gamma

    if isinstance(model, GammaGammaModel):
        return gamma_gamma.expected_spend
    raise NotImplementedError(
        f"interval= needs the spend model's prediction function at a stack of parameters "
        f"and its covariance; {type(model).__name__} offers neither (use "
        "clvmodels.GammaGammaModel or a Bayesian spend model)"
    )


def mle_clv_interval(
    purchase_model: Any,
    spend_model: Any,
    summary: pd.DataFrame,
    schedule: DiscountSchedule,
    margin: float,
    request: IntervalRequest,
) -> pd.DataFrame:
    """CLV per customer with its parameter-uncertainty interval, and the base total's.

    Returns
    -------
    pandas.DataFrame
        ``mean`` (the CLV at the estimates) and the bounds, ``attrs["base_total"]``.
    """
    purchase_function = _purchase_function(purchase_model)
    spend_function = _spend_function(spend_model)
    purchase_arrays, purchase_covariates = _inputs(purchase_model, summary)
    spend_arrays, spend_covariates = _inputs(spend_model, summary)
    n_purchase, n_spend = len(purchase_arrays), len(spend_arrays)
    columns: list[np.ndarray] = []
    # a column both models read (the frequency, a shared covariate) is one column of the rows
    purchase_slots = [_slot(columns, c) for c in purchase_arrays + purchase_covariates]
    spend_slots = [_slot(columns, c) for c in spend_arrays + spend_covariates]
    # sorted by (x, T, t_x, the purchase covariates, ...): a purchase history's rows are
    # consecutive
    data, _, inverse = distinct_data(columns, None)

    (p_estimate, p_cov), (s_estimate, s_cov) = map(model_uncertainty, (purchase_model, spend_model))
    stack = ParameterStack.build(
        np.concatenate([p_estimate, s_estimate]), linalg.block_diag(p_cov, s_cov), request
    )
    k = len(p_estimate)
    # the delta method moves one model's parameters at a time: each model is evaluated
    # once per distinct vector of its own parameters
    purchase_stack, purchase_of = np.unique(stack.working[:, :k], axis=0, return_inverse=True)
    spend_stack, spend_of = np.unique(stack.working[:, k:], axis=0, return_inverse=True)
    purchase_of, spend_of = purchase_of.ravel(), spend_of.ravel()
    times = np.asarray(schedule.times, dtype=np.float64)
    factors = np.asarray(schedule.discount_factors, dtype=np.float64)
    # sum_k f_k (E_k - E_{k-1}) = sum_k (f_k - f_{k+1}) E_k, f_{K+1} = 0
    weights = factors - np.append(factors[1:], 0.0)
    sums_itself = "weights" in inspect.signature(purchase_function).parameters

    def discounted_transactions(history: list[np.ndarray], design: Any) -> np.ndarray:
        params = purchase_model._parameters_at(purchase_stack, design)
        if len(times) == 0:
            return np.zeros((len(purchase_stack), len(history[0])))
        if sums_itself:
            return purchase_function(params, times, *history, weights=weights)
        path = purchase_function(
            {name: np.expand_dims(value, -2) for name, value in params.items()},
            times[:, None],
            *history,
        )
        return np.einsum("dhr,h->dr", path, weights)

    def evaluate(part: slice) -> np.ndarray:
        keys = np.stack([data[j][part] for j in purchase_slots])
        # the chunk's distinct purchase histories (rows that differ only in spend share one)
        first = np.concatenate([[True], np.any(keys[:, 1:] != keys[:, :-1], axis=0)])
        history_of = np.cumsum(first) - 1
        distinct = keys[:, first]
        det = discounted_transactions(list(distinct[:n_purchase]), _design(distinct[n_purchase:]))
        spend_columns = [data[j][part] for j in spend_slots]
        spend_params = spend_model._parameters_at(
            spend_stack, _design(np.array(spend_columns[n_spend:]))
        )
        spend = spend_function(spend_params, *spend_columns[:n_spend])
        return margin * spend[spend_of] * det[purchase_of][:, history_of]

    width = 1 if sums_itself else max(1, len(times))
    return interval_frame(
        evaluate,
        len(data[0]),
        inverse,
        summary.index,
        stack,
        request,
        name="clv",
        link="log",
        width=width,
    )


def _inputs(model: Any, summary: pd.DataFrame) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A model's data columns of ``summary`` (checked), and its design matrix's columns."""
    arrays = list(model._frame_arrays(summary))
    matrix = design_matrix(model, summary)
    return arrays, ([] if matrix is None else list(np.asarray(matrix, np.float64).T))


def _slot(columns: list[np.ndarray], column: np.ndarray) -> int:
    """The position of ``column`` among ``columns``, appended if it is not there yet."""
    for j, existing in enumerate(columns):
        if existing is column or np.array_equal(existing, column):
            return j
    columns.append(np.asarray(column, dtype=np.float64))
    return len(columns) - 1


def _design(columns: np.ndarray) -> np.ndarray | None:
    """Rows x covariates from covariate columns; None without any."""
    return None if len(columns) == 0 else np.ascontiguousarray(np.asarray(columns).T)
