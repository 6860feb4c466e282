"""Bayesian MBG/NBD: the maximum-likelihood model's likelihood, sampled by PyMC.

The log-likelihood is :func:`clvmodels.models.modified_beta_geo.math.log_likelihood` evaluated by
PyTensor on the distinct (x, t_x, T) rows, weighted by their counts; the parameters are
sampled on the log scale. Predictions call the functions of
:mod:`clvmodels.models.modified_beta_geo` with the posterior draws.

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing*, 24(3),
201-209.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clvmodels.estimation.bayes import BayesianModel
from clvmodels.estimation.bayes_covariates import BayesianStaticCovariates
from clvmodels.estimation.purchase_predictions import PosteriorRFMPredictions
from clvmodels.estimation.rows import CompressedRows, rfm_rows
from clvmodels.models.modified_beta_geo.gradient import covariate_terms
from clvmodels.models.modified_beta_geo.math import customer_parameters, log_likelihood
from clvmodels.models.modified_beta_geo.mle import ModifiedBetaGeoModel
from clvmodels.models.modified_beta_geo.spec import SPEC
from clvmodels.models.namespace import pytensor_namespace

__all__ = ["BayesianModifiedBetaGeoModel"]


class BayesianModifiedBetaGeoModel(
    BayesianStaticCovariates, PosteriorRFMPredictions, BayesianModel
):
    r"""MBG/NBD with a posterior over (r, alpha, a, b).

    Fit with :meth:`~clvmodels.estimation.bayes.BayesianModel.fit` (``summary``, optional
    ``weights``, ``method="nuts" | "map" | "advi"`` and the sampler's settings).

    Parameters
    ----------
    priors
        Overrides of the default priors on the parameters' logarithms
        (:class:`LogNormalPrior` or ``(mu, sigma)``). Defaults as for the BG/NBD:
        ``log r, log a, log b ~ Normal(0, 2)`` and ``log alpha ~ Normal(ln mean(T), 2.5)``
        (alpha is a time scale in the summary's unit). With covariates they describe the
        reference customer (every covariate 0, categorical columns at their reference level).
    purchase_covariates, dropout_covariates, equal_effects
        Static covariates, as for :class:`~clvmodels.ModifiedBetaGeoModel` (the BG/NBD's
        parametrisation and coefficient names).
    coefficient_prior
        The prior on the coefficients, as for :class:`~clvmodels.bayes.BayesianBetaGeoModel`
        (:class:`~clvmodels.estimation.covariate_priors.CoefficientPrior`; hierarchical
        shrinkage by default).

    Attributes
    ----------
    idata_ : arviz DataTree
        The posterior (also :attr:`idata`): ``r, alpha, a, b`` and ``log_r, ...``.
    method_, sampler_, n_customers_, n_unique_rows_, time_unit_, data_fingerprint_
        As for :class:`~clvmodels.bayes.BayesianBetaGeoModel`.

    Examples
    --------
    >>> import clvmodels as clv
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> mbg = BayesianModifiedBetaGeoModel().fit(summary, method="map")  # doctest: +SKIP
    >>> round(mbg.posterior_mean_params()["b"], 1)  # doctest: +SKIP
    1.6
    """

    spec = SPEC
    functions = ModifiedBetaGeoModel.functions

    plain_statistics = staticmethod(rfm_rows)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(customer_parameters)

    def _row_log_likelihood(self, params: Mapping[str, Any], stats: CompressedRows) -> Any:
        c = stats.columns
        return log_likelihood(params, c["frequency"], c["recency"], c["T"], xp=pytensor_namespace())
