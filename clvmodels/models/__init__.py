"""Maximum-likelihood models: the math as pure functions plus small estimator classes."""

from clvmodels.models import beta_geo, gamma_gamma, shifted_beta_geo
from clvmodels.models.beta_geo import BetaGeoModel
from clvmodels.models.gamma_gamma import GammaGammaModel
from clvmodels.models.shifted_beta_geo import ShiftedBetaGeoModel

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "ShiftedBetaGeoModel",
    "beta_geo",
    "gamma_gamma",
    "shifted_beta_geo",
]
