"""``ParetoNBDModel(correlation=True)``: the estimator's side of :mod:`.correlation`.

A mixin placed first in :class:`~clvmodels.models.pareto_nbd.mle.ParetoNBDModel`'s bases:
with ``correlation=False`` every method hands over to the next class unchanged. With
``correlation=True`` the model has a fifth parameter, ``omega`` (Sarmanov's, CLVTools'
``m``), taken as it is (not on the log scale); the prediction functions are
:mod:`.correlation`'s; ``summary()`` adds the implied correlation of the rates.

The admissible omega depends on r, alpha, s and beta (:func:`.correlation.omega_bounds`),
and the maximum can lie on its edge (it does on CDNOW, as in CLVTools). The optimiser
therefore keeps omega within smooth constraints equivalent to the bounds (SLSQP): the
edge is reached exactly. The observed information is taken in
(ln r, ln alpha, ln s, ln beta, omega) by differences that may step past the edge
(CLVTools drops the bound check for its Hessian too).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from clvmodels.estimation.curvature import forward_hessian
from clvmodels.estimation.persistence import check_document
from clvmodels.estimation.rfm_predictions import PurchaseFunctions
from clvmodels.estimation.rows import CompressedRows
from clvmodels.models.pareto_nbd import correlation as sarmanov

__all__ = ["LifetimeCorrelation"]

#: The prediction functions of the correlated model.
CORRELATED_FUNCTIONS = PurchaseFunctions.of(sarmanov)


def _bounds(log_base: np.ndarray) -> np.ndarray:
    named = dict(zip(("r", "alpha", "s", "beta"), np.exp(log_base), strict=True))
    return np.array([float(v) for v in sarmanov.omega_bounds(named)])


class LifetimeCorrelation:
    """Mixin: the ``correlation`` setting of the Pareto/NBD (see the module docstring)."""

    def _set_correlation(self, correlation: bool) -> None:
        self.correlation = correlation

    @property
    def correlation(self) -> bool:
        """Whether the rates are correlated (the ``correlation`` setting)."""
        return bool(self.__dict__.get("_correlation", False))

    @correlation.setter
    def correlation(self, value: bool) -> None:
        # a property, so that set_params(correlation=...) lays out the parameters too
        if not isinstance(value, bool | np.bool_):
            raise TypeError(
                f"correlation must be True or False (e.g. ParetoNBDModel(correlation=True)); "
                f"got {value!r}"
            )
        if value and self.has_covariates:  # type: ignore[attr-defined]
            raise NotImplementedError(
                "ParetoNBDModel(correlation=True) takes no covariates yet (the Sarmanov "
                "mixture is derived for one (r, alpha, s, beta) for all customers); fit "
                "either the covariates or the correlation"
            )
        self._correlation = bool(value)
        if value:
            self.param_names = (*type(self).param_names, "omega")  # type: ignore[attr-defined]
            self.functions = CORRELATED_FUNCTIONS
        else:
            if self.__dict__.get("param_names", ())[-1:] == ("omega",):
                del self.param_names
            self.__dict__.pop("functions", None)

    # -- likelihood ---------------------------------------------------------------------
    def fit(self, data: Any, weights: Any = None, **kwargs: Any) -> Any:
        """Fit (see the model's docstring); the correlated model takes no covariates."""
        if self.correlation and kwargs.get("dynamic_covariates") is not None:
            raise NotImplementedError(
                "ParetoNBDModel(correlation=True) takes no dynamic_covariates yet; fit the "
                "time-varying covariates without the correlation"
            )
        return super().fit(data, weights, **kwargs)  # type: ignore[misc]

    def _loglik_grad(self, params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
        if not self.correlation:
            return super()._loglik_grad(params, columns)  # type: ignore[misc]
        bounded = getattr(self, "_omega_bounded", True)
        return sarmanov.log_likelihood_gradient(params, columns, bounded)

    def _coefficient_penalties(self) -> np.ndarray:
        if not self.correlation:
            return super()._coefficient_penalties()  # type: ignore[misc]
        return np.zeros(1)

    def _correlated_starts(self, rows: CompressedRows) -> list[np.ndarray]:
        """The independent Pareto/NBD's estimate with omega = 0, then the spec's starts.

        The correlated maximum is near the independent one (omega moves it little), which
        the fast independent fit finds in a fraction of the correlated search's time.
        """
        independent = type(self)(penalizer_coef=self.penalizer_coef)  # type: ignore[attr-defined]
        starts = []
        try:
            result = independent._optimise(rows)
            starts.append(np.append(np.exp(result.x[:4]), 0.0))
        except Exception:  # noqa: BLE001 - a failed start leaves the others
            pass
        return starts + [np.append(start, 0.0) for start in self.spec.starting_values(rows)]  # type: ignore[attr-defined]

    def _correlated_minimise(self, start: np.ndarray, rows: CompressedRows, gtol: float) -> Any:
        """SLSQP in (ln r, ln alpha, ln s, ln beta, omega) under the four smooth constraints.

        :func:`.correlation.omega_bounds` is the intersection of
        ``1 - omega L_A (1 - L_B) >= 0``, ``1 - omega (1 - L_A) L_B >= 0``,
        ``1 + omega L_A L_B >= 0`` and ``1 + omega (1 - L_A)(1 - L_B) >= 0``, each smooth
        in the parameters (the bounds themselves have kinks where two terms of a max are
        equal, which CDNOW's estimate sits on). The likelihood is evaluated without the
        bound check during the search (its formula continues past the edge); the estimate
        is then put within the bounds. The result's ``jac`` is the KKT residual: the
        objective's gradient less the active constraints' (non-negative multipliers).
        """
        objective = self._objective  # type: ignore[attr-defined]

        def constraints(w: np.ndarray) -> np.ndarray:
            la, lb = np.exp(-np.exp(w[[0, 2]]) * np.log1p(np.exp(-w[[1, 3]])))
            omega = w[4]
            return np.array(
                [
                    1.0 - omega * la * (1.0 - lb),
                    1.0 - omega * (1.0 - la) * lb,
                    1.0 + omega * la * lb,
                    1.0 + omega * (1.0 - la) * (1.0 - lb),
                ]
            )

        def constraint_jacobian(w: np.ndarray) -> np.ndarray:
            out = np.empty((4, 5))
            for j in range(5):
                step = np.zeros(5)
                step[j] = 1e-7 * max(1.0, abs(w[j]))
                out[:, j] = (constraints(w + step) - constraints(w - step)) / (2 * step[j])
            return out

        log_start = np.log(start[:4])
        lower, upper = _bounds(log_start)
        w0 = np.append(log_start, float(np.clip(start[4], lower, upper)))
        self._omega_bounded = False
        try:
            result = optimize.minimize(
                objective,
                w0,
                args=(rows,),
                jac=True,
                method="SLSQP",
                constraints=[{"type": "ineq", "fun": constraints, "jac": constraint_jacobian}],
                options={"ftol": 1e-11, "maxiter": 500},
            )
        finally:
            self._omega_bounded = True
        lower, upper = _bounds(result.x[:4])
        result.x = np.append(result.x[:4], np.clip(result.x[4], lower, upper))
        result.fun, gradient = objective(result.x, rows)
        active = constraints(result.x) < 1e-7
        residual = gradient
        if np.any(active):
            normals = constraint_jacobian(result.x)[active].T
            multipliers, _ = optimize.nnls(normals, gradient)
            residual = gradient - normals @ multipliers
        result.jac = residual
        result.success = bool(result.success or np.max(np.abs(residual)) < gtol * 100)
        result.omega_at_bound = bool(np.any(active))
        return result

    def _correlated_hessian(self, working: np.ndarray, rows: CompressedRows) -> np.ndarray:
        """Observed information in (ln base, omega), the bound check off (module docstring)."""
        self._omega_bounded = False
        try:
            return forward_hessian(self._objective, working, rows) * rows.n_customers  # type: ignore[attr-defined]
        finally:
            self._omega_bounded = True

    # -- results --------------------------------------------------------------------------
    @property
    def correlation_(self) -> float:
        """Corr(lambda, mu) at the estimate (:func:`.correlation.correlation`)."""
        self._check_fitted()  # type: ignore[attr-defined]
        if not self.correlation:
            return 0.0
        return float(sarmanov.correlation(self.params_))  # type: ignore[attr-defined]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """The estimates; with ``correlation=True`` a last row ``correlation``: Corr(lambda, mu).

        Its standard error is the delta method's through
        ``rho = omega * sqrt(r) L_A / (alpha + 1) * sqrt(s) L_B / (beta + 1)``; its interval
        is Wald's, cut to [-1, 1]. ``attrs["omega_bounds"]`` holds the admissible range of
        omega at the estimate.
        """
        table = super().summary(level)  # type: ignore[misc]
        if not self.correlation:
            return table
        params = self._params_array()  # type: ignore[attr-defined]
        rho = self.correlation_
        d_rho = np.empty(5)
        for j in range(5):
            step = 1e-6 * max(1.0, abs(params[j]))
            up, down = params.copy(), params.copy()
            up[j] += step
            down[j] -= step
            d_rho[j] = (self._rho_of(up) - self._rho_of(down)) / (2 * step)
        se = float(np.sqrt(max(d_rho @ self.covariance_ @ d_rho, 0.0)))  # type: ignore[attr-defined]
        z = stats.norm.ppf(0.5 + level / 2)
        row = [rho, se, max(rho - z * se, -1.0), min(rho + z * se, 1.0)]
        table.loc["correlation"] = row
        table.attrs["omega_bounds"] = tuple(float(v) for v in sarmanov.omega_bounds(self.params_))  # type: ignore[attr-defined]
        return table

    def _rho_of(self, params: np.ndarray) -> float:
        return float(sarmanov.correlation(dict(zip(sarmanov.PARAM_NAMES, params, strict=True))))

    @classmethod
    def _unfitted_from_state(cls, state: dict[str, Any], source: str) -> tuple[Any, dict]:
        """A file whose ``params`` hold ``omega`` is a correlated fit (``from_dict``).

        The file is the plain model's, with ``omega`` after r, alpha, s, beta in ``params``
        and a 5 x 5 ``log_covariance`` (ln base, omega); its settings are the plain ones.
        """
        params = state.get("params") if isinstance(state, dict) else None
        if not isinstance(params, dict) or "omega" not in params:
            return super()._unfitted_from_state(state, source)  # type: ignore[misc]
        state = check_document(
            state, cls.__name__, cls.param_names, source, coefficients=("omega",)
        )
        model = cls(**state["settings"], correlation=True)
        return model, state
