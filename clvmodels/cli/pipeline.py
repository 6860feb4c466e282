"""The command's main job: transaction log -> summary -> models -> scores -> report content.

Every number comes from the library (``rfm_summary``, the estimators,
``compare_clv``, ``compare_contractual``); this module chooses the settings, calls
them in order and gathers their results into a :class:`Run` for the outputs and
:class:`~clvmodels.report.ReportContent` for the report. Optional parts of the
library (``clv.backtest``, the Bayesian and other BTYD models) are used when this
version of clvmodels has them, and the report says so when it does not.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

import clvmodels as clv
from clvmodels.cli.columns import parsed_dates
from clvmodels.cli.covariates import CovariateInput, join_covariates, model_keywords
from clvmodels.cli.dynamic_covariates import dynamic_file_error, time_varying_inputs
from clvmodels.cli.holdout import run_backtest, without_covariates
from clvmodels.cli.options import check_holdout, in_option_words
from clvmodels.cli.scores import score_summary
from clvmodels.data.units import days_per_unit
from clvmodels.exceptions import DataValidationError
from clvmodels.models.registry import MODELS
from clvmodels.report.content import FittedModel, ReportContent, RetentionContent
from clvmodels.report.effects import covariate_words
from clvmodels.report.words import parameter_words

__all__ = [
    "Log",
    "Run",
    "Settings",
    "in_memory",
    "purchase_models",
    "retention_content",
    "run_pipeline",
    "score_summary",
    "summarise",
]

#: ``--model`` choices: the registry's purchase models of a transaction log's summary
#: (frequency, recency, T), in its order; a model added to the registry is offered here.
_LOG_MODELS = {
    key: entry
    for key, entry in MODELS.items()
    if entry.spec.kind == "purchase" and entry.spec.data_columns == ("frequency", "recency", "T")
}
#: ``--model`` choice -> class name in ``clvmodels`` (offered when the class exists).
MODEL_CLASSES = {key: entry.mle.__name__ for key, entry in _LOG_MODELS.items()}
#: ``--model`` choice -> the model's name in the report.
MODEL_NAMES = {key: entry.spec.label for key, entry in _LOG_MODELS.items()}
UNIT_WORDS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year", "h": "hour"}

#: A step runner: ``steps("Fitting BG/NBD")`` is a context manager around the work.
Steps = Callable[[str], AbstractContextManager]


def purchase_models() -> dict[str, type]:
    """``--model`` choices available in this version of clvmodels -> estimator class."""
    return {key: getattr(clv, name) for key, name in MODEL_CLASSES.items() if hasattr(clv, name)}


def unit_word(unit: str) -> str:
    """A time unit in words, singular (``"W"`` -> ``"week"``)."""
    return UNIT_WORDS.get(unit.split("-")[0], unit)


@dataclass(frozen=True)
class Settings:
    """How a log is read, summarised and valued; saved as ``run.json`` for ``score``."""

    customer_col: str
    date_col: str
    amount_col: str | None = None
    freq: str = "D"
    time_unit: str = "W"
    observation_end: str | None = None
    holdout_start: str | None = None
    date_format: str | None = None
    model: str = "bgnbd"
    horizon: float = 12.0
    horizon_unit: str = "M"
    discount_rate: float = 0.10
    bayes: bool = False
    penalizer: float = 0.0
    currency: str | None = None
    covariates: str | None = None
    purchase_covariates: str | None = None
    dropout_covariates: str | None = None
    equal_effects: str | None = None
    covariate_penalty: float | None = None

    def horizon_in_units(self) -> float:
        """The horizon in the summary's time unit (e.g. 12 months = 52.18 weeks)."""
        return self.horizon * days_per_unit(self.horizon_unit) / days_per_unit(self.time_unit)

    def horizon_words(self) -> str:
        """E.g. ``"12 months"``."""
        word = unit_word(self.horizon_unit)
        return f"{self.horizon:g} {word}{'' if self.horizon == 1 else 's'}"

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values."""
        return asdict(self)


@dataclass
class Run:
    """What one run produced: the summary, the fitted models, the scores and the report."""

    settings: Settings
    summary: pd.DataFrame
    purchase_model: Any
    spend_model: Any
    scores: pd.DataFrame
    content: ReportContent
    numbers: dict[str, Any] = field(default_factory=dict)


#: A transaction log: a DataFrame in memory, or a glob of CSV/Parquet files read by DuckDB.
Log = pd.DataFrame | str


def summarise(transactions: Log, settings: Settings, end: str | None) -> pd.DataFrame:
    """The RFM summary of ``transactions`` as of ``end`` with the run's columns and units.

    A glob is summarised inside DuckDB (out of core); only the summary comes back.
    """
    return clv.rfm_summary(
        transactions,
        settings.customer_col,
        settings.date_col,
        monetary_value_col=settings.amount_col,
        observation_period_end=end,
        freq=settings.freq,
        datetime_format=settings.date_format,
        time_unit=settings.time_unit,
    )


def spend_rows(summary: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows Gamma-Gamma can use: drop repeat buyers whose mean spend is 0 (and count them)."""
    free = (summary["frequency"] > 0) & (summary["monetary_value"] <= 0)
    return summary[~free], int(free.sum())


def _fitted(name: str, model: Any, unit: str, likelihood_ratio: Any = None) -> FittedModel:
    table = model.summary()
    fit = {
        "log-likelihood": f"{model.log_likelihood_:,.2f}",
        "customers": f"{model.n_customers_:,}",
        "distinct rows fitted": f"{model.n_unique_rows_:,}",
    }
    words = parameter_words(type(model).__name__, model.params_, unit)
    words += covariate_words(model, likelihood_ratio)
    return FittedModel(name=name, table=table, words=words, fit=fit)


def _fit_purchase_model(
    model_class: type,
    summary: pd.DataFrame,
    settings: Settings,
    steps: Steps,
    name: str,
    dynamic: dict[str, Any] | None = None,
    covariates: CovariateInput | None = None,
) -> tuple[Any, Any]:
    """The purchase model fitted (with the run's covariates), and its likelihood-ratio test.

    ``dynamic`` (:func:`clvmodels.cli.dynamic_covariates.time_varying_inputs`) fits the
    time-varying model; the fitted
    model keeps the frame and the log, so the scores read the covariates through the
    horizon.
    """
    keywords = model_keywords(settings)
    with steps(f"Fitting {name}{' with time-varying covariates' if dynamic else ''}"):
        model = model_class(penalizer_coef=settings.penalizer, **keywords)
        try:
            model = model.fit(summary, **(dynamic or {}))
        except DataValidationError as error:
            if not dynamic:
                raise
            raise dynamic_file_error(covariates, error) from None  # type: ignore[arg-type]
    if not keywords:
        return model, None
    with steps(f"Testing {name}'s covariates against the model without them"):
        test = clv.evaluation.covariate_likelihood_ratio(model, summary)
    return model, test


def in_memory(transactions: Log, settings: Settings) -> pd.DataFrame:
    """The log as a DataFrame with its dates parsed (a glob's columns read by DuckDB)."""
    if isinstance(transactions, pd.DataFrame):
        return parsed_dates(transactions, settings.date_col, settings.date_format)
    from clvmodels.data.engines.reads import read_columns

    columns = [settings.customer_col, settings.date_col, settings.amount_col]
    log = read_columns(transactions, [c for c in columns if c is not None], settings.date_col)
    return parsed_dates(log, settings.date_col, settings.date_format)


def _log_extent(transactions: Log, settings: Settings) -> tuple[int, pd.Timestamp]:
    """Number of transactions and the first date (in UTC) of the log."""
    if isinstance(transactions, pd.DataFrame):
        dates = parsed_dates(transactions, settings.date_col, settings.date_format)[
            settings.date_col
        ]
        n_rows = len(transactions)
    else:
        from clvmodels.data.engines.reads import log_extent

        # One pass inside DuckDB, with the summary's own date rules.
        return log_extent(
            transactions, settings.customer_col, settings.date_col, settings.date_format
        )
    return n_rows, pd.to_datetime(dates, utc=True).min()


def _bayes_tables(summary: pd.DataFrame, settings: Settings, steps: Steps) -> dict:
    """Posterior summaries of the Bayesian BG/NBD (with the run's covariates) and Gamma-Gamma."""
    tables = {}
    # the MLE's covariate keywords; the prior takes the place of the L2 penalty
    keywords = {k: v for k, v in model_keywords(settings).items() if k != "covariate_penalty"}
    with steps("Sampling the Bayesian BG/NBD"):
        tables["BG/NBD"] = clv.BayesianBetaGeoModel(**keywords).fit(summary).summary()
    if settings.amount_col is not None and hasattr(clv, "BayesianGammaGammaModel"):
        with steps("Sampling the Bayesian Gamma-Gamma"):
            rows, _ = spend_rows(summary)
            tables["Gamma-Gamma"] = clv.BayesianGammaGammaModel().fit(rows).summary()
    return tables


def _overview(n_rows: int, first: pd.Timestamp, summary: pd.DataFrame, settings: Settings) -> dict:
    dates = summary.attrs.get("observation_period_end")
    repeat = float((summary["frequency"] > 0).mean())
    overview = {
        "customers": f"{len(summary):,}",
        "transactions": f"{n_rows:,}",
        "period": f"{first.date()} to {pd.Timestamp(dates).date()}",
        "repeat buyers": f"{repeat:.1%} of customers bought again",
        "repeat purchases": f"{int(summary['frequency'].sum()):,} "
        f"(counted once per {unit_word(settings.freq)})",
        "mean T (time since first purchase)": f"{summary['T'].mean():.1f} "
        f"{unit_word(settings.time_unit)}s",
    }
    after = summary.attrs.get("transactions_after_end", 0)
    if after:
        overview["transactions after the end"] = f"{after:,} (left out)"
    return overview


def run_pipeline(
    transactions: Log,
    settings: Settings,
    steps: Steps,
    title: str,
    source: str,
    covariates: CovariateInput | None = None,
) -> Run:
    """Summarise, fit, score and gather the report content for one log.

    ``transactions`` is a DataFrame or a glob of CSV/Parquet files (summarised inside
    DuckDB; the backtest, which needs every transaction, reads the id, date and
    amount columns into memory). ``covariates`` (``--covariates``) are joined to the
    summary, checked, and enter the purchase model as the settings say.
    """
    notes: list[str] = []
    model_class = purchase_models()[settings.model]
    with steps("Summarising the transaction log"):
        try:
            summary = summarise(transactions, settings, settings.observation_end)
        except ValueError as error:
            if settings.observation_end is None or "observation_period_end" not in str(error):
                raise
            raise type(error)(in_option_words(str(error))) from error  # names --observation-end
    if covariates is not None:
        with steps("Joining the covariates to the summary"):
            summary = join_covariates(summary, covariates, settings)
    n_rows, first = _log_extent(transactions, settings)
    if settings.holdout_start is not None:
        end = summary.attrs["observation_period_end"]
        check_holdout(settings.holdout_start, first, end, settings.observation_end is not None)
    unit = unit_word(settings.time_unit)
    name = MODEL_NAMES.get(settings.model, model_class.__name__)
    dynamic: dict[str, Any] = {}
    if covariates is not None and covariates.dynamic is not None:
        with steps("Checking the time-varying covariates through the scoring horizon"):
            keywords = model_keywords(settings)
            used = dict.fromkeys(keywords["purchase_covariates"] + keywords["dropout_covariates"])
            log = in_memory(transactions, settings)
            dynamic = time_varying_inputs(summary, covariates, log, settings, used)
    purchase_model, test = _fit_purchase_model(
        model_class, summary, settings, steps, name, dynamic, covariates
    )
    models = [_fitted(name, purchase_model, unit, test)]
    spend_model = None
    if settings.amount_col is not None:
        with steps("Fitting Gamma-Gamma (spend per purchase)"):
            rows, free = spend_rows(summary)
            spend_model = clv.GammaGammaModel(penalizer_coef=settings.penalizer).fit(rows)
        models.append(_fitted("Gamma-Gamma", spend_model, unit))
        if free:
            notes.append(
                f"{free} repeat buyer(s) whose repeat purchases cost nothing were left out of "
                "the Gamma-Gamma fit."
            )
    else:
        notes.append("No --amount-col: spend, CLV and the textbook comparison are left out.")
    with steps("Scoring customers"):
        scores, comparison = score_summary(summary, purchase_model, spend_model, settings)
    bayes = _bayes_tables(summary, settings, steps) if settings.bayes else {}
    if bayes and model_keywords(settings):
        notes.append(
            "The Bayesian BG/NBD (--bayes) takes the same covariates, with a shrinkage prior "
            "on their effects in place of --covariate-penalty; the Bayesian Gamma-Gamma "
            "takes none."
        )
    backtest_result, backtest, numbers = None, {}, {}
    if settings.holdout_start is not None:
        log = dynamic.get("transactions")
        backtest_result, backtest, numbers = run_backtest(
            in_memory(transactions, settings) if log is None else log,
            settings,
            model_class,
            name,
            steps,
            covariates,
            dynamic.get("dynamic_covariates"),
        )
    else:
        notes.append("No --holdout-start: the backtest on a holdout period is left out.")
    content = ReportContent(
        title=title,
        source=source,
        settings={k: str(v) for k, v in settings.to_dict().items() if v is not None},
        overview=_overview(n_rows, first, summary, settings),
        models=models,
        scores=scores,
        horizon=settings.horizon_words(),
        time_unit=unit,
        comparison=None if comparison is None else comparison.aggregate,
        churn_per_period=None if comparison is None else comparison.churn_per_period,
        backtest=backtest,
        backtest_result=backtest_result,
        backtest_without_covariates=without_covariates(backtest, settings, name),
        bayes=bayes,
        notes=notes,
    )
    numbers = {
        "customers": len(summary),
        "transactions": n_rows,
        "parameters": {m.name: m.table["estimate"].to_dict() for m in models},
        "holdout": numbers or None,
    }
    if test is not None:  # the covariates against the model without them
        numbers["covariate_likelihood_ratio"] = {k: float(v) for k, v in test.items()}
    if "clv" in scores:
        numbers["customer_equity"] = float(scores["clv"].sum())
        numbers["customer_equity_interval"] = scores.attrs.get("clv_interval")
    return Run(settings, summary, purchase_model, spend_model, scores, content, numbers)


def retention_content(
    cohorts: pd.DataFrame, discount_rate: float, steps: Steps
) -> RetentionContent:
    """sBG fits, projections, DEL/DERL and the retention-formula comparison per cohort."""
    period = unit_word(cohorts.attrs.get("time_unit") or "period")
    with steps("Fitting the sBG retention model to each cohort"):
        table = clv.compare_contractual(cohorts, discount_rate=discount_rate)
        models, curves = [], {}
        for name in cohorts.columns:
            counts = cohorts[name].dropna()
            model = clv.ShiftedBetaGeoModel().fit(counts)
            models.append(_fitted(f"sBG, cohort {name}", model, period))
            curves[str(name)] = model.project(counts, n_periods=5)
            n = len(counts) - 1
            table.loc[name, "DEL"] = model.discounted_expected_lifetime(discount_rate)
            table.loc[name, f"DERL after {n} renewals"] = (
                model.discounted_expected_residual_lifetime(discount_rate, n_renewals=n)
            )
    return RetentionContent(
        models=models,
        curves=curves,
        lifetimes=table,
        period=period,
        discount_rate=discount_rate,
    )
