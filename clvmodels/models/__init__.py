"""Maximum-likelihood models: the math as pure functions plus small estimator classes."""

from clvmodels.models import beta_geo, gamma_gamma
from clvmodels.models.beta_geo import BetaGeoModel
from clvmodels.models.gamma_gamma import GammaGammaModel

__all__ = ["BetaGeoModel", "GammaGammaModel", "beta_geo", "gamma_gamma"]
