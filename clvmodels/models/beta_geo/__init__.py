"""BG/NBD: the beta-geometric / negative-binomial model of repeat buying.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha);
after each purchase she drops out with probability p ~ Beta(a, b). The likelihood
depends on a customer only through (x, t_x, T) = (frequency, recency, T).

One folder, one home:

- :mod:`.math`: the likelihood's terms and the predictions built from them, written
  once as functions of ``(params, data)`` that broadcast (point estimates or draws);
- :mod:`._kernel` and :mod:`.gradient`: the one compiled value-and-gradient kernel, used
  by the optimiser and by the sampler;
- :mod:`.mle` (:class:`BetaGeoModel`) and :mod:`.bayes` (:class:`BayesianBetaGeoModel`):
  the estimators, thin classes over the two templates of :mod:`clvmodels.estimation`;
- :mod:`.spec`: names, data columns, starting values, limits, priors and the report's
  words.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2008). Computing P(alive) using the BG/NBD
model. http://brucehardie.com/notes/021/
"""

from clvmodels.models.beta_geo import gradient
from clvmodels.models.beta_geo.bayes import BayesianBetaGeoModel
from clvmodels.models.beta_geo.gradient import weighted_log_likelihood
from clvmodels.models.beta_geo.math import (
    PARAM_NAMES,
    conditional_expected_purchases,
    distinct_values,
    dropout_log_odds,
    expected_purchases,
    grouped_log_likelihood,
    log_likelihood,
    probability_alive,
    probability_of_purchases,
    sufficient_statistics,
    x_terms,
)
from clvmodels.models.beta_geo.mle import BetaGeoModel
from clvmodels.models.beta_geo.spec import LIMIT_RATIO, SPEC

# The names this module had before it was a folder (tests and user code reach them).
_loglik_grad = gradient.log_likelihood_gradient
_loglik_grad_sums = gradient.weighted_sums
_tables = gradient.tables
_layout = gradient.layout
_x_terms = x_terms
_distinct = distinct_values
_LIMIT_RATIO = LIMIT_RATIO

__all__ = [
    "PARAM_NAMES",
    "SPEC",
    "BayesianBetaGeoModel",
    "BetaGeoModel",
    "conditional_expected_purchases",
    "dropout_log_odds",
    "expected_purchases",
    "grouped_log_likelihood",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
    "weighted_log_likelihood",
]
