r"""The one valuation step: fitted models and a summary -> per-customer predictions and CLV.

Every place that values customers calls :func:`value_customers`: the command line
(``clvmodels fit`` and ``score``), the backtest (its holdout predictions) and the
engines (:func:`value_spark` runs it on every chunk of a Spark summary; a DuckDB
summary is a pandas frame and takes it as it is). It adds, per customer:

- ``p_alive``: :math:`P(\text{alive} \mid x, t_x, T)` (NaN for a model that offers none,
  e.g. a textbook baseline);
- ``expected_purchases``: :math:`E[X(t) \mid x, t_x, T]`, purchases in the next ``t``
  time units of the summary (default: the CLV horizon in those units);
- with a spend model, ``expected_spend``: :math:`E[S \mid \cdot]`, spend per purchase;
- with a spend model and a discount rate, ``clv``: the discounted value of
  :func:`clvmodels.value.probabilistic.customer_lifetime_value` (``horizon`` steps of one
  ``horizon_unit``, the rate per ``discount_period``, times ``margin``).

The formulas are the models' own methods and ``customer_lifetime_value``: this module
only states the units once and puts the results in one frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.data.engines.scoring import map_spark_chunks
from clvmodels.data.units import canonical_unit, days_per_unit, with_time_unit
from clvmodels.data.validation import require_frame
from clvmodels.value.probabilistic import (
    PosteriorCLV,
    PurchaseModel,
    SpendModel,
    customer_lifetime_value,
    summary_time_unit,
)

__all__ = ["VALUATION_COLUMNS", "valuation_columns", "value_customers", "value_spark"]

#: Columns of the valuation, in order (the last two need a spend model, ``clv`` a rate).
VALUATION_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")

_EXAMPLE = "e.g. horizon=12, horizon_unit='M', discount_rate=0.1, discount_period='Y'"


def valuation_columns(spend_model: object, discount_rate: float | None) -> tuple[str, ...]:
    """The columns :func:`value_customers` adds for these arguments, in order."""
    if spend_model is None:
        return VALUATION_COLUMNS[:2]
    return VALUATION_COLUMNS if discount_rate is not None else VALUATION_COLUMNS[:3]


def _purchase_horizon(
    t: float | None, horizon: float | None, horizon_unit: str | None, unit: str
) -> float:
    """``t``, or the CLV horizon in the summary's unit (12 months = 52.18 weeks)."""
    if t is not None:
        return t
    if horizon is None or horizon_unit is None:
        raise ValueError(
            "expected_purchases needs a horizon: give t (in the summary's time unit, e.g. "
            "t=52.0 for a year of weeks) or horizon with horizon_unit (e.g. horizon=12, "
            "horizon_unit='M')"
        )
    return horizon * days_per_unit(canonical_unit(horizon_unit)) / days_per_unit(unit)


def _check_clv_arguments(
    horizon: float | None, horizon_unit: str | None, discount_period: str | None
) -> None:
    missing = [
        name
        for name, value in (
            ("horizon", horizon),
            ("horizon_unit", horizon_unit),
            ("discount_period", discount_period),
        )
        if value is None
    ]
    if missing:
        raise ValueError(
            f"the CLV (a spend model and a discount_rate) also needs {', '.join(missing)}; "
            + _EXAMPLE
        )


def value_customers(
    purchase_model: PurchaseModel,
    spend_model: SpendModel | None,
    summary: pd.DataFrame,
    *,
    t: float | None = None,
    horizon: float | None = None,
    horizon_unit: str | None = None,
    discount_rate: float | None = None,
    discount_period: str | None = None,
    margin: float = 1.0,
    time_unit: str | None = None,
    step_length: float | None = None,
) -> pd.DataFrame:
    r"""P(alive), expected purchases, expected spend and CLV of every customer of a summary.

    Parameters
    ----------
    purchase_model
        A fitted model with ``conditional_expected_purchases(t, summary)`` and, if it
        has one, ``probability_alive(summary)`` (e.g. :class:`~clvmodels.BetaGeoModel`).
    spend_model
        A fitted model with ``expected_spend(summary)`` (e.g.
        :class:`~clvmodels.GammaGammaModel`), or None: no ``expected_spend`` or ``clv``.
    summary
        One row per customer with the columns the models need, times in ``time_unit``.
    t
        Horizon of ``expected_purchases`` in the summary's time unit; default
        ``horizon`` ``horizon_unit`` in that unit (12 months = 365.25 / 7 = 52.18 weeks).
    horizon, horizon_unit
        The CLV horizon: ``horizon`` whole steps of one ``horizon_unit`` each.
    discount_rate, discount_period
        The discount rate and the period it is per (``"Y"``: per year). With a spend
        model, a rate asks for the ``clv`` column; then ``horizon``, ``horizon_unit``
        and ``discount_period`` are required.
    margin
        Share of spend that is profit, in ``clv`` (1.0 values revenue).
    time_unit
        The summary's time unit; required when ``summary.attrs`` states none (a
        summary read from a file, or a Spark chunk), checked against it otherwise.
    step_length
        Override of one step's length in the summary's unit, as in
        :func:`~clvmodels.value.probabilistic.customer_lifetime_value`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``, float64 columns of :data:`VALUATION_COLUMNS` in
        order: ``p_alive``, ``expected_purchases``, then ``expected_spend`` with a
        spend model and ``clv`` with a spend model and a rate. With a Bayesian model
        ``clv`` is the posterior mean.

    Raises
    ------
    ValueError
        If no time unit is known, neither ``t`` nor the horizon is given, or the CLV
        misses one of its arguments (the message names it, with an example).
    UnitMismatchError
        If ``time_unit``, the summary's unit and the models' units disagree.

    Examples
    --------
    >>> import clvmodels as clv
    >>> from clvmodels.value.valuation import value_customers
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> bg = clv.BetaGeoModel().fit(summary)
    >>> gg = clv.GammaGammaModel().fit(summary)
    >>> valued = value_customers(bg, gg, summary, horizon=12, horizon_unit="M",
    ...                          discount_rate=0.1, discount_period="Y")
    >>> list(valued.columns)
    ['p_alive', 'expected_purchases', 'expected_spend', 'clv']
    """
    require_frame(summary, "summary", [])
    unit = summary_time_unit(summary, time_unit)
    frame = with_time_unit(summary, unit)
    wants_clv = spend_model is not None and discount_rate is not None
    if wants_clv:
        _check_clv_arguments(horizon, horizon_unit, discount_period)
    t = _purchase_horizon(t, horizon, horizon_unit, unit)
    columns: dict[str, Any] = {}
    alive = getattr(purchase_model, "probability_alive", None)  # an optional method
    if callable(alive):
        columns["p_alive"] = np.asarray(alive(frame), np.float64)
    else:  # a model with expected purchases only (a textbook baseline)
        columns["p_alive"] = np.full(len(frame), np.nan)
    columns["expected_purchases"] = np.asarray(
        purchase_model.conditional_expected_purchases(t, frame), np.float64
    )
    if spend_model is not None:
        columns["expected_spend"] = np.asarray(spend_model.expected_spend(frame), np.float64)
    if wants_clv:
        value = customer_lifetime_value(
            purchase_model,
            spend_model,  # type: ignore[arg-type]
            frame,
            horizon,  # type: ignore[arg-type]
            discount_rate,  # type: ignore[arg-type]
            margin,
            horizon_unit=horizon_unit,  # type: ignore[arg-type]
            discount_period=discount_period,  # type: ignore[arg-type]
            step_length=step_length,
        )
        if isinstance(value, PosteriorCLV):
            value = value.per_customer["mean"]
        columns["clv"] = value.to_numpy(np.float64)
    return pd.DataFrame(columns, index=summary.index)


def _model_state(model: Any) -> tuple[type, dict] | None:
    return None if model is None else (type(model), model.to_dict())


def _valuer(
    classes: dict[str, type], options: dict[str, Any]
) -> Callable[[dict], Callable[[pd.DataFrame], pd.DataFrame]]:
    """What a Spark task runs: rebuild the models once, then value chunk by chunk."""

    def prepare(states: dict) -> Callable[[pd.DataFrame], pd.DataFrame]:
        fitted = {name: classes[name].from_dict(state) for name, state in states.items()}

        def value_chunk(chunk: pd.DataFrame) -> pd.DataFrame:
            valued = value_customers(fitted["purchase"], fitted.get("spend"), chunk, **options)
            out = chunk.copy()
            for name in valued.columns:
                out[name] = valued[name].to_numpy()
            return out

        return value_chunk

    return prepare


def value_spark(
    purchase_model: Any,
    spend_model: Any,
    summary: Any,
    *,
    time_unit: str,
    t: float | None = None,
    horizon: float | None = None,
    horizon_unit: str | None = None,
    discount_rate: float | None = None,
    discount_period: str | None = None,
    margin: float = 1.0,
) -> Any:
    """:func:`value_customers` on a Spark summary, where it lives (chunk by chunk).

    Parameters
    ----------
    purchase_model, spend_model
        Fitted models with ``to_dict``/``from_dict`` (every clvmodels estimator): the
        tasks receive their JSON state, broadcast once, and rebuild them.
    summary
        A Spark DataFrame of customers, e.g. :func:`clvmodels.rfm_summary` of a Spark log.
    time_unit
        The unit of the summary's times (a Spark frame carries no ``attrs``).
    t, horizon, horizon_unit, discount_rate, discount_period, margin
        As in :func:`value_customers`.

    Returns
    -------
    pyspark.sql.DataFrame
        ``summary`` with the double columns :func:`valuation_columns` names added (lazy:
        nothing runs until an action).

    Examples
    --------
    The Spark flow (not run here: it needs a Spark session)::

        summary = clv.rfm_summary(spark_log, "customer_id", "date", "spend",
                                  freq="D", time_unit="W")
        stats = clv.rfm_sufficient_statistics(spark_log, "customer_id", "date",
                                              freq="D", time_unit="W")
        bg = clv.BetaGeoModel().fit(stats, weights=stats["n_customers"])
        gg = clv.GammaGammaModel().fit(summary.where("frequency > 0").toPandas())
        valued = value_spark(bg, gg, summary, time_unit="W", horizon=12, horizon_unit="M",
                             discount_rate=0.1, discount_period="Y")
    """
    unit = canonical_unit(time_unit, "time_unit")
    if spend_model is not None and discount_rate is not None:
        _check_clv_arguments(horizon, horizon_unit, discount_period)
    _purchase_horizon(t, horizon, horizon_unit, unit)  # refuse a missing horizon on the driver
    models = {"purchase": _model_state(purchase_model), "spend": _model_state(spend_model)}
    models = {name: state for name, state in models.items() if state is not None}
    options = {
        "time_unit": unit,
        "t": t,
        "horizon": horizon,
        "horizon_unit": horizon_unit,
        "discount_rate": discount_rate,
        "discount_period": discount_period,
        "margin": margin,
    }
    classes = {name: cls for name, (cls, _) in models.items()}
    states = {name: state for name, (_, state) in models.items()}
    added: Iterable[str] = valuation_columns(spend_model, discount_rate)
    return map_spark_chunks(summary, _valuer(classes, options), tuple(added), states)
