"""Moved to :mod:`clvmodels.models.modified_beta_geo.bayes`; the old import path keeps working."""

from clvmodels.models.modified_beta_geo.bayes import BayesianModifiedBetaGeoModel

__all__ = ["BayesianModifiedBetaGeoModel"]
