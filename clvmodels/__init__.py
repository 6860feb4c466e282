"""clvmodels: customer-lifetime-value models from a transaction log to discounted value.

The public API is re-exported here; see ``DESIGN.md`` for the flow
transactions -> summary -> model -> predictions -> CLV -> evaluation.
"""

from clvmodels import simulate
from clvmodels._version import __version__
from clvmodels.data import calibration_holdout_split, datasets, rfm_summary
from clvmodels.exceptions import (
    ConvergenceError,
    ConvergenceWarning,
    DataValidationError,
    UnitMismatchError,
)
from clvmodels.models import BetaGeoModel, GammaGammaModel
from clvmodels.value import deterministic

__all__ = [
    "BetaGeoModel",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataValidationError",
    "GammaGammaModel",
    "UnitMismatchError",
    "__version__",
    "calibration_holdout_split",
    "datasets",
    "deterministic",
    "rfm_summary",
    "simulate",
]
