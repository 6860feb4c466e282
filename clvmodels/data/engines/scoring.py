"""The engine's side of scoring: run a per-customer function where the summary lives.

The fit needs only the reduced rows (:mod:`.reduction`), so it runs on the
driver; the predictions need every customer, so they run where the summary is.
:func:`map_spark_chunks` is that primitive for Spark: each task receives a
shared state (broadcast once), prepares its function from it once, and applies
it to its chunks of customers. What the function computes is the value layer's
business: :func:`clvmodels.value.valuation.value_spark` passes the valuation
step, built from the fitted models' JSON state. A DuckDB summary is a pandas
frame already, valued in place by :func:`clvmodels.value.valuation.value_customers`.

``score_frame`` and ``score_spark``, which lived here, moved to the value layer
(:func:`~clvmodels.value.valuation.value_customers` and
:func:`~clvmodels.value.valuation.value_spark`); the names here keep working for
a release with a ``DeprecationWarning``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pandas as pd

__all__ = ["SCORE_COLUMNS", "map_spark_chunks", "score_frame", "score_spark"]

#: Columns added by the scoring, in order (the last two need a spend model).
SCORE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


def map_spark_chunks(
    frame: Any,
    prepare: Callable[[Any], Callable[[pd.DataFrame], pd.DataFrame]],
    added: Sequence[str],
    shared: Any,
) -> Any:
    """A Spark DataFrame with double columns computed chunk by chunk in pandas.

    Parameters
    ----------
    frame
        A Spark DataFrame (e.g. a summary, one row per customer).
    prepare
        Called once per task with ``shared``; returns the function applied to every
        pandas chunk, which returns the chunk with the ``added`` columns appended.
    added
        Names of the columns the function adds (float64, in order).
    shared
        State sent to the tasks once (a Spark broadcast), e.g. fitted models as JSON.

    Returns
    -------
    pyspark.sql.DataFrame
        ``frame`` with the ``added`` double columns (lazy: nothing runs until an action).
    """
    from pyspark.sql.types import DoubleType, StructField, StructType

    broadcast = frame.sparkSession.sparkContext.broadcast(shared)
    names = list(added)
    schema = StructType(
        list(frame.schema.fields) + [StructField(name, DoubleType(), False) for name in names]
    )

    def chunks(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        function = prepare(broadcast.value)
        for chunk in parts:
            if chunk.empty:
                yield chunk.assign(**{name: pd.Series(dtype="float64") for name in names})
                continue
            yield function(chunk)

    return frame.mapInPandas(chunks, schema)


def _clv_options(
    spend_model: Any,
    horizon: float | None,
    discount_rate: float | None,
    horizon_unit: str | None,
    discount_period: str | None,
) -> dict[str, Any]:
    """The CLV arguments, all required with a spend model (as the old functions did)."""
    given = (horizon, discount_rate, horizon_unit)
    if spend_model is not None and (any(v is None for v in given) or not discount_period):
        raise ValueError(
            "with a spend model the CLV needs horizon, discount_rate, horizon_unit and "
            "discount_period, e.g. horizon=12, discount_rate=0.1, horizon_unit='M', "
            "discount_period='Y'"
        )
    return dict(
        horizon=horizon,
        discount_rate=discount_rate,
        horizon_unit=horizon_unit,
        discount_period=discount_period,
    )


def _moved(old: str, new: str) -> str:
    return (
        f"clvmodels.data.engines.scoring.{old} is deprecated: use "
        f"clvmodels.value.valuation.{new} (the valuation step is the value layer's; "
        "its arguments are (purchase_model, spend_model, summary, ...))"
    )


def score_frame(
    summary: pd.DataFrame,
    purchase_model: Any,
    spend_model: Any = None,
    *,
    time_unit: str,
    t: float,
    horizon: float | None = None,
    discount_rate: float | None = None,
    horizon_unit: str | None = None,
    discount_period: str | None = None,
    margin: float = 1.0,
) -> pd.DataFrame:
    """Deprecated: ``summary`` with :func:`clvmodels.value.valuation.value_customers` added.

    Use ``value_customers(purchase_model, spend_model, summary, time_unit=..., t=...,
    horizon=..., ...)``, which returns the added columns alone.
    """
    warnings.warn(_moved("score_frame", "value_customers"), DeprecationWarning, stacklevel=2)
    from clvmodels.value.valuation import value_customers

    options = _clv_options(spend_model, horizon, discount_rate, horizon_unit, discount_period)
    valued = value_customers(
        purchase_model, spend_model, summary, time_unit=time_unit, t=t, margin=margin, **options
    )
    out = summary.copy()
    for name in valued.columns:
        out[name] = valued[name].to_numpy()
    return out


def score_spark(
    summary: Any,
    purchase_model: Any,
    spend_model: Any = None,
    *,
    time_unit: str,
    t: float,
    horizon: float | None = None,
    discount_rate: float | None = None,
    horizon_unit: str | None = None,
    discount_period: str | None = None,
    margin: float = 1.0,
) -> Any:
    """Deprecated: :func:`clvmodels.value.valuation.value_spark` (models first)."""
    warnings.warn(_moved("score_spark", "value_spark"), DeprecationWarning, stacklevel=2)
    from clvmodels.value.valuation import value_spark

    options = _clv_options(spend_model, horizon, discount_rate, horizon_unit, discount_period)
    return value_spark(
        purchase_model, spend_model, summary, time_unit=time_unit, t=t, margin=margin, **options
    )
