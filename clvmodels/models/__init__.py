"""Maximum-likelihood models: the math as pure functions plus small estimator classes."""

from clvmodels.models import (
    beta_geo,
    beta_geo_beta_binom,
    gamma_gamma,
    gamma_gompertz_nbd,
    modified_beta_geo,
    pareto_nbd,
    shifted_beta_geo,
)
from clvmodels.models.beta_geo import BetaGeoModel
from clvmodels.models.beta_geo_beta_binom import BetaGeoBetaBinomModel
from clvmodels.models.gamma_gamma import GammaGammaModel
from clvmodels.models.gamma_gompertz_nbd import GammaGompertzNBDModel
from clvmodels.models.modified_beta_geo import ModifiedBetaGeoModel
from clvmodels.models.pareto_nbd import ParetoNBDModel
from clvmodels.models.shifted_beta_geo import ShiftedBetaGeoModel

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "GammaGammaModel",
    "GammaGompertzNBDModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
    "beta_geo",
    "beta_geo_beta_binom",
    "gamma_gamma",
    "gamma_gompertz_nbd",
    "modified_beta_geo",
    "pareto_nbd",
    "shifted_beta_geo",
]
