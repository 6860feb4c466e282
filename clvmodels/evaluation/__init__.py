"""Evaluation: backtests of holdout predictions, metrics and model-comparison tables."""

from clvmodels.evaluation import metrics, tracking
from clvmodels.evaluation.backtest import BacktestResult, backtest, default_models
from clvmodels.evaluation.baselines import LastPeriodBaseline, RetentionBaseline, RunRateBaseline

__all__ = [
    "BacktestResult",
    "LastPeriodBaseline",
    "RetentionBaseline",
    "RunRateBaseline",
    "backtest",
    "default_models",
    "metrics",
    "tracking",
]
