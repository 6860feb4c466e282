"""The BG/NBD fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

import numpy as np

from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.models.beta_geo import math as formulas
from clvmodels.models.beta_geo.gradient import log_likelihood_gradient, weighted_sums
from clvmodels.models.beta_geo.spec import SPEC

__all__ = ["BetaGeoModel"]


class BetaGeoModel(RFMPredictions, MaximumLikelihoodModel):
    """BG/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` added to the mean negative
        log-likelihood per customer, with ``alpha`` in the summary's own time unit (0 = plain
        MLE). ``lifetimes`` writes the same penalty but first rescales time by ``1 / max(T)``,
        so its ``alpha`` is far smaller and the same coefficient shrinks it far less; the two
        coefficients are not interchangeable.

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
    functions = PurchaseFunctions.of(formulas)

    _loglik_grad = staticmethod(log_likelihood_gradient)

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        if type(self)._loglik_grad is not log_likelihood_gradient:  # a subclass's own
            return super()._weighted_loglik_grad(params, arrays, weights)
        return weighted_sums(params, arrays, weights)
