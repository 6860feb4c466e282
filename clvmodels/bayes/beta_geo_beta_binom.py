"""Moved to :mod:`clvmodels.models.beta_geo_beta_binom.bayes`; the old import path keeps working."""

from clvmodels.models.beta_geo_beta_binom.bayes import BayesianBetaGeoBetaBinomModel
from clvmodels.models.beta_geo_beta_binom.math import opportunity_rows

__all__ = ["BayesianBetaGeoBetaBinomModel", "opportunity_rows"]
