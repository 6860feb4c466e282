r"""sBG: the shifted-beta-geometric model of contract renewals.

In a contractual setting a customer pays at the start of each period and decides at its
end whether to renew. Each customer has a churn probability theta ~ Beta(alpha, beta);
her lifetime T (in periods) is then geometric on 1, 2, ... Integrating theta out gives

.. math::

    P(T = t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}, \qquad
    S(t) = P(T > t) = \frac{B(\alpha, \beta+t)}{B(\alpha, \beta)}.

One folder, one home (as :mod:`clvmodels.models.beta_geo`): :mod:`.math` (the
likelihood's cells, and survival, churn and retention built from them), :mod:`.lifetime`
(DEL and DERL, by a continued fraction), :mod:`.gradient` (for the optimiser),
:mod:`.cells` (the Bayesian fits' data), :mod:`.mle` (:class:`ShiftedBetaGeoModel`),
:mod:`.bayes` (:class:`BayesianShiftedBetaGeoModel`) and :mod:`.spec`. The data checks
are :mod:`clvmodels.data.cohorts`.

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing*, 21(1), 76-90.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual
setting: the perils of ignoring heterogeneity. *Marketing Science*, 29(1), 85-93.
"""

from clvmodels.data.cohorts import cohort_counts, first_bad, whole_numbers
from clvmodels.models.shifted_beta_geo.bayes import BayesianShiftedBetaGeoModel
from clvmodels.models.shifted_beta_geo.gradient import log_likelihood_gradient
from clvmodels.models.shifted_beta_geo.lifetime import (
    MIN_POSITIVE_DISCOUNT_RATE,
    beta_stieltjes,
    checked_discount_rate,
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
    hyp2f1_one,
)
from clvmodels.models.shifted_beta_geo.math import (
    PARAM_NAMES,
    cell_log_likelihood,
    checked_parameters,
    churn_probability,
    likelihood_cells,
    log_likelihood,
    retention_rate,
    sufficient_statistics,
    survival,
)
from clvmodels.models.shifted_beta_geo.mle import ShiftedBetaGeoModel
from clvmodels.models.shifted_beta_geo.spec import SPEC

# The names this module had before it was a folder (tests and user code reach them).
_loglik_grad = log_likelihood_gradient
_unpack = checked_parameters
_first_bad = first_bad
_whole_numbers = whole_numbers
_discount_rate = checked_discount_rate
_beta_stieltjes = beta_stieltjes
_hyp2f1_one = hyp2f1_one

__all__ = [
    "MIN_POSITIVE_DISCOUNT_RATE",
    "PARAM_NAMES",
    "SPEC",
    "BayesianShiftedBetaGeoModel",
    "ShiftedBetaGeoModel",
    "cell_log_likelihood",
    "churn_probability",
    "cohort_counts",
    "discounted_expected_lifetime",
    "discounted_expected_residual_lifetime",
    "likelihood_cells",
    "log_likelihood",
    "retention_rate",
    "sufficient_statistics",
    "survival",
]
