"""Backtest: fit candidates on a calibration period, score their holdout predictions.

:func:`backtest` summarises a transaction log as of a calibration end (the log after it
is never shown to the candidates), fits every candidate on that summary, predicts what
each customer does in the holdout period, and compares with what happened. It takes any
model that offers the prediction protocol:

- ``fit(summary)`` (returns the fitted model);
- ``conditional_expected_purchases(t, summary)``: a Series of expected purchases in the
  next ``t`` time units, per customer;
- optionally ``probability_alive(summary)``, ``expected_purchases(t)`` (a new customer's
  expectation, used for the calibration part of the tracking table) and
  ``expected_spend(summary)`` (spend per purchase);

or a pair ``(purchase_model, spend_model)`` whose second item offers
``fit(summary)`` and ``expected_spend(summary)`` (e.g. Gamma-Gamma). The default
candidates are the BG/NBD with Gamma-Gamma and the deterministic baselines of
:mod:`clvmodels.evaluation.baselines`.

Models with static covariates (e.g. ``clv.BetaGeoModel(purchase_covariates=["channel"])``)
are candidates like any other: ``backtest(..., covariates=static)`` joins the frame of
covariates (one row per customer, indexed by customer id) to every cut-off's calibration
summary, so each candidate is fitted on, and predicts the holdout from, each customer's own
covariates; candidates without covariates ignore the extra columns. A calibration customer
without a row is a named error; rows of customers not in a calibration period (acquired
later) are not used.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284
(the calibration/holdout design, the tracking and conditional-expectation figures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.data.dates import parse_date_column
from clvmodels.data.summary import calibration_holdout_split
from clvmodels.data.units import days_per_unit, time_unit_of
from clvmodels.deprecation import renamed_column_arguments
from clvmodels.estimation.parameter_stack import interval_request
from clvmodels.estimation.params import clone
from clvmodels.evaluation.baselines import (
    LastPeriodBaseline,
    RetentionBaseline,
    RunRateBaseline,
    recent_repeats,
)
from clvmodels.evaluation.covariates import calibration_covariates
from clvmodels.evaluation.holdout_intervals import coverage_metrics, holdout_intervals
from clvmodels.evaluation.metrics import prediction_metrics
from clvmodels.evaluation.tracking import actual_repeat_transactions, expected_repeat_transactions
from clvmodels.exceptions import DataValidationError
from clvmodels.models import BetaGeoModel, GammaGammaModel
from clvmodels.value.valuation import value_customers

__all__ = ["BacktestResult", "backtest", "default_models", "split_metrics"]

#: Columns of the calibration summary that candidates are fitted on.
_CALIBRATION_COLUMNS = ("frequency", "recency", "T", "monetary_value")


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` returns: tidy tables and the fitted candidates.

    Attributes
    ----------
    per_customer
        One row per (cut-off, model, customer): ``calibration_period_end``, ``model``,
        the customer id, the calibration ``frequency``, ``recency``, ``T``;
        ``actual_purchases`` / ``predicted_purchases`` in the holdout, ``p_alive``
        (NaN when the model offers none), ``actual_spend`` (mean spend per holdout
        purchase, NaN without one) / ``predicted_spend``, ``actual_value`` (holdout
        revenue) / ``predicted_value`` (purchases x spend). Without spend data the spend
        and value columns are NaN. With ``interval=``, also ``purchases_lower``,
        ``purchases_upper``, ``count_lower``, ``count_upper``
        (:mod:`clvmodels.evaluation.holdout_intervals`).
    metrics
        One row per (cut-off, model, target) with ``target`` in ``purchases``, ``value``
        (revenue) and ``spend`` (only customers who bought in the holdout): the keys of
        :func:`clvmodels.evaluation.metrics.prediction_metrics` and ``n_customers``; with
        ``interval=``, the purchases rows also ``interval_coverage`` and
        ``count_interval_coverage`` (NaN where a model offers no such interval).
    aggregate
        One row per (cut-off, model): predicted and actual holdout purchases and revenue
        of the whole cohort, their errors and relative errors.
    tracking
        Repeat transactions of the cohort per time unit, one row per (cut-off, model,
        period): ``period`` counts time units from the cut-off (<= 0 calibration, >= 1
        holdout), ``period_end`` its last instant, ``phase``, ``incremental`` and
        ``cumulative``. ``model == "actual"`` is what happened. In calibration a model
        shows its fit (``expected_purchases(t)`` summed over the cohort's ages; only for
        models that offer it); in the holdout its forecast, the actual cumulative at the
        cut-off plus the sum of ``conditional_expected_purchases``.
    fitted
        ``{cut-off: {model: (purchase_model, spend_model or None)}}``, fitted copies.
    summaries
        ``{cut-off: calibration/holdout summary}`` as returned by
        :func:`clvmodels.calibration_holdout_split`, plus ``recent_frequency`` and
        ``recent_window``.
    """

    per_customer: pd.DataFrame
    metrics: pd.DataFrame
    aggregate: pd.DataFrame
    tracking: pd.DataFrame
    fitted: dict[str, dict[str, tuple[Any, Any]]] = field(repr=False)
    summaries: dict[str, pd.DataFrame] = field(repr=False)

    def metrics_table(self, target: str = "purchases") -> pd.DataFrame:
        """The metrics of one target as a (cut-off, model) x metric table."""
        rows = self.metrics[self.metrics["target"] == target]
        return rows.drop(columns="target").set_index(["calibration_period_end", "model"])


def default_models() -> dict[str, Any]:
    """The default candidates: BG/NBD + Gamma-Gamma and three deterministic baselines."""
    return {
        "BG/NBD + Gamma-Gamma": (BetaGeoModel(), GammaGammaModel()),
        "run rate": RunRateBaseline(),
        "retention formula": RetentionBaseline(),
        "last period": LastPeriodBaseline(),
    }


def _candidates(models: Mapping[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    if models is None:
        models = default_models()
    if not isinstance(models, Mapping) or not models:
        raise TypeError(
            "models must be a non-empty mapping name -> model or (purchase_model, "
            "spend_model), e.g. {'BG/NBD': (clv.BetaGeoModel(), clv.GammaGammaModel())}"
        )
    out = {}
    for name, spec in models.items():
        purchase, spend = spec if isinstance(spec, tuple) else (spec, None)
        for what, needed in (("fit", purchase), ("conditional_expected_purchases", purchase)):
            if not callable(getattr(needed, what, None)):
                raise TypeError(
                    f"models[{name!r}] must offer {what}(...) (the prediction protocol); "
                    f"got {type(needed).__name__}"
                )
        if spend is not None and not callable(getattr(spend, "expected_spend", None)):
            raise TypeError(f"the spend model of models[{name!r}] must offer expected_spend")
        out[str(name)] = (purchase, spend)
    return out


def _spend_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """Repeat buyers with positive spend, and the others (Gamma-Gamma needs spend > 0)."""
    free = (summary["frequency"] > 0) & (summary["monetary_value"] <= 0)
    return summary[~free]


def _fitted_copy(model: Any, data: pd.DataFrame) -> Any:
    """A fitted clone of ``model`` (the candidate given by the caller is left as it was)."""
    copied = clone(model)
    returned = copied.fit(data)
    return copied if returned is None else returned  # fit should return self; some don't


def _fit(purchase: Any, spend: Any, calibration: pd.DataFrame, has_spend: bool) -> tuple[Any, Any]:
    purchase = _fitted_copy(purchase, calibration)
    spend = (
        _fitted_copy(spend, _spend_rows(calibration)) if spend is not None and has_spend else None
    )
    return purchase, spend


def _predict(
    name: str,
    purchase: Any,
    spend: Any,
    calibration: pd.DataFrame,
    duration: float,
    has_spend: bool,
) -> pd.DataFrame:
    spender = spend if spend is not None else purchase
    spender = spender if has_spend and callable(getattr(spender, "expected_spend", None)) else None
    valued = value_customers(purchase, spender, calibration, t=duration)
    frame = pd.DataFrame(index=calibration.index)
    frame["predicted_purchases"] = valued["expected_purchases"]
    frame["p_alive"] = valued["p_alive"]
    frame["predicted_spend"] = valued["expected_spend"] if spender is not None else np.nan
    # the holdout revenue, as its actual counterpart: purchases x spend, not discounted
    frame["predicted_value"] = frame["predicted_purchases"] * frame["predicted_spend"]
    if not np.all(np.isfinite(frame["predicted_purchases"])):
        raise DataValidationError(f"model {name!r} predicted a non-finite number of purchases")
    return frame


def split_metrics(per_customer: pd.DataFrame) -> pd.DataFrame:
    """Metrics of every (cut-off, model) for purchases, value and spend (tidy rows).

    ``per_customer`` is :attr:`BacktestResult.per_customer` (or any frame with its
    columns); this is how :attr:`BacktestResult.metrics` is computed.
    """
    rows = []
    for (cut_off, model), group in per_customer.groupby(
        ["calibration_period_end", "model"], sort=False
    ):
        targets = [("purchases", group)]
        if group["predicted_value"].notna().all() and group["actual_value"].notna().all():
            targets.append(("value", group))
            bought = group[group["actual_purchases"] > 0]
            if len(bought):
                targets.append(("spend", bought))
        for target, rows_of in targets:
            row = prediction_metrics(rows_of[f"actual_{target}"], rows_of[f"predicted_{target}"])
            if target == "purchases" and "purchases_lower" in rows_of:
                row.update(coverage_metrics(rows_of))
            rows.append(
                {
                    "calibration_period_end": cut_off,
                    "model": model,
                    "target": target,
                    "n_customers": len(rows_of),
                    **row,
                }
            )
    return pd.DataFrame(rows)


def _aggregate(metrics: pd.DataFrame) -> pd.DataFrame:
    keys = ["calibration_period_end", "model"]
    out = metrics.loc[metrics["target"] == "purchases", keys].reset_index(drop=True)
    for target, label in (("purchases", "purchases"), ("value", "revenue")):
        part = metrics[metrics["target"] == target].set_index(keys)
        columns = {
            "predicted_total": f"predicted_{label}",
            "actual_total": f"actual_{label}",
            "total_error": f"{label}_error",
            "total_relative_error": f"{label}_relative_error",
        }
        part = part[list(columns)].rename(columns=columns)
        out = out.join(part, on=keys)
    return out


def _cut_offs(calibration_period_end: object, observation_period_end: object) -> list:
    many = isinstance(calibration_period_end, Sequence) and not isinstance(
        calibration_period_end, str
    )
    ends = list(calibration_period_end) if many else [calibration_period_end]
    if not ends:
        raise DataValidationError("calibration_period_end is an empty list: give one date or more")
    if isinstance(observation_period_end, Sequence) and not isinstance(observation_period_end, str):
        observations = list(observation_period_end)
        if len(observations) != len(ends):
            raise DataValidationError(
                f"observation_period_end has {len(observations)} dates for {len(ends)} "
                "calibration_period_end dates; give one date or one per cut-off"
            )
    else:
        observations = [observation_period_end] * len(ends)
    return list(zip(ends, observations, strict=True))


def _one_cut_off(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    cut_off: object,
    observation_end: object,
    candidates: dict[str, tuple[Any, Any]],
    monetary_value_col: str | None,
    freq: str,
    time_unit: str | None,
    covariates: pd.DataFrame | None = None,
    interval: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict, str]:
    split = calibration_holdout_split(
        transactions,
        customer_id_col,
        datetime_col,
        calibration_period_end=cut_off,
        observation_period_end=observation_end,
        monetary_value_col=monetary_value_col,
        freq=freq,
        time_unit=time_unit,
    )
    label = split.attrs["calibration_period_end"]
    unit = time_unit_of(split)
    duration = float(split["duration_holdout"].iloc[0])
    split = recent_repeats(split, transactions, customer_id_col, datetime_col, window=duration)
    has_spend = monetary_value_col is not None
    calibration = split[
        [c for c in (*_CALIBRATION_COLUMNS, "recent_frequency", "recent_window") if c in split]
    ]
    if covariates is not None:  # each customer's own covariates, for fit and prediction
        calibration = calibration.join(calibration_covariates(split.index, covariates, label))
    calibration.attrs = dict(split.attrs)

    base = pd.DataFrame(
        {
            "frequency": split["frequency"],
            "recency": split["recency"],
            "T": split["T"],
            "actual_purchases": split["frequency_holdout"].astype(np.float64),
        }
    )
    if has_spend:
        holdout_spend = split["monetary_value_holdout"].to_numpy(np.float64)
        base["actual_spend"] = np.where(split["frequency_holdout"] > 0, holdout_spend, np.nan)
        base["actual_value"] = split["frequency_holdout"] * holdout_spend
    else:
        base["actual_spend"] = np.nan
        base["actual_value"] = np.nan

    step_days = days_per_unit(unit)
    end = pd.Timestamp(split.attrs["observation_period_end"])
    cut = pd.Timestamp(label)
    counts = actual_repeat_transactions(
        transactions,
        customer_id_col,
        datetime_col,
        split.index,
        split.clv.freq,
        cut,
        end,
        step_days,
    )
    first = int(min(counts.index.min(), 0)) if len(counts) else 0
    last = int(np.ceil(duration - 1e-9))
    periods = np.arange(first, last + 1)
    incremental = counts.reindex(periods, fill_value=0).to_numpy(np.float64)
    actual_cumulative = np.cumsum(incremental)
    at_cut_off = float(actual_cumulative[periods == 0][0])
    tracks = [
        pd.DataFrame(
            {
                "model": "actual",
                "period": periods,
                "incremental": incremental,
                "cumulative": actual_cumulative,
            }
        )
    ]

    fitted, frames = {}, []
    for name, (purchase, spend) in candidates.items():
        purchase_fit, spend_fit = _fit(purchase, spend, calibration, has_spend)
        fitted[name] = (purchase_fit, spend_fit)
        predicted = _predict(name, purchase_fit, spend_fit, calibration, duration, has_spend)
        if interval is not None:
            predicted = predicted.join(
                holdout_intervals(purchase_fit, calibration, duration, interval)
            )
        frames.append(base.join(predicted).assign(model=name))
        tracks.append(
            expected_repeat_transactions(
                name, purchase_fit, calibration, periods, duration, at_cut_off
            )
        )

    per_customer = pd.concat(frames).reset_index()
    per_customer.insert(0, "calibration_period_end", label)
    per_customer.insert(1, "model", per_customer.pop("model"))
    tracking = pd.concat(tracks, ignore_index=True)
    tracking["phase"] = np.where(tracking["period"] <= 0, "calibration", "holdout")
    tracking["period_end"] = cut + pd.to_timedelta(tracking["period"] * step_days, unit="D")
    tracking.insert(0, "calibration_period_end", label)
    tracking = tracking[
        [
            "calibration_period_end",
            "model",
            "period",
            "period_end",
            "phase",
            "incremental",
            "cumulative",
        ]
    ]
    return per_customer, tracking, split, fitted, label


@renamed_column_arguments
def backtest(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: object,
    observation_period_end: object = None,
    models: Mapping[str, Any] | None = None,
    monetary_value_col: str | None = None,
    freq: str = "D",
    time_unit: str | None = None,
    datetime_format: str | None = None,
    covariates: pd.DataFrame | None = None,
    interval: float | None = None,
) -> BacktestResult:
    """Fit candidates on a calibration period and compare their holdout predictions.

    Parameters
    ----------
    transactions
        One row per transaction (a pandas DataFrame).
    customer_id_col, datetime_col
        Columns of the customer id and the transaction date.
    calibration_period_end
        Last day of the calibration period, or a list of them (rolling origin: one
        backtest per cut-off, every table gains one block per cut-off).
    observation_period_end
        Last day of the holdout period (one date, or one per cut-off); defaults to the
        last transaction.
    models
        ``{name: model}`` or ``{name: (purchase_model, spend_model)}``; unfitted
        candidates, copied before fitting (see the module notes for the protocol).
        Defaults to :func:`default_models`.
    monetary_value_col
        Column with the spend of each transaction; without it only purchases are
        scored.
    freq, time_unit
        Purchase counting resolution and time unit, as in
        :func:`clvmodels.rfm_summary` (e.g. ``freq="D", time_unit="W"``).
    datetime_format
        strftime layout of text dates, as in :func:`clvmodels.rfm_summary`. The dates
        are parsed once, by its rules, for the split, the baselines and the tracking.
    covariates
        Static covariates, one row per customer indexed by customer id, joined to each
        calibration summary for the candidates with covariates (see the module notes).
    interval
        Probability of the intervals to score (e.g. 0.8): each candidate's interval of
        the expected holdout count and, where it gives the count distribution, its
        prediction interval of the count, with how often each held the actual count
        (:mod:`clvmodels.evaluation.holdout_intervals`).

    Returns
    -------
    BacktestResult
        Tidy tables ``per_customer``, ``metrics``, ``aggregate`` and ``tracking``, the
        fitted candidates and the summaries.

    Raises
    ------
    TypeError
        When a candidate does not offer the prediction protocol.
    DataValidationError
        On an invalid log, cut-off or observation end (see
        :func:`clvmodels.calibration_holdout_split`).

    Examples
    --------
    >>> import clvmodels as clv
    >>> log = clv.datasets.load_cdnow_sample_transactions()
    >>> result = clv.backtest(log, "customer_id", "date", "1997-09-30", "1998-06-30",
    ...                       monetary_value_col="spend", freq="D", time_unit="W")
    >>> table = result.metrics_table("purchases").loc["1997-09-30"]
    >>> table["mae"].idxmin()
    'BG/NBD + Gamma-Gamma'
    """
    candidates = _candidates(models)
    if interval is not None:
        interval = interval_request(interval).prob
    if isinstance(transactions, pd.DataFrame) and datetime_col in transactions:
        if not pd.api.types.is_datetime64_any_dtype(transactions[datetime_col]):
            transactions = parse_date_column(transactions, datetime_col, datetime_format)
    per_customer, tracking, summaries, fitted = [], [], {}, {}
    for cut_off, observation_end in _cut_offs(calibration_period_end, observation_period_end):
        rows, track, split, fits, label = _one_cut_off(
            transactions,
            customer_id_col,
            datetime_col,
            cut_off,
            observation_end,
            candidates,
            monetary_value_col,
            freq,
            time_unit,
            covariates,
            interval,
        )
        per_customer.append(rows)
        tracking.append(track)
        summaries[label], fitted[label] = split, fits
    per_customer_frame = pd.concat(per_customer, ignore_index=True)
    metrics = split_metrics(per_customer_frame)
    return BacktestResult(
        per_customer=per_customer_frame,
        metrics=metrics,
        aggregate=_aggregate(metrics),
        tracking=pd.concat(tracking, ignore_index=True),
        fitted=fitted,
        summaries=summaries,
    )
