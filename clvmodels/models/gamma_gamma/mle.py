"""The Gamma-Gamma fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import optimize

from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.parameter_stack import requested_interval
from clvmodels.estimation.prediction_intervals import stacked_interval
from clvmodels.estimation.static_covariates import StaticCovariates
from clvmodels.exceptions import ModelFileError
from clvmodels.models.gamma_gamma.gradient import (
    covariate_terms,
    log_likelihood_gradient,
    weighted_sums,
)
from clvmodels.models.gamma_gamma.math import (
    check_spend_summary,
    expected_spend,
    population_mean_spend,
    repeat_buyers,
    spend_parameters,
)
from clvmodels.models.gamma_gamma.spec import SPEC

__all__ = ["Q_FLOOR", "GammaGammaModel"]

#: The least q that ``q_constraint=True`` allows: q > 1 keeps the mean spend p v / (q - 1)
#: finite (lifetimes' bound, log q >= 0, lets q reach 1, where it is not).
Q_FLOOR = 1.0 + 1e-6


class GammaGammaModel(StaticCovariates, MaximumLikelihoodModel):
    r"""Gamma-Gamma spend model, fitted by maximum likelihood on repeat buyers.

    ``fit(summary)`` uses the rows with ``frequency > 0`` (their
    ``monetary_value`` is the mean spend of the repeat purchases).

    Parameters
    ----------
    penalizer_coef
        L2 penalty on (p, q, v), as in ``lifetimes``.
    spend_covariates
        Static covariate columns of the summary (one value per customer; categorical
        columns become dummies against their first level in sorted order, see
        :mod:`clvmodels.data.covariates`). Customer i has :math:`v_i = v e^{\gamma_S' z_i}`
        (:func:`.math.spend_parameters`): her mean spend per transaction
        p v_i / (q - 1) is the population's times e^coefficient, so a positive
        coefficient means higher spend (a coefficient of 0.2: 22 % more). CLVTools'
        spending model has no covariates: this is clvmodels' own choice. The coefficients
        are ``params_`` entries ``spend:NAME``.
    covariate_penalty
        L2 penalty ``lambda * sum(gamma_S**2)`` on the coefficients, added to the mean
        negative log-likelihood per repeat buyer (``log_likelihood_`` excludes it); one
        number or ``{"spend": 0.1}``.
    q_constraint
        Keep q > 1 (at least :data:`Q_FLOOR`) so that the population's mean spend per
        transaction, p v / (q - 1), exists (``lifetimes``' ``fit(..., q_constraint=True)``,
        which takes it as a ``fit`` keyword; ``fit(summary, q_constraint=True)`` works here
        too). With q < 1 the customers' mean spends are so heavy-tailed that their average
        is infinite, and a CLV without purchases yet is not defined. Where the unconstrained
        maximum has q > 1 the estimates are the same; where it has q <= 1 the fit stops at
        q = :data:`Q_FLOOR` with a :class:`~clvmodels.ConvergenceWarning` (the standard
        errors of an estimate on that bound are not valid). Model files record it.

    Attributes
    ----------
    params_ : dict
        ``p``, ``q``, ``v`` (the papers' gamma), and the coefficients.

    Notes
    -----
    :meth:`expected_spend` reads each customer's covariate columns from the summary;
    :meth:`mean_spend` gives the mean spend per transaction of new customers (no
    purchases yet) from their covariates only, p v_i / (q - 1).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV. *Journal of
    Marketing Research*, 42(4), 415-430.
    """

    spec = SPEC
    param_names = SPEC.parameters
    covariate_processes = ("spend",)
    covariate_data_columns = ("frequency", "monetary_value")

    plain_loglik_grad = staticmethod(log_likelihood_gradient)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(spend_parameters)

    def __init__(
        self,
        penalizer_coef: float = 0.0,
        spend_covariates: Sequence[str] | None = None,
        covariate_penalty: float | Mapping[str, float] | None = None,
        q_constraint: bool = False,
    ) -> None:
        if not isinstance(q_constraint, bool | np.bool_):
            raise TypeError(f"q_constraint must be True or False; got {q_constraint!r}")
        self.q_constraint = bool(q_constraint)
        self._set_covariates(penalizer_coef, {"spend": spend_covariates}, covariate_penalty)

    def fit(self, data: Any, weights: Any = None, *, q_constraint: bool | None = None) -> Self:
        """Fit by maximum likelihood on the repeat buyers; returns ``self``.

        ``q_constraint`` (``lifetimes``' keyword), when given, sets the constructor's
        setting of that name before fitting.
        """
        if q_constraint is not None:
            self.set_params(q_constraint=q_constraint)  # checked by the constructor
        return super().fit(data, weights)

    def _minimise(self, start: np.ndarray, stats: Any, gtol: float) -> optimize.OptimizeResult:
        """BFGS; with ``q_constraint``, L-BFGS-B with log q >= log :data:`Q_FLOOR`."""
        if not self.q_constraint:
            return super()._minimise(start, stats, gtol)
        working = self._to_working(np.asarray(start, np.float64))
        floor = float(np.log(Q_FLOOR))
        working[1] = max(working[1], floor)
        bounds = [(None, None)] * len(working)
        bounds[1] = (floor, None)
        return optimize.minimize(
            self._objective,
            working,
            args=(stats,),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"gtol": gtol, "ftol": 1e-15, "maxiter": 1000},
        )

    def _limits(self, params: dict[str, float]) -> list[str]:
        limits = super()._limits(params)
        if self.q_constraint and params["q"] <= Q_FLOOR * (1.0 + 1e-9):
            limits.append(
                f"q stopped at its lower bound {Q_FLOOR} (q_constraint=True): the data "
                "favour q <= 1, customers' mean spends too heavy-tailed for a finite "
                "average; the population mean spend p v / (q - 1) is finite but huge, and "
                "the standard errors on this bound are not valid"
            )
        return limits

    def to_dict(self) -> dict[str, Any]:
        """The fitted state; ``settings`` holds ``q_constraint`` when it is on."""
        state = super().to_dict()
        if self.q_constraint:
            state["settings"] = {**state["settings"], "q_constraint": True}
        return state

    @classmethod
    def _unfitted_from_state(cls, state: dict[str, Any], source: str) -> tuple[Any, dict]:
        settings = state.get("settings") if isinstance(state, dict) else None
        if not (isinstance(settings, dict) and "q_constraint" in settings):
            return super()._unfitted_from_state(state, source)
        settings = dict(settings)
        constrained = settings.pop("q_constraint")
        if constrained is not True:
            raise ModelFileError(
                f"{source}: settings.q_constraint must be true (written only when on); got "
                f"{constrained!r}",
                path=source,
                field="settings.q_constraint",
            )
        model, checked = super()._unfitted_from_state({**state, "settings": settings}, source)
        model.set_params(q_constraint=True)
        return model, {**checked, "settings": {**checked["settings"], "q_constraint": True}}

    def _covariate_data(self, data: Any, weights: Any) -> tuple[pd.DataFrame, Any]:
        return repeat_buyers(data, weights)

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The weighted sums; without covariates in one compiled pass, without per-row arrays."""
        if self.has_covariates:
            return self._covariate_weighted(params, arrays, weights)
        return weighted_sums(params, arrays, weights)

    def _frame_arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(frequency, monetary_value) of a checked summary."""
        check_spend_summary(summary)
        return tuple(summary[c].to_numpy(np.float64) for c in ("frequency", "monetary_value"))

    def expected_spend(
        self,
        summary: pd.DataFrame,
        *,
        interval: float | None = None,
        **how: Any,
    ) -> pd.Series | pd.DataFrame:
        """Expected spend per transaction, per customer (population mean when x = 0).

        ``interval=0.9`` (``how``: ``method`` ``"delta"`` or ``"bootstrap"``, ``draws``,
        ``seed``) gives a DataFrame of ``mean`` and the bounds of the parameter-uncertainty
        interval (:mod:`clvmodels.estimation.prediction_intervals`); it does not cover the
        spread of a customer's future spend per transaction around its expectation.
        """
        self._check_fitted()
        arrays = self._frame_arrays(summary)
        request = requested_interval(interval, how)
        if request is not None:
            return stacked_interval(
                self, expected_spend, arrays, summary, request, name="expected_spend"
            )
        values = expected_spend(self._customer_params(summary), *arrays)
        return pd.Series(values, index=summary.index, name="expected_spend")

    def mean_spend(self, covariates: pd.DataFrame | None = None) -> float | pd.Series:
        """Mean spend per transaction of new customers, p v_i / (q - 1) (q > 1).

        Without ``covariates``, of the reference customer (:attr:`population_mean_spend_`);
        with a frame (one row per new customer, the model's covariate columns), one value
        per row.
        """
        params = self._new_customer_params(covariates)
        if covariates is None:
            return population_mean_spend(params)
        zeros = np.zeros(len(covariates))
        values = expected_spend(params, zeros, zeros)
        return pd.Series(values, index=covariates.index, name="mean_spend")

    @property
    def population_mean_spend_(self) -> float:
        """p gamma / (q - 1): mean spend per transaction of the reference customer."""
        self._check_fitted()
        return population_mean_spend(self.params_)
