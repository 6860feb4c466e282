r"""Pareto/NBD with correlated purchase and dropout rates (a Sarmanov bivariate gamma).

The plain Pareto/NBD draws the purchase rate :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)`
and the dropout rate :math:`\mu \sim \mathrm{Gamma}(s, \beta)` independently. CLVTools'
``pnbd(..., use.cor = TRUE)`` (Glady, Lemmens & Croux 2015; Meierer et al., CLVTools'
documentation) correlates them with the Sarmanov family

.. math::

    h(\lambda, \mu) = f(\lambda)\, g(\mu)\,
        \big[1 + \omega\, (e^{-\lambda} - L_A)(e^{-\mu} - L_B)\big],
    \qquad L_A = \Big(\frac{\alpha}{\alpha+1}\Big)^{r},\quad
    L_B = \Big(\frac{\beta}{\beta+1}\Big)^{s},

where :math:`L_A = E[e^{-\lambda}]` and :math:`L_B = E[e^{-\mu}]` are the gammas' Laplace
transforms at 1, so that both margins stay the Pareto/NBD's. Since
:math:`f(\lambda) e^{-\lambda} = L_A\, f_{+}(\lambda)` with :math:`f_{+}` the
:math:`\mathrm{Gamma}(r, \alpha + 1)` density (and the same for :math:`\mu`),

.. math::

    h = (1 + k)\, f g + k\,(f_{+} g_{+} - f_{+} g - f g_{+}),\qquad k = \omega L_A L_B:

a signed mixture of four independent Pareto/NBD heterogeneities, with scales
:math:`(\alpha, \beta)`, :math:`(\alpha+1, \beta)`, :math:`(\alpha, \beta+1)` and
:math:`(\alpha+1, \beta+1)` and weights :math:`c_{00} = 1 + k`,
:math:`c_{10} = c_{01} = -k`, :math:`c_{11} = k`. Everything linear in the density is the
same mixture of the plain Pareto/NBD's: the likelihood
:math:`L = \sum c_{ij} L_{ij}` (CLVTools' ``interlayer_correlation``), and, given a
customer's data, any expectation is the mixture of the components' conditional ones
with posterior weights :math:`c_{ij} L_{ij} / L`. The component quantities are
:mod:`clvmodels.models.pareto_nbd.math`'s, called, not re-derived.

The density is non-negative for all rates exactly when

.. math::

    -\frac{1}{\max(L_A L_B,\ (1-L_A)(1-L_B))} \le \omega \le
    \frac{1}{\max(L_A (1-L_B),\ (1-L_A) L_B)},

(the extremes of :math:`(e^{-\lambda} - L_A)(e^{-\mu} - L_B)` over the positive
quadrant), the bounds CLVTools enforces. The correlation of the rates is

.. math::

    \rho(\lambda, \mu) = \omega\, \frac{\sqrt{r}\, L_A}{\alpha+1}\,
        \frac{\sqrt{s}\, L_B}{\beta+1}

(from :math:`\mathrm{Cov}(\lambda, e^{-\lambda}) = -r L_A / (\alpha(\alpha+1))`), CLVTools'
``Cor(life,trans)``. :math:`e^{-\lambda}` is not scale-free: the model, and the range of
correlations it reaches (a few percent when alpha and beta are large), depend on the time
unit of the summary; CLVTools' numbers are those of its ``time.unit``.

References
----------
Sarmanov, O. V. (1966). Generalized normal correlation and two-dimensional Frechet
classes. *Soviet Mathematics Doklady*, 7, 596-599.

Lee, M.-L. T. (1996). Properties and applications of the Sarmanov family of bivariate
distributions. *Communications in Statistics - Theory and Methods*, 25(6), 1207-1222.

Glady, N., Lemmens, A. & Croux, C. (2015). Unveiling the relationship between the
transaction timing, spending and dropout behavior of customers. *International Journal
of Research in Marketing*, 32(1), 78-93.

Meierer, P., Bachmann, P., Naef, J., Oblander, S. & Schilter, S. CLVTools: tools for
customer lifetime value estimation (R package 0.12.1), ``pnbd(use.cor = TRUE)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from clvmodels.checks import positive_parameters
from clvmodels.models.pareto_nbd import gradient
from clvmodels.models.pareto_nbd import math as plain

__all__ = [
    "PARAM_NAMES",
    "components",
    "conditional_expected_purchases",
    "correlation",
    "discounted_expected_residual_transactions",
    "expected_purchases",
    "log_likelihood",
    "log_likelihood_gradient",
    "omega_bounds",
    "omega_for",
    "posterior_weights",
    "probability_alive",
    "probability_of_purchases",
]

#: The Pareto/NBD's parameters, then Sarmanov's omega (CLVTools' ``m``).
PARAM_NAMES = (*plain.PARAM_NAMES, "omega")

#: (alpha shift, beta shift, sign of k) of the four components; the weights are
#: c = [1 + k, -k, -k, k].
_SHIFTS = ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0))
_SIGNS = np.array([1.0, -1.0, -1.0, 1.0])


def _base(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return positive_parameters(params, plain.PARAM_NAMES, "Pareto/NBD")


def _laplace(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, np.ndarray]:
    """L_A = E[exp(-lambda)] and L_B = E[exp(-mu)]."""
    r, alpha, s, beta = _base(params)
    return np.exp(-r * np.log1p(1.0 / alpha)), np.exp(-s * np.log1p(1.0 / beta))


def omega_bounds(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, np.ndarray]:
    r"""The range of omega in which the Sarmanov density is non-negative.

    .. math::

        \Big[-\frac{1}{\max(L_A L_B, (1-L_A)(1-L_B))},\
        \frac{1}{\max(L_A(1-L_B), (1-L_A)L_B)}\Big]

    (module docstring). Returns ``(lower, upper)``.
    """
    la, lb = _laplace(params)
    lower = -1.0 / np.maximum(la * lb, (1.0 - la) * (1.0 - lb))
    upper = 1.0 / np.maximum(la * (1.0 - lb), (1.0 - la) * lb)
    return lower, upper


def _scale(params: Mapping[str, ArrayLike]) -> np.ndarray:
    r"""rho / omega: :math:`\sqrt{r} L_A/(\alpha+1) \cdot \sqrt{s} L_B/(\beta+1)`."""
    r, alpha, s, beta = _base(params)
    la, lb = _laplace(params)
    return np.sqrt(r) * la / (alpha + 1.0) * np.sqrt(s) * lb / (beta + 1.0)


def correlation(params: Mapping[str, ArrayLike]) -> np.ndarray:
    r"""Corr(lambda, mu) implied by ``r, alpha, s, beta, omega`` (module docstring)."""
    return np.asarray(params["omega"], np.float64) * _scale(params)


def omega_for(params: Mapping[str, ArrayLike], rho: ArrayLike) -> np.ndarray:
    """The omega that gives correlation ``rho`` at the base parameters in ``params``."""
    return np.asarray(rho, np.float64) / _scale(params)


def _omega(params: Mapping[str, ArrayLike]) -> np.ndarray:
    """omega, checked to lie within :func:`omega_bounds`."""
    if "omega" not in params:
        raise ValueError(
            "the correlated Pareto/NBD needs 'omega' besides r, alpha, s, beta, e.g. "
            "{'r': 0.55, 'alpha': 10.6, 's': 0.61, 'beta': 11.7, 'omega': 2.0}"
        )
    omega = np.asarray(params["omega"], np.float64)
    lower, upper = omega_bounds(params)
    if not np.all(np.isfinite(omega) & (omega >= lower) & (omega <= upper)):
        raise ValueError(
            f"omega = {omega} is outside [{np.min(lower):.4g}, {np.max(upper):.4g}], where "
            "the Sarmanov density of (lambda, mu) is non-negative at these r, alpha, s, beta"
        )
    return omega


def components(params: Mapping[str, ArrayLike]) -> list[tuple[np.ndarray, dict[str, Any]]]:
    """The four (weight, Pareto/NBD parameters) of the signed mixture (module docstring)."""
    r, alpha, s, beta = _base(params)
    la, lb = _laplace(params)
    k = _omega(params) * la * lb
    weights = [1.0 + k, -k, -k, k]
    return [
        (weight, {"r": r, "alpha": alpha + da, "s": s, "beta": beta + db})
        for weight, (da, db) in zip(weights, _SHIFTS, strict=True)
    ]


def posterior_weights(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""Each component's share :math:`c_{ij} L_{ij} / \sum c L` of a customer's likelihood.

    Shape ``(4, customers)``; the shares sum to 1 (some are negative).
    """
    parts = components(params)
    logs = [plain.log_likelihood(p, frequency, recency, T) for _, p in parts]
    scaled = np.stack([w * np.exp(ll - logs[0]) for (w, _), ll in zip(parts, logs, strict=True)])
    return scaled / scaled.sum(axis=0)


def log_likelihood(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""Log-likelihood of each customer's (x, t_x, T) under the correlated Pareto/NBD.

    :math:`\ln \sum_{ij} c_{ij} L_{ij}` with :math:`L_{ij}` the Pareto/NBD likelihood
    (:func:`clvmodels.models.pareto_nbd.math.log_likelihood`) at the shifted scales, as
    :math:`\ell_{00} + \ln\big[1 + k + k(e^{\ell_{11}-\ell_{00}} - e^{\ell_{10}-\ell_{00}}
    - e^{\ell_{01}-\ell_{00}})\big]`; omega = 0 gives the Pareto/NBD's exactly.
    """
    parts = components(params)
    logs = [plain.log_likelihood(p, frequency, recency, T) for _, p in parts]
    k = parts[3][0]
    mixed = (1.0 + k) + k * (
        np.exp(logs[3] - logs[0]) - np.exp(logs[1] - logs[0]) - np.exp(logs[2] - logs[0])
    )
    return logs[0] + np.log(mixed)


def log_likelihood_gradient(
    params: np.ndarray, columns: dict[str, np.ndarray], bounded: bool = True
) -> tuple:
    r"""Per-row log-likelihood and its gradient in (r, alpha, s, beta, omega).

    For the optimiser: outside :func:`omega_bounds` the log-likelihood is ``-inf``
    (CLVTools returns NA there), not an error; ``bounded=False`` evaluates the formula
    there too (for finite differences at an estimate on a bound). With :math:`S = \sum_{ij} c_{ij}
    e^{\ell_{ij} - \ell_{00}}`, the gradient is :math:`\sum_{ij} (c_{ij}
    e^{\ell_{ij}-\ell_{00}}/S)\, \nabla\ell_{ij} + \nabla k\, D / S` with
    :math:`D = 1 - e^{\ell_{10}-\ell_{00}} - e^{\ell_{01}-\ell_{00}}
    + e^{\ell_{11}-\ell_{00}}` and :math:`\nabla \ln k = (\ln\frac{\alpha}{\alpha+1},
    \frac{r}{\alpha(\alpha+1)}, \ln\frac{\beta}{\beta+1}, \frac{s}{\beta(\beta+1)})`,
    :math:`\partial k/\partial\omega = L_A L_B`; each :math:`\nabla\ell_{ij}` is
    :func:`.gradient.log_likelihood_gradient` at the shifted scales.
    """
    r, alpha, s, beta, omega = (float(v) for v in params)
    n = len(columns["frequency"])
    named = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    lower, upper = omega_bounds(named)
    if not np.isfinite(omega) or (bounded and not lower <= omega <= upper):
        return np.full(n, -np.inf), np.zeros((5, n))
    la, lb = (float(v) for v in _laplace(named))
    k = omega * la * lb
    results = [
        gradient.log_likelihood_gradient(np.array([r, alpha + da, s, beta + db]), columns)
        for da, db in _SHIFTS
    ]
    ratios = np.stack([np.exp(ll - results[0][0]) for ll, _ in results])
    c = np.array([1.0 + k, -k, -k, k])
    mixed = c @ ratios
    ll = results[0][0] + np.log(mixed)
    shares = c[:, None] * ratios / mixed
    grad = np.zeros((5, n))
    for share, (_, g) in zip(shares, results, strict=True):
        grad[:4] += share * g
    d = (_SIGNS @ ratios) / mixed
    d_log_k = np.array(
        [np.log(alpha / (alpha + 1.0)), r / (alpha * (alpha + 1.0)),
         np.log(beta / (beta + 1.0)), s / (beta * (beta + 1.0))]
    )  # fmt: skip
    grad[:4] += (k * d_log_k)[:, None] * d
    grad[4] = la * lb * d
    return ll, grad


def _mixed(fn: Any, params: Mapping[str, ArrayLike], *args: Any) -> np.ndarray:
    """sum_ij c_ij fn(component_ij, *args): a quantity linear in the density."""
    return sum(w * fn(p, *args) for w, p in components(params))


def _conditional(
    fn: Any, params: Mapping[str, ArrayLike], head: tuple, x: Any, t_x: Any, T: Any
) -> np.ndarray:
    """sum_ij (posterior share ij) fn(component_ij, *head, x, t_x, T)."""
    shares = posterior_weights(params, x, t_x, T)
    values = [fn(p, *head, x, t_x, T) for _, p in components(params)]
    return sum(share * value for share, value in zip(shares, values, strict=True))


def probability_alive(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    r"""P(alive at T | x, t_x, T): :math:`\sum_{ij} (c_{ij} L_{ij}/L)\, P_{ij}(\text{alive})`."""
    return _conditional(plain.probability_alive, params, (), frequency, recency, T)


def conditional_expected_purchases(
    params: Mapping[str, ArrayLike],
    t: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    r"""E[Y(t) | x, t_x, T]: the components' (note 009, eq. 22) mixed with posterior shares.

    ``t[:, None]`` gives (horizons x customers).
    """
    return _conditional(plain.conditional_expected_purchases, params, (t,), frequency, recency, T)


def discounted_expected_residual_transactions(
    params: Mapping[str, ArrayLike],
    discount_rate: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> np.ndarray:
    """DERT: the components' (Fader, Hardie & Lee 2005) mixed with posterior shares."""
    return _conditional(
        plain.discounted_expected_residual_transactions,
        params,
        (discount_rate,),
        frequency,
        recency,
        T,
    )


def expected_purchases(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""E[X(t)] of a new customer: :math:`\sum_{ij} c_{ij} E_{ij}[X(t)]` (prior weights)."""
    return _mixed(plain.expected_purchases, params, t)


def probability_of_purchases(
    params: Mapping[str, ArrayLike], t: ArrayLike, n: ArrayLike
) -> np.ndarray:
    r"""P(X(t) = n) of a new customer: :math:`\sum_{ij} c_{ij} P_{ij}(X(t) = n)`."""
    return _mixed(plain.probability_of_purchases, params, t, n)
