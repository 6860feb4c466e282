r"""Static covariates on the purchase and dropout processes of an RFM model (the MLE side).

Each customer's covariates z_i (one row of the design matrix of
:mod:`clvmodels.data.covariates`) scale the model's gamma (or beta) mixing distributions
through two linear predictors,

.. math::

    \eta^{P}_i = \gamma_P' z_i, \qquad \eta^{D}_i = \gamma_D' z_i,

which the model turns into per-customer parameters (its docstring says how, as
CLVTools does: Bachmann, Meierer & Naef 2021). The coefficients are optimised on their own
scale after the model's positive parameters (on the log scale), with an optional L2 penalty
per process added to the mean negative log-likelihood per customer; an "equal effect"
covariate has one coefficient ``both:NAME`` that enters both predictors.

The processes are the class's ``covariate_processes``: ``("purchase", "dropout")`` by
default (keywords ``purchase_covariates`` and ``dropout_covariates``); a model with one
process (the Gamma-Gamma's ``("spend",)``, the sBG's ``("churn",)``) names it and takes
``<process>_covariates`` in its own ``__init__`` through :meth:`StaticCovariates._set_covariates`.

A model with this mixin supplies ``covariate_terms(params, columns, *etas)``: the
per-row log-likelihood and its derivatives in its base parameters and in the linear
predictors (one per process); the chain rule to the coefficients is taken here.

References
----------
Bachmann, P., Meierer, M. & Naef, J. (2021). The role of time-varying contextual factors
in latent attrition models for customer base analysis. *Marketing Science*, 40(4), 783-809.

Meierer, M., Naef, J., Bachmann, P. & Jung, J. (2023). CLVTools: probabilistic models for
customer-base analysis (R package documentation: ``pnbd``, ``bgnbd`` with static
covariates, ``reg.lambdas``, ``names.cov.constr``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from clvmodels.data.covariates import CovariateDesign, encode_covariates
from clvmodels.data.summary_frame import time_unit_of
from clvmodels.data.validation import check_summary
from clvmodels.estimation.coefficients import (
    PROCESSES,
    coefficient_layout,
    covariate_penalties,
    per_row,
)
from clvmodels.estimation.covariate_files import covariates_document, read_covariates
from clvmodels.estimation.curvature import (
    bfgs_with_curvature,
    covariate_hessian,
    forward_hessian,
)
from clvmodels.estimation.persistence import check_document
from clvmodels.estimation.rows import RFM_COLUMNS, CompressedRows, compress

__all__ = ["StaticCovariates", "covariate_penalties", "covariate_rows", "per_row"]

#: Customers in the sample on which a large fit refines its start (see ``_minimise``).
SAMPLE_ROWS = 50_000


def covariate_rows(
    data: pd.DataFrame,
    design: CovariateDesign,
    matrix: np.ndarray,
    weights: Any = None,
    data_columns: Sequence[str] = RFM_COLUMNS,
) -> CompressedRows:
    """Distinct (data columns, covariate profile) rows of a checked frame, with counts.

    ``matrix`` is ``design``'s design matrix of ``data``; its columns become the rows'
    ``covariate:NAME`` columns. Rows with a frequency share the distinct frequencies
    (``x_unique``, each row's ``x_index``). The maximum-likelihood and the Bayesian fits
    both compress their data here.
    """
    unit = time_unit_of(data)
    values = {name: data[name].to_numpy(np.float64) for name in data_columns}
    for j, name in enumerate(design.names):
        values[f"covariate:{name}"] = np.ascontiguousarray(matrix[:, j])
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(data),) or not np.all(np.isfinite(weights) & (weights >= 0)):
            raise ValueError(
                f"weights must be one finite number >= 0 per row ({len(data)} rows), "
                f"e.g. weights=table['count']; got shape {weights.shape}"
            )
    unique, counts = compress(values, weights)
    if "frequency" not in unique:
        return CompressedRows(unique, counts, unit)
    # each row's position among the distinct x: the likelihood's x-only terms are
    # computed once per distinct x
    x_unique, x_index = np.unique(unique["frequency"], return_inverse=True)
    unique["x_index"] = x_index.astype(np.float64)
    return CompressedRows(
        unique,
        counts,
        unit,
        {"x_unique": x_unique},
        frozenset({"x_index", "x_unique"}),
    )


class StaticCovariates:
    """Mixin for an RFM maximum-likelihood model: static covariates by keyword.

    Parameters (of the model's ``__init__``)
    -----------------------------------------
    purchase_covariates, dropout_covariates
        Columns of the summary that enter the purchase and the dropout process.
    covariate_penalty
        L2 penalty on the coefficients: one number for both processes or
        ``{"purchase": 0.1, "dropout": 0.0}``; ``lambda * sum(gamma**2)`` is added to the
        mean negative log-likelihood per customer (``log_likelihood_`` excludes it).
    equal_effects
        Columns whose effect is constrained equal in both processes: one coefficient,
        named ``both:NAME`` (the column must be in both lists).

    Notes
    -----
    The methods that take a summary (``conditional_expected_purchases``,
    ``probability_alive``, the Pareto/NBD's DERT) use each customer's covariates from it;
    a summary without the covariate columns is a named error. The methods without one
    (``expected_purchases(t)``, ``probability_of_purchases``, the matrices and the
    P(alive) path) describe the reference customer, whose covariates are all 0 (every
    categorical column at its reference level); the new-customer methods take
    ``covariates=frame`` (one row per new customer: its covariate columns) and return one
    value per row. Model files hold covariate models: the design (columns, levels and
    their reference, names), the settings and the coefficients
    (:mod:`clvmodels.estimation.covariate_files`).
    """

    #: The processes whose parameters covariates scale, in the order of the predictors.
    covariate_processes: ClassVar[tuple[str, ...]] = PROCESSES
    #: The data columns of a row besides its covariates.
    covariate_data_columns: ClassVar[tuple[str, ...]] = RFM_COLUMNS

    #: The model's per-row likelihood without covariates (its distinct rows without
    #: covariates are its spec's ``rows``).
    plain_loglik_grad: ClassVar[Callable[..., tuple]]
    #: ``(params, columns, eta_p, eta_d) -> (ll, grad)`` with grad rows: the base
    #: parameters, then d/d eta_p and d/d eta_d.
    covariate_terms: ClassVar[Callable[..., tuple]]
    #: How the model maps the base parameters and the predictors to per-customer ones.
    customer_parameters: ClassVar[Callable[..., dict]]
    #: Where ``customer_parameters`` is linear in the log scale: per process, how a unit of
    #: its predictor moves each base log-parameter (the Hessian is then assembled from
    #: each row's own, :func:`~clvmodels.estimation.curvature.covariate_hessian`); None:
    #: forward differences of the full gradient.
    covariate_log_shifts: ClassVar[Mapping[str, Sequence[float]] | None] = None
    #: Optional ``(params, columns, eta_p, eta_d) -> (k, k, rows)``: each row's Hessian in
    #: its own log-parameters, by hand (else forward differences of ``covariate_terms``).
    covariate_curvature: ClassVar[Callable[..., np.ndarray] | None] = None

    def __init__(
        self,
        penalizer_coef: float = 0.0,
        purchase_covariates: Sequence[str] | None = None,
        dropout_covariates: Sequence[str] | None = None,
        covariate_penalty: float | Mapping[str, float] | None = None,
        equal_effects: Sequence[str] | None = None,
    ) -> None:
        self._set_covariates(
            penalizer_coef,
            {"purchase": purchase_covariates, "dropout": dropout_covariates},
            covariate_penalty,
            equal_effects,
        )

    def _set_covariates(
        self,
        penalizer_coef: float,
        chosen: Mapping[str, Sequence[str] | None],
        covariate_penalty: float | Mapping[str, float] | None,
        equal_effects: Sequence[str] | None = None,
    ) -> None:
        """Store and check the settings: ``chosen`` maps each process to its columns."""
        super().__init__(penalizer_coef)  # type: ignore[call-arg]
        for process in self.covariate_processes:
            setattr(self, f"{process}_covariates", list(chosen[process] or []))
        self.covariate_penalty = covariate_penalty
        covariate_penalties(covariate_penalty, self.covariate_processes)
        if len(self.covariate_processes) == 2:
            self.equal_effects = list(equal_effects or [])
        for name in self._equal():
            if name not in self.purchase_covariates or name not in self.dropout_covariates:
                raise ValueError(
                    f"equal_effects names {name!r}, which must be in both "
                    f"purchase_covariates {self.purchase_covariates} and dropout_covariates "
                    f"{self.dropout_covariates}"
                )

    def _chosen(self) -> dict[str, list[str]]:
        """Process -> the covariate columns that enter it."""
        return {p: getattr(self, f"{p}_covariates") for p in self.covariate_processes}

    def _equal(self) -> list[str]:
        return list(getattr(self, "equal_effects", []))

    @classmethod
    def _covariate_keywords(cls) -> tuple[str, ...]:
        """The constructor's covariate settings (what a model file stores)."""
        names = [f"{p}_covariates" for p in cls.covariate_processes]
        names.append("covariate_penalty")
        if len(cls.covariate_processes) == 2:
            names.append("equal_effects")
        return tuple(names)

    @property
    def has_covariates(self) -> bool:
        """Whether any covariate enters the model."""
        return any(self._chosen().values())

    # -- the estimation hooks ------------------------------------------------------------
    def fit(self, data: Any, weights: Any = None) -> Any:
        """Fit by maximum likelihood (see the model's docstring); returns ``self``."""
        self.__dict__.pop("covariate_design_", None)  # a new fit lays out its own names
        try:
            return super().fit(data, weights)  # type: ignore[misc]
        finally:
            self._design_cache = self._row_cache = None

    def _sufficient_statistics(self, data: Any, weights: Any) -> CompressedRows:
        if self.has_covariates:
            return self._covariate_rows(data, weights)
        return super()._sufficient_statistics(data, weights)  # type: ignore[misc]

    def _loglik_grad(self, params: np.ndarray, columns: dict[str, np.ndarray]) -> tuple:
        if self.has_covariates:
            return self._covariate_loglik_grad(params, columns)
        return type(self).plain_loglik_grad(params, columns)

    def _weighted_loglik_grad(
        self, params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        if self.has_covariates:
            return self._covariate_weighted(params, arrays, weights)
        return super()._weighted_loglik_grad(params, arrays, weights)  # type: ignore[misc]

    def _minimise(self, start: np.ndarray, stats: CompressedRows, gtol: float) -> Any:
        """On large data, BFGS started from a sample's optimum and its inverse Hessian.

        With more than ``SAMPLE_ROWS`` rows, the start is refined on a sample of
        ``SAMPLE_ROWS`` customers (drawn in proportion to the rows' counts) and BFGS on all
        rows starts with the inverse of the sample's Hessian (:meth:`_curvature`), so the
        full data see a few steps instead of the dozens that rebuilding the curvature of ~20
        parameters of different scales takes (the Pareto/NBD's own strategy).
        """
        if not self.has_covariates:
            return super()._minimise(start, stats, gtol)  # type: ignore[misc]
        if len(stats.weights) <= SAMPLE_ROWS:
            return bfgs_with_curvature(
                self._objective,
                self._to_working(start),
                stats,
                stats,
                gtol,
                hessian_of=self._curvature,
            )
        sample = stats.subsample(SAMPLE_ROWS, np.random.default_rng(20210101))
        refined = self._minimise(start, sample, 1e-5)
        working = refined.x if np.all(np.isfinite(refined.x)) else self._to_working(start)
        return bfgs_with_curvature(
            self._objective, working, stats, sample, gtol, hessian_of=self._curvature
        )

    def _hessian(self, working: np.ndarray, stats: CompressedRows) -> np.ndarray:
        """Observed information: from each row's Hessian, else by forward differences."""
        if not self.has_covariates:
            return super()._hessian(working, stats)  # type: ignore[misc]
        return self._curvature(working, stats) * stats.n_customers

    def _curvature(self, working: np.ndarray, stats: CompressedRows) -> np.ndarray:
        """Hessian of the mean penalised objective in the working parameters.

        With covariates and a log-linear ``customer_parameters`` (``covariate_log_shifts``),
        assembled from each row's Hessian in its own k log-parameters
        (:meth:`_row_hessians`, k + 1 passes over the rows whatever the number of
        coefficients); otherwise forward differences of the objective's gradient (one
        pass per parameter).
        """
        shifts = type(self).covariate_log_shifts
        if not self.has_covariates or shifts is None:
            return forward_hessian(self._objective, working, stats)
        params = self._to_natural(working)
        k = self._n_positive()
        columns = stats.arrays
        matrix = self._design_of(columns)
        rows = self._row_hessians(params, columns, working)
        hessian = -covariate_hessian(
            rows,
            stats.weights,
            matrix,
            self._selection,
            [np.asarray(shifts[p], np.float64) for p in self.covariate_processes],
        )
        hessian /= stats.n_customers
        if self.penalizer_coef:  # c * sum(theta^2) in log theta
            hessian[np.arange(k), np.arange(k)] += 4.0 * self.penalizer_coef * params[:k] ** 2
        coefficients = np.arange(k, len(params))
        hessian[coefficients, coefficients] += 2.0 * self._coefficient_penalties()
        return hessian

    def _row_hessians(
        self, params: np.ndarray, columns: Mapping[str, np.ndarray], working: np.ndarray
    ) -> np.ndarray:
        """``(k, k, rows)``: each row's Hessian in its own log-parameters, symmetrised.

        The model's ``covariate_curvature`` where it has one; otherwise forward differences
        of the rows' exact gradients (``covariate_terms``) in the k log base parameters at
        the rows' fixed predictors: moving a base log-parameter moves every row's own by
        the same step. The step is :func:`~clvmodels.estimation.curvature.forward_hessian`'s.
        """
        k = self._n_positive()
        terms_of = type(self).covariate_terms
        etas = self._predictors(params, self._design_of(columns))
        by_hand = type(self).covariate_curvature
        if by_hand is not None:
            return by_hand(np.asarray(params[:k], dtype=np.float64), columns, *etas)

        def log_gradient(base: np.ndarray) -> np.ndarray:
            _, terms = terms_of(base, columns, *etas)
            return terms[:k] * base[:, None]

        base = np.asarray(params[:k], dtype=np.float64)
        at = log_gradient(base)
        rows = np.empty((k, k, at.shape[1]))
        for j in range(k):
            step = 1e-5 * max(1.0, abs(working[j]))
            moved = base.copy()
            moved[j] = base[j] * np.exp(step)
            rows[:, j] = (log_gradient(moved) - at) / step
        return 0.5 * (rows + rows.transpose(1, 0, 2))

    # -- design -------------------------------------------------------------------------
    def _covariate_data(self, data: Any, weights: Any) -> tuple[pd.DataFrame, Any]:
        """The checked frame whose rows the likelihood reads, and their weights (a hook).

        A summary by default; the Gamma-Gamma keeps its repeat buyers.
        """
        check_summary(data)
        return data, weights

    def _covariate_rows(self, data: pd.DataFrame, weights: Any) -> CompressedRows:
        """Distinct (data columns, covariate profile) rows with counts.

        In a fit, the covariates are checked and encoded here and the parameter names laid
        out; a fitted model encodes ``data`` with its own design (e.g. for
        :meth:`fitted_on`).
        """
        data, weights = self._covariate_data(data, weights)
        if hasattr(self, "covariate_design_"):
            design = self.covariate_design_
            matrix = design.matrix(data)
        else:
            columns = list(dict.fromkeys(c for cs in self._chosen().values() for c in cs))
            design, matrix = encode_covariates(data, columns)
            self._layout(design)
        return covariate_rows(data, design, matrix, weights, self.covariate_data_columns)

    def _layout(self, design: CovariateDesign) -> None:
        """Parameter names and the maps from coefficients to the predictors (one per process)."""
        names, maps, penalties = coefficient_layout(
            design, self._chosen(), self._equal(), self.covariate_penalty
        )
        self.covariate_design_ = design
        self.coefficient_names_ = names
        self.param_names = (*type(self).param_names, *names)
        self._selection = maps
        self._penalty_vector = penalties

    def _coefficient_penalties(self) -> np.ndarray:
        return getattr(self, "_penalty_vector", np.zeros(0))

    def _predictors(self, params: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, ...]:
        gamma = np.asarray(params[len(type(self).param_names) :], dtype=np.float64)
        return tuple(matrix @ (selection @ gamma) for selection in self._selection)

    def _design_of(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The rows' design matrix (kept for the last rows asked: the optimiser's)."""
        names = self.covariate_design_.names
        key = columns[f"covariate:{names[0]}"]
        cached = getattr(self, "_design_cache", None)
        if cached is not None and cached[0] is key:
            return cached[1]
        matrix = np.column_stack([columns[f"covariate:{n}"] for n in names])
        self._design_cache = (key, matrix)
        return matrix

    # -- likelihood ---------------------------------------------------------------------
    def _covariate_loglik_grad(self, params: np.ndarray, columns: Mapping) -> tuple:
        """Per-row log-likelihood and gradient in (base parameters, coefficients)."""
        k = len(type(self).param_names)
        matrix = self._design_of(columns)
        etas = self._predictors(params, matrix)
        ll, terms = type(self).covariate_terms(params[:k], columns, *etas)
        d_gamma = sum(
            (matrix * terms[k + j][:, None]) @ selection
            for j, selection in enumerate(self._selection)
        )
        return ll, np.vstack([terms[:k], d_gamma.T])

    def _row_log_likelihood(self, params: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Per-row log-likelihood without the coefficients' gradient.

        The last result is kept (for the same parameters and the same row arrays): the fit
        asks for it at the estimate more than once.
        """
        if not self.has_covariates:
            return super()._row_log_likelihood(params, arrays)  # type: ignore[misc]
        key = (np.asarray(params, np.float64).tobytes(), *map(id, arrays.values()))
        cached = getattr(self, "_row_cache", None)
        if cached is not None and cached[0] == key:
            return cached[2]
        k = len(type(self).param_names)
        etas = self._predictors(params, self._design_of(arrays))
        ll, _ = type(self).covariate_terms(params[:k], arrays, *etas)
        # the arrays are held with the key, so their ids are not reused while it lives
        self._row_cache = (key, tuple(arrays.values()), ll)
        return ll

    def _covariate_weighted(self, params: np.ndarray, columns: Mapping, weights: np.ndarray):
        """Weighted sums of :meth:`_covariate_loglik_grad` (one product per predictor)."""
        k = len(type(self).param_names)
        matrix = self._design_of(columns)
        etas = self._predictors(params, matrix)
        ll, terms = type(self).covariate_terms(params[:k], columns, *etas)
        sums = (terms * weights).sum(axis=1)
        d_gamma = sum(
            ((weights * terms[k + j]) @ matrix) @ selection
            for j, selection in enumerate(self._selection)
        )
        return float((weights * ll).sum()), np.concatenate([sums[:k], d_gamma])

    # -- predictions ----------------------------------------------------------------------
    def _customer_params(
        self, summary: pd.DataFrame, what: str = "the prediction summary"
    ) -> Mapping[str, Any]:
        """The parameters of each customer of ``summary`` (its covariate columns)."""
        self._check_fitted()
        if not self.has_covariates:
            return self.params_
        matrix = self.covariate_design_.matrix(summary, what)
        params = self._params_array()
        etas = self._predictors(params, matrix)
        base = dict(zip(type(self).param_names, params, strict=False))
        return type(self).customer_parameters(base, *etas)

    def _parameters_at(self, working: np.ndarray, matrix: np.ndarray | None) -> dict[str, Any]:
        """The parameters at a stack of working vectors ``(vectors, p)`` (prediction intervals).

        Arrays ``(vectors, 1)`` that broadcast against the data rows; with covariates each
        row's own, ``(vectors, rows)`` for the rows of the design ``matrix``.
        """
        names = type(self).param_names
        base = {name: np.exp(working[:, j, None]) for j, name in enumerate(names)}
        if not self.has_covariates:
            return base
        gamma = working[:, len(names) :]
        etas = tuple((gamma @ selection.T) @ matrix.T for selection in self._selection)
        return type(self).customer_parameters(base, *etas)

    def _new_customer_params(self, covariates: pd.DataFrame | None) -> Mapping[str, Any]:
        """The parameters of new customers: the reference customer's, or one set per row.

        ``covariates`` is a frame of the covariate columns (one row per new customer); a
        model without covariates takes it too (every row has its one set of parameters).
        """
        self._check_fitted()
        if covariates is None:
            return self.params_
        if not isinstance(covariates, pd.DataFrame):
            raise TypeError(
                "covariates must be a DataFrame with one row per new customer and the "
                "model's covariate columns, e.g. pd.DataFrame({'channel': ['online']}); got "
                f"{type(covariates).__name__}"
            )
        if not self.has_covariates:
            ones = np.ones(len(covariates))
            return {name: value * ones for name, value in self.params_.items()}
        return self._customer_params(covariates, "the new customers' covariates")

    # -- model files ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted state as JSON data, with the ``covariates`` field for a covariate model."""
        state = super().to_dict()  # type: ignore[misc]
        if self.has_covariates:
            settings = {name: getattr(self, name) for name in self._covariate_keywords()}
            state["covariates"] = covariates_document(settings, self.covariate_design_)
        return state

    @classmethod
    def _unfitted_from_state(cls, state: dict[str, Any], source: str) -> tuple[Any, dict]:
        """The unfitted model a checked file describes, its design laid out (``from_dict``)."""
        if "covariates" not in state or state.get("model") != cls.__name__:
            return super()._unfitted_from_state(state, source)  # type: ignore[misc]
        settings, design = read_covariates(state["covariates"], cls, source)
        layout = cls(**settings)
        layout._layout(design)
        k = len(cls.param_names)
        state = check_document(
            state, cls.__name__, cls.param_names, source, coefficients=layout.param_names[k:]
        )
        model = cls(**state["settings"], **settings)
        model._layout(design)
        return model, state
