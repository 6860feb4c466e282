"""Time-varying covariates on an RFM maximum-likelihood model (the estimator glue).

``model.fit(summary, dynamic_covariates=frame, transactions=log)`` fits the model's
time-varying form (its ``dynamic`` module: the Pareto/NBD of Bachmann, Meierer & Naef
2021, the BG/NBD's analogue): ``purchase_covariates`` and ``dropout_covariates`` name
columns of the long frame (:mod:`clvmodels.data.dynamic_covariates`; a summary column not
in the frame is constant over time). The coefficients are laid out, named, penalised and
constrained as static ones are (:class:`~clvmodels.estimation.static_covariates.StaticCovariates`):
``params_["purchase:NAME"]`` multiplies the purchase rate by e^coef per unit of NAME in
the period. Rows are customers (time-varying covariates leave nothing to compress).

Predictions (P(alive), conditional expected purchases, the Pareto/NBD's DERT) read each
customer's covariates from the fit's frame, or from ``dynamic_covariates=`` given to the
method, through the prediction horizon: a frame that stops short is a named error. The
BG/NBD's predictions also read the covariates at the repeat purchases (``transactions=``,
the log the summary was built from).

A fitted model is saved as a static covariate model is (parameters, covariance, the
coefficients' names and design), plus the ``covariates.time_varying`` field (period
length and unit, the covariate columns; :mod:`clvmodels.estimation.covariate_files`),
never the data. A loaded model predicts when given ``dynamic_covariates=frame`` (and, for
the BG/NBD, ``transactions=log``), or after :meth:`DynamicCovariates.attach_dynamic_covariates`
(which lets code that calls ``probability_alive(summary)``, such as
:func:`clvmodels.value.valuation.value_customers`, use them); without them it raises a
ValueError naming what to pass.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from clvmodels.data.dynamic_covariates import CovariatePaths, covariate_paths
from clvmodels.data.validation import check_summary
from clvmodels.estimation.covariate_files import read_time_varying, time_varying_document
from clvmodels.estimation.curvature import forward_hessian
from clvmodels.estimation.rows import CompressedRows
from clvmodels.exceptions import DataValidationError

__all__ = ["DynamicCovariates", "path_arrays"]


def path_arrays(paths: CovariatePaths, summary: pd.DataFrame) -> CompressedRows:
    """One row per customer of ``summary``: (x, t_x, T), her path and purchase sums."""
    columns = {name: summary[name].to_numpy(np.float64) for name in ("frequency", "recency", "T")}
    columns |= {
        "path_start": paths.start.astype(np.float64),
        "path_periods": paths.n_periods.astype(np.float64),
        "path_offset": paths.offset,
        "purchase_from": paths.purchase_offsets[:-1].astype(np.float64)
        if paths.has_purchases
        else np.zeros(len(summary)),
    }
    sums = paths.purchase_sums()
    for j in range(sums.shape[1]):
        columns[f"purchase_sum:{j}"] = np.ascontiguousarray(sums[:, j])
    shared = {
        "path_design": paths.matrix,
        "path_period": np.array([paths.period_length]),
        "purchase_period": paths.purchase_period.astype(np.float64),
    }
    return CompressedRows(columns, np.ones(len(summary)), summary.attrs.get("time_unit"), shared)


def _with_sums(arrays: dict[str, Any], k: int) -> dict[str, Any]:
    sums = np.column_stack([arrays[f"purchase_sum:{j}"] for j in range(k)]) if k else None
    return arrays | {"purchase_sums": sums}


class DynamicCovariates:
    """Mixin (before ``StaticCovariates``): ``fit(..., dynamic_covariates=frame)``.

    A model names ``dynamic`` (its time-varying module, with ``log_likelihood_terms``,
    ``probability_alive`` and ``conditional_expected_purchases``) and
    ``purchases_needed_by``: the processes whose likelihood reads the covariates at the
    repeat purchases (a fit with effects on them needs ``transactions=``).
    """

    dynamic: ClassVar[Any]
    purchases_needed_by: ClassVar[tuple[str, ...]] = ("purchase",)
    #: Whether predictions read the repeat purchases too (the BG/NBD's dropout chances).
    predictions_need_purchases: ClassVar[bool] = False
    #: How one unit of a period's predictor acts, per process (the report's words):
    #: ``"rate"`` multiplies a rate by e^coef; ``"power"`` raises the chance of staying
    #: after a purchase, 1 - p, to the power e^coef (the BG/NBD's dropout).
    dynamic_effects: ClassVar[dict[str, str]] = {"purchase": "rate", "dropout": "rate"}

    @property
    def has_dynamic_covariates(self) -> bool:
        """Whether the model was fitted (or is being fitted) with time-varying covariates."""
        return getattr(self, "_dynamic_input", None) is not None or hasattr(
            self, "dynamic_covariates_"
        )

    def fit(
        self,
        data: Any,
        weights: Any = None,
        *,
        dynamic_covariates: pd.DataFrame | None = None,
        transactions: pd.DataFrame | None = None,
        datetime_col: str | None = None,
    ) -> Any:
        """Fit by maximum likelihood; with ``dynamic_covariates``, the time-varying model.

        Parameters
        ----------
        data
            The summary (indexed by customer id, stating its time unit and end).
        weights
            Customers per row (not with time-varying covariates).
        dynamic_covariates
            The long frame: customer id (named as the summary's index), ``period_start``,
            covariate columns (:mod:`clvmodels.data.dynamic_covariates`).
        transactions, datetime_col
            The transaction log the summary was built from and its date column: the
            covariates at the repeat purchases (needed with purchase effects).
        """
        for name in ("dynamic_covariates_", "dynamic_transactions_", "covariate_period_"):
            self.__dict__.pop(name, None)
        if dynamic_covariates is None:
            return super().fit(data, weights)  # type: ignore[misc]
        if not self.has_covariates:  # type: ignore[attr-defined]
            raise ValueError(
                "dynamic_covariates given but no covariate named: pass "
                "purchase_covariates=[...] and/or dropout_covariates=[...] with columns "
                "of the frame, e.g. ParetoNBDModel(purchase_covariates=['season'])"
            )
        if weights is not None:
            raise ValueError(
                "weights cannot be combined with dynamic_covariates (one row per customer)"
            )
        self._dynamic_input = (dynamic_covariates, transactions, datetime_col)
        try:
            super().fit(data)  # type: ignore[misc]
        finally:
            self._dynamic_input = None
        self.dynamic_covariates_ = dynamic_covariates
        self.dynamic_transactions_ = (transactions, datetime_col)
        self.covariate_period_ = self._fit_period
        return self

    def attach_dynamic_covariates(
        self,
        dynamic_covariates: pd.DataFrame,
        transactions: pd.DataFrame | None = None,
        datetime_col: str | None = None,
    ) -> Any:
        """Give a fitted (or loaded) time-varying model the data its predictions read.

        After it, ``probability_alive(summary)``, ``conditional_expected_purchases(t,
        summary)`` (and the Pareto/NBD's DERT) read each customer's covariates from
        ``dynamic_covariates`` and, for the BG/NBD, her repeat purchases from
        ``transactions``: code that calls the plain prediction protocol (the valuation
        step, the backtest) then predicts with them. Returns ``self``.

        Raises
        ------
        ValueError
            If the model was not fitted with time-varying covariates.
        """
        self._check_fitted()  # type: ignore[attr-defined]
        if not hasattr(self, "covariate_period_"):
            raise ValueError(
                f"this {type(self).__name__} was not fitted with time-varying covariates; "
                "fit(summary, dynamic_covariates=frame, transactions=log) fits them"
            )
        if not isinstance(dynamic_covariates, pd.DataFrame):
            raise TypeError(
                "dynamic_covariates must be the long DataFrame (customer id, period_start, "
                f"covariate columns); got {type(dynamic_covariates).__name__}"
            )
        self.dynamic_covariates_ = dynamic_covariates
        self.dynamic_transactions_ = (transactions, datetime_col)
        return self

    def _columns(self) -> list[str]:
        return list(dict.fromkeys(self.purchase_covariates + self.dropout_covariates))  # type: ignore[attr-defined]

    def _sufficient_statistics(self, data: Any, weights: Any) -> CompressedRows:
        if getattr(self, "_dynamic_input", None) is None:
            return super()._sufficient_statistics(data, weights)  # type: ignore[misc]
        frame, transactions, datetime_col = self._dynamic_input
        check_summary(data)
        paths = covariate_paths(
            data, frame, self._columns(), transactions=transactions, datetime_col=datetime_col
        )
        self._layout(paths.design)  # type: ignore[attr-defined]
        self._fit_period = float(paths.period_length)
        needed = [p for p in type(self).purchases_needed_by if getattr(self, f"{p}_covariates")]
        if needed and not paths.has_purchases and (data["frequency"].to_numpy() > 0).any():
            raise DataValidationError(
                f"{type(self).__name__} with time-varying {' and '.join(needed)} covariates "
                "needs each customer's covariates at her repeat purchases, which a summary "
                "of (frequency, recency, T) does not carry: pass the transaction log it was "
                "built from, fit(summary, dynamic_covariates=frame, transactions=log, "
                "datetime_col='date')"
            )
        return path_arrays(paths, data)

    def _effects(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per design column, its effect in the purchase and the dropout predictor."""
        gamma = np.asarray(params[len(type(self).param_names) :], dtype=np.float64)
        return tuple(selection @ gamma for selection in self._selection)  # type: ignore[attr-defined]

    def _loglik_grad(self, params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
        if not self.has_dynamic_covariates:
            return super()._loglik_grad(params, columns)  # type: ignore[misc]
        base = len(type(self).param_names)
        beta_p, beta_d = self._effects(params)
        k = len(beta_p)
        ll, grad, _ = type(self).dynamic.log_likelihood_terms(
            params[:base], beta_p, beta_d, _with_sums(columns, k)
        )
        purchase, dropout = self._selection  # type: ignore[attr-defined]
        d_gamma = purchase.T @ grad[base : base + k] + dropout.T @ grad[base + k :]
        return ll, np.vstack([grad[:base], d_gamma])

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        if not self.has_dynamic_covariates:
            return super()._weighted_loglik_grad(params, arrays, weights)  # type: ignore[misc]
        ll, grad = self._loglik_grad(params, arrays)
        return float((weights * ll).sum()), (grad * weights).sum(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """The fitted state as JSON data; a time-varying fit adds ``covariates.time_varying``.

        The file holds the parameters, covariance and design, not the covariate frame or
        the log: a loaded model is given them to predict.
        """
        state = super().to_dict()  # type: ignore[misc]
        if self.has_dynamic_covariates:
            state["covariates"]["time_varying"] = time_varying_document(
                self.covariate_period_,
                self.time_unit_,  # type: ignore[attr-defined]
                self.covariate_design_,  # type: ignore[attr-defined]
            )
        return state

    @classmethod
    def _unfitted_from_state(cls, state: dict[str, Any], source: str) -> tuple[Any, dict]:
        """As the static mixin's, and a time-varying file's marker checked and kept."""
        covariates = state.get("covariates")
        if not (isinstance(covariates, dict) and "time_varying" in covariates):
            return super()._unfitted_from_state(state, source)  # type: ignore[misc]
        marker = covariates["time_varying"]
        static = {k: v for k, v in covariates.items() if k != "time_varying"}
        model, checked = super()._unfitted_from_state(state | {"covariates": static}, source)  # type: ignore[misc]
        period = read_time_varying(marker, checked["time_unit"], model.covariate_design_, source)
        model.covariate_period_ = period
        model.dynamic_covariates_ = None
        model.dynamic_transactions_ = (None, None)
        checked["covariates"] = checked["covariates"] | {"time_varying": marker}
        return model, checked

    def _row_log_likelihood(self, params: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
        if not self.has_dynamic_covariates:
            return super()._row_log_likelihood(params, arrays)  # type: ignore[misc]
        return self._loglik_grad(params, arrays)[0]

    def _curvature(self, working: np.ndarray, stats: CompressedRows) -> np.ndarray:
        """Forward differences of the gradient (the static rows' Hessians do not apply)."""
        if not self.has_dynamic_covariates:
            return super()._curvature(working, stats)  # type: ignore[misc]
        return forward_hessian(self._objective, working, stats)  # type: ignore[attr-defined]

    # -- predictions ----------------------------------------------------------------------
    def _paths_for(
        self,
        summary: pd.DataFrame,
        horizon: float,
        frame: pd.DataFrame | None,
        transactions: pd.DataFrame | None = None,
        datetime_col: str | None = None,
    ) -> dict[str, Any]:
        self._check_fitted()  # type: ignore[attr-defined]
        check_summary(summary)
        self._check_unit(summary)  # type: ignore[attr-defined]
        name = type(self).__name__
        needs_log = type(self).predictions_need_purchases
        wanted = "dynamic_covariates=frame" + (", transactions=log" if needs_log else "")
        frame = self.dynamic_covariates_ if frame is None else frame
        if frame is None:
            raise ValueError(
                f"this {name} has time-varying covariates but no covariate frame (a model "
                f"loaded from a file holds none): pass {wanted} to the prediction, or call "
                f"model.attach_dynamic_covariates(frame{', transactions=log' if needs_log else ''})"
                " first; the frame must cover each customer through the prediction horizon"
            )
        log, stored_col = self.dynamic_transactions_
        if transactions is not None:
            log, stored_col = transactions, datetime_col
        if not needs_log:
            log = None
        elif log is None and (summary["frequency"].to_numpy() > 0).any():
            raise ValueError(
                f"{name} with time-varying covariates predicts from each customer's "
                "covariates at her repeat purchases: pass the transaction log the summary "
                f"was built from, {wanted} (or model.attach_dynamic_covariates(frame, "
                "transactions=log))"
            )
        paths = covariate_paths(
            summary,
            frame,
            self._columns(),
            horizon=horizon,
            design=self.covariate_design_,  # type: ignore[attr-defined]
            transactions=log,
            datetime_col=stored_col if datetime_col is None else datetime_col,
        )
        fitted = self.covariate_period_
        if not np.isclose(paths.period_length, fitted, rtol=1e-9, atol=0.0):
            raise DataValidationError(
                f"the dynamic covariate frame has periods of {paths.period_length:g} time "
                f"units, the model was fitted on periods of {fitted:g} "
                f"({self.time_unit_}): give the covariates in periods of the fit's length"  # type: ignore[attr-defined]
            )
        return path_arrays(paths, summary).arrays

    def _split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        params = self._params_array()  # type: ignore[attr-defined]
        base = len(type(self).param_names)
        return (params[:base], *self._effects(params))

    def probability_alive(
        self,
        summary: pd.DataFrame,
        dynamic_covariates: pd.DataFrame | None = None,
        *,
        at: float | None = None,
        transactions: pd.DataFrame | None = None,
        datetime_col: str | None = None,
        **interval: Any,
    ) -> pd.Series:
        """P(alive) at the summary's end per customer (time-varying model: its path to T).

        ``dynamic_covariates`` (and ``transactions``/``datetime_col``, the log the summary
        was built from, for the BG/NBD) replace the fit's or the attached data. ``at``
        (P(alive) that long after the end) and ``interval=`` with its keywords go to the
        static model's method (not yet for the time-varying one: a NotImplementedError).
        """
        if not hasattr(self, "dynamic_covariates_"):
            return super().probability_alive(summary, at=at, **interval)  # type: ignore[misc]
        _no_interval(self, interval)
        if at is not None:
            raise NotImplementedError(
                "probability_alive(at=...) is not available with time-varying covariates; "
                "call it without at= for P(alive) at the end of observation"
            )
        arrays = self._paths_for(summary, 0.0, dynamic_covariates, transactions, datetime_col)
        values = type(self).dynamic.probability_alive(*self._split(), arrays)
        return pd.Series(values, index=summary.index, name="p_alive")

    def conditional_expected_purchases(
        self,
        t: Any,
        summary: pd.DataFrame,
        dynamic_covariates: pd.DataFrame | None = None,
        *,
        transactions: pd.DataFrame | None = None,
        datetime_col: str | None = None,
        **interval: Any,
    ) -> pd.Series | pd.DataFrame:
        """Expected purchases in the next ``t`` time units per customer (see the model).

        With time-varying covariates they are read through ``T + t`` from the fit's frame
        (or ``dynamic_covariates``; the BG/NBD also reads the repeat purchases from
        ``transactions``); a frame that stops earlier is a named error.
        ``interval=`` and its keywords go to the static model's method.
        """
        if not hasattr(self, "dynamic_covariates_"):
            return super().conditional_expected_purchases(t, summary, **interval)  # type: ignore[misc]
        _no_interval(self, interval)
        horizons = np.asarray(t, dtype=np.float64)
        if horizons.ndim > 1 or np.any(~np.isfinite(horizons)) or np.any(horizons < 0):
            raise ValueError(f"t must be a number >= 0 or a 1-D array of them, got {t!r}")
        arrays = self._paths_for(
            summary,
            float(np.max(horizons, initial=0.0)),
            dynamic_covariates,
            transactions,
            datetime_col,
        )
        values = type(self).dynamic.conditional_expected_purchases(
            *self._split(), arrays, np.atleast_1d(horizons)
        )
        if horizons.ndim == 0:
            return pd.Series(values[0], index=summary.index, name="expected_purchases")
        return pd.DataFrame(values.T, index=summary.index, columns=pd.Index(horizons, name="t"))


def _no_interval(model: Any, keywords: dict[str, Any]) -> None:
    """Refuse the interval keywords for a model fitted with time-varying covariates."""
    if keywords:
        raise NotImplementedError(
            f"{type(model).__name__} fitted with dynamic_covariates: {sorted(keywords)} "
            "(parameter-uncertainty intervals) need its predictions at a stack of parameter "
            "vectors, which the time-varying model does not offer yet; fit with static "
            "covariates (or none) for interval="
        )
