"""What a report shows: the tables and numbers a run produced, gathered in one object.

The command fills a :class:`ReportContent` from the library's results; the report
only lays them out (:func:`clvmodels.report.render_report`), it computes nothing new.
A field left ``None`` (no spend column, no cohorts, no backtest yet) drops its section
and the page says why in ``notes``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from clvmodels.report.words import backtest_verdict

__all__ = ["FittedModel", "ReportContent", "RetentionContent", "drop_repeated_baselines"]


@dataclass(frozen=True)
class FittedModel:
    """One fitted model as the report shows it.

    Attributes
    ----------
    name
        What to call it, e.g. ``"BG/NBD"``.
    table
        One row per parameter: ``estimate``, ``std_error`` and interval bounds (a
        model's ``summary()``), or a posterior summary.
    words
        Sentences saying what the parameters mean.
    fit
        Fit facts: log-likelihood, customers, distinct rows, time unit.
    """

    name: str
    table: pd.DataFrame
    words: list[str]
    fit: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RetentionContent:
    """Contractual cohorts: sBG fits, projections and lifetime values.

    Attributes
    ----------
    models
        One :class:`FittedModel` per cohort.
    curves
        Cohort name -> frame indexed by period with ``observed`` and ``expected``
        customers alive (``ShiftedBetaGeoModel.project``).
    lifetimes
        One row per cohort: DEL, DERL, the sBG value and the retention-rate formula
        (``compare_contractual`` and the model's DEL/DERL).
    period
        The cohorts' period, e.g. ``"year"``.
    discount_rate
        Per period.
    """

    models: list[FittedModel]
    curves: dict[str, pd.DataFrame]
    lifetimes: pd.DataFrame
    period: str
    discount_rate: float


@dataclass
class ReportContent:
    """Everything the HTML report lays out.

    Attributes
    ----------
    title, source
        The page title and where the data came from.
    settings
        The run's settings as label -> text (columns, units, dates, horizon, discount).
    overview
        Data overview as label -> text (customers, transactions, period, repeat buyers).
    models
        The fitted purchase and spend models.
    scores
        Per customer: ``frequency``, ``recency``, ``T``, ``p_alive``,
        ``expected_purchases`` and, with spend, ``expected_spend`` and ``clv``.
    horizon
        The prediction horizon in words, e.g. ``"12 months"``.
    time_unit
        The unit of recency and T in words, e.g. ``"weeks"``.
    comparison
        Customer equity by valuation method (``CLVComparison.aggregate``), or ``None``.
    churn_per_period
        The churn rate fed to the textbook formulas (with ``comparison``).
    backtest
        Table name -> table of the backtest (metrics per model, holdout totals).
    backtest_result
        The :class:`~clvmodels.evaluation.BacktestResult` the tables come from, for the
        tracking and calibration plots of :mod:`clvmodels.plotting`, or ``None``.
    retention
        Contractual cohorts, or ``None``.
    bayes
        Table name -> posterior summary table when a Bayesian fit was requested.
    notes
        Sentences about what was left out and why.
    warnings
        The run's warnings in words: model name (or ``"backtest"``, or ``""`` for the
        run as a whole) -> sentences, shown next to that model.
    currency
        The amounts' currency, named in the money columns, or ``None``.
    backtest_notes
        Sentences on the backtest tables (e.g. a baseline left out as a repeat).
    backtest_without_covariates
        With covariates, the backtest's name of the same model without them (the
        verdict compares the two), else ``None``.
    """

    title: str
    source: str
    settings: dict[str, str]
    overview: dict[str, str]
    models: list[FittedModel]
    scores: pd.DataFrame
    horizon: str
    time_unit: str
    comparison: pd.DataFrame | None = None
    churn_per_period: float | None = None
    backtest: dict[str, pd.DataFrame] = field(default_factory=dict)
    backtest_result: Any = None
    retention: RetentionContent | None = None
    bayes: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    currency: str | None = None
    backtest_notes: list[str] = field(default_factory=list)
    backtest_without_covariates: str | None = None

    def verdict(self) -> str | None:
        """The backtest's one-sentence verdict (:func:`.words.backtest_verdict`)."""
        return backtest_verdict(
            self.backtest, self.holdout_period, self.backtest_without_covariates
        )

    @property
    def holdout_period(self) -> str | None:
        """The backtest's holdout period, e.g. ``"1997-10-01 to 1998-06-30"``."""
        result = self.backtest_result
        if result is None or len(result.summaries) != 1:
            return None
        attrs = next(iter(result.summaries.values())).attrs
        if "calibration_period_end" not in attrs or "observation_period_end" not in attrs:
            return None
        start = pd.Timestamp(attrs["calibration_period_end"]) + pd.Timedelta(days=1)
        return f"{start.date()} to {pd.Timestamp(attrs['observation_period_end']).date()}"


def drop_repeated_baselines(content: ReportContent) -> dict[str, tuple[str, str]]:
    """Leave out of the backtest a baseline whose forecasts repeat another's, with a note.

    Identical rows tell a reader nothing and one plot line would hide the other
    (:func:`clvmodels.evaluation.baselines.same_forecasts`). The CSV of the results
    (``per_customer``) is not written by the report, so nothing is lost.

    Returns
    -------
    dict
        Left-out baseline -> (the one it repeats, why).
    """
    result = content.backtest_result
    if result is None:
        return {}
    from clvmodels.evaluation.baselines import same_forecasts

    repeats = same_forecasts(result)
    if not repeats:
        return {}

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        if "model" in frame.columns:
            return frame[~frame["model"].isin(list(repeats))]
        return frame.drop(index=[n for n in repeats if n in frame.index])

    content.backtest = {name: kept(table) for name, table in content.backtest.items()}
    content.backtest_result = dataclasses.replace(
        result,
        per_customer=kept(result.per_customer),
        metrics=kept(result.metrics),
        aggregate=kept(result.aggregate),
        tracking=kept(result.tracking),
    )
    for name, (original, why) in repeats.items():
        content.backtest_notes.append(
            f'"{name}" is left out: its forecasts are those of "{original}" for every customer '
            f"({why})."
        )
    return repeats
