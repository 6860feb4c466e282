"""Moved to :mod:`clvmodels.models.beta_geo.bayes`; the old import path keeps working."""

from clvmodels.models.beta_geo.bayes import BayesianBetaGeoModel

__all__ = ["BayesianBetaGeoModel"]
