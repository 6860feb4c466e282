"""The Pareto/NBD with time-varying covariates: the likelihood and the predictions.

:mod:`.likelihood` holds the model (Bachmann, Meierer & Naef 2021) and its compiled
likelihood; :mod:`.predictions` what follows from it.
"""

from clvmodels.models.pareto_nbd.dynamic.likelihood import (
    PIECE_RULES,
    customer_terms,
    log_likelihood_terms,
    piece_rules,
)
from clvmodels.models.pareto_nbd.dynamic.predictions import (
    conditional_expected_purchases,
    discounted_expected_residual_transactions,
    probability_alive,
)

__all__ = [
    "PIECE_RULES",
    "conditional_expected_purchases",
    "customer_terms",
    "discounted_expected_residual_transactions",
    "log_likelihood_terms",
    "piece_rules",
    "probability_alive",
]
