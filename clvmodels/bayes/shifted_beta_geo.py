"""Moved to :mod:`clvmodels.models.shifted_beta_geo.bayes`; the old import path keeps working."""

from clvmodels.models.shifted_beta_geo.bayes import BayesianShiftedBetaGeoModel

__all__ = ["BayesianShiftedBetaGeoModel"]
