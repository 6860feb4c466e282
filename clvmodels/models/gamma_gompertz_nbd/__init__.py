r"""Gamma-Gompertz/NBD: Poisson purchases while alive, Gamma/Gompertz lifetimes.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); her
lifetime has a Gompertz hazard :math:`b\eta e^{b\tau}` with eta ~ Gamma(s, beta)
(Bemmaor & Glady 2012; CLVTools' ``ggomnbd``). The likelihood depends on a customer only
through (x, t_x, T).

One folder, one home: :mod:`.math` (likelihood and predictions), :mod:`.quadrature` (the
rules of the lifetime integrals), :mod:`._kernel` (the compiled loops), :mod:`.gradient`
(value and gradient for both maximum-likelihood fits), :mod:`.mle`
(:class:`GammaGompertzNBDModel`) and :mod:`.spec`. There is no Bayesian estimator yet.

References
----------
Bemmaor, A. C. & Glady, N. (2012). Modeling purchasing behavior with sudden "death": a
flexible customer lifetime model. *Management Science*, 58(5), 1012-1021.
"""

from clvmodels.models.gamma_gompertz_nbd import gradient, math, quadrature
from clvmodels.models.gamma_gompertz_nbd.gradient import covariate_terms, log_likelihood_gradient
from clvmodels.models.gamma_gompertz_nbd.math import (
    PARAM_NAMES,
    conditional_expected_purchases,
    discounted_expected_residual_transactions,
    expected_purchases,
    log_likelihood,
    probability_alive,
    probability_of_purchases,
    sufficient_statistics,
    survival_integral,
)
from clvmodels.models.gamma_gompertz_nbd.mle import GammaGompertzNBDModel
from clvmodels.models.gamma_gompertz_nbd.spec import SPEC

__all__ = [
    "PARAM_NAMES",
    "SPEC",
    "GammaGompertzNBDModel",
    "conditional_expected_purchases",
    "covariate_terms",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "gradient",
    "log_likelihood",
    "log_likelihood_gradient",
    "math",
    "probability_alive",
    "probability_of_purchases",
    "quadrature",
    "sufficient_statistics",
    "survival_integral",
]
