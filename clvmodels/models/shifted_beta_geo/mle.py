"""The sBG fitted by maximum likelihood: a thin class over the math, lifetimes and spec."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.cohorts import cohort_counts, whole_numbers
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rows import CompressedRows
from clvmodels.models.shifted_beta_geo.gradient import log_likelihood_gradient
from clvmodels.models.shifted_beta_geo.lifetime import (
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
)
from clvmodels.models.shifted_beta_geo.math import (
    churn_probability,
    retention_rate,
    sufficient_statistics,
    survival,
)
from clvmodels.models.shifted_beta_geo.spec import SPEC

__all__ = ["ShiftedBetaGeoModel"]


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

    spec = SPEC
    param_names = SPEC.parameters

    def _sufficient_statistics(self, data: Any, weights: Any) -> CompressedRows:
        return sufficient_statistics(data, weights)

    _loglik_grad = staticmethod(log_likelihood_gradient)

    def fit(self, alive: Any, weights: Any = None) -> Self:
        """Fit (alpha, beta) to counts alive at t = 0..n; returns ``self``.

        Parameters
        ----------
        alive
            One cohort's counts (sequence, 1-D array, Series), or a DataFrame
            with one column per cohort (see :func:`~clvmodels.data.cohorts.cohort_counts` for the
            rules they must meet).
        weights
            Not used (must be ``None``): the counts are the weights.
        """
        return self._fit_statistics(self._sufficient_statistics(alive, weights))

    # -- predictions --------------------------------------------------------------------
    def survival(self, t: ArrayLike) -> np.ndarray | float:
        """S(t), share of a new cohort still active at t (see :func:`.math.survival`)."""
        self._check_fitted()
        return _plain(survival(self.params_, t))

    def retention_rate(self, t: ArrayLike) -> np.ndarray | float:
        """r_t, retention rate of the t-th renewal (see :func:`.math.retention_rate`)."""
        self._check_fitted()
        return _plain(retention_rate(self.params_, t))

    def churn_probability(self, t: ArrayLike) -> np.ndarray | float:
        """P(T = t), churn at the t-th renewal (see :func:`.math.churn_probability`)."""
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
        extra = int(whole_numbers(n_periods, "n_periods", 0))
        t = np.arange(len(counts) + extra)
        observed = np.concatenate([counts, np.full(extra, np.nan)])
        return pd.DataFrame(
            {"observed": observed, "expected": counts[0] * survival(self.params_, t)},
            index=pd.Index(t, name="period"),
        )
