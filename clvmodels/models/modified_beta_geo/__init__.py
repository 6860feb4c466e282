r"""MBG/NBD: the BG/NBD in which a customer may also drop out right after her first purchase.

One folder, one home (as :mod:`clvmodels.models.beta_geo`): :mod:`.math` (likelihood
terms and predictions; P(alive) through the BG/NBD's
:func:`~clvmodels.models.beta_geo.math.dropout_log_odds`), :mod:`.gradient` (the
hand-written gradient for the optimiser), :mod:`.mle` (:class:`ModifiedBetaGeoModel`),
:mod:`.bayes` (:class:`BayesianModifiedBetaGeoModel`) and :mod:`.spec`.

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing*, 24(3),
201-209.

Wagner, U. & Hoppe, D. (2008). Erratum on the MBG/NBD model. *International Journal of
Research in Marketing*, 25(3), 225-226.
"""

from clvmodels.models.modified_beta_geo.bayes import BayesianModifiedBetaGeoModel
from clvmodels.models.modified_beta_geo.gradient import log_likelihood_gradient
from clvmodels.models.modified_beta_geo.math import (
    PARAM_NAMES,
    conditional_expected_purchases,
    expected_purchases,
    log_likelihood,
    probability_alive,
    probability_of_purchases,
    sufficient_statistics,
    terms,
)
from clvmodels.models.modified_beta_geo.mle import ModifiedBetaGeoModel
from clvmodels.models.modified_beta_geo.spec import SPEC

# The names this module had before it was a folder.
_loglik_grad = log_likelihood_gradient
_terms = terms

__all__ = [
    "PARAM_NAMES",
    "SPEC",
    "BayesianModifiedBetaGeoModel",
    "ModifiedBetaGeoModel",
    "conditional_expected_purchases",
    "expected_purchases",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
]
