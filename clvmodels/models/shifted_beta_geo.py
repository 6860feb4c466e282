r"""sBG: the shifted-beta-geometric model of contract renewals.

In a contractual setting a customer pays at the start of each period and
decides at its end whether to renew. Each customer has a churn probability
theta ~ Beta(alpha, beta); her lifetime T (in periods) is then geometric on
1, 2, ... Integrating theta out gives

.. math::

    P(T = t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}, \qquad
    S(t) = P(T > t) = \frac{B(\alpha, \beta+t)}{B(\alpha, \beta)}, \qquad
    r_t = \frac{S(t)}{S(t-1)} = \frac{\beta+t-1}{\alpha+\beta+t-1}.

``S(t)`` is the share of a cohort still a customer at time t (after t
renewal decisions; ``S(0) = 1``), ``r_t`` the retention rate of the t-th
renewal. Heterogeneity makes the aggregate retention rate rise with tenure:
the customers who churn readily leave first.

The data of one cohort are the numbers alive at t = 0, 1, ..., n. As in the
other model modules the math is written once, as functions of ``(params,
data)`` where ``params`` maps ``alpha`` and ``beta`` to scalars or arrays (e.g.
posterior draws); :class:`ShiftedBetaGeoModel` fits them by maximum likelihood
through the shared sequence of :mod:`clvmodels.models._mle`.

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing*, 21(1), 76-90.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual
setting: the perils of ignoring heterogeneity. *Marketing Science*, 29(1),
85-93.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from clvmodels.data.units import time_unit_of
from clvmodels.data.validation import Problems
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rows import SufficientStatistics, compress
from clvmodels.exceptions import DataValidationError
from clvmodels.models.namespace import NUMPY

__all__ = [
    "ShiftedBetaGeoModel",
    "cell_log_likelihood",
    "churn_probability",
    "discounted_expected_lifetime",
    "discounted_expected_residual_lifetime",
    "likelihood_cells",
    "log_likelihood",
    "retention_rate",
    "survival",
]

PARAM_NAMES = ("alpha", "beta")

#: Smallest positive discount rate accepted: the evaluation of DEL and DERL
#: costs about 1 / sqrt(d) steps. A rate of exactly 0 is allowed.
MIN_POSITIVE_DISCOUNT_RATE = 1e-8


# -- argument checks ---------------------------------------------------------------------
def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, np.ndarray]:
    alpha, beta = (np.asarray(params[name], dtype=np.float64) for name in PARAM_NAMES)
    for name, values in zip(PARAM_NAMES, (alpha, beta), strict=True):
        bad = ~(np.isfinite(values) & (values > 0))
        if np.any(bad):
            raise ValueError(
                f"the sBG parameter {name} must be positive and finite; "
                f"got {_first_bad(values, bad)}"
            )
    return alpha, beta


def _first_bad(values: np.ndarray, bad: np.ndarray) -> str:
    flat = int(np.flatnonzero(np.broadcast_to(bad, values.shape).ravel())[0])
    position = tuple(int(i) for i in np.unravel_index(flat, values.shape))
    where = f" at position {position}" if values.ndim else ""
    return f"{values.ravel()[flat]:.12g}{where}"


def _whole_numbers(values: ArrayLike, name: str, minimum: int) -> np.ndarray:
    """``values`` as float64, checked to be whole numbers >= ``minimum``."""
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(array) | (array < minimum) | (array != np.round(array))
    if np.any(bad):
        raise DataValidationError(
            f"{name} must be whole numbers >= {minimum}; got {_first_bad(array, bad)}"
        )
    return array


def _discount_rate(values: ArrayLike) -> np.ndarray:
    """The discount rate per period, checked: 0, or at least 1e-8, and finite."""
    d = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(d) | (d < 0) | ((d > 0) & (d < MIN_POSITIVE_DISCOUNT_RATE))
    if np.any(bad):
        raise DataValidationError(
            "discount_rate must be finite and >= 0 (the sums over an sBG lifetime diverge "
            f"for d < 0), and 0 or >= {MIN_POSITIVE_DISCOUNT_RATE:g}; got {_first_bad(d, bad)}"
        )
    return d


# -- the data: customers alive at t = 0..n, one column per cohort --------------------------
def cohort_counts(alive: Any, what: str = "retention cohorts") -> dict[str, np.ndarray]:
    """Validate counts alive at t = 0, 1, ..., n and return them per cohort.

    Parameters
    ----------
    alive
        One cohort (a sequence, a 1-D array or a Series) or a DataFrame with
        one column per cohort. Counts are read by position (t = 0 first); the
        index only labels rows in error messages. Cohorts of a DataFrame may
        be observed for different numbers of periods: pad the shorter ones
        with trailing NaN.
    what
        How the data are named in error messages.

    Returns
    -------
    dict
        Cohort name -> float64 array of counts (trailing NaN removed).

    Raises
    ------
    TypeError
        If ``alive`` is not 1-D data or a DataFrame.
    DataValidationError
        Listing every broken rule, per cohort: numeric; NaN only as trailing
        padding, no inf; at least 2 counts (t = 0 and t = 1); whole numbers
        >= 0; more than 0 customers at t = 0; never increasing.
    """
    if isinstance(alive, pd.DataFrame):
        frame = alive
    elif isinstance(alive, pd.Series):
        frame = alive.to_frame(name="alive" if alive.name is None else str(alive.name))
    elif isinstance(alive, list | tuple | np.ndarray):
        values = np.asarray(alive)
        if values.ndim != 1:
            raise TypeError(
                f"{what}: give one cohort as 1-D counts or several as a DataFrame with one "
                f"column per cohort; got an array of shape {values.shape}"
            )
        frame = pd.DataFrame({"alive": values})
    else:
        raise TypeError(
            f"{what} must be counts alive at t = 0..n (a sequence, 1-D array or Series) or "
            f"a DataFrame with one column per cohort; got {type(alive).__name__}"
        )
    if frame.shape[1] == 0:
        raise DataValidationError(f"invalid {what}: the frame has no columns (no cohorts)")

    problems = Problems(frame, what)
    cohorts: dict[str, np.ndarray] = {}
    for column in frame.columns:
        name = str(column)
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            problems.add(f"column '{name}': counts must be numeric, has dtype {series.dtype}")
            continue
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
        n_observed = len(values) - int(np.argmax(~missing[::-1])) if (~missing).any() else 0
        interior = missing & (np.arange(len(values)) < n_observed)
        problems.add_rows(
            name, "NaN only as trailing padding after the last count", interior, [column]
        )
        problems.add_rows(name, "counts are finite", np.isinf(values), [column])
        counts = values[:n_observed]
        if n_observed < 2:
            problems.add(
                f"column '{name}': needs at least 2 counts (alive at t = 0 and t = 1); "
                f"has {n_observed}"
            )
        finite = np.isfinite(values)
        problems.add_rows(
            name,
            "counts are whole numbers >= 0",
            finite & ((values < 0) | (values != np.round(values))),
            [column],
        )
        if n_observed and not counts[0] > 0:
            problems.add(
                f"column '{name}': the cohort must start with more than 0 customers at t = 0; "
                f"got {counts[0]:g}"
            )
        rises = np.flatnonzero(counts[1:] > counts[:-1]) + 1
        if rises.size:
            t = int(rises[0])
            problems.add(
                f"column '{name}': {rises.size} of {n_observed - 1} periods break the rule "
                f"'alive[t] <= alive[t-1]' (customers who left do not come back); e.g. row "
                f"{frame.index[t]!r}: {counts[t - 1]:g} -> {counts[t]:g}"
            )
        cohorts[name] = counts
    problems.raise_if_any()
    return cohorts


def _check_identified(cohorts: Mapping[str, np.ndarray]) -> None:
    """Refuse data of one period: it pins down alpha / (alpha + beta), not alpha and beta.

    With counts at t = 0 and t = 1 only, the likelihood depends on the parameters
    through P(churn at 1) = alpha / (alpha + beta) alone: every (alpha, beta) with that
    ratio fits equally well, and the optimiser would return an arbitrary one.
    """
    if max(len(counts) for counts in cohorts.values()) >= 3:
        return
    churn = sum(c[0] - c[1] for c in cohorts.values()) / sum(c[0] for c in cohorts.values())
    raise DataValidationError(
        "ShiftedBetaGeoModel needs counts for at least 2 periods (alive at t = 0, 1 and 2, "
        "e.g. [1000, 631, 468]) in one cohort or more: with one period (t = 0 and 1) the "
        f"data give only the mean first-period churn alpha / (alpha + beta) = {churn:.3g}, "
        "not alpha and beta apart, so retention beyond the first period is unknown"
    )


def likelihood_cells(
    cohorts: Mapping[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, survived, count) of every non-empty likelihood cell of the cohorts.

    A cohort alive ``n_0, ..., n_N`` has ``n_{t-1} - n_t`` customers whose
    lifetime is t (churned at the t-th renewal, t = 1..N) and ``n_N`` still
    alive at N (lifetime > N, censored).
    """
    t, survived, count = [], [], []
    for counts in cohorts.values():
        horizon = len(counts) - 1
        t.append(np.arange(1.0, horizon + 1.0))
        survived.append(np.zeros(horizon))
        count.append(counts[:-1] - counts[1:])
        t.append(np.array([float(horizon)]))
        survived.append(np.ones(1))
        count.append(counts[-1:])
    t_all, survived_all, count_all = (np.concatenate(c) for c in (t, survived, count))
    keep = count_all > 0
    return t_all[keep], survived_all[keep], count_all[keep]


# -- likelihood ---------------------------------------------------------------------------
def cell_log_likelihood(
    params: Mapping[str, Any],
    t: ArrayLike,
    survived: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""ln S(t) of a cell still alive at t, ln P(T = t) of a cell that churned at t.

    The one sBG likelihood of the package, per (t, survived) cell:

    .. math::

        \ln P(T = t) = \ln B(\alpha+1, \beta+t-1) - \ln B(\alpha, \beta), \qquad
        \ln S(t) = \ln B(\alpha, \beta+t) - \ln B(\alpha, \beta)

    (Fader & Hardie 2007), evaluated by numpy for maximum likelihood and by PyTensor
    (``xp=pytensor_namespace()``) for the Bayesian model.

    Parameters
    ----------
    params
        ``alpha`` and ``beta``: numbers, arrays that broadcast against the cells, or
        PyTensor variables.
    t
        Period of each cell (whole numbers >= 1).
    survived
        1 where the cell's customers are still alive at t (censored), 0 where they
        churned at the t-th renewal.
    xp
        The array namespace (:mod:`clvmodels.models.namespace`).

    Returns
    -------
    numpy.ndarray or pytensor variable
        Log-probability per cell (multiply by the cell counts and sum for the likelihood).
    """
    if xp is NUMPY:
        alpha, beta = _unpack(params)
    else:
        alpha, beta = (xp.asarray(params[name]) for name in PARAM_NAMES)
    t = np.asarray(t, dtype=np.float64)
    survived = np.asarray(survived, dtype=np.float64)
    log_norm = xp.betaln(alpha, beta)
    churned = xp.betaln(alpha + 1.0, beta + np.maximum(t, 1.0) - 1.0) - log_norm
    alive = xp.betaln(alpha, beta + t) - log_norm
    return xp.where(survived > 0, alive, churned)


def log_likelihood(params: Mapping[str, ArrayLike], alive: Any) -> np.ndarray:
    r"""Log-likelihood of one or more cohorts' counts alive at t = 0..n.

    With :math:`n_t` customers alive at t (t = 0..N), the :math:`n_{t-1} - n_t`
    who left at the t-th renewal contribute :math:`\ln P(T = t)` each and the
    :math:`n_N` still alive contribute :math:`\ln S(N)`:

    .. math::

        \ell = \sum_{t=1}^{N} (n_{t-1} - n_t) \ln\frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}
             + n_N \ln\frac{B(\alpha, \beta+N)}{B(\alpha, \beta)}

    (Fader & Hardie 2007), summed over the cohorts of a DataFrame
    (which share ``alpha`` and ``beta``).

    Parameters
    ----------
    params
        ``alpha`` and ``beta``: scalars or arrays of any one shape (e.g.
        posterior draws ``(chain, draw)``).
    alive
        Counts alive at t = 0..n (see :func:`cohort_counts`).

    Returns
    -------
    numpy.ndarray
        The total log-likelihood, in nats, with the shape of the parameters
        (0-d for scalars): the data axis is added and summed here.
    """
    alpha, beta = _unpack(params)
    t, survived, count = likelihood_cells(cohort_counts(alive))
    terms = cell_log_likelihood({"alpha": alpha[..., None], "beta": beta[..., None]}, t, survived)
    return np.sum(count * terms, axis=-1)


def _loglik_grad(params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
    r"""Per-cell log-likelihood (:func:`cell_log_likelihood`) and its exact gradient.

    The gradient in (alpha, beta) is pinned by ``tests/models/test_shared_likelihood.py``
    to PyTensor's automatic derivative of :func:`cell_log_likelihood`.

    With :math:`\partial_a \ln B(a, b) = \psi(a) - \psi(a+b)`:
    churned at t: d/dalpha = 1/alpha - psi(alpha+beta+t) + psi(alpha+beta),
    d/dbeta = psi(beta+t-1) - psi(beta) - psi(alpha+beta+t) + psi(alpha+beta);
    alive at t: d/dalpha = psi(alpha+beta) - psi(alpha+beta+t),
    d/dbeta = psi(beta+t) - psi(beta) - psi(alpha+beta+t) + psi(alpha+beta).
    """
    alpha, beta = params
    t, survived = columns["t"], columns["survived"]
    ll = cell_log_likelihood({"alpha": alpha, "beta": beta}, t, survived)
    psi = special.digamma
    common = psi(alpha + beta) - psi(alpha + beta + t)
    alive = survived > 0
    grad = np.empty((2, len(t)))
    grad[0] = common + np.where(alive, 0.0, 1.0 / alpha)
    grad[1] = common - psi(beta) + psi(beta + np.where(alive, t, t - 1.0))
    return ll, grad


# -- predictive quantities ----------------------------------------------------------------
def survival(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""S(t): probability that a new customer is still a customer at time t.

    .. math:: S(t) = \frac{B(\alpha, \beta+t)}{B(\alpha, \beta)}, \quad t = 0, 1, \dots

    i.e. has renewed at least t times (Fader & Hardie 2007): the censored cell of
    :func:`cell_log_likelihood`. ``t`` and the parameters broadcast.
    """
    alpha, beta = _unpack(params)
    t = _whole_numbers(t, "t", 0)
    return np.exp(cell_log_likelihood({"alpha": alpha, "beta": beta}, t, np.ones_like(t)))


def retention_rate(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""r_t: probability that a customer alive at t - 1 renews at t.

    .. math:: r_t = \frac{S(t)}{S(t-1)} = \frac{\beta+t-1}{\alpha+\beta+t-1}, \quad t = 1, 2, \dots

    It rises with t (Fader & Hardie 2007).
    """
    alpha, beta = _unpack(params)
    t = _whole_numbers(t, "t", 1)
    return (beta + t - 1.0) / (alpha + beta + t - 1.0)


def churn_probability(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""P(T = t): probability that a new customer leaves at the t-th renewal.

    .. math:: P(T = t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}, \quad t = 1, 2, \dots

    (Fader & Hardie 2007): the churned cell of :func:`cell_log_likelihood`; equals
    :math:`S(t-1) - S(t)`.
    """
    alpha, beta = _unpack(params)
    t = _whole_numbers(t, "t", 1)
    return np.exp(cell_log_likelihood({"alpha": alpha, "beta": beta}, t, np.zeros_like(t)))


def _beta_stieltjes(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> np.ndarray:
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


def _hyp2f1_one(p: np.ndarray, q: np.ndarray, d: np.ndarray) -> np.ndarray:
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
    value = (1.0 + d) * _beta_stieltjes(p, q, np.where(positive, d, 1.0))
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
    alpha, beta = _unpack(params)
    return _hyp2f1_one(alpha, beta, _discount_rate(discount_rate))


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
    alpha, beta = _unpack(params)
    d = _discount_rate(discount_rate)
    n = _whole_numbers(n_renewals, "n_renewals", 0)
    retention = (beta + n) / (alpha + beta + n)
    return retention * _hyp2f1_one(alpha, beta + n + 1.0, d)


# -- estimator ----------------------------------------------------------------------------
def _plain(values: np.ndarray) -> np.ndarray | float:
    return float(values) if values.ndim == 0 else values


class ShiftedBetaGeoModel(MaximumLikelihoodModel):
    """Shifted-beta-geometric (sBG) retention model, fitted by maximum likelihood.

    ``fit(alive)`` takes the numbers of customers still active at t = 0, 1,
    ..., n: one cohort as a sequence / 1-D array / Series, or several cohorts
    as a DataFrame with one column per cohort (trailing NaN where a cohort is
    observed for fewer periods), which share one (alpha, beta). The
    likelihood depends on the data only through the distinct (t, churned or
    still alive) cells, fitted with their counts as weights.

    Parameters
    ----------
    penalizer_coef
        L2 penalty on (alpha, beta) (0 = plain MLE).

    Attributes
    ----------
    params_ : dict
        ``alpha`` and ``beta``.
    log_likelihood_ : float
        The full log-likelihood at the estimate (as in the papers).
    n_customers_ : int
        Customers at t = 0, summed over the cohorts.
    time_unit_ : str or None
        The period of the data when stated in ``attrs["time_unit"]``; discount
        rates given to the methods are per this period.

    Examples
    --------
    >>> import clvmodels as clv
    >>> cohorts = clv.datasets.load_retention_cohorts()
    >>> sbg = ShiftedBetaGeoModel().fit(cohorts["regular"])
    >>> round(sbg.params_["alpha"], 3), round(sbg.params_["beta"], 3)
    (0.704, 1.182)

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76-90.

    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: the perils of ignoring heterogeneity. *Marketing
    Science*, 29(1), 85-93.
    """

    param_names = PARAM_NAMES

    def _sufficient_statistics(self, data: Any, weights: Any) -> SufficientStatistics:
        if weights is not None:
            raise TypeError(
                "the sBG takes no weights: the counts alive are already numbers of customers"
            )
        cohorts = cohort_counts(data)
        _check_identified(cohorts)
        t, survived, count = likelihood_cells(cohorts)
        unique, counts = compress({"t": t, "survived": survived}, count)
        unit = time_unit_of(data) if isinstance(data, pd.DataFrame | pd.Series) else None
        return SufficientStatistics(unique, counts, unit)

    def _starting_values(self, stats: SufficientStatistics) -> list[np.ndarray]:
        # Match the mean churn probability alpha / (alpha + beta) to the share
        # of first-period churners, for three values of alpha.
        c, w = stats.columns, stats.weights
        first = w[(c["t"] == 1) & (c["survived"] == 0)].sum()
        churn = float(np.clip(first / stats.n_customers, 0.01, 0.99))
        return [np.array([a, a * (1.0 - churn) / churn]) for a in (1.0, 0.3, 3.0)]

    _loglik_grad = staticmethod(_loglik_grad)

    def fit(self, alive: Any, weights: Any = None) -> Self:
        """Fit (alpha, beta) to counts alive at t = 0..n; returns ``self``.

        Parameters
        ----------
        alive
            One cohort's counts (sequence, 1-D array, Series), or a DataFrame
            with one column per cohort (see :func:`cohort_counts` for the
            rules they must meet).
        weights
            Not used (must be ``None``): the counts are the weights.
        """
        return self._fit_statistics(self._sufficient_statistics(alive, weights))

    # -- predictions --------------------------------------------------------------------
    def survival(self, t: ArrayLike) -> np.ndarray | float:
        """S(t), share of a new cohort still active at t (see :func:`survival`)."""
        self._check_fitted()
        return _plain(survival(self.params_, t))

    def retention_rate(self, t: ArrayLike) -> np.ndarray | float:
        """r_t, retention rate of the t-th renewal (see :func:`retention_rate`)."""
        self._check_fitted()
        return _plain(retention_rate(self.params_, t))

    def churn_probability(self, t: ArrayLike) -> np.ndarray | float:
        """P(T = t), churn at the t-th renewal (see :func:`churn_probability`)."""
        self._check_fitted()
        return _plain(churn_probability(self.params_, t))

    def discounted_expected_lifetime(self, discount_rate: ArrayLike) -> np.ndarray | float:
        """DEL of a new customer at a rate per period of the data (see the function)."""
        self._check_fitted()
        return _plain(discounted_expected_lifetime(self.params_, discount_rate))

    def discounted_expected_residual_lifetime(
        self, discount_rate: ArrayLike, n_renewals: ArrayLike
    ) -> np.ndarray | float:
        """DERL of a customer who has renewed ``n_renewals`` times (see the function)."""
        self._check_fitted()
        return _plain(
            discounted_expected_residual_lifetime(self.params_, discount_rate, n_renewals)
        )

    def project(self, alive: Any, n_periods: int) -> pd.DataFrame:
        """Observed and expected customers alive, over the data and ``n_periods`` beyond.

        Parameters
        ----------
        alive
            One cohort's counts alive at t = 0..n (a sequence, 1-D array,
            Series or one-column DataFrame).
        n_periods
            Number of periods to project past the last observation (>= 0).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``period`` t = 0..n + n_periods, with ``observed`` (the
            counts; NaN beyond the data) and ``expected`` (``alive[0] * S(t)``).
        """
        self._check_fitted()
        cohorts = cohort_counts(alive)
        if len(cohorts) != 1:
            raise ValueError(
                f"project() takes one cohort; got {len(cohorts)} ({list(cohorts)}): "
                "project each column separately"
            )
        (counts,) = cohorts.values()
        extra = int(_whole_numbers(n_periods, "n_periods", 0))
        t = np.arange(len(counts) + extra)
        observed = np.concatenate([counts, np.full(extra, np.nan)])
        return pd.DataFrame(
            {"observed": observed, "expected": counts[0] * survival(self.params_, t)},
            index=pd.Index(t, name="period"),
        )
