r"""sBG discounted lifetimes: DEL and DERL, sums of the survival function as 2F1 values.

:math:`\sum_t S(t) (1+d)^{-t}` is a Gauss hypergeometric function
:math:`{}_2F_1(1, \beta; \alpha+\beta; 1/(1+d))` (Fader & Hardie 2010), evaluated here
as the Stieltjes transform of the Beta distribution by its Jacobi continued fraction
(:func:`beta_stieltjes`), right over the whole domain where ``scipy.special.hyp2f1``
is not.

References
----------
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual
setting: the perils of ignoring heterogeneity. *Marketing Science*, 29(1), 85-93.

Gautschi, W. (2004). *Orthogonal Polynomials: Computation and Approximation*. Oxford
University Press.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from clvmodels.data.cohorts import first_bad, whole_numbers
from clvmodels.exceptions import DataValidationError
from clvmodels.models.shifted_beta_geo.math import checked_parameters, retention_rate

__all__ = [
    "MIN_POSITIVE_DISCOUNT_RATE",
    "beta_stieltjes",
    "checked_discount_rate",
    "discounted_expected_lifetime",
    "discounted_expected_residual_lifetime",
    "hyp2f1_one",
]

#: Smallest positive discount rate accepted: the evaluation of DEL and DERL
#: costs about 1 / sqrt(d) steps. A rate of exactly 0 is allowed.
MIN_POSITIVE_DISCOUNT_RATE = 1e-8


def checked_discount_rate(values: ArrayLike) -> np.ndarray:
    """The discount rate per period, checked: 0, or at least 1e-8, and finite."""
    d = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(d) | (d < 0) | ((d > 0) & (d < MIN_POSITIVE_DISCOUNT_RATE))
    if np.any(bad):
        raise DataValidationError(
            "discount_rate must be finite and >= 0 (the sums over an sBG lifetime diverge "
            f"for d < 0), and 0 or >= {MIN_POSITIVE_DISCOUNT_RATE:g}; got {first_bad(d, bad)}"
        )
    return d


def beta_stieltjes(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> np.ndarray:
    """E[1 / (d + theta)] for theta ~ Beta(p, q) and d > 0.

    The Stieltjes transform of the Beta distribution, evaluated as its
    J-fraction (Jacobi continued fraction), whose coefficients are the
    recurrence coefficients of the monic Jacobi polynomials mapped to [0, 1]
    (Gautschi 2004, Table 1.1, with weight exponents q - 1 and p - 1):

        1 / (d + a_0 - b_1 / (d + a_1 - b_2 / (d + a_2 - ...)))

    Its N-th convergent is the N-point Gauss quadrature of the Beta(p, q)
    weight, so the error falls like rho^(-2N) with rho = 1 + 2d + 2 sqrt(d(1+d))
    (the pole at theta = -d) whatever p and q; N is chosen for double
    precision. Evaluated backwards, every partial denominator is positive.
    """
    p, q, d = np.broadcast_arrays(p, q, d)
    rho = 1.0 + 2.0 * d + 2.0 * np.sqrt(d * (1.0 + d))
    levels = int(np.ceil(1.2 * np.log(1e17) / (2.0 * np.log(np.min(rho, initial=np.inf))))) + 20
    s = p + q
    denominator = None
    for k in range(levels, -1, -1):
        if k == 0:
            a_k = p / s
        else:
            a_k = 0.5 * (1.0 + (p - q) * (s - 2.0) / ((2 * k + s - 2.0) * (2 * k + s)))
        if denominator is None:
            denominator = d + a_k
            continue
        j = k + 1  # b_j couples levels k and k + 1
        if j == 1:
            b_j = p * q / (s * s * (s + 1.0))
        else:
            m = 2 * j + s - 2.0
            b_j = (
                j * (j + q - 1.0) * (j + p - 1.0) * (j + s - 2.0) / (m * m * (m + 1.0) * (m - 1.0))
            )
        denominator = d + a_k - b_j / denominator
    return 1.0 / denominator


def hyp2f1_one(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> np.ndarray:
    r""":math:`{}_2F_1(1, q; p+q; 1/(1+d))` for p, q > 0 and d >= 0.

    :math:`(q)_k / (p+q)_k = E[(1-\theta)^k]` for :math:`\theta \sim
    \mathrm{Beta}(p, q)`, so the series is
    :math:`E[1/(1 - (1-\theta)/(1+d))] = (1+d)\,E[1/(d+\theta)]`. At
    d = 0 it is :math:`(p+q-1)/(p-1)` when p > 1 and diverges otherwise.
    ``scipy.special.hyp2f1`` returns NaN or wrong values for parts of this
    domain (large q; p an integer with d small), hence the continued fraction.
    """
    p, q, d = np.broadcast_arrays(p, q, d)
    positive = d > 0
    value = (1.0 + d) * beta_stieltjes(p, q, np.where(positive, d, 1.0))
    at_zero = np.where(p > 1.0, (p + q - 1.0) / np.where(p > 1.0, p - 1.0, 1.0), np.inf)
    return np.where(positive, value, at_zero)


def discounted_expected_lifetime(
    params: Mapping[str, ArrayLike], discount_rate: ArrayLike
) -> np.ndarray:
    r"""DEL: discounted expected lifetime of a newly acquired customer, in periods.

    .. math::

        \mathrm{DEL}(d) = \sum_{t=0}^{\infty} \frac{S(t)}{(1+d)^t}
          = {}_2F_1\big(1, \beta; \alpha+\beta; \tfrac{1}{1+d}\big)

    (Fader & Hardie 2010). The customer pays at the start of each
    period she is a customer: the first payment, at t = 0, is not discounted,
    the one at time t is paid with probability S(t). Expected CLV is the
    margin per period times DEL.

    Parameters
    ----------
    params
        ``alpha`` and ``beta`` (scalars or arrays; they broadcast with ``d``).
    discount_rate
        d per period of the cohort data (e.g. yearly for yearly renewals);
        d >= 0. At d = 0, DEL is the expected lifetime
        :math:`(\alpha+\beta-1)/(\alpha-1)` when alpha > 1 and ``inf``
        otherwise (the sum diverges). For d < 0 it diverges for every alpha,
        beta and is rejected.

    Returns
    -------
    numpy.ndarray
        DEL in periods (payments per unit margin).
    """
    alpha, beta = checked_parameters(params)
    return hyp2f1_one(alpha, beta, checked_discount_rate(discount_rate))


def discounted_expected_residual_lifetime(
    params: Mapping[str, ArrayLike], discount_rate: ArrayLike, n_renewals: ArrayLike
) -> np.ndarray:
    r"""DERL: discounted expected residual lifetime of a customer who has renewed n times.

    Convention, as in Fader & Hardie (2010), who index the customer by her
    current period (their n is ``n_renewals + 1``): the customer has made n
    renewals, so she is in her (n+1)-th period and has paid for it; we stand
    at the end of that period, just before her next renewal decision.
    Payments already made are not counted; the imminent one (paid if she
    renews) is counted undiscounted, the one a period later is discounted
    once, and so on:

    .. math::

        \mathrm{DERL}(d \mid n) = \sum_{t=n+1}^{\infty}
            \frac{S(t)}{S(n)} \frac{1}{(1+d)^{t-n-1}}
          = \frac{\beta+n}{\alpha+\beta+n}\,
            {}_2F_1\big(1, \beta+n+1; \alpha+\beta+n+1; \tfrac{1}{1+d}\big)

    (Fader & Hardie 2010, eq. 6). So ``DEL = 1 + DERL(d | 0) / (1 + d)``
    for a new customer. Expected residual value is the margin times DERL.

    Parameters
    ----------
    params
        ``alpha`` and ``beta`` (scalars or arrays).
    discount_rate
        d per period of the cohort data, >= 0 (see
        :func:`discounted_expected_lifetime`; at d = 0 DERL is
        :math:`(\beta+n)/(\alpha-1)` for alpha > 1, else ``inf``).
    n_renewals
        Number of renewals n the customer has made (whole numbers >= 0);
        broadcasts with ``params`` and ``discount_rate``.

    Returns
    -------
    numpy.ndarray
        DERL in periods.
    """
    alpha, beta = checked_parameters(params)
    d = checked_discount_rate(discount_rate)
    n = whole_numbers(n_renewals, "n_renewals", 0)
    # the first renewal ahead is the (n + 1)-th
    return retention_rate(params, n + 1.0) * hyp2f1_one(alpha, beta + n + 1.0, d)
