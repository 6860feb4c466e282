"""The Pareto/NBD fitted by maximum likelihood.

A thin class over :mod:`.math` and :mod:`.spec`, with the optimiser's settings that this
model needs: a quick fit on a subset for the start, BFGS started with the inverse Hessian,
and the fast quadrature rule checked against the exact one at the estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

from clvmodels.estimation.curvature import bfgs_with_curvature, forward_hessian
from clvmodels.estimation.dynamic_covariates import DynamicCovariates
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.estimation.rows import CompressedRows
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.models.pareto_nbd import counts, dynamic, quadrature
from clvmodels.models.pareto_nbd import math as formulas
from clvmodels.models.pareto_nbd.correlated import LifetimeCorrelation
from clvmodels.models.pareto_nbd.correlation import (
    discounted_expected_residual_transactions as correlated_dert,
)
from clvmodels.models.pareto_nbd.gradient import (
    covariate_curvature,
    covariate_terms,
    log_likelihood_gradient,
)
from clvmodels.models.pareto_nbd.spec import SPEC

__all__ = ["ParetoNBDModel"]


#: Unique rows of the quick fit that gives the starting values of a larger data set.
_QUICK_ROWS = 5000


#: Customers in the sample that refines a start on larger data (see ParetoNBDModel._minimise).
_SAMPLE_ROWS = 50_000


class ParetoNBDModel(
    LifetimeCorrelation, DynamicCovariates, StaticCovariates, RFMPredictions, MaximumLikelihoodModel
):
    r"""Pareto/NBD model of purchase frequency and dropout, fitted by maximum likelihood.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + s^2 + beta^2)`` added to the mean
        negative log-likelihood per customer, with ``alpha`` and ``beta`` in the summary's
        time unit (0 = plain MLE).
    purchase_covariates, dropout_covariates
        Static covariate columns of the summary (one value per customer; categorical
        columns become dummies against their first level in sorted order, see
        :mod:`clvmodels.data.covariates`). As in CLVTools (Bachmann, Meierer & Naef 2021;
        CLVTools' ``pnbd`` documentation), customer i's gamma scales are
        :math:`\alpha_i = \alpha e^{-\gamma_P' z_i}` and
        :math:`\beta_i = \beta e^{-\gamma_D' z_i}`: a coefficient of 0.3 multiplies the
        mean purchase (or dropout) rate by e^0.3. The coefficients are ``params_`` entries
        ``purchase:NAME`` and ``dropout:NAME``; predictions read the covariate columns of
        the summary they are given.
    covariate_penalty
        L2 penalty on the coefficients, one number or ``{"purchase": 0.1, "dropout": 0.0}``
        (``lambda * sum(gamma**2)`` added to the mean negative log-likelihood per customer;
        ``log_likelihood_`` excludes it).
    equal_effects
        Covariates whose effect is the same in both processes: one coefficient
        ``both:NAME`` (CLVTools' ``names.cov.constr``).
    correlation
        Correlate the purchase and dropout rates as CLVTools' ``pnbd(use.cor = TRUE)``: a
        Sarmanov bivariate gamma with parameter ``omega``
        (:mod:`clvmodels.models.pareto_nbd.correlation`); ``summary()`` adds the implied
        Corr(lambda, mu). Not with covariates.

    Notes
    -----
    ``fit(summary, dynamic_covariates=frame, transactions=log)`` fits time-varying
    covariates instead (Bachmann, Meierer & Naef 2021: the purchase rate
    :math:`\lambda e^{\gamma_P' x_t}` and the dropout rate :math:`\mu e^{\gamma_D' x_t}`
    per calendar period; :mod:`clvmodels.models.pareto_nbd.dynamic`); the covariate lists
    then name columns of the long frame (:mod:`clvmodels.data.dynamic_covariates`).
    Predictions read the covariates through the horizon, and DERT needs a finite
    ``horizon``.

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rate), ``s``, ``beta`` (dropout rate); ``alpha`` and
        ``beta`` are in the summary's time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate (comparable with the papers).
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters.

    Examples
    --------
    >>> import clvmodels as clv
    >>> pnbd = clv.ParetoNBDModel().fit(clv.datasets.load_cdnow_summary())
    >>> round(pnbd.params_["r"], 3), round(pnbd.log_likelihood_, 1)
    (0.553, -9595.0)

    References
    ----------
    Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers.
    *Management Science*, 33(1), 1-24.
    """

    spec = SPEC
    functions = PurchaseFunctions.of(formulas, counts)

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(formulas.customer_parameters)
    covariate_log_shifts = formulas.CUSTOMER_LOG_SHIFTS
    covariate_curvature = staticmethod(covariate_curvature)
    dynamic = dynamic

    def __init__(
        self,
        penalizer_coef: float = 0.0,
        purchase_covariates: Sequence[str] | None = None,
        dropout_covariates: Sequence[str] | None = None,
        covariate_penalty: float | Mapping[str, float] | None = None,
        equal_effects: Sequence[str] | None = None,
        correlation: bool = False,
    ) -> None:
        super().__init__(
            penalizer_coef,
            purchase_covariates,
            dropout_covariates,
            covariate_penalty,
            equal_effects,
        )
        self._set_correlation(correlation)

    def _starting_values(self, stats: CompressedRows) -> list[np.ndarray]:
        """The spec's starts, led by a quick fit on a subset of the rows of larger data."""
        if self.correlation:
            return self._correlated_starts(stats)
        starts = self._padded(SPEC.starting_values(stats))
        if len(stats.weights) > _QUICK_ROWS:
            # A fit on a random subset of the unique rows lands close to the optimum, where
            # the full data need a few Newton-like steps (see _minimise).
            subset = stats.subsample(_QUICK_ROWS, np.random.default_rng(19870101))
            quick = self._minimise(starts[0], subset, 1e-5)
            if np.isfinite(quick.fun) and np.all(np.isfinite(quick.x)):
                starts.insert(0, self._to_natural(quick.x))
        return starts

    def _minimise(self, start: np.ndarray, stats: CompressedRows, gtol: float) -> Any:
        """BFGS started with the inverse Hessian at ``start`` where it is positive definite.

        From the start that a quick fit on a subset gives (:meth:`_starting_values`), the
        curvature at the start is close to the curvature at the optimum, so BFGS needs a
        handful of steps instead of rebuilding it from the identity (about 30 evaluations
        of the log-likelihood and its gradient); the forward-difference Hessian costs four.
        With more than ``_SAMPLE_ROWS`` rows, the start is first refined, and the Hessian
        taken, on a sample of ``_SAMPLE_ROWS`` customers drawn in proportion to the rows'
        counts (the mean log-likelihood per customer of the sample estimates the full one),
        so the full data see only the last few steps.
        """
        if self.correlation:
            return self._correlated_minimise(start, stats, gtol)
        curvature = stats
        if len(stats.weights) > _SAMPLE_ROWS:
            curvature = stats.subsample(_SAMPLE_ROWS, np.random.default_rng(20051105))
            refined = self._minimise(start, curvature, 1e-5)
            if np.isfinite(refined.fun) and np.all(np.isfinite(refined.x)):
                start = self._to_natural(refined.x)
        log_start = self._to_working(start)
        return bfgs_with_curvature(
            self._objective, log_start, stats, curvature, gtol, hessian_of=self._curvature
        )

    def _hessian(self, log_params: np.ndarray, stats: CompressedRows) -> np.ndarray:
        """Observed information in log-parameters by forward differences of the gradient.

        Five evaluations of the gradient instead of the eight of central differences (the
        Hessian's error is then ~1e-5 relative, immaterial for standard errors); at a
        million customers each costs about a second. With covariates, the mixin's (from each
        row's Hessian in its own log-parameters).
        """
        if self.has_covariates:
            return super()._hessian(log_params, stats)
        if self.correlation:
            return self._correlated_hessian(log_params, stats)
        return forward_hessian(self._objective, log_params, stats) * stats.n_customers

    def _fit_statistics(self, stats: CompressedRows) -> Self:
        """Fit with the 20-point rule, then check every row against the 64-point rule.

        The estimation sequence runs with :data:`.quadrature.FAST_NODES` (about three times fewer
        nodes per row); at the estimate, each row's log-likelihood is recomputed with the
        64-point rule of :func:`log_likelihood`. Where all rows agree to ``1e-9`` nats the
        fit stands (and its log-likelihood is the 64-point one); otherwise, which only
        extreme data cause, the whole sequence runs again with the 64-point rule.
        """
        fast = CompressedRows(
            stats.columns,
            stats.weights,
            stats.time_unit,
            stats.shared
            | {
                "quadrature_nodes": quadrature.FAST_NODES,
                "quadrature_weights": quadrature.FAST_WEIGHTS,
            },
        )
        super()._fit_statistics(fast)
        columns = stats.columns
        if self.has_covariates or self.correlation:
            exact = self._row_log_likelihood(self._params_array(), stats.arrays)
        else:
            exact = formulas.log_likelihood(
                self.params_, columns["frequency"], columns["recency"], columns["T"]
            )
        quick = self._row_log_likelihood(self._params_array(), fast.arrays)
        if not np.all(np.abs(quick - exact) <= 1e-9):
            return super()._fit_statistics(stats)
        self.log_likelihood_ = float(np.dot(stats.weights, exact))
        self.data_fingerprint_ = stats.fingerprint()
        return self

    def discounted_expected_residual_transactions(
        self,
        discount_rate: float,
        summary: pd.DataFrame,
        horizon: float | None = None,
        dynamic_covariates: pd.DataFrame | None = None,
    ) -> pd.Series:
        """DERT per customer of ``summary`` (see :func:`discounted_expected_residual_transactions`).

        ``discount_rate`` is continuously compounded, per unit of the summary's time. A fit
        with time-varying covariates discounts over the finite ``horizon`` (time units
        after the summary's end) that its frame (or ``dynamic_covariates``) covers.
        """
        self._check_fitted()
        if hasattr(self, "dynamic_covariates_"):
            if horizon is None or not np.isfinite(horizon) or horizon <= 0:
                raise ValueError(
                    "with time-varying covariates DERT is taken over a finite horizon that "
                    f"the covariate frame covers: pass horizon=104 (time units); got {horizon}"
                )
            arrays = self._paths_for(summary, float(horizon), dynamic_covariates)
            values = dynamic.discounted_expected_residual_transactions(
                *self._split(), arrays, discount_rate, float(horizon)
            )
            return pd.Series(values, index=summary.index, name="dert")
        x, t_x, T = self._frame_arrays(summary)
        params = self._customer_params(summary)
        dert = (
            correlated_dert
            if self.correlation
            else formulas.discounted_expected_residual_transactions
        )
        values = dert(params, discount_rate, x, t_x, T)
        return pd.Series(values, index=summary.index, name="dert")
