r"""Static covariates in the Bayesian RFM models: the same likelihood, a prior on the effects.

The mixin gives a Bayesian model the keywords of its maximum-likelihood twin
(``purchase_covariates``, ``dropout_covariates``, ``equal_effects``; the L2
``covariate_penalty`` has no counterpart: the prior on the coefficients replaces it,
:mod:`clvmodels.estimation.covariate_priors`). The covariates are checked, encoded and laid
out as the maximum-likelihood fit does
(:func:`~clvmodels.estimation.coefficients.coefficient_layout`,
:func:`~clvmodels.estimation.static_covariates.covariate_rows`), so
the coefficients have the same names (``purchase:gender``, ``dropout:channel[online]``,
``both:x``), and the
likelihood is the model's own ``covariate_terms`` (``models/<model>/gradient.py``), taken
to the coefficients through the design matrix
(:func:`~clvmodels.estimation.density.covariate_log_likelihood`). nutpie samples that
compiled function; the PyMC model (MAP, ADVI, PyMC's NUTS) adds it as one operation
(:mod:`clvmodels.estimation.likelihood_op`).

A model using it names ``covariate_terms`` and ``customer_parameters`` (as its MLE twin
does), ``plain_statistics`` (its compressed rows without covariates) and, where it has
one, ``plain_log_likelihood`` (its compiled likelihood without covariates); without
covariate keywords it is the plain model, unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from clvmodels.data.covariates import encode_covariates
from clvmodels.data.validation import check_summary
from clvmodels.estimation.bayes import LogNormalPrior
from clvmodels.estimation.coefficients import coefficient_layout
from clvmodels.estimation.covariate_files import covariates_document, read_covariates
from clvmodels.estimation.covariate_priors import (
    CoefficientBlock,
    CoefficientPrior,
    prior_factors,
)
from clvmodels.estimation.density import covariate_log_likelihood, nutpie_model
from clvmodels.estimation.posterior import distinct_rows
from clvmodels.estimation.rows import CompressedRows
from clvmodels.estimation.static_covariates import covariate_rows
from clvmodels.exceptions import ModelFileError

__all__ = ["BayesianStaticCovariates"]


def _keywords(
    purchase_covariates: Sequence[str] | None,
    dropout_covariates: Sequence[str] | None,
    equal_effects: Sequence[str] | None,
) -> tuple[list[str], list[str], list[str]]:
    """The covariate keywords as lists; a single string or a lone equal effect is an error."""
    given = {
        "purchase_covariates": purchase_covariates,
        "dropout_covariates": dropout_covariates,
        "equal_effects": equal_effects,
    }
    for keyword, value in given.items():
        if isinstance(value, str):
            raise ValueError(
                f"{keyword} must be a list of column names, e.g. {keyword}=[{value!r}]; "
                f"got the string {value!r}"
            )
    purchase, dropout, equal = (list(value or []) for value in given.values())
    for name in equal:
        if name not in purchase or name not in dropout:
            raise ValueError(
                f"equal_effects names {name!r}, which must be in both purchase_covariates "
                f"{purchase} and dropout_covariates {dropout}"
            )
    return purchase, dropout, equal


class BayesianStaticCovariates:
    """Mixin for a Bayesian RFM model (first in the bases): static covariates by keyword.

    Parameters (of the model's ``__init__``)
    -----------------------------------------
    priors
        The base parameters' priors, as without covariates (they describe the reference
        customer: every covariate 0, every categorical column at its reference level).
    purchase_covariates, dropout_covariates
        Columns of the summary that enter the purchase and the dropout process.
    equal_effects
        Columns whose effect is the same in both processes: one coefficient ``both:NAME``.
    coefficient_prior
        A :class:`~clvmodels.estimation.covariate_priors.CoefficientPrior`; default
        ``CoefficientPrior(scale=1.0, hierarchical=True)``: each coefficient
        ``~ Normal(0, tau_process * c_j)``, ``tau_process ~ HalfNormal(1)``.
    """

    #: ``(params, columns, eta_p, eta_d) -> (ll, grad)``: the model's per-row likelihood with
    #: derivatives in its base parameters and the two linear predictors.
    covariate_terms: ClassVar[Callable[..., tuple]]
    #: How the model maps the base parameters and the predictors to per-customer ones.
    customer_parameters: ClassVar[Callable[..., dict]]
    #: The model's compressed rows without covariates: ``(data, weights) -> rows``.
    plain_statistics: ClassVar[Callable[..., Any]]
    #: The model's compiled likelihood without covariates (``rows -> LogLikelihood``), if any.
    plain_log_likelihood: ClassVar[Callable[..., Any] | None] = None

    def __init__(
        self,
        priors: Mapping[str, LogNormalPrior | tuple[float, float]] | None = None,
        purchase_covariates: Sequence[str] | None = None,
        dropout_covariates: Sequence[str] | None = None,
        equal_effects: Sequence[str] | None = None,
        coefficient_prior: CoefficientPrior | None = None,
    ) -> None:
        super().__init__(priors)  # type: ignore[call-arg]
        self.purchase_covariates, self.dropout_covariates, self.equal_effects = _keywords(
            purchase_covariates, dropout_covariates, equal_effects
        )
        if coefficient_prior is not None and not isinstance(coefficient_prior, CoefficientPrior):
            raise ValueError(
                "coefficient_prior must be a CoefficientPrior, e.g. "
                f"CoefficientPrior(scale=1.0, hierarchical=True); got {coefficient_prior!r}"
            )
        self.coefficient_prior = coefficient_prior

    @property
    def has_covariates(self) -> bool:
        """Whether any covariate enters the model."""
        return bool(self.purchase_covariates or self.dropout_covariates)

    def _prior_of_coefficients(self) -> CoefficientPrior:
        return self.coefficient_prior or CoefficientPrior()

    # -- fit ----------------------------------------------------------------------------
    def fit(self, data: Any, weights: Any = None, **keywords: Any) -> Any:
        """Compute the posterior (see :meth:`BayesianModel.fit`); returns ``self``.

        Raises
        ------
        ValueError
            For ``method="map"`` with covariates under the hierarchical prior: its joint
            mode is at ``tau -> 0`` with every coefficient 0, not an estimate.
        """
        for name in ("covariate_design_", "coefficient_block_", "covariate_maps_"):
            self.__dict__.pop(name, None)  # a new fit lays out its own names
        self.__dict__.pop("param_names", None)
        if (
            self.has_covariates
            and keywords.get("method", "nuts") == "map"
            and self._prior_of_coefficients().hierarchical
        ):
            raise ValueError(
                "method='map' with covariates needs a fixed prior scale: the posterior mode "
                "of the hierarchical prior puts tau at 0 and every coefficient at 0. Use "
                "coefficient_prior=CoefficientPrior(scale=1.0, hierarchical=False), or "
                "method='nuts'"
            )
        with warnings.catch_warnings():
            # PyTensor's numba backend runs the likelihood operation (already compiled code)
            # through its Python perform method, and says so once per compilation
            warnings.filterwarnings(
                "ignore", message=r"Numba will use object mode to run (LogLikelihoodOp|Gradient)"
            )
            return super().fit(data, weights, **keywords)  # type: ignore[misc]

    def _statistics(self, data: Any, weights: Any = None) -> CompressedRows:
        """Distinct rows with counts; with covariates, per (x, t_x, T, covariate profile)."""
        if not self.has_covariates:
            return type(self).plain_statistics(data, weights)
        check_summary(data)
        if hasattr(self, "covariate_design_"):
            return covariate_rows(
                data, self.covariate_design_, self.covariate_design_.matrix(data), weights
            )
        columns = list(dict.fromkeys(self.purchase_covariates + self.dropout_covariates))
        design, matrix = encode_covariates(data, columns)
        chosen = {"purchase": self.purchase_covariates, "dropout": self.dropout_covariates}
        names, maps, _ = coefficient_layout(design, chosen, self.equal_effects, None)
        factors = prior_factors(design, matrix, weights)
        self.covariate_design_ = design
        self.covariate_maps_ = maps
        self.coefficient_block_ = CoefficientBlock.of(names, factors, self._prior_of_coefficients())
        self.param_names = (*type(self).param_names, *names)
        return covariate_rows(data, design, matrix, weights)

    def _design_matrix(self, stats: CompressedRows) -> np.ndarray:
        names = self.covariate_design_.names
        return np.column_stack([stats.columns[f"covariate:{name}"] for name in names])

    def _log_likelihood_function(self, stats: CompressedRows) -> Any:
        if not self.has_covariates:
            plain = type(self).plain_log_likelihood
            return None if plain is None else plain(stats)
        return covariate_log_likelihood(
            type(self).covariate_terms,
            stats.arrays,
            stats.weights,
            self._design_matrix(stats),
            self.covariate_maps_,
        )

    def _build(self, stats: CompressedRows) -> Any:
        """The PyMC model; with covariates, the compiled likelihood as one operation."""
        if not self.has_covariates:
            return super()._build(stats)  # type: ignore[misc]
        import pymc as pm
        import pytensor.tensor as pt

        from clvmodels.estimation.likelihood_op import likelihood_op

        likelihood = likelihood_op(self._log_likelihood_function(stats))
        base = type(self).param_names
        with pm.Model() as model:
            params = self.log_normal_parameters(self.priors_for(stats))  # type: ignore[attr-defined]
            coefficients = self.coefficient_block_.pymc_coefficients()
            vector = pt.stack([params[name] for name in base] + coefficients)
            pm.Potential("log_likelihood", likelihood(vector))
        return model

    def _nutpie_compiler(self, stats: Any, build: Callable[[], Any], log_likelihood: Any) -> Any:
        if not self.has_covariates:
            return super()._nutpie_compiler(stats, build, log_likelihood)  # type: ignore[misc]
        base = type(self).param_names
        chosen = self.priors_for(stats)  # type: ignore[attr-defined]
        priors = [chosen[name] for name in base]
        block = self.coefficient_block_
        return lambda: nutpie_model(
            log_likelihood,
            base,
            [prior.mu for prior in priors],
            [prior.sigma for prior in priors],
            block,
        )

    # -- fitted state -------------------------------------------------------------------
    def _reported_names(self) -> tuple[str, ...]:
        """Parameters, coefficients and the coefficients' prior scales (``tau_<process>``)."""
        names = tuple(self.param_names)  # type: ignore[attr-defined]
        if self.has_covariates and hasattr(self, "coefficient_block_"):
            return names + self.coefficient_block_.scale_names
        return names

    # -- model files ----------------------------------------------------------------------
    @classmethod
    def _covariate_keywords(cls) -> tuple[str, ...]:
        """The constructor's covariate settings (the ``covariates`` field of a model file)."""
        return ("purchase_covariates", "dropout_covariates", "equal_effects")

    def _extra_state(self) -> dict[str, Any]:
        """With covariates: the covariate settings and design, the coefficients' prior."""
        if not self.has_covariates:
            return super()._extra_state()  # type: ignore[misc]
        block = self.coefficient_block_
        settings = {name: getattr(self, name) for name in self._covariate_keywords()}
        return {
            "covariates": covariates_document(settings, self.covariate_design_),
            "coefficient_prior": None
            if self.coefficient_prior is None
            else {"scale": block.prior.scale, "hierarchical": block.prior.hierarchical},
            "coefficient_factors": [float(v) for v in block.factors],
        }

    def _restore_extra(self, extra: dict[str, Any]) -> None:
        """Lay out a saved covariate model's names and design again (checked on read)."""
        if "covariates" not in extra:
            return super()._restore_extra(extra)  # type: ignore[misc]
        settings, design = read_covariates(extra["covariates"], type(self), "model.json")
        for name, value in settings.items():
            setattr(self, name, value)
        saved = extra.get("coefficient_prior")
        try:
            prior = (
                None if saved is None else CoefficientPrior(saved["scale"], saved["hierarchical"])
            )
            factors = np.asarray(extra["coefficient_factors"], dtype=np.float64)
        except (TypeError, KeyError, ValueError) as error:
            raise ModelFileError(
                f"model.json: field 'extra.coefficient_prior' or 'extra.coefficient_factors' "
                f"is not valid ({error!r})",
                field="extra.coefficient_prior",
            ) from None
        self.coefficient_prior = prior
        chosen = {"purchase": self.purchase_covariates, "dropout": self.dropout_covariates}
        names, maps, _ = coefficient_layout(design, chosen, self.equal_effects, None)
        if factors.shape != (len(names),) or not np.all(np.isfinite(factors) & (factors > 0)):
            raise ModelFileError(
                f"model.json: field 'extra.coefficient_factors' must hold one number > 0 per "
                f"coefficient ({len(names)}); got {extra['coefficient_factors']!r}",
                field="extra.coefficient_factors",
            )
        self.covariate_design_ = design
        self.covariate_maps_ = maps
        self.coefficient_block_ = CoefficientBlock(names, factors, self._prior_of_coefficients())
        self.param_names = (*type(self).param_names, *names)

    def prior_params(self, data: Any, weights: Any = None, **keywords: Any) -> Any:
        """Draws from the priors (see the model's class); not yet with covariates."""
        if self.has_covariates:
            raise NotImplementedError(
                "prior draws and the prior predictive check do not cover covariates yet; "
                "check the model without them"
            )
        return super().prior_params(data, weights, **keywords)  # type: ignore[misc]

    # -- predictions --------------------------------------------------------------------
    def _history(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (x, t_x, T, covariate profile) rows of ``summary`` and each customer's."""
        if not self.has_covariates:
            return super()._history(summary)  # type: ignore[misc]
        self._check_fitted()  # type: ignore[attr-defined]
        self._check_data(summary)  # type: ignore[attr-defined]
        self._check_unit(summary)  # type: ignore[attr-defined]
        matrix = self.covariate_design_.matrix(summary, "the prediction summary")
        x, t_x, age = (summary[c].to_numpy(np.float64) for c in self.data_columns)  # type: ignore[attr-defined]
        rows, inverse = distinct_rows(x, age, t_x, *matrix.T)
        rows[:, [1, 2]] = rows[:, [2, 1]]
        return rows, inverse

    def _row_params(self, params: dict, rows: np.ndarray, many: bool) -> dict:
        """Each row's parameters from the draws: the base ones moved by its covariates."""
        if not self.has_covariates:
            return params
        names = self.coefficient_block_.names
        first = params[names[0]]
        gamma = np.stack([params[name].reshape(first.shape[:2]) for name in names], axis=-1)
        matrix = rows[:, 3:]
        purchase, dropout = (matrix @ selection for selection in self.covariate_maps_)
        eta_p, eta_d = (gamma @ z.T for z in (purchase, dropout))  # (chain, draw, rows)
        if many:  # a horizon axis before the rows
            eta_p, eta_d = eta_p[..., None, :], eta_d[..., None, :]
        base = {name: params[name] for name in type(self).param_names}  # type: ignore[attr-defined]
        return type(self).customer_parameters(base, eta_p, eta_d)
