r"""sBG math: the likelihood's cells and the survival quantities built from them, written once.

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

The data of one cohort are the numbers alive at t = 0, 1, ..., n
(:func:`clvmodels.data.cohorts.cohort_counts`). The math is written once, as functions
of ``(params, data)`` where ``params`` maps ``alpha`` and ``beta`` to scalars or arrays
(e.g. posterior draws): :func:`cell_log_likelihood` is the likelihood, and
:func:`survival` and :func:`churn_probability` are its two cells, exponentiated.

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
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.cohorts import cohort_counts, first_bad, require_two_periods, whole_numbers
from clvmodels.data.units import time_unit_of
from clvmodels.estimation.rows import CompressedRows, compress
from clvmodels.models.namespace import NUMPY

__all__ = [
    "PARAM_NAMES",
    "cell_log_likelihood",
    "checked_parameters",
    "churn_parameters",
    "churn_probability",
    "likelihood_cells",
    "log_likelihood",
    "retention_rate",
    "sufficient_statistics",
    "survival",
]

PARAM_NAMES = ("alpha", "beta")


def checked_parameters(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, np.ndarray]:
    """``alpha`` and ``beta`` as float arrays, each checked to be finite and > 0."""
    alpha, beta = (np.asarray(params[name], dtype=np.float64) for name in PARAM_NAMES)
    for name, values in zip(PARAM_NAMES, (alpha, beta), strict=True):
        bad = ~(np.isfinite(values) & (values > 0))
        if np.any(bad):
            raise ValueError(
                f"the sBG parameter {name} must be positive and finite; "
                f"got {first_bad(values, bad)}"
            )
    return alpha, beta


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


def sufficient_statistics(alive: Any, weights: Any = None) -> CompressedRows:
    """The distinct (t, survived) cells of the cohorts with their counts, as the MLE fits them.

    Raises
    ------
    TypeError
        If ``weights`` are given: the counts alive are already numbers of customers.
    """
    if weights is not None:
        raise TypeError(
            "the sBG takes no weights: the counts alive are already numbers of customers"
        )
    cohorts = cohort_counts(alive)
    require_two_periods(cohorts)
    t, survived, count = likelihood_cells(cohorts)
    unique, counts = compress({"t": t, "survived": survived}, count)
    unit = time_unit_of(alive) if isinstance(alive, pd.DataFrame | pd.Series) else None
    return CompressedRows(unique, counts, unit)


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
        alpha, beta = checked_parameters(params)
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
    alpha, beta = checked_parameters(params)
    t, survived, count = likelihood_cells(cohort_counts(alive))
    terms = cell_log_likelihood({"alpha": alpha[..., None], "beta": beta[..., None]}, t, survived)
    return np.sum(count * terms, axis=-1)


def survival(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""S(t): probability that a new customer is still a customer at time t.

    .. math:: S(t) = \frac{B(\alpha, \beta+t)}{B(\alpha, \beta)}, \quad t = 0, 1, \dots

    i.e. has renewed at least t times (Fader & Hardie 2007): the censored cell of
    :func:`cell_log_likelihood`. ``t`` and the parameters broadcast.
    """
    alpha, beta = checked_parameters(params)
    t = whole_numbers(t, "t", 0)
    return np.exp(cell_log_likelihood({"alpha": alpha, "beta": beta}, t, np.ones_like(t)))


def retention_rate(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""r_t: probability that a customer alive at t - 1 renews at t.

    .. math:: r_t = \frac{S(t)}{S(t-1)} = \frac{\beta+t-1}{\alpha+\beta+t-1}, \quad t = 1, 2, \dots

    It rises with t (Fader & Hardie 2007).
    """
    alpha, beta = checked_parameters(params)
    t = whole_numbers(t, "t", 1)
    return (beta + t - 1.0) / (alpha + beta + t - 1.0)


def churn_probability(params: Mapping[str, ArrayLike], t: ArrayLike) -> np.ndarray:
    r"""P(T = t): probability that a new customer leaves at the t-th renewal.

    .. math:: P(T = t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}, \quad t = 1, 2, \dots

    (Fader & Hardie 2007): the churned cell of :func:`cell_log_likelihood`; equals
    :math:`S(t-1) - S(t)`.
    """
    alpha, beta = checked_parameters(params)
    t = whole_numbers(t, "t", 1)
    return np.exp(cell_log_likelihood({"alpha": alpha, "beta": beta}, t, np.zeros_like(t)))


def churn_parameters(params: Mapping[str, Any], eta_churn: ArrayLike) -> dict[str, Any]:
    r"""Each subscriber's (alpha, beta) under static churn covariates.

    .. math:: \alpha_i = \alpha\, e^{\gamma_C' z_i}, \qquad \beta_i = \beta

    The odds alpha_i / beta of the mean churn probability alpha_i / (alpha_i + beta) are
    multiplied by :math:`e^{\gamma_C' z_i}`: a positive coefficient means more churn (for
    a small mean churn probability, about e^coefficient times as much). This is clvmodels'
    own choice: Fader & Hardie's sBG has no covariates and CLVTools has no sBG; it scales
    one parameter of the mixing distribution as CLVTools does (Bachmann, Meierer & Naef
    2021) and as the BG/BB's dropout covariates scale gamma.
    """
    return {
        "alpha": params["alpha"] * np.exp(np.asarray(eta_churn, dtype=np.float64)),
        "beta": params["beta"],
    }
