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

A model with static covariates adds a block after the log-parameters: the coefficients
(on their own scale) and, with a hierarchical prior, the log of each process's prior
scale (:class:`~clvmodels.estimation.covariate_priors.CoefficientBlock`). Its likelihood is
the model's per-row likelihood with derivatives in the two linear predictors
(``covariate_terms`` of ``models/``), taken to the coefficients through the design matrix
by :func:`covariate_log_likelihood`; ``tests/bayes/test_covariates_density.py`` pins it to
the PyMC model's density.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from clvmodels.estimation.covariate_priors import CoefficientBlock

__all__ = [
    "LogLikelihood",
    "chain_threads",
    "covariate_log_likelihood",
    "log_posterior",
    "nutpie_model",
]

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
    log_likelihood: LogLikelihood,
    mu: Sequence[float],
    sigma: Sequence[float],
    coefficients: CoefficientBlock | None = None,
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """``theta -> (ln p(theta | D), gradient)`` with ``theta`` the log-parameters.

    Parameters
    ----------
    log_likelihood
        The weighted log-likelihood and its gradient in the parameters (not their logs),
        followed by the coefficients where there are some.
    mu, sigma
        The Normal priors of the log-parameters, in the likelihood's parameter order.
    coefficients
        The covariates' coefficients and their prior: ``theta`` then continues with the
        coefficients and the log prior scales (:class:`CoefficientBlock`).

    Returns
    -------
    callable
        The log-density as PyMC computes it (constants included) and its gradient; where
        the likelihood is not finite, ``-inf`` (nutpie rejects the step).
    """
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    precision = 1.0 / sigma**2
    constant = -0.5 * len(mu) * np.log(2.0 * np.pi) - float(np.log(sigma).sum())
    if coefficients is not None:
        return _with_coefficients(log_likelihood, mu, precision, constant, coefficients)

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


def _with_coefficients(
    log_likelihood: LogLikelihood,
    mu: np.ndarray,
    precision: np.ndarray,
    constant: float,
    block: CoefficientBlock,
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """:func:`log_posterior` with the coefficient block after the log-parameters."""
    k, m = len(mu), len(block.names)

    def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray]:
        base = np.exp(theta[:k])
        value, gradient = log_likelihood(np.concatenate([base, theta[k : k + m]]))
        prior_value, prior_gradient = block.log_density(theta[k : k + m], theta[k + m :])
        shift = theta[:k] - mu
        scaled = shift * precision
        value += constant - 0.5 * float(shift @ scaled) + prior_value
        out = np.empty(len(theta))
        out[:k] = gradient[:k] * base - scaled
        out[k:] = prior_gradient
        out[k : k + m] += gradient[k:]
        if not math.isfinite(value + out.sum()):
            return -math.inf, np.zeros_like(theta)
        return value, out

    return evaluate


def covariate_log_likelihood(
    terms: Callable[..., tuple[np.ndarray, np.ndarray]],
    columns: Mapping[str, np.ndarray],
    weights: np.ndarray,
    matrix: np.ndarray,
    selections: tuple[np.ndarray, np.ndarray],
) -> LogLikelihood:
    r"""``(base parameters, coefficients) -> (weighted log-likelihood, gradient)``.

    With ``eta_P = Z S_P gamma`` and ``eta_D = Z S_D gamma`` (``Z`` the rows' design
    matrix, ``S`` the maps of
    :func:`~clvmodels.estimation.coefficients.coefficient_layout`), the likelihood is
    ``sum_i w_i l_i`` of ``terms(base, columns, eta_P, eta_D)`` (a model's
    ``covariate_terms``: per-row values, and derivatives in the base parameters and in the
    two predictors), and the chain rule gives
    :math:`\partial / \partial\gamma = S_P' Z' (w \odot \partial l / \partial\eta_P)
    + S_D' Z' (w \odot \partial l / \partial\eta_D)`. The data are bound once; the two
    products with ``Z`` are compiled loops (:func:`_linear_kernels`) rather than BLAS, whose
    threads spin against the sampler's chains (100k rows, loaded machine: 21 ms against
    well under one).
    """
    # (design columns, rows): each column contiguous for the compiled products
    columns_first = np.ascontiguousarray(np.asarray(matrix, dtype=np.float64).T)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    maps = np.stack([np.asarray(s, dtype=np.float64) for s in selections])  # (2, d, m)
    m = maps.shape[2]
    kernels = _linear_kernels()

    def evaluate(params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.asarray(params, dtype=np.float64)
        k = len(params) - m
        eta = np.empty((2, columns_first.shape[1]))
        kernels.predictors(columns_first, np.ascontiguousarray(maps @ params[k:]), eta)
        ll, grad = terms(params[:k], columns, eta[0], eta[1])
        out = np.empty(len(params))
        back = np.empty((2, columns_first.shape[0]))
        value = kernels.weighted_back(columns_first, grad, k, weights, ll, out, back)
        out[k:] = maps[0].T @ back[0] + maps[1].T @ back[1]
        return value, out

    return evaluate


def nutpie_model(
    log_likelihood: LogLikelihood,
    names: Sequence[str],
    mu: Sequence[float],
    sigma: Sequence[float],
    coefficients: CoefficientBlock | None = None,
) -> Any:
    """A nutpie model of the posterior :func:`log_posterior` describes.

    Its draws hold ``log_<name>`` and ``<name>`` for each parameter, as the PyMC model's
    (:meth:`~clvmodels.estimation.bayes.BayesianModel.log_normal_parameters`), then the
    coefficients and their scales ``tau_<group>`` under their own names. Chains start at
    the prior means of the log-parameters, jittered by up to :data:`JITTER`, the
    coefficients near 0 and the log scales near the prior's.
    """
    from nutpie.compiled_pyfunc import from_pyfunc

    density = log_posterior(log_likelihood, mu, sigma, coefficients)
    k = len(names)
    start = np.asarray(mu, dtype=np.float64)
    jitter = np.full(k, JITTER)
    variables = [f"log_{name}" for name in names] + list(names)
    if coefficients is not None:
        n_scales = len(coefficients.scale_names)
        scale = np.log(coefficients.prior.scale)
        start = np.concatenate([start, np.zeros(len(coefficients.names)), np.full(n_scales, scale)])
        # a coefficient starts within a tenth of its prior's unit scale of 0
        jitter = np.concatenate([jitter, 0.1 * coefficients.factors, np.full(n_scales, JITTER)])
        variables += list(coefficients.names) + list(coefficients.scale_names)
        n_coefficients = len(coefficients.names)

        def transform(theta: np.ndarray) -> np.ndarray:
            middle, tail = theta[k : k + n_coefficients], theta[k + n_coefficients :]
            return np.concatenate([theta[:k], np.exp(theta[:k]), middle, np.exp(tail)])

    else:

        def transform(theta: np.ndarray) -> np.ndarray:
            return np.concatenate([theta, np.exp(theta)])

    def expand(theta: np.ndarray) -> dict[str, np.ndarray]:
        values = transform(theta)
        return {name: np.asarray(value) for name, value in zip(variables, values, strict=True)}

    def initial_point(seed: int) -> np.ndarray:
        return start + np.random.default_rng(seed).uniform(-1.0, 1.0, len(start)) * jitter

    return from_pyfunc(
        ndim=len(start),
        make_logp_fn=lambda: density,
        make_expand_fn=lambda *seeds: expand,
        expanded_dtypes=[np.dtype(np.float64)] * len(variables),
        expanded_shapes=[()] * len(variables),
        expanded_names=variables,
        make_initial_point_fn=initial_point,
    )


@functools.cache
def _linear_kernels() -> SimpleNamespace:
    """The products with the design matrix, compiled on first use (GIL released)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def predictors(columns_first, coefficients, eta):  # pragma: no cover - compiled
        """``eta[p] = sum_j coefficients[p, j] * columns_first[j]`` (the linear predictors)."""
        for p in range(eta.shape[0]):
            eta[p, :] = 0.0
            for j in range(columns_first.shape[0]):
                c = coefficients[p, j]
                if c != 0.0:
                    for i in range(eta.shape[1]):
                        eta[p, i] += c * columns_first[j, i]

    @numba.njit(cache=True, nogil=True)
    def weighted_back(columns_first, grad, k, weights, ll, base, back):  # pragma: no cover
        """``sum_i w_i ll_i``, with the weighted gradient sums written to ``base``, ``back``.

        ``base[q] = sum_i w_i grad[q, i]`` for ``q < k``, and
        ``back[p, j] = sum_i w_i grad[k + p, i] Z[i, j]``.
        """
        n = weights.shape[0]
        scaled = np.empty((2, n))
        value = 0.0
        for q in range(k):
            base[q] = 0.0
        for i in range(n):
            w = weights[i]
            value += w * ll[i]
            for q in range(k):
                base[q] += w * grad[q, i]
            scaled[0, i] = w * grad[k, i]
            scaled[1, i] = w * grad[k + 1, i]
        for p in range(2):
            for j in range(columns_first.shape[0]):
                total = 0.0
                for i in range(n):
                    total += scaled[p, i] * columns_first[j, i]
                back[p, j] = total
        return value

    return SimpleNamespace(predictors=predictors, weighted_back=weighted_back)
