r"""BG/BB: the beta-geometric / beta-Bernoulli model for discrete "opportunity" data.

Each period (e.g. each year's donation drive) is one opportunity to transact. While alive,
a customer transacts in a period with probability p ~ Beta(alpha, beta); at the start of
each period she dies with probability theta ~ Beta(gamma, delta). A customer's history of n
opportunities enters only through (x, t_x, n) (:mod:`clvmodels.data.opportunities`).

One folder, one home (as :mod:`clvmodels.models.beta_geo`): :mod:`.math` (the likelihood's
terms and the predictions built from them, written once), :mod:`.gradient` (for the
optimiser), :mod:`.mle` (:class:`BetaGeoBetaBinomModel`), :mod:`.bayes`
(:class:`BayesianBetaGeoBetaBinomModel`) and :mod:`.spec`.

References
----------
Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086-1108.
"""

from clvmodels.data.opportunities import COLUMNS, check_opportunity_summary, opportunity_summary
from clvmodels.models.beta_geo_beta_binom.bayes import BayesianBetaGeoBetaBinomModel
from clvmodels.models.beta_geo_beta_binom.gradient import log_likelihood_gradient
from clvmodels.models.beta_geo_beta_binom.math import (
    PARAM_NAMES,
    conditional_expected_purchases,
    discounted_expected_residual_transactions,
    expected_purchases,
    log_alive_term,
    log_likelihood,
    log_survival,
    opportunity_rows,
    probability_alive,
    sufficient_statistics,
)
from clvmodels.models.beta_geo_beta_binom.mle import BetaGeoBetaBinomModel
from clvmodels.models.beta_geo_beta_binom.spec import SPEC

__all__ = [
    "COLUMNS",
    "PARAM_NAMES",
    "SPEC",
    "BayesianBetaGeoBetaBinomModel",
    "BetaGeoBetaBinomModel",
    "check_opportunity_summary",
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "log_alive_term",
    "log_likelihood",
    "log_likelihood_gradient",
    "log_survival",
    "opportunity_rows",
    "opportunity_summary",
    "probability_alive",
    "sufficient_statistics",
]
