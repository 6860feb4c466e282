"""CLV from Bayesian models: per-customer posterior means and HDIs, and the base's total.

:func:`posterior_clv` evaluates the discounted expected transactions once per draw and
distinct purchase history, in chunks of at most :data:`POSTERIOR_CHUNK_ELEMENTS` values,
and multiplies by the spend draws; :func:`clvmodels.value.customer_lifetime_value` calls
it when either model is a posterior.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clvmodels.checks import per_customer_values
from clvmodels.data.units import with_time_unit
from clvmodels.estimation.protocols import (
    PosteriorModel,
    PurchaseModel,
    SpendModel,
    capabilities,
)
from clvmodels.value.schedule import DiscountSchedule

__all__ = ["POSTERIOR_CHUNK_ELEMENTS", "PosteriorCLV", "posterior_clv"]


@dataclass(frozen=True)
class PosteriorCLV:
    """CLV from Bayesian models: per customer and for the whole base, with uncertainty.

    Attributes
    ----------
    per_customer
        Indexed like the summary: the posterior ``mean`` CLV and its HDI bounds
        (``hdi_3%``, ``hdi_97%`` for 0.94).
    base_total
        Draws ``(chain, draw)`` of the total value of the base (the sum over customers),
        the quantity a finance team asks about.
    hdi
        The interval probability.
    """

    per_customer: pd.DataFrame
    base_total: np.ndarray
    hdi: float

    def base_total_summary(self) -> pd.Series:
        """Mean, sd and HDI of the base's total value."""
        from clvmodels.estimation.intervals import hdi, interval_names

        draws = self.base_total.reshape(-1)
        lower, upper = interval_names(self.hdi)
        bounds = hdi(draws, self.hdi)
        return pd.Series(
            {
                "mean": draws.mean(),
                "sd": draws.std(ddof=1) if draws.size > 1 else 0.0,
                lower: bounds[0],
                upper: bounds[1],
            },
            name="base_total",
        )


#: Values (draws x customers x steps) evaluated at once in a posterior CLV.
POSTERIOR_CHUNK_ELEMENTS = 4_000_000


def _sample_shape(model: object) -> tuple[int, int] | None:
    if not isinstance(model, PosteriorModel):
        return None
    first = next(iter(model.posterior_params().values()))
    return (int(first.shape[0]), int(first.shape[1]))


def posterior_clv(
    purchase_model: PurchaseModel,
    spend_model: SpendModel,
    summary: pd.DataFrame,
    schedule: DiscountSchedule,
    margin: float,
    *,
    hdi: float,
    n_draws: int | None,
) -> PosteriorCLV:
    """CLV draws per customer, reduced to mean and HDI, chunk by chunk of purchase histories.

    The draws of the two models are paired index by index (their posteriors are
    independent); an MLE model contributes its point prediction to every draw. The
    discounted expected transactions depend on a customer only through the purchase
    columns (x, t_x, T): they are evaluated once per distinct history (ordered by (x, T)
    so that a chunk shares its 2F1 brackets) and draw. With a point spend model the
    customer's value is that times a constant ``margin * spend``, so its mean and HDI are
    the history's, scaled. A posterior spend model gives a customer her own draws, which
    depend on her only through her numeric columns: they are reduced once per distinct
    (history, spend) row, e.g. once for all the customers of a history with no repeat
    purchase, and chunk by chunk of those rows within a chunk of histories.
    """
    from clvmodels.estimation.intervals import check_probability, interval_names
    from clvmodels.estimation.intervals import hdi as interval

    hdi = check_probability(hdi)
    if n_draws is not None:
        purchase_model, spend_model = (
            m.thinned(n_draws) if isinstance(m, PosteriorModel) else m
            for m in (purchase_model, spend_model)
        )
    shapes = {s for s in map(_sample_shape, (purchase_model, spend_model)) if s is not None}
    if len(shapes) != 1:
        raise ValueError(
            f"the purchase and spend posteriors must have the same (chain, draw) shape to be "
            f"paired draw by draw; got {sorted(shapes)}. Fit both with the same chains and "
            "draws, or pass n_draws to thin both to the same number."
        )
    (sample_shape,) = shapes
    n_samples = sample_shape[0] * sample_shape[1]
    design = getattr(purchase_model, "covariate_design_", None)
    histories, inverse = _purchase_histories(summary, design.columns if design else ())
    n_rows = len(histories)
    counts = np.bincount(inverse, minlength=n_rows)
    # customers grouped by history: those of rows [i, j) are by_row[first[i]:first[j]]
    by_row = np.argsort(inverse, kind="stable")
    first = np.concatenate([[0], np.cumsum(counts)])
    distinct = with_time_unit(histories, schedule.time_unit)
    times = np.asarray(schedule.times, dtype=np.float64)
    factors = schedule.discount_factors
    point_spend = not isinstance(spend_model, PosteriorModel)
    if point_spend:
        spend = per_customer_values(
            spend_model.expected_spend(summary), summary.index, "spend_model.expected_spend"
        )
        scale = margin * spend
        weights = np.bincount(inverse, weights=scale, minlength=n_rows)
        mean = np.empty(len(summary))
        band = np.empty((len(summary), 2))
    else:
        rows, row_of, row_counts = _spend_rows(summary, histories, inverse)
        # the (history, spend) rows of histories [i, j) are rows [row_first[i], row_first[j])
        row_first = np.searchsorted(rows.history, np.arange(n_rows + 1))
        mean = np.empty(len(rows.history))
        band = np.empty((len(rows.history), 2))
    total = np.zeros(sample_shape)
    budget = max(1, POSTERIOR_CHUNK_ELEMENTS // n_samples)
    step = max(1, budget // max(1, len(times)))
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        det = _det_draws(purchase_model, distinct.iloc[start:stop], times, factors)
        det = np.broadcast_to(det, (*sample_shape, stop - start)).reshape(n_samples, -1)
        if point_spend:
            customers = by_row[first[start] : first[stop]]
            total += (det @ weights[start:stop]).reshape(sample_shape)
            row_mean = det.mean(axis=0)
            row_band = interval(det, hdi, axis=0)
            local = inverse[customers] - start
            c = scale[customers]
            mean[customers] = c * row_mean[local]
            # c * X has the interval of X scaled, its ends swapped where c < 0
            ends = np.where(c[:, None] >= 0, row_band[local], row_band[local][:, ::-1])
            band[customers] = c[:, None] * ends
            continue
        for low in range(row_first[start], row_first[stop], budget):
            part = slice(low, min(row_first[stop], low + budget))
            spend_draws = spend_model.expected_spend(rows.frame.iloc[part], draws=True)
            # (row, sample): a row's draws are contiguous, which numpy sorts faster
            value = np.empty((part.stop - part.start, n_samples))
            np.multiply(np.asarray(spend_draws).reshape(n_samples, -1).T, margin, out=value)
            value *= det[:, rows.history[part] - start].T
            # einsum's own loop: BLAS's threads would spin for this one product
            total += np.einsum("r,rs->s", row_counts[part], value).reshape(sample_shape)
            mean[part] = value.mean(axis=1)
            band[part] = interval(value, hdi, axis=1)
    if not point_spend:
        mean, band = mean[row_of], band[row_of]
    lower, upper = interval_names(hdi)
    per_customer = pd.DataFrame(
        {"mean": mean, lower: band[:, 0], upper: band[:, 1]}, index=summary.index
    )
    per_customer.attrs["quantity"] = "clv"
    return PosteriorCLV(per_customer=per_customer, base_total=total, hdi=hdi)


def _purchase_histories(
    summary: pd.DataFrame, covariates: Sequence[str] = ()
) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct purchase histories and each customer's.

    Every numeric column but the spend, and the purchase model's ``covariates`` (a
    categorical one by its values), ordered by (frequency, T, recency) so that
    neighbouring histories share (x, T).
    """
    preferred = [c for c in ("frequency", "T", "recency") if c in summary]
    others = [
        c
        for c in summary.columns
        if c not in preferred
        and c != "monetary_value"
        and (pd.api.types.is_numeric_dtype(summary[c]) or c in covariates)
    ]
    from clvmodels.estimation.posterior import distinct_rows

    columns = preferred + others
    arrays, labels = [], {}
    for c in columns:
        if pd.api.types.is_numeric_dtype(summary[c]):
            arrays.append(summary[c].to_numpy(np.float64))
        else:  # a categorical covariate: its codes tell the histories apart
            codes, labels[c] = pd.factorize(summary[c], sort=True)
            arrays.append(codes.astype(np.float64))
    values, inverse = distinct_rows(*arrays)
    frame = pd.DataFrame(values, columns=columns)
    for c, levels in labels.items():
        codes = frame[c].to_numpy().astype(np.intp)
        frame[c] = pd.Series(np.asarray(levels, dtype=object)[codes]).where(codes >= 0)
    return frame, inverse


@dataclass(frozen=True)
class _SpendRows:
    """Distinct (history, spend) rows: a frame for the spend model and each row's history."""

    frame: pd.DataFrame
    history: np.ndarray


def _spend_rows(
    summary: pd.DataFrame, histories: pd.DataFrame, inverse: np.ndarray
) -> tuple[_SpendRows, np.ndarray, np.ndarray]:
    """The distinct (history, ``monetary_value``) rows, sorted by history.

    Also each customer's row and how many customers each row has.
    """
    from clvmodels.estimation.posterior import distinct_rows

    keys = [inverse.astype(np.float64)]
    spend_columns = [c for c in ("monetary_value",) if c in summary]
    keys += [summary[c].to_numpy(np.float64) for c in spend_columns]
    values, row_of = distinct_rows(*keys)
    history = values[:, 0].astype(np.int64)
    frame = histories.iloc[history].reset_index(drop=True)
    for j, column in enumerate(spend_columns, start=1):
        frame[column] = values[:, j]
    frame.attrs.update(summary.attrs)
    counts = np.bincount(row_of, minlength=len(values)).astype(np.float64)
    return _SpendRows(frame, history), row_of, counts


def _det_draws(
    purchase_model: PurchaseModel, part: pd.DataFrame, times: np.ndarray, factors: np.ndarray
) -> np.ndarray:
    """Discounted expected transactions, ``(chain, draw, rows)`` or ``(rows,)`` for an MLE."""
    if len(times) == 0:
        return np.zeros(len(part))
    what = "purchase_model.conditional_expected_purchases"
    if isinstance(purchase_model, PosteriorModel):
        # sum_k f_k (E_k - E_{k-1}) = sum_k (f_k - f_{k+1}) E_k with f_{K+1} = 0: the model
        # sums its path with these weights before expanding it to rows and draws
        weights = factors - np.append(factors[1:], 0.0)
        return np.asarray(
            purchase_model.conditional_expected_purchases(
                times, part, draws=True, weights=weights
            ).values
        )
    if capabilities(purchase_model).many_horizons:
        path = purchase_model.conditional_expected_purchases(times, part).to_numpy(np.float64)
    else:
        path = np.stack(
            [
                per_customer_values(
                    purchase_model.conditional_expected_purchases(float(t), part), part.index, what
                )
                for t in times
            ],
            axis=-1,
        )
    increments = np.diff(path, axis=-1, prepend=0.0)
    return (increments * factors).sum(axis=-1)
