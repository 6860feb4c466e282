"""Gamma-Gamma math: the likelihood's terms and the predictions built from them, written once.

The functions take ``(params, data)`` where ``params`` maps ``p, q, v`` (v is the papers'
gamma) to scalars or arrays (e.g. posterior draws) that broadcast against the data; the
model and its references are in :mod:`clvmodels.models.gamma_gamma`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.units import time_unit_of
from clvmodels.data.validation import check_summary
from clvmodels.estimation.rows import CompressedRows, compress
from clvmodels.exceptions import DataValidationError
from clvmodels.models.namespace import NUMPY

__all__ = [
    "PARAM_NAMES",
    "check_spend_summary",
    "expected_spend",
    "grouped_log_likelihood",
    "log_likelihood",
    "mean_spend_density",
    "population_mean_spend",
    "repeat_buyers",
    "spend_parameters",
    "sufficient_statistics",
    "x_terms",
]

PARAM_NAMES = ("p", "q", "v")


def _unpack(params: Mapping[str, ArrayLike]) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(params[name], dtype=np.float64) for name in PARAM_NAMES)


def _parameters(params: Mapping[str, Any], xp: SimpleNamespace) -> tuple[Any, ...]:
    """The three parameters: float arrays for numpy, as given for PyTensor."""
    if xp is NUMPY:
        return _unpack(params)
    return tuple(xp.asarray(params[name]) for name in PARAM_NAMES)


def log_likelihood(
    params: Mapping[str, Any],
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    r"""Log-density of each customer's mean spend m given x transactions (x > 0).

    .. math::

        \ell = \ln\Gamma(px+q) - \ln\Gamma(px) - \ln\Gamma(q) + q\ln\gamma
               + (px-1)\ln m + px\ln x - (px+q)\ln(\gamma + m x)

    (Fader & Hardie, note 025, eq. 1a; the same form as lifetimes.) Calls
    :func:`grouped_log_likelihood`; ``params`` may be arrays that broadcast against the
    data, or PyTensor variables with ``xp=pytensor_namespace()``.
    """
    x = np.asarray(frequency, dtype=np.float64)
    x_unique, x_index = np.unique(x, return_inverse=True)
    return grouped_log_likelihood(params, x_unique, x_index.reshape(x.shape), monetary_value, xp)


def grouped_log_likelihood(
    params: Mapping[str, Any],
    x_unique: ArrayLike,
    x_index: ArrayLike,
    monetary_value: ArrayLike,
    xp: SimpleNamespace = NUMPY,
) -> Any:
    """The Gamma-Gamma log-likelihood of rows whose frequencies are ``x_unique[x_index]``.

    The one Gamma-Gamma likelihood of the package (formula in :func:`log_likelihood`),
    evaluated by numpy for maximum likelihood and by PyTensor for the Bayesian model.
    The gamma functions of px and px + q and the term px ln x depend on a row only through
    x and are evaluated once per distinct x.

    Parameters
    ----------
    params
        ``p``, ``q``, ``v``.
    x_unique
        The distinct frequencies (1-D, all > 0).
    x_index
        Integer positions into ``x_unique``, one per row.
    monetary_value
        Mean spend m per row (> 0).
    xp
        The array namespace (:mod:`clvmodels.models.namespace`).

    Returns
    -------
    numpy.ndarray or pytensor variable
        Per-row log-density, broadcast against the parameters.
    """
    p, q, v = _parameters(params, xp)
    x_unique = np.asarray(x_unique, dtype=np.float64)
    x_index = np.asarray(x_index, dtype=np.intp)
    x = x_unique[x_index]
    m = np.asarray(monetary_value, dtype=np.float64)
    # ln Gamma(px + q) - ln Gamma(px) - ln Gamma(q) = -ln B(px, q), which betaln keeps
    # accurate when px is large (a difference of gammaln loses digits there); the terms in
    # ln m, ln x and ln(gamma + m x) are regrouped so that no two large ones cancel:
    # px ln x + (px - 1) ln m - (px + q) ln(gamma + m x) + q ln gamma
    #   = -ln m - px log1p(gamma / (m x)) - q log1p(m x / gamma).
    per_x = x_terms(p, q, x_unique, xp)
    mx = m * x
    return xp.take(per_x, x_index) - np.log(m) - p * x * xp.log1p(v / mx) - q * xp.log1p(mx / v)


def x_terms(p: Any, q: Any, x_unique: np.ndarray, xp: SimpleNamespace = NUMPY) -> Any:
    r"""The likelihood's term in x alone, :math:`-\ln B(px, q)`, per distinct x.

    :math:`\ln\Gamma(px+q) - \ln\Gamma(px) - \ln\Gamma(q)` as a beta function, which
    ``betaln`` keeps accurate when px is large (a difference of gammaln loses digits
    there); read by :func:`grouped_log_likelihood` and by the tables of the compiled
    kernel (:mod:`.gradient`).
    """
    return -xp.betaln(p * x_unique, q)


def expected_spend(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, monetary_value: ArrayLike
) -> np.ndarray:
    r"""E[M | p, q, gamma, x, m]: expected spend per transaction of a customer.

    .. math::

        E[M \mid x, m] = \frac{p(\gamma + m x)}{px + q - 1}
          = \frac{q-1}{px+q-1}\,\frac{p\gamma}{q-1} + \frac{px}{px+q-1}\,m

    a weighted mean of the population mean p gamma / (q - 1) and the
    customer's own mean; for x = 0 it is the population mean. Requires q > 1
    (Fader, Hardie & Lee 2005, eq. 5).
    """
    p, q, v = _unpack(params)
    if np.any(q <= 1.0):
        raise ValueError(
            f"the Gamma-Gamma mean spend exists only for q > 1; the fitted q is {np.min(q):.4g}"
        )
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    m = np.where(x > 0, m, 0.0)
    return p * (v + m * x) / (p * x + q - 1.0)


def population_mean_spend(params: Mapping[str, ArrayLike]) -> float:
    """p gamma / (q - 1): the mean spend per transaction across customers (q > 1).

    :func:`expected_spend` of a customer without repeat purchases (Fader, Hardie & Lee
    2005, eq. 5).
    """
    return float(expected_spend(params, 0.0, 0.0))


def mean_spend_density(
    params: Mapping[str, ArrayLike], frequency: ArrayLike, spend: ArrayLike
) -> np.ndarray:
    """Density of a customer's mean spend at ``spend``, mixed over the ``frequency`` given.

    The likelihood of :func:`log_likelihood` (the density of the mean of x spends, given
    x), averaged over the distinct x > 0 of ``frequency`` weighted by their counts; one
    value per element of ``spend`` (e.g. to draw over a histogram of the repeat buyers'
    mean spend).
    """
    xs, counts = np.unique(np.asarray(frequency, dtype=np.float64), return_counts=True)
    z = np.asarray(spend, dtype=np.float64)[:, None]
    with np.errstate(divide="ignore"):
        log_f = log_likelihood(params, xs[None, :], z)
    return np.exp(log_f) @ (counts / counts.sum())


def check_spend_summary(summary: pd.DataFrame) -> None:
    """Check the columns a spend prediction reads (``frequency``, ``monetary_value``).

    A ``monetary_value`` of 0 is allowed (customers without repeat purchases).
    """
    check_summary(
        summary,
        recency_col=None,
        T_col=None,
        monetary_value_col="monetary_value",
        positive_monetary_value=False,
    )


def repeat_buyers(data: Any, weights: Any = None) -> tuple[pd.DataFrame, Any]:
    """The checked summary's repeat buyers (frequency > 0) and their weights: the fitted rows.

    Raises
    ------
    DataValidationError
        If the summary breaks its rules or has no repeat buyer.
    """
    check_summary(data, recency_col=None, T_col=None, monetary_value_col="monetary_value")
    repeat = data["frequency"].to_numpy(np.float64) > 0
    if not repeat.any():
        raise DataValidationError(
            "the Gamma-Gamma model needs customers with frequency > 0 (repeat purchases); "
            "the summary has none"
        )
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)[repeat]
    return data[repeat], weights


def sufficient_statistics(data: Any, weights: Any = None) -> CompressedRows:
    """The distinct (x, m) rows of the repeat buyers, their counts, and the distinct x.

    What :func:`grouped_log_likelihood` is evaluated on, by maximum likelihood and by
    the Bayesian model alike.
    """
    buyers, weights = repeat_buyers(data, weights)
    columns = {
        "frequency": buyers["frequency"].to_numpy(np.float64),
        "monetary_value": buyers["monetary_value"].to_numpy(np.float64),
    }
    unique, counts = compress(columns, weights)
    x_unique, x_index = np.unique(unique["frequency"], return_inverse=True)
    unique["x_index"] = x_index.astype(np.float64)
    unique["log_m"] = np.log(unique["monetary_value"])
    unique["log_x"] = np.log(unique["frequency"])
    return CompressedRows(unique, counts, time_unit_of(data), {"x_unique": x_unique})


def spend_parameters(params: Mapping[str, Any], eta_spend: ArrayLike) -> dict[str, Any]:
    r"""Each customer's (p, q, v) under static spend covariates.

    .. math:: v_i = v\, e^{\gamma_S' z_i}

    v is the rate of the gamma distribution of nu (a customer's spend is Gamma(p, nu)
    per transaction, nu ~ Gamma(q, v)), so v is a scale of spend: customer i's mean spend
    per transaction p v_i / (q - 1) is the population's times :math:`e^{\gamma_S' z_i}`,
    and a positive coefficient means higher spend. CLVTools' spending model has no
    covariates; this is clvmodels' own choice, CLVTools' convention of scaling the gamma
    mixing distribution's scale (Bachmann, Meierer & Naef 2021) carried over to spend.
    """
    return {
        "p": params["p"],
        "q": params["q"],
        "v": params["v"] * np.exp(np.asarray(eta_spend, dtype=np.float64)),
    }
