"""Moved to :mod:`clvmodels.estimation.mle` and :mod:`clvmodels.estimation.rows`.

The old import path keeps working for the names it offered.
"""

from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rows import SufficientStatistics, compress

__all__ = ["MaximumLikelihoodModel", "SufficientStatistics", "compress"]
