"""The MBG/NBD fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.models.modified_beta_geo import math as formulas
from clvmodels.models.modified_beta_geo.gradient import log_likelihood_gradient
from clvmodels.models.modified_beta_geo.spec import SPEC

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(RFMPredictions, MaximumLikelihoodModel):
    """MBG/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Use it instead of the BG/NBD when many customers never come back after their first
    purchase: the BG/NBD must call all of them alive.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` added to the mean
        negative log-likelihood per customer, ``alpha`` in the summary's time unit.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``; ``alpha`` is in the summary's time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate.
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters.

    Examples
    --------
    >>> import clvmodels as clv
    >>> mbg = clv.ModifiedBetaGeoModel().fit(clv.datasets.load_cdnow_summary())
    >>> round(mbg.params_["r"], 3), round(mbg.params_["b"], 3)
    (0.525, 1.614)

    References
    ----------
    Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison
    of models for customer base analysis. *International Journal of Research in Marketing*,
    24(3), 201-209.
    """

    spec = SPEC
    functions = PurchaseFunctions.of(formulas)

    _loglik_grad = staticmethod(log_likelihood_gradient)
