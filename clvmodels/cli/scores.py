"""The command's scores: per-customer predictions and money, with the CLV's interval.

:func:`score_summary` serves ``clvmodels fit`` and ``clvmodels score`` alike: the
valuation step (:func:`clvmodels.value.valuation.value_customers`), the 90 % interval of
each customer's CLV and of the base total from the estimates' uncertainty
(:func:`clvmodels.customer_lifetime_value` with ``interval=``), and the comparison with
the textbook formulas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import clvmodels as clv
from clvmodels.value.valuation import value_customers

__all__ = ["CLV_INTERVAL", "score_summary"]


def score_summary(
    summary: pd.DataFrame, purchase_model: Any, spend_model: Any, settings: Any
) -> tuple[pd.DataFrame, Any]:
    """Per-customer scores, and the CLV comparison when there is a spend model.

    Returns
    -------
    scores, comparison
        ``frequency``, ``recency``, ``T``, ``p_alive``, ``expected_purchases`` (over
        the horizon) and, with a spend model, ``monetary_value``, ``expected_spend``
        and ``clv``; the :class:`~clvmodels.CLVComparison` or ``None``.
    """
    columns = ["frequency", "recency", "T"]
    if spend_model is not None:
        columns.append("monetary_value")
    scores = summary[columns].copy()
    valued = value_customers(
        purchase_model,
        spend_model,
        summary,
        time_unit=settings.time_unit,
        horizon=settings.horizon,
        horizon_unit=settings.horizon_unit,
        discount_rate=settings.discount_rate,
        discount_period="Y",
    )
    for name in valued.columns:
        scores[name] = valued[name]
    comparison = None
    if spend_model is not None:
        scores = _with_clv_interval(scores, summary, purchase_model, spend_model, settings)
        comparison = clv.compare_clv(
            purchase_model,
            spend_model,
            summary,
            horizon=settings.horizon,
            discount_rate=settings.discount_rate,
            horizon_unit=settings.horizon_unit,
            discount_period="Y",
        )
    return scores, comparison


#: Probability of the CLV intervals of the scores and the report.
CLV_INTERVAL = 0.9


def _with_clv_interval(
    scores: pd.DataFrame,
    summary: pd.DataFrame,
    purchase_model: Any,
    spend_model: Any,
    settings: Any,
) -> pd.DataFrame:
    """``clv_lower``/``clv_upper`` (90 %, the estimates' uncertainty) and the base total's.

    The delta method of :func:`clvmodels.customer_lifetime_value`; the base total's
    interval goes to ``scores.attrs["clv_interval"]``. A model without intervals (e.g.
    time-varying covariates) leaves them out with the reason there instead.
    """
    try:
        frame = clv.customer_lifetime_value(
            purchase_model,
            spend_model,
            summary,
            settings.horizon,
            settings.discount_rate,
            time_unit=settings.time_unit,
            horizon_unit=settings.horizon_unit,
            discount_period="Y",
            interval=CLV_INTERVAL,
        )
    except NotImplementedError as error:
        scores.attrs["clv_interval"] = {"missing": str(error)}
        return scores
    lower, upper = frame.columns[1], frame.columns[2]
    scores["clv_lower"], scores["clv_upper"] = frame[lower], frame[upper]
    total = frame.attrs["base_total"]
    scores.attrs["clv_interval"] = {
        "interval": CLV_INTERVAL,
        "method": frame.attrs.get("method", "delta"),
        "total": float(total["mean"]),
        "lower": float(total[lower]),
        "upper": float(total[upper]),
    }
    return scores
