"""Per-customer predictions of a summary that lives in Spark, with models fitted on the driver.

The fit needs only the reduced rows (:mod:`.reduction`), so it runs on the
driver; the predictions need every customer, so they run where the summary
is. Each Spark task receives the fitted models as their plain JSON state
(``to_dict``, broadcast once), rebuilds them with ``from_dict`` and calls
their own prediction methods and :func:`clvmodels.customer_lifetime_value`
on its chunk of customers: no formula is written twice.

The predictions sit on the value layer; this module imports it only when
called (the data layer does not depend on it otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from clvmodels.data.units import with_time_unit

__all__ = ["SCORE_COLUMNS", "score_frame", "score_spark"]

#: Columns added by the scoring, in order (the last two need a spend model).
SCORE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


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
    """A summary with P(alive), expected purchases, expected spend and CLV added.

    Parameters
    ----------
    summary
        One row per customer with ``frequency``, ``recency``, ``T`` (and
        ``monetary_value`` for the spend model), times in ``time_unit``.
    purchase_model
        A fitted purchase model (e.g. :class:`clvmodels.BetaGeoModel`).
    spend_model
        A fitted spend model (e.g. :class:`clvmodels.GammaGammaModel`); without
        it, ``expected_spend`` and ``clv`` are not added.
    time_unit
        The unit of the summary's times (stated again: a Spark summary has no
        ``attrs``); checked against the models' unit.
    t
        Horizon of ``expected_purchases``, in ``time_unit``.
    horizon, discount_rate, horizon_unit, discount_period, margin
        As in :func:`clvmodels.customer_lifetime_value`; required with a spend
        model.

    Returns
    -------
    pandas.DataFrame
        ``summary`` with the columns of :data:`SCORE_COLUMNS` added.
    """
    from clvmodels.value.probabilistic import customer_lifetime_value

    frame = with_time_unit(summary, time_unit)
    out = summary.copy()
    out["p_alive"] = purchase_model.probability_alive(frame).to_numpy()
    out["expected_purchases"] = purchase_model.conditional_expected_purchases(t, frame).to_numpy()
    if spend_model is not None:
        if horizon is None or discount_rate is None or horizon_unit is None or not discount_period:
            raise ValueError(
                "with a spend model the CLV needs horizon, discount_rate, horizon_unit and "
                "discount_period, e.g. horizon=12, discount_rate=0.1, horizon_unit='M', "
                "discount_period='Y'"
            )
        out["expected_spend"] = spend_model.expected_spend(frame).to_numpy()
        out["clv"] = customer_lifetime_value(
            purchase_model,
            spend_model,
            frame,
            horizon,
            discount_rate,
            margin,
            horizon_unit=horizon_unit,
            discount_period=discount_period,
        ).to_numpy()
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
    """:func:`score_frame` on a Spark DataFrame, chunk by chunk (``mapInPandas``).

    Parameters
    ----------
    summary
        A Spark DataFrame of customers, e.g. from :func:`clvmodels.rfm_summary`
        on a Spark log.
    purchase_model, spend_model, time_unit, t, horizon, discount_rate, horizon_unit, \
discount_period, margin
        As in :func:`score_frame`. The models are sent to the tasks as their
        JSON state (``to_dict``), broadcast once.

    Returns
    -------
    pyspark.sql.DataFrame
        ``summary`` with the double columns of :data:`SCORE_COLUMNS` added
        (lazy: nothing runs until an action).

    Examples
    --------
    The Spark flow (not run here: it needs a Spark session)::

        summary = clv.rfm_summary(spark_log, "customer_id", "date", "spend",
                                  freq="D", time_unit="W")
        stats = clv.data.rfm_sufficient_statistics(spark_log, "customer_id", "date",
                                                   freq="D", time_unit="W")
        bg = clv.BetaGeoModel().fit(stats, weights=stats["n_customers"])
        gg = clv.GammaGammaModel().fit(summary.filter("frequency > 0").toPandas())
        scored = score_spark(summary, bg, gg, time_unit="W", t=52, horizon=12,
                             discount_rate=0.1, horizon_unit="M", discount_period="Y")
    """
    from pyspark.sql.types import DoubleType, StructField, StructType

    models = {"purchase": (type(purchase_model), purchase_model.to_dict())}
    if spend_model is not None:
        models["spend"] = (type(spend_model), spend_model.to_dict())
    shared = summary.sparkSession.sparkContext.broadcast(
        {name: state for name, (_, state) in models.items()}
    )
    classes = {name: cls for name, (cls, _) in models.items()}
    options = {
        "time_unit": time_unit,
        "t": t,
        "horizon": horizon,
        "discount_rate": discount_rate,
        "horizon_unit": horizon_unit,
        "discount_period": discount_period,
        "margin": margin,
    }
    added = SCORE_COLUMNS if spend_model is not None else SCORE_COLUMNS[:2]
    schema = StructType(
        list(summary.schema.fields) + [StructField(name, DoubleType(), False) for name in added]
    )

    def score_chunks(chunks: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        states = shared.value
        fitted = {name: classes[name].from_dict(state) for name, state in states.items()}
        for chunk in chunks:
            if chunk.empty:
                yield chunk.assign(**{name: pd.Series(dtype="float64") for name in added})
                continue
            yield score_frame(chunk, fitted["purchase"], fitted.get("spend"), **options)

    return summary.mapInPandas(score_chunks, schema)
