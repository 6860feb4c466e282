"""The Gamma-Gompertz/NBD fitted by maximum likelihood.

A thin class over :mod:`.math` and :mod:`.spec`: the template's sequence with the fast
quadrature rule, every row checked against the 64-point rule at the estimate (as the
Pareto/NBD's fit), and static covariates through the shared mixin.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from clvmodels.estimation.curvature import bfgs_with_curvature, forward_hessian
from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rfm_predictions import PurchaseFunctions, RFMPredictions
from clvmodels.estimation.rows import CompressedRows
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.models._compiled_sums import THREADED_FROM, contiguous
from clvmodels.models.gamma_gompertz_nbd import _kernel, counts, quadrature
from clvmodels.models.gamma_gompertz_nbd import math as formulas
from clvmodels.models.gamma_gompertz_nbd.gradient import covariate_terms, log_likelihood_gradient
from clvmodels.models.gamma_gompertz_nbd.spec import SPEC

__all__ = ["GammaGompertzNBDModel"]

#: Customers in the sample that refines a start on larger data (see ``_minimise``).
_SAMPLE_ROWS = 50_000


class GammaGompertzNBDModel(StaticCovariates, RFMPredictions, MaximumLikelihoodModel):
    r"""Gamma-Gompertz/NBD model of purchases and dropout, fitted by maximum likelihood.

    While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha);
    her lifetime has the Gompertz hazard :math:`b\eta e^{b\tau}` with eta ~ Gamma(s, beta)
    (Bemmaor & Glady 2012; CLVTools' ``ggomnbd``). Its lifetimes can have an interior
    mode (beta > s + 1); as b -> 0 with beta / b fixed it is the Pareto/NBD.

    Parameters
    ----------
    penalizer_coef
        L2 penalty ``penalizer_coef * (r^2 + alpha^2 + b^2 + s^2 + beta^2)`` added to the
        mean negative log-likelihood per customer (0 = plain MLE).
    purchase_covariates, dropout_covariates
        Static covariate columns of the summary. As in CLVTools' ``ggomnbd`` with static
        covariates, customer i has :math:`\alpha_i = \alpha e^{-\gamma_P' z_i}` and
        :math:`\beta_i = \beta e^{-\gamma_D' z_i}` (a purchase coefficient of 0.3
        multiplies the mean purchase rate by e^0.3; a dropout coefficient, the mean eta).
        The coefficients are ``params_`` entries ``purchase:NAME`` and ``dropout:NAME``.
    covariate_penalty
        L2 penalty on the coefficients, one number or ``{"purchase": 0.1, "dropout": 0.0}``.
    equal_effects
        Covariates whose effect is the same in both processes (CLVTools'
        ``names.cov.constr``).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha`` (purchase rate), ``b`` (Gompertz rate, per time unit), ``s``,
        ``beta`` (the heterogeneity of eta); ``alpha`` and ``1 / b`` are in the summary's
        time unit.
    log_likelihood_ : float
        The full log-likelihood at the estimate (CLVTools' ``logLik``).
    covariance_ : numpy.ndarray
        Delta-method covariance of the parameters.

    Examples
    --------
    >>> import clvmodels as clv
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> ggom = clv.GammaGompertzNBDModel().fit(summary)  # doctest: +SKIP
    >>> ggom.conditional_expected_purchases(52, summary)  # doctest: +SKIP

    References
    ----------
    Bemmaor, A. C. & Glady, N. (2012). Modeling purchasing behavior with sudden "death":
    a flexible customer lifetime model. *Management Science*, 58(5), 1012-1021.
    """

    spec = SPEC
    functions = PurchaseFunctions.of(formulas, counts)

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(formulas.customer_parameters)
    covariate_log_shifts = formulas.CUSTOMER_LOG_SHIFTS

    def _starting_values(self, stats: CompressedRows) -> list[np.ndarray]:
        """The spec's starts, led by the fast rule's estimate when the fit is refined."""
        starts = self._padded(SPEC.starting_values(stats))
        warm = self.__dict__.pop("_refine_from", None)
        return starts if warm is None else [warm, *starts]

    def _minimise(self, start: np.ndarray, stats: CompressedRows, gtol: float) -> Any:
        """BFGS started with the inverse Hessian at ``start`` where it is positive definite.

        With more than ``_SAMPLE_ROWS`` rows, the start is first refined (and the Hessian
        taken) on a sample of ``_SAMPLE_ROWS`` customers drawn in proportion to the rows'
        counts, so that the full data see only the last few steps (the Pareto/NBD's
        strategy). With covariates, the mixin's.
        """
        if self.has_covariates:
            return super()._minimise(start, stats, gtol)
        curvature = stats
        if len(stats.weights) > _SAMPLE_ROWS:
            curvature = stats.subsample(_SAMPLE_ROWS, np.random.default_rng(20120502))
            refined = self._minimise(start, curvature, 1e-5)
            if np.isfinite(refined.fun) and np.all(np.isfinite(refined.x)):
                start = self._to_natural(refined.x)
        return bfgs_with_curvature(
            self._objective,
            self._to_working(start),
            stats,
            curvature,
            gtol,
            hessian_of=self._curvature,
        )

    def _hessian(self, log_params: np.ndarray, stats: CompressedRows) -> np.ndarray:
        """Observed information in log-parameters by forward differences of the gradient."""
        if self.has_covariates:
            return super()._hessian(log_params, stats)
        return forward_hessian(self._objective, log_params, stats) * stats.n_customers

    def _fit_statistics(self, stats: CompressedRows) -> Self:
        """Fit with the fast rule, then check every row against the 64-point rule.

        The estimation runs with :data:`.quadrature.FAST_NODES`; at the estimate each
        row's log-likelihood is recomputed with the 64-point rule. Where all rows agree
        to 1e-9 nats the fit stands (with the 64-point log-likelihood); otherwise the
        sequence runs again with the 64-point rule, started at the fast rule's estimate.
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
            stats.derived,
        )
        super()._fit_statistics(fast)
        params = self._params_array()
        exact = self._row_log_likelihood(params, stats.arrays)
        # the template's last pass was the fast rule's rows at the estimate
        last_params, quick = self.__dict__.pop("_last_fast_rows", (None, None))
        if last_params is None or not np.array_equal(last_params, params):
            quick = self._row_log_likelihood(params, fast.arrays)
        if not np.all(np.abs(quick - exact) <= 1e-9):
            self._refine_from = self._params_array()
            return super()._fit_statistics(stats)
        self.log_likelihood_ = float(np.dot(stats.weights, exact))
        self.data_fingerprint_ = stats.fingerprint()
        return self

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The weighted sums in one compiled pass (no per-row arrays) on small plain data.

        With covariates, or from :data:`~clvmodels.models._compiled_sums.THREADED_FROM`
        rows on (where the per-row loop runs in threads), the template's sums.
        """
        if self.has_covariates or len(weights) >= THREADED_FROM:
            return super()._weighted_loglik_grad(params, arrays, weights)
        out = np.empty(6)
        _kernel.weighted_rows(
            np.asarray(params, dtype=np.float64),
            *(contiguous(arrays[name]) for name in ("frequency", "recency", "T")),
            contiguous(weights),
            contiguous(arrays.get("quadrature_nodes", quadrature.NODES)),
            contiguous(arrays.get("quadrature_weights", quadrature.WEIGHTS)),
            out,
        )
        return float(out[0]), out[1:]

    def _row_log_likelihood(self, params: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Per-row log-likelihood; the fast rule's last rows are kept for the check."""
        ll = super()._row_log_likelihood(params, arrays)
        if arrays.get("quadrature_nodes") is quadrature.FAST_NODES:
            self._last_fast_rows = (np.array(params, dtype=np.float64), ll)
        return ll

    def discounted_expected_residual_transactions(
        self, discount_rate: float, summary: pd.DataFrame
    ) -> pd.Series:
        """DERT per customer of ``summary`` (see :mod:`.math`).

        ``discount_rate`` is continuously compounded, per unit of the summary's time.
        """
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        values = formulas.discounted_expected_residual_transactions(
            self._customer_params(summary), discount_rate, x, t_x, T
        )
        return pd.Series(values, index=summary.index, name="dert")
