"""The command's backtest: the run's model, with and without covariates, on a holdout period.

``clvmodels fit --holdout-start DAY`` fits every candidate on the days before ``DAY`` and
compares its predictions with what happened from ``DAY`` on (:func:`clvmodels.backtest`):
the chosen model (with the run's penalty and covariates), the same model without
covariates when it has them, and the textbook baselines.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd

import clvmodels as clv
from clvmodels.cli.covariates import CovariateInput, model_keywords
from clvmodels.cli.options import in_option_words
from clvmodels.estimation.params import clone

__all__ = ["TimeVaryingCandidate", "backtest_candidates", "run_backtest", "without_covariates"]

#: A step runner, as in :mod:`clvmodels.cli.pipeline`.
Steps = Callable[[str], AbstractContextManager]


class TimeVaryingCandidate:
    """A backtest candidate: a time-varying covariate model bound to its frame and log.

    ``fit(summary)`` is ``model.fit(summary, dynamic_covariates=frame, transactions=log,
    datetime_col=...)`` (the data layer reads the log up to the summary's end, and the
    frame's periods from each customer's first purchase); the predictions are the fitted
    model's, which read the frame through the horizon. Copies (the backtest's ``clone``)
    share the frame and the log, which are only read.
    """

    #: The backtest's tracking leaves out the calibration part of a covariate model.
    has_covariates = True

    def __init__(
        self, model: Any, frame: pd.DataFrame, log: pd.DataFrame, datetime_col: str
    ) -> None:
        self.model, self.frame, self.log, self.datetime_col = model, frame, log, datetime_col

    def __deepcopy__(self, memo: dict) -> TimeVaryingCandidate:
        return type(self)(clone(self.model), self.frame, self.log, self.datetime_col)

    @property
    def time_unit_(self) -> Any:
        """The fitted model's time unit (the valuation step checks it)."""
        return self.model.time_unit_

    def fit(self, summary: pd.DataFrame) -> TimeVaryingCandidate:
        """Fit the model with the bound covariates and log; returns ``self``."""
        self.model.fit(
            summary,
            dynamic_covariates=self.frame,
            transactions=self.log,
            datetime_col=self.datetime_col,
        )
        return self

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """The fitted model's P(alive) per customer."""
        return self.model.probability_alive(summary)

    def conditional_expected_purchases(self, t: Any, summary: pd.DataFrame) -> Any:
        """The fitted model's expected purchases in the next ``t`` time units."""
        return self.model.conditional_expected_purchases(t, summary)


def backtest_candidates(
    settings: Any, model_class: type, label: str, dynamic: Any = None
) -> tuple[dict[str, Any], str]:
    """The backtest's candidates, the chosen model first, and the chosen one's name.

    The chosen model has the run's penalty and covariates; with covariates, the same model
    without them follows it; then the textbook baselines of ``default_models``. ``dynamic``
    (the time-varying frame and the log in memory) makes the chosen model a
    :class:`TimeVaryingCandidate`.
    """
    keywords = model_keywords(settings)
    chosen = f"{label}{' with covariates' if keywords else ''} + Gamma-Gamma"
    plain = f"{label} + Gamma-Gamma"

    def pair(**extra: Any) -> tuple[Any, Any]:
        penalty = settings.penalizer  # the same penalty as the full fit
        return model_class(penalizer_coef=penalty, **extra), clv.GammaGammaModel(penalty)

    models = {chosen: pair(**keywords)}
    if dynamic is not None:
        frame, log = dynamic
        model, spend = models[chosen]
        models[chosen] = (TimeVaryingCandidate(model, frame, log, settings.date_col), spend)
    if keywords:
        models[plain] = pair()
    defaults = clv.evaluation.default_models()
    if settings.model == "bgnbd":
        defaults.pop("BG/NBD + Gamma-Gamma")
    return {**models, **defaults}, chosen


def run_backtest(
    transactions: pd.DataFrame,
    settings: Any,
    model_class: type,
    label: str,
    steps: Steps,
    covariates: CovariateInput | None = None,
    dynamic_covariates: pd.DataFrame | None = None,
) -> tuple[Any, dict[str, pd.DataFrame], dict[str, Any]]:
    """``clv.backtest`` of the model (and the textbook baselines) on the holdout period.

    With covariates, the model without them is a candidate too, and each calibration
    customer's static covariates come from the covariate file; ``dynamic_covariates`` (the
    time-varying file's rows) fit the chosen model on the calibration period and predict
    the holdout with them.

    Returns
    -------
    result, tables, numbers
        The :class:`~clvmodels.evaluation.BacktestResult`, its tables for the report
        (metrics per model, totals) and the chosen model's key numbers.
    """
    calibration_end = pd.Timestamp(settings.holdout_start) - pd.Timedelta(days=1)
    dynamic = None if dynamic_covariates is None else (dynamic_covariates, transactions)
    models, chosen = backtest_candidates(settings, model_class, label, dynamic)
    static = None if covariates is None else covariates.static
    with steps("Backtest on the holdout period, against the textbook formulas"):
        try:
            result = clv.backtest(
                transactions,
                settings.customer_col,
                settings.date_col,
                calibration_period_end=calibration_end,
                observation_period_end=settings.observation_end,
                models=models,
                monetary_value_col=settings.amount_col,
                freq=settings.freq,
                time_unit=settings.time_unit,
                datetime_format=settings.date_format,
                covariates=static,
            )
        except ValueError as error:  # say which option: the calibration ends the day before
            message = in_option_words(str(error))
            raise type(error)(f"--holdout-start {settings.holdout_start}: {message}") from error
    (label,) = result.summaries
    targets = ("purchases", "value") if settings.amount_col else ("purchases",)
    tables = {
        f"{target} metrics": result.metrics_table(target).loc[label].drop(columns="n_customers")
        for target in targets
    }
    totals = result.aggregate.set_index("model").drop(columns="calibration_period_end")
    tables["holdout totals"] = totals.dropna(axis="columns", how="all")
    purchases = tables["purchases metrics"].loc[chosen]
    numbers = {
        "calibration end": str(calibration_end.date()),
        "calibration customers": len(result.summaries[label]),
        "predicted holdout purchases": float(purchases["predicted_total"]),
        "actual holdout purchases": float(purchases["actual_total"]),
        "mean absolute error per customer": float(purchases["mae"]),
        "correlation predicted/actual": float(purchases["correlation"]),
    }
    return result, tables, numbers


def without_covariates(backtest: dict, settings: Any, label: str) -> str | None:
    """The backtest's name of the chosen model without covariates (None: no covariates)."""
    if not backtest or not model_keywords(settings):
        return None
    return f"{label} + Gamma-Gamma"
