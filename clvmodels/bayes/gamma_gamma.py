"""Moved to :mod:`clvmodels.models.gamma_gamma.bayes`; the old import path keeps working."""

from clvmodels.models.gamma_gamma.bayes import BayesianGammaGammaModel

__all__ = ["BayesianGammaGammaModel"]
