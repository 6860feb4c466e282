r"""Pareto/NBD: Poisson purchases and exponential lifetimes, both heterogeneous.

While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); her
lifetime is exponential with rate mu ~ Gamma(s, beta), independent of lambda. The
likelihood depends on a customer only through (x, t_x, T) = (frequency, recency, T).

One folder, one home (as :mod:`clvmodels.models.beta_geo`): :mod:`.math` (likelihood
terms and predictions), :mod:`.quadrature` (the integral's rule and cut-off),
:mod:`._kernel` and :mod:`.gradient` (one compiled row: value and gradient for the sampler
and for both maximum-likelihood fits, and each row's Hessian), :mod:`.mle`
(:class:`ParetoNBDModel`), :mod:`.bayes` (:class:`BayesianParetoNBDModel`) and :mod:`.spec`.

References
----------
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are
they and what will they do next? *Management Science*, 33(1), 1-24.

Fader, P. S. & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
expressions. http://brucehardie.com/notes/009/
"""

from clvmodels.models.pareto_nbd import gradient, math, quadrature
from clvmodels.models.pareto_nbd.bayes import BayesianParetoNBDModel
from clvmodels.models.pareto_nbd.gradient import log_likelihood_gradient, weighted_log_likelihood
from clvmodels.models.pareto_nbd.math import (
    PARAM_NAMES,
    conditional_expected_purchases,
    discounted_expected_residual_transactions,
    distinct_rows,
    expected_purchases,
    log_likelihood,
    probability_alive,
    probability_of_purchases,
    sufficient_statistics,
)
from clvmodels.models.pareto_nbd.mle import ParetoNBDModel
from clvmodels.models.pareto_nbd.quadrature import TAIL_CUT
from clvmodels.models.pareto_nbd.spec import SPEC

# The names this module had before it was a folder. Settings that tests change are read
# where they are used: monkeypatch quadrature.FAST_NODES and math.UNIQUE_FROM.
_loglik_grad = log_likelihood_gradient
_distinct_rows = distinct_rows
_parts = math.parts
_tail_integral = quadrature.tail_integral
_NODES, _WEIGHTS = quadrature.NODES, quadrature.WEIGHTS
_FAST_NODES, _FAST_WEIGHTS = quadrature.FAST_NODES, quadrature.FAST_WEIGHTS
_UNIQUE_FROM = math.UNIQUE_FROM

__all__ = [
    "PARAM_NAMES",
    "SPEC",
    "TAIL_CUT",
    "BayesianParetoNBDModel",
    "ParetoNBDModel",
    "conditional_expected_purchases",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "gradient",
    "log_likelihood",
    "probability_alive",
    "probability_of_purchases",
    "sufficient_statistics",
    "weighted_log_likelihood",
]
