r"""The posterior on log-parameters from a model's compiled likelihood, sampled by nutpie.

A Bayesian model whose PyMC graph is "Normal priors on log-parameters plus the weighted
log-likelihood of distinct rows" (:meth:`~clvmodels.estimation.bayes.BayesianModel._build`) has
the log-density

.. math::

    \ln p(\theta \mid D) = \sum_i w_i \ell(e^\theta; D_i)
        + \sum_k \ln \mathcal N(\theta_k; \mu_k, \sigma_k) + c,

with gradient ``grad_ell(e^theta) * e^theta - (theta - mu) / sigma^2``. Where ``models/``
has the weighted likelihood and its gradient as one compiled pass (e.g.
:func:`clvmodels.models.beta_geo.weighted_log_likelihood`,
:func:`clvmodels.models.gamma_gamma.weighted_log_likelihood`), nutpie samples that function
directly: nothing is compiled per model (nutpie's compilation of the PyMC graph takes 5-10
s in every new process, the sampling of CDNOW 1-2 s), and the compiled row loops release
the GIL, so chains run in parallel. ``tests/bayes/test_density.py`` pins the density and
its gradient to the PyMC model's, compiled by PyTensor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["LogLikelihood", "chain_threads", "log_posterior", "nutpie_model"]

#: ``params -> (weighted log-likelihood, gradient in params)``.
LogLikelihood = Callable[[np.ndarray], tuple[float, np.ndarray]]

#: Half-width of the uniform jitter around the prior means where chains start (as PyMC's
#: ``jitter+adapt_diag`` initialisation).
JITTER = 1.0


#: Distinct rows from which chains get a thread each. Below, the Python call around each
#: compiled evaluation holds the GIL for a large share of it, and threads waiting for the
#: GIL cost more than a second core gives: BG/NBD on CDNOW (1,016 rows), 4 x 2,000
#: iterations, took 7.0 s on 2 threads and 4.4 s on one (idle 2-core machine).
PARALLEL_FROM_ROWS = 5_000


def chain_threads(n_rows: int) -> dict[str, int]:
    """nutpie's ``cores`` for a compiled likelihood of ``n_rows`` rows.

    1 below :data:`PARALLEL_FROM_ROWS`, else nutpie's default (a thread per core).
    """
    return {"cores": 1} if n_rows < PARALLEL_FROM_ROWS else {}


def log_posterior(
    log_likelihood: LogLikelihood, mu: Sequence[float], sigma: Sequence[float]
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``theta -> (ln p(theta | D), gradient)`` with ``theta`` the log-parameters.

    Parameters
    ----------
    log_likelihood
        The weighted log-likelihood and its gradient in the parameters (not their logs).
    mu, sigma
        The Normal priors of the log-parameters, in the likelihood's parameter order.

    Returns
    -------
    callable
        The log-density as PyMC computes it (constants included) and its gradient; where
        the likelihood is not finite, ``-inf`` (nutpie rejects the step).
    """
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    precision = 1.0 / sigma**2
    constant = -0.5 * len(mu) * np.log(2.0 * np.pi) - float(np.log(sigma).sum())

    def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        value, gradient = log_likelihood(params)
        shift = theta - mu
        scaled = shift * precision
        value += constant - 0.5 * float(shift @ scaled)
        gradient = gradient * params - scaled
        if not math.isfinite(value + gradient.sum()):  # inf and nan propagate to the sum
            return -math.inf, np.zeros_like(theta)
        return value, gradient

    return evaluate


def nutpie_model(
    log_likelihood: LogLikelihood,
    names: Sequence[str],
    mu: Sequence[float],
    sigma: Sequence[float],
) -> Any:
    """A nutpie model of the posterior :func:`log_posterior` describes.

    Its draws hold ``log_<name>`` and ``<name>`` for each parameter, as the PyMC model's
    (:meth:`~clvmodels.estimation.bayes.BayesianModel.log_normal_parameters`). Chains start at
    the prior means of the log-parameters, jittered by up to :data:`JITTER`.
    """
    from nutpie.compiled_pyfunc import from_pyfunc

    density = log_posterior(log_likelihood, mu, sigma)
    start = np.asarray(mu, dtype=np.float64)
    variables = [f"log_{name}" for name in names] + list(names)

    def expand(theta: np.ndarray) -> dict[str, np.ndarray]:
        values = np.concatenate([theta, np.exp(theta)])
        return {name: np.asarray(value) for name, value in zip(variables, values, strict=True)}

    def initial_point(seed: int) -> np.ndarray:
        return start + np.random.default_rng(seed).uniform(-JITTER, JITTER, len(start))

    return from_pyfunc(
        ndim=len(start),
        make_logp_fn=lambda: density,
        make_expand_fn=lambda *seeds: expand,
        expanded_dtypes=[np.dtype(np.float64)] * len(variables),
        expanded_shapes=[()] * len(variables),
        expanded_names=variables,
        make_initial_point_fn=initial_point,
    )
