"""The sBG fitted by maximum likelihood: a thin class over the math, lifetimes and spec."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.cohorts import cohort_counts, subscriber_periods, whole_numbers
from clvmodels.data.units import time_unit_of
from clvmodels.estimation.coefficients import per_row
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rows import CompressedRows, compress
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.models.shifted_beta_geo.cells import subscriber_table
from clvmodels.models.shifted_beta_geo.gradient import covariate_terms, log_likelihood_gradient
from clvmodels.models.shifted_beta_geo.lifetime import (
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
)
from clvmodels.models.shifted_beta_geo.math import (
    churn_parameters,
    churn_probability,
    retention_rate,
    survival,
)
from clvmodels.models.shifted_beta_geo.spec import SPEC

__all__ = ["ShiftedBetaGeoModel"]

#: The columns of a subscriber table (one row per subscriber, see ``fit_customers``).
SUBSCRIBER_COLUMNS = ("tenure", "churned")


def _plain(values: np.ndarray) -> np.ndarray | float:
    return float(values) if values.ndim == 0 else values


def _is_subscriber_table(data: Any) -> bool:
    return isinstance(data, pd.DataFrame) and set(SUBSCRIBER_COLUMNS) <= set(data.columns)


class ShiftedBetaGeoModel(StaticCovariates, MaximumLikelihoodModel):
    r"""Shifted-beta-geometric (sBG) retention model, fitted by maximum likelihood.

    ``fit(alive)`` takes the numbers of customers still active at t = 0, 1,
    ..., n: one cohort as a sequence / 1-D array / Series, or several cohorts
    as a DataFrame with one column per cohort (trailing NaN where a cohort is
    observed for fewer periods), which share one (alpha, beta).
    ``fit_customers(tenure, churned)`` takes one row per subscriber instead. The
    likelihood depends on the data only through the distinct (t, churned or
    still alive) cells, fitted with their counts as weights.

    Parameters
    ----------
    penalizer_coef
        L2 penalty on (alpha, beta) (0 = plain MLE).
    churn_covariates
        Static covariate columns of the subscriber table given to :meth:`fit_customers`
        (categorical columns become dummies against their first level in sorted order,
        see :mod:`clvmodels.data.covariates`). Subscriber i's churn probability is
        :math:`\theta_i \sim \mathrm{Beta}(\alpha e^{\gamma_C' z_i}, \beta)`
        (:func:`.math.churn_parameters`): the odds alpha_i / beta of her mean churn
        probability are the reference subscriber's times e^coefficient, so a positive
        coefficient means more churn. The sBG of Fader & Hardie has no covariates and
        CLVTools no sBG: this is clvmodels' own choice. The coefficients are ``params_``
        entries ``churn:NAME``.
    covariate_penalty
        L2 penalty ``lambda * sum(gamma_C**2)`` on the coefficients, added to the mean
        negative log-likelihood per subscriber; one number or ``{"churn": 0.1}``.

    Attributes
    ----------
    params_ : dict
        ``alpha`` and ``beta`` (and the coefficients ``churn:NAME``).
    log_likelihood_ : float
        The full log-likelihood at the estimate (as in the papers).
    n_customers_ : int
        Customers at t = 0, summed over the cohorts (subscribers with a tenure >= 1 for
        :meth:`fit_customers`).
    time_unit_ : str or None
        The period of the data when stated in ``attrs["time_unit"]``; discount
        rates given to the methods are per this period.

    Notes
    -----
    Without ``covariates``, :meth:`survival`, :meth:`retention_rate`,
    :meth:`churn_probability`, :meth:`discounted_expected_lifetime` and
    :meth:`discounted_expected_residual_lifetime` describe the reference subscriber
    (every covariate 0); with ``covariates=frame`` (one row per subscriber, new or
    current, with the covariate columns) one value per row, a Series for one ``t`` (or
    rate) and a DataFrame (rows x values) for a 1-D array. A new subscriber is a
    customer at t = 0 (S(0) = 1).

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
    covariate_processes = ("churn",)
    covariate_data_columns = ("t", "survived")

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(churn_parameters)

    def __init__(
        self,
        penalizer_coef: float = 0.0,
        churn_covariates: Sequence[str] | None = None,
        covariate_penalty: float | Mapping[str, float] | None = None,
    ) -> None:
        self._set_covariates(penalizer_coef, {"churn": churn_covariates}, covariate_penalty)

    def fit(self, alive: Any, weights: Any = None) -> Self:
        """Fit (alpha, beta) to counts alive at t = 0..n; returns ``self``.

        Parameters
        ----------
        alive
            One cohort's counts (sequence, 1-D array, Series), or a DataFrame
            with one column per cohort (see :func:`~clvmodels.data.cohorts.cohort_counts` for the
            rules they must meet); or a subscriber table (:meth:`fit_customers`).
        weights
            Not used (must be ``None``): the counts are the weights.

        Raises
        ------
        ValueError
            If the model has churn covariates: they need one row per subscriber.
        """
        if self.has_covariates and not _is_subscriber_table(alive):
            raise ValueError(
                f"churn_covariates {self.churn_covariates} need one row per subscriber: use "
                "fit_customers(tenure, churned, covariates=frame) (cohort counts carry no "
                "covariates)"
            )
        return super().fit(alive, weights)

    def fit_customers(
        self,
        tenure: ArrayLike,
        churned: ArrayLike,
        *,
        covariates: pd.DataFrame | None = None,
        time_unit: str | None = None,
    ) -> Self:
        """Fit from one row per subscriber; returns ``self``.

        Parameters
        ----------
        tenure, churned
            Per subscriber, the renewal at which she churned (``churned`` true), or the
            renewals made so far while active (a tenure of 0 adds nothing), as for the
            Bayesian sBG's ``fit_customers``
            (:func:`~clvmodels.data.cohorts.subscriber_periods` states the rules).
        covariates
            With ``churn_covariates``: a frame with one row per subscriber (in the order
            of ``tenure``) holding those columns.
        time_unit
            The period of ``tenure`` (e.g. ``"M"``), stored for the discount rates.
        """
        return self.fit(subscriber_table(tenure, churned, covariates, time_unit))

    def _sufficient_statistics(self, data: Any, weights: Any) -> CompressedRows:
        if not _is_subscriber_table(data):
            return super()._sufficient_statistics(data, weights)
        if weights is not None:
            raise TypeError("a subscriber table takes no weights: each row is one subscriber")
        periods, flags = subscriber_periods(data["tenure"], data["churned"])
        keep = periods > 0
        cells = data[keep].assign(t=periods[keep], survived=(~flags[keep]).astype(np.float64))
        if self.has_covariates:
            return self._covariate_rows(cells, None)
        unique, counts = compress({name: cells[name].to_numpy() for name in ("t", "survived")})
        return CompressedRows(unique, counts, time_unit_of(data))

    def _covariate_data(self, data: Any, weights: Any) -> tuple[pd.DataFrame, Any]:
        return data, weights

    # -- predictions --------------------------------------------------------------------
    def _predict(
        self,
        function: Callable[..., np.ndarray],
        values: ArrayLike,
        covariates: pd.DataFrame | None,
        label: str,
        *extra: Any,
    ) -> np.ndarray | float | pd.Series | pd.DataFrame:
        """``function(params, values, *extra)``: for the reference subscriber, or per row."""
        if covariates is None:
            self._check_fitted()
            return _plain(function(self.params_, values, *extra))
        params = self._new_customer_params(covariates)
        return per_row(function, params, covariates.index, values, *extra, label=label)

    def survival(self, t: ArrayLike, covariates: pd.DataFrame | None = None) -> Any:
        """S(t), share of a new cohort still active at t (see :func:`.math.survival`).

        With ``covariates`` (one row per subscriber), one value per row (class Notes).
        """
        return self._predict(survival, t, covariates, "t")

    def retention_rate(self, t: ArrayLike, covariates: pd.DataFrame | None = None) -> Any:
        """r_t, retention rate of the t-th renewal (see :func:`.math.retention_rate`)."""
        return self._predict(retention_rate, t, covariates, "t")

    def churn_probability(self, t: ArrayLike, covariates: pd.DataFrame | None = None) -> Any:
        """P(T = t), churn at the t-th renewal (see :func:`.math.churn_probability`)."""
        return self._predict(churn_probability, t, covariates, "t")

    def discounted_expected_lifetime(
        self, discount_rate: ArrayLike, covariates: pd.DataFrame | None = None
    ) -> Any:
        """DEL of a new customer at a rate per period of the data (see the function)."""
        return self._predict(
            discounted_expected_lifetime, discount_rate, covariates, "discount_rate"
        )

    def discounted_expected_residual_lifetime(
        self,
        discount_rate: ArrayLike,
        n_renewals: ArrayLike,
        covariates: pd.DataFrame | None = None,
    ) -> Any:
        """DERL of a customer who has renewed ``n_renewals`` times (see the function).

        With ``covariates``, ``discount_rate`` is one number and the values are per row
        (and per ``n_renewals`` when it is a 1-D array).
        """
        if covariates is None:
            self._check_fitted()
            return _plain(
                discounted_expected_residual_lifetime(self.params_, discount_rate, n_renewals)
            )

        def discounted_expected_residual_lifetime_at(params: Any, n: ArrayLike) -> np.ndarray:
            return discounted_expected_residual_lifetime(params, discount_rate, n)

        return self._predict(
            discounted_expected_residual_lifetime_at, n_renewals, covariates, "n_renewals"
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
