"""Bayesian versions of the models (PyMC): the same likelihoods and predictions as ``models/``.

Each model samples the log-likelihood that its maximum-likelihood twin optimises and
predicts with the same functions, called with posterior draws.
"""

from clvmodels.bayes.beta_geo_beta_binom import BayesianBetaGeoBetaBinomModel
from clvmodels.bayes.gamma_gamma import BayesianGammaGammaModel
from clvmodels.bayes.shifted_beta_geo import BayesianShiftedBetaGeoModel
from clvmodels.estimation.bayes import BayesianModel, LogNormalPrior, default_nuts_sampler
from clvmodels.models.beta_geo import BayesianBetaGeoModel
from clvmodels.models.modified_beta_geo import BayesianModifiedBetaGeoModel
from clvmodels.models.pareto_nbd import BayesianParetoNBDModel

__all__ = [
    "BayesianBetaGeoBetaBinomModel",
    "BayesianBetaGeoModel",
    "BayesianGammaGammaModel",
    "BayesianModifiedBetaGeoModel",
    "BayesianParetoNBDModel",
    "BayesianShiftedBetaGeoModel",
    "BayesianModel",
    "LogNormalPrior",
    "default_nuts_sampler",
]
