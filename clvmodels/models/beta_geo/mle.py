"""The BG/NBD fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

import numpy as np

from clvmodels.estimation.dynamic_covariates import DynamicCovariates
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.models.beta_geo import counts, dynamic
from clvmodels.models.beta_geo import math as formulas
from clvmodels.models.beta_geo.gradient import (
    covariate_terms,
    log_likelihood_gradient,
    weighted_sums,
)
from clvmodels.models.beta_geo.spec import SPEC

__all__ = ["BetaGeoModel"]


class BetaGeoModel(DynamicCovariates, StaticCovariates, RFMPredictions, MaximumLikelihoodModel):
    r"""BG/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` added to the mean negative
        log-likelihood per customer, with ``alpha`` in the summary's own time unit (0 = plain
        MLE). ``lifetimes`` writes the same penalty but first rescales time by ``1 / max(T)``,
        so its ``alpha`` is far smaller and the same coefficient shrinks it far less; the two
        coefficients are not interchangeable.
    purchase_covariates, dropout_covariates
        Static covariate columns of the summary (one value per customer; categorical
        columns become dummies against their first level in sorted order, see
        :mod:`clvmodels.data.covariates`). As in CLVTools (Bachmann, Meierer & Naef 2021;
        CLVTools' ``bgnbd`` documentation), customer i has
        :math:`\alpha_i = \alpha e^{-\gamma_P' z_i}` (a coefficient of 0.3 multiplies the
        mean purchase rate by e^0.3) and :math:`a_i = a e^{\gamma_D' z_i}`,
        :math:`b_i = b e^{\gamma_D' z_i}` (the dropout probability's mean a / (a + b) is
        kept, its spread shrinks as gamma_D' z grows). The coefficients are ``params_``
        entries ``purchase:NAME`` and ``dropout:NAME``; predictions read the covariate
        columns of the summary they are given.
    covariate_penalty
        L2 penalty on the coefficients, one number or ``{"purchase": 0.1, "dropout": 0.0}``
        (``lambda * sum(gamma**2)`` added to the mean negative log-likelihood per customer;
        ``log_likelihood_`` excludes it).
    equal_effects
        Covariates whose effect is the same in both processes: one coefficient
        ``both:NAME`` (CLVTools' ``names.cov.constr``).

    Notes
    -----
    ``fit(summary, dynamic_covariates=frame, transactions=log)`` fits time-varying
    covariates instead: the purchase rate :math:`\lambda e^{\gamma_P' x_t}` and, after
    each repeat purchase, dropout with probability :math:`1 - (1-p)^{e^{\gamma_D' x_t}}`
    (:mod:`clvmodels.models.beta_geo.dynamic`, where the form is derived); the covariate
    lists name columns of the long frame. Its predictions are P(alive) so far.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``; ``alpha`` is in the summary's time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate (comparable with the papers).
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters (inverse observed information).

    Examples
    --------
    >>> import clvmodels as clv
    >>> bg = clv.BetaGeoModel().fit(clv.datasets.load_cdnow_summary())
    >>> round(bg.params_["r"], 3)
    0.243

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
    the easy way. *Marketing Science*, 24(2), 275-284.
    """

    spec = SPEC
    functions = PurchaseFunctions.of(formulas, counts)

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(formulas.customer_parameters)
    covariate_log_shifts = formulas.CUSTOMER_LOG_SHIFTS
    dynamic = dynamic
    purchases_needed_by = ("purchase", "dropout")
    predictions_need_purchases = True
    dynamic_effects = {"purchase": "rate", "dropout": "power"}

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        if self.has_covariates:  # static or time-varying: the mixins' sums
            return super()._weighted_loglik_grad(params, arrays, weights)
        own = (
            type(self)._loglik_grad is not StaticCovariates._loglik_grad
            or type(self).plain_loglik_grad is not log_likelihood_gradient
        )
        if own:  # a subclass's own likelihood
            return super()._weighted_loglik_grad(params, arrays, weights)
        return weighted_sums(params, arrays, weights)
