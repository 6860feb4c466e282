"""Evaluation: backtests of holdout predictions, metrics and model-comparison tables."""

from clvmodels.evaluation import metrics, tracking
from clvmodels.evaluation.backtest import BacktestResult, backtest, default_models
from clvmodels.evaluation.baselines import LastPeriodBaseline, RetentionBaseline, RunRateBaseline
from clvmodels.evaluation.compare import (
    ModelComparison,
    compare_models,
    covariate_likelihood_ratio,
)
from clvmodels.evaluation.tracking import expected_cumulative_transactions

__all__ = [
    "BacktestResult",
    "LastPeriodBaseline",
    "ModelComparison",
    "RetentionBaseline",
    "RunRateBaseline",
    "backtest",
    "compare_models",
    "covariate_likelihood_ratio",
    "default_models",
    "expected_cumulative_transactions",
    "metrics",
    "tracking",
]
