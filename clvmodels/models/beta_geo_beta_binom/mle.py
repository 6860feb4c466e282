"""The BG/BB fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.opportunities import COLUMNS, check_opportunity_summary
from clvmodels.data.units import check_same_unit, time_unit_of
from clvmodels.estimation.coefficients import per_row
from clvmodels.estimation.count_requests import check_count_request, check_offset, count_frame
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.parameter_stack import requested_interval
from clvmodels.estimation.prediction_intervals import horizon_interval, stacked_interval
from clvmodels.estimation.protocols import PurchaseCapabilities
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.models.beta_geo_beta_binom import counts as counts_module
from clvmodels.models.beta_geo_beta_binom.gradient import covariate_terms, log_likelihood_gradient
from clvmodels.models.beta_geo_beta_binom.math import (
    conditional_expected_purchases,
    customer_parameters,
    discounted_expected_residual_transactions,
    expected_purchases,
    probability_alive,
)
from clvmodels.models.beta_geo_beta_binom.spec import SPEC

__all__ = ["BetaGeoBetaBinomModel"]


class BetaGeoBetaBinomModel(StaticCovariates, PurchaseCapabilities, MaximumLikelihoodModel):
    r"""BG/BB model of discrete-time transactions and dropout, fitted by maximum likelihood.

    Fit it on an (x, t_x, n) table
    (:func:`~clvmodels.data.opportunities.opportunity_summary`, or an aggregated table with
    ``weights`` = the number of customers in each row, as
    :func:`clvmodels.datasets.load_donations`).

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (alpha^2 + beta^2 + gamma^2 + delta^2)`` added to the
        mean negative log-likelihood per customer.
    purchase_covariates, dropout_covariates
        Static covariate columns of the table (one value per customer; categorical
        columns become dummies against their first level in sorted order, see
        :mod:`clvmodels.data.covariates`). Customer i has
        :math:`\alpha_i = \alpha e^{\gamma_P' z_i}` and
        :math:`\gamma_i = \gamma e^{\gamma_D' z_i}` (beta and delta shared): the odds
        alpha_i / beta of her mean transaction probability, and gamma_i / delta of her
        mean dropout probability, are multiplied by e^coefficient, so a positive purchase
        coefficient means more transactions and a positive dropout coefficient earlier
        dropout. No published BG/BB has covariates (CLVTools has no BG/BB): this is
        clvmodels' own choice, the analogue of CLVTools' scaling of one parameter of each
        mixing distribution (:func:`.math.customer_parameters`).
    covariate_penalty, equal_effects
        As for :class:`~clvmodels.BetaGeoModel`: an L2 penalty on the coefficients per
        process, and covariates with one coefficient ``both:NAME`` in both processes.

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta`` (transaction probability), ``gamma``, ``delta`` (dropout
        probability); with covariates also the coefficients ``purchase:NAME``,
        ``dropout:NAME``.
    log_likelihood_ : float
        The full log-likelihood at the estimate.

    Notes
    -----
    The per-customer predictions read the covariate columns of the table they are given.
    ``expected_purchases(n, covariates=frame)`` gives the expected transactions in the
    first n opportunities of new customers with the covariates of each row of ``frame``
    (a new customer is alive at the start, P(alive) = 1).

    Examples
    --------
    >>> import clvmodels as clv
    >>> donations = clv.datasets.load_donations()
    >>> bb = clv.BetaGeoBetaBinomModel().fit(donations, weights=donations["count"])
    >>> round(bb.params_["alpha"], 3), round(bb.params_["delta"], 3)
    (1.204, 2.783)

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
    discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086-1108.
    """

    spec = SPEC
    param_names = SPEC.parameters
    #: conditional_expected_purchases takes an array of horizons (used by the CLV).
    accepts_many_horizons = True
    covariate_data_columns = COLUMNS

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(customer_parameters)

    def _covariate_data(self, data: Any, weights: Any) -> tuple[pd.DataFrame, Any]:
        check_opportunity_summary(data)
        return data, weights

    # -- predictions --------------------------------------------------------------------
    def _frame_arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
        check_opportunity_summary(summary)
        check_same_unit(self.time_unit_, time_unit_of(summary), "the summary")
        return tuple(summary[name].to_numpy(np.float64) for name in COLUMNS)

    def expected_purchases(
        self, n: ArrayLike, covariates: pd.DataFrame | None = None
    ) -> np.ndarray | float | pd.Series | pd.DataFrame:
        """E[X(n)] for a new customer (see :func:`.math.expected_purchases`).

        With ``covariates`` (one row per new customer, the model's covariate columns), one
        value per row: a Series for a number ``n``, rows x horizons for a 1-D ``n``.
        """
        if covariates is not None:
            params = self._new_customer_params(covariates)
            return per_row(expected_purchases, params, covariates.index, n, label="n")
        self._check_fitted()
        out = expected_purchases(self.params_, n)
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        summary: pd.DataFrame,
        *,
        interval: float | None = None,
        **how: Any,
    ) -> pd.Series | pd.DataFrame:
        """Expected transactions in the next ``t`` periods (whole numbers), per customer.

        A scalar ``t`` gives a Series; a 1-D array of horizons gives a DataFrame with one
        column per horizon. ``interval=0.9`` (``how``: ``method``, ``draws``, ``seed``) gives
        the mean and its parameter-uncertainty interval, as for
        :meth:`clvmodels.BetaGeoModel.conditional_expected_purchases`.
        """
        self._check_fitted()
        x, t_x, n = self._frame_arrays(summary)
        horizons = np.asarray(t, dtype=np.float64)
        request = requested_interval(interval, how)
        if request is not None:
            function = conditional_expected_purchases
            return horizon_interval(self, function, horizons, (x, t_x, n), summary, request)
        params = self._customer_params(summary)
        if horizons.ndim == 0:
            values = conditional_expected_purchases(params, horizons, x, t_x, n)
            return pd.Series(values, index=summary.index, name="expected_purchases")
        if horizons.ndim != 1:
            raise ValueError(
                f"t must be a number or a 1-D array of horizons, got shape {horizons.shape}"
            )
        values = conditional_expected_purchases(params, horizons[:, None], x, t_x, n)
        return pd.DataFrame(values.T, index=summary.index, columns=pd.Index(horizons, name="t"))

    def probability_alive(
        self,
        summary: pd.DataFrame,
        periods_ahead: int = 1,
        *,
        at: int | None = None,
        interval: float | None = None,
        **how: Any,
    ) -> pd.Series | pd.DataFrame:
        """P(alive in period n + ``periods_ahead``) per customer (see the function).

        ``at`` (whole periods after the end of observation) is the same as
        ``periods_ahead``, the spelling every purchase model takes: ``at=0`` is P(alive
        after period n), ``at=1`` (the default) the paper's P(alive).
        ``interval=0.9`` (``how``: ``method``, ``draws``, ``seed``): the mean and its
        parameter-uncertainty interval (delta method on the logit scale).
        """
        self._check_fitted()
        x, t_x, n = self._frame_arrays(summary)
        ahead = periods_ahead if at is None else check_offset(at)
        request = requested_interval(interval, how)
        if request is not None:

            def alive(params: Any, *history: np.ndarray) -> np.ndarray:
                return probability_alive(params, *history, ahead)

            return stacked_interval(
                self, alive, (x, t_x, n), summary, request, name="p_alive", link="logit"
            )
        params = self._customer_params(summary)
        values = probability_alive(params, x, t_x, n, ahead)
        return pd.Series(values, index=summary.index, name="p_alive")

    def probability_of_purchases(
        self,
        t: int,
        n: ArrayLike,
        summary: pd.DataFrame | None = None,
        covariates: pd.DataFrame | None = None,
        *,
        at_least: bool = False,
    ) -> np.ndarray | float | pd.Series | pd.DataFrame:
        """P(X(t) = n): n transactions in t opportunities (:mod:`.counts`).

        Without ``summary``, of a new customer (FHS 2010 eq. 8; with ``covariates``, one
        value per new customer for one ``n``); with ``summary``, in the next ``t``
        opportunities of each customer given her (x, t_x, n): a Series for one ``n``, a
        customers x n frame for a sequence. ``at_least=True``: P(X >= n).
        """
        if summary is not None:
            self._check_fitted()
            history = self._frame_arrays(summary)
            counts, column = check_count_request(n)
            values = counts_module.conditional_probability_of_purchases(
                self._customer_params(summary), t, column, *history, at_least=at_least
            )
            name = "probability_at_least" if at_least else "probability_of_purchases"
            return count_frame(values, counts, summary.index, name)
        function = (
            counts_module.probability_at_least
            if at_least
            else counts_module.probability_of_purchases
        )
        params = self._new_customer_params(covariates)
        if covariates is not None:
            values = np.broadcast_to(function(params, t, n), (len(covariates),))
            return pd.Series(values, index=covariates.index, name="probability_of_purchases")
        out = function(params, t, n)
        return float(out) if out.ndim == 0 else out

    def discounted_expected_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """DERT per customer (see :func:`.math.discounted_expected_residual_transactions`)."""
        self._check_fitted()
        x, t_x, n = self._frame_arrays(summary)
        params = self._customer_params(summary)
        values = discounted_expected_residual_transactions(params, discount_rate, x, t_x, n)
        return pd.Series(values, index=summary.index, name="dert")
