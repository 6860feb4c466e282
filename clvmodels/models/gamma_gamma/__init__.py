"""Gamma-Gamma model of spend per transaction.

A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across
customers; the mean spend m of x transactions is sufficient. The parameter the papers
call gamma is ``v`` here (as in lifetimes).

One folder, one home (as :mod:`clvmodels.models.beta_geo`): :mod:`.math` (the likelihood's
terms, the expected spend and the density of the mean spend, written once),
:mod:`._kernel` and :mod:`.gradient` (the one compiled value-and-gradient kernel, for the
optimiser and the sampler), :mod:`.mle` (:class:`GammaGammaModel`), :mod:`.bayes`
(:class:`BayesianGammaGammaModel`) and :mod:`.spec`.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
curves for customer base analysis. *Journal of Marketing Research*, 42(4),
415-430.

Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://brucehardie.com/notes/025/
"""

from clvmodels.models.gamma_gamma.bayes import BayesianGammaGammaModel
from clvmodels.models.gamma_gamma.gradient import log_likelihood_gradient, weighted_log_likelihood
from clvmodels.models.gamma_gamma.math import (
    PARAM_NAMES,
    check_spend_summary,
    expected_spend,
    grouped_log_likelihood,
    log_likelihood,
    mean_spend_density,
    population_mean_spend,
    sufficient_statistics,
    x_terms,
)
from clvmodels.models.gamma_gamma.mle import GammaGammaModel
from clvmodels.models.gamma_gamma.spec import SPEC

# The name this module had before it was a folder (tests reach it).
_loglik_grad = log_likelihood_gradient

__all__ = [
    "PARAM_NAMES",
    "SPEC",
    "BayesianGammaGammaModel",
    "GammaGammaModel",
    "check_spend_summary",
    "expected_spend",
    "grouped_log_likelihood",
    "log_likelihood",
    "mean_spend_density",
    "population_mean_spend",
    "sufficient_statistics",
    "weighted_log_likelihood",
    "x_terms",
]
