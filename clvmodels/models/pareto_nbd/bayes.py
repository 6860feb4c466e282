"""Bayesian Pareto/NBD: the maximum-likelihood model's likelihood, sampled by PyMC.

The log-likelihood is :func:`clvmodels.models.pareto_nbd.log_likelihood` (its tail integral
by log-space quadrature, no 2F1 to overflow) evaluated by PyTensor on the distinct
(x, t_x, T) rows, weighted by their counts; the parameters are sampled on the log scale.
Predictions call the functions of :mod:`clvmodels.models.pareto_nbd` with the posterior
draws.

References
----------
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are
they and what will they do next? *Management Science*, 33(1), 1-24.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research*, 42(4), 415-430.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.estimation.bayes import BayesianModel
from clvmodels.estimation.bayes_covariates import BayesianStaticCovariates
from clvmodels.estimation.posterior import CHUNK_ELEMENTS
from clvmodels.estimation.purchase_predictions import PosteriorRFMPredictions
from clvmodels.estimation.rows import CompressedRows, rfm_rows
from clvmodels.models.namespace import pytensor_namespace
from clvmodels.models.pareto_nbd.gradient import covariate_terms, weighted_log_likelihood
from clvmodels.models.pareto_nbd.math import (
    customer_parameters,
    discounted_expected_residual_transactions,
    log_likelihood,
)
from clvmodels.models.pareto_nbd.mle import ParetoNBDModel
from clvmodels.models.pareto_nbd.spec import SPEC

__all__ = ["BayesianParetoNBDModel"]


class BayesianParetoNBDModel(BayesianStaticCovariates, PosteriorRFMPredictions, BayesianModel):
    r"""Pareto/NBD with a posterior over (r, alpha, s, beta).

    Fit with :meth:`~clvmodels.estimation.bayes.BayesianModel.fit` (``summary``, optional
    ``weights``, ``method="nuts" | "map" | "advi"`` and the sampler's settings).

    Parameters
    ----------
    priors
        Overrides of the default priors, parameter name -> :class:`LogNormalPrior` (or
        ``(mu, sigma)``) for the parameter's logarithm. Defaults, weakly informative:
        ``log r, log s ~ Normal(0, 2)`` (within a factor of e^4 ~ 55 of 1 with 95 %
        probability) and ``log alpha, log beta ~ Normal(ln mean(T), 2.5)``, centred on
        the mean customer age because alpha and beta are time scales in the summary's unit
        (the prior says the same in days as in weeks). With covariates they describe the
        reference customer (every covariate 0, categorical columns at their reference level).
    purchase_covariates, dropout_covariates, equal_effects
        Static covariates, as for :class:`~clvmodels.ParetoNBDModel` (after CLVTools:
        :math:`\alpha_i = \alpha e^{-\gamma_P' z_i}`, :math:`\beta_i = \beta e^{-\gamma_D' z_i}`;
        the same coefficient names ``purchase:NAME``, ``dropout:NAME``, ``both:NAME``).
    coefficient_prior
        The prior on the coefficients, as for :class:`~clvmodels.bayes.BayesianBetaGeoModel`
        (:class:`~clvmodels.estimation.covariate_priors.CoefficientPrior`; hierarchical
        shrinkage by default).

    Attributes
    ----------
    idata_ : arviz DataTree
        The posterior (also :attr:`idata`): ``r, alpha, s, beta`` and ``log_r, ...``.
    method_, sampler_, n_customers_, n_unique_rows_, time_unit_, data_fingerprint_
        As for :class:`~clvmodels.bayes.BayesianBetaGeoModel`.

    Examples
    --------
    >>> import clvmodels as clv
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> pnbd = BayesianParetoNBDModel().fit(summary, method="map")  # doctest: +SKIP
    >>> round(pnbd.posterior_mean_params()["r"], 2)  # doctest: +SKIP
    0.55
    """

    spec = SPEC
    functions = ParetoNBDModel.functions
    # the likelihood and P(alive) integrate on 64 quadrature nodes per value
    chunk_elements = CHUNK_ELEMENTS // 64

    plain_statistics = staticmethod(rfm_rows)
    plain_log_likelihood = staticmethod(weighted_log_likelihood)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(customer_parameters)

    def _row_log_likelihood(self, params: Mapping[str, Any], stats: CompressedRows) -> Any:
        c = stats.columns
        return log_likelihood(params, c["frequency"], c["recency"], c["T"], xp=pytensor_namespace())

    def discounted_expected_residual_transactions(
        self,
        discount_rate: float,
        summary: pd.DataFrame,
        *,
        draws: bool = False,
        hdi: float | None = None,
    ) -> Any:
        """DERT per customer (posterior), the discounted expected residual transactions.

        See :func:`clvmodels.models.pareto_nbd.discounted_expected_residual_transactions`;
        ``discount_rate`` is continuously compounded, per unit of the summary's time.
        """

        def dert(params: dict, *history: np.ndarray) -> np.ndarray:
            return discounted_expected_residual_transactions(params, discount_rate, *history)

        return self._per_customer(dert, summary, "dert", draws=draws, hdi=hdi)
