"""Moved to :mod:`clvmodels.models.pareto_nbd.bayes`; the old import path keeps working."""

from clvmodels.estimation.rows import RFM_COLUMNS, mean_age, rfm_rows
from clvmodels.models.pareto_nbd.bayes import BayesianParetoNBDModel

__all__ = ["RFM_COLUMNS", "BayesianParetoNBDModel", "mean_age", "rfm_rows"]
