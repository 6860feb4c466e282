"""clvmodels: customer-lifetime-value models from a transaction log to discounted value.

The public API is re-exported here; see ``docs/architecture.md`` for the flow
transactions -> summary -> model -> predictions -> CLV -> evaluation.
"""

from clvmodels import simulate
from clvmodels._version import __version__
from clvmodels.data import (
    calibration_holdout_split,
    datasets,
    rfm_sufficient_statistics,
    rfm_summary,
    with_time_unit,
)
from clvmodels.evaluation import backtest, compare_models
from clvmodels.exceptions import (
    ConvergenceError,
    ConvergenceWarning,
    DataValidationError,
    ModelFileError,
    NumericalPrecisionError,
    UnitMismatchError,
)
from clvmodels.models import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    GammaGompertzNBDModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from clvmodels.value import (
    CLVComparison,
    compare_clv,
    compare_contractual,
    customer_equity_summary,
    customer_lifetime_value,
    deterministic,
    expected_residual_value,
)

__all__ = [
    "BayesianBetaGeoBetaBinomModel",
    "BayesianBetaGeoModel",
    "BayesianGammaGammaModel",
    "BayesianModifiedBetaGeoModel",
    "BayesianParetoNBDModel",
    "BayesianShiftedBetaGeoModel",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "CLVComparison",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataValidationError",
    "GammaGammaModel",
    "GammaGompertzNBDModel",
    "NumericalPrecisionError",
    "ParetoNBDModel",
    "ModelFileError",
    "ModifiedBetaGeoModel",
    "ShiftedBetaGeoModel",
    "UnitMismatchError",
    "__version__",
    "backtest",
    "calibration_holdout_split",
    "compare_clv",
    "compare_contractual",
    "compare_models",
    "customer_equity_summary",
    "customer_lifetime_value",
    "datasets",
    "deterministic",
    "expected_residual_value",
    "rfm_sufficient_statistics",
    "rfm_summary",
    "simulate",
    "with_time_unit",
]

#: The Bayesian models, imported on first use: PyMC takes seconds to import.
_BAYESIAN = (
    "BayesianBetaGeoBetaBinomModel",
    "BayesianBetaGeoModel",
    "BayesianGammaGammaModel",
    "BayesianModifiedBetaGeoModel",
    "BayesianParetoNBDModel",
    "BayesianShiftedBetaGeoModel",
)


def __getattr__(name: str):
    """Import the Bayesian models (``clv.BayesianBetaGeoModel`` ...) on first access."""
    if name in _BAYESIAN:
        from clvmodels import bayes

        return getattr(bayes, name)
    raise AttributeError(f"module 'clvmodels' has no attribute {name!r}")
