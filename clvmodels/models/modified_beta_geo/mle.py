"""The MBG/NBD fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.models.modified_beta_geo import counts
from clvmodels.models.modified_beta_geo import math as formulas
from clvmodels.models.modified_beta_geo.gradient import covariate_terms, log_likelihood_gradient
from clvmodels.models.modified_beta_geo.spec import SPEC

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(StaticCovariates, RFMPredictions, MaximumLikelihoodModel):
    r"""MBG/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Use it instead of the BG/NBD when many customers never come back after their first
    purchase: the BG/NBD must call all of them alive.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` added to the mean
        negative log-likelihood per customer, ``alpha`` in the summary's time unit.
    purchase_covariates, dropout_covariates
        Static covariate columns of the summary (one value per customer; categorical
        columns become dummies against their first level in sorted order, see
        :mod:`clvmodels.data.covariates`). Parametrised as the BG/NBD's in CLVTools
        (Bachmann, Meierer & Naef 2021; CLVTools' ``bgnbd`` documentation), the MBG/NBD
        sharing its parameters' meaning: customer i has
        :math:`\alpha_i = \alpha e^{-\gamma_P' z_i}` (a coefficient of 0.3 multiplies the
        mean purchase rate r / alpha_i by e^0.3) and :math:`a_i = a e^{\gamma_D' z_i}`,
        :math:`b_i = b e^{\gamma_D' z_i}` (the mean dropout probability a / (a + b) is
        kept, its spread shrinks as gamma_D' z grows). CLVTools has no MBG/NBD, so
        carrying the BG/NBD's parametrisation over is clvmodels' choice. The coefficients
        are ``params_`` entries ``purchase:NAME`` and ``dropout:NAME``; predictions read
        the covariate columns of the summary they are given.
    covariate_penalty, equal_effects
        As for :class:`~clvmodels.BetaGeoModel`: an L2 penalty on the coefficients per
        process (not in ``log_likelihood_``), and covariates with one coefficient
        ``both:NAME`` in both processes.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``; ``alpha`` is in the summary's time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate.
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters.

    Notes
    -----
    ``expected_purchases(t, covariates=frame)`` and ``probability_of_purchases(t, n,
    covariates=frame)`` describe customers acquired now with the covariates of each row
    of ``frame`` (one value per row; without ``frame``, the reference customer). Unlike
    the BG/NBD's, an MBG/NBD customer may drop out at her first purchase, so a new
    customer is alive with probability b_i / (a_i + b_i): ``probability_alive`` of the
    history (x, t_x, T) = (0, 0, 0).

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
    functions = PurchaseFunctions.of(formulas, counts)

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(formulas.customer_parameters)
    covariate_log_shifts = formulas.CUSTOMER_LOG_SHIFTS  # the BG/NBD's parametrisation
