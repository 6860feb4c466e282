"""Bayesian BG/NBD: the maximum-likelihood model's likelihood, sampled by PyMC.

The log-likelihood is :func:`clvmodels.models.beta_geo.math.grouped_log_likelihood` evaluated
by PyTensor on the distinct (x, t_x, T) rows, weighted by their counts and added to the
model with ``pm.Potential``; the parameters are sampled on the log scale. Predictions
call the functions of :mod:`clvmodels.models.beta_geo` with the posterior draws, through
the methods every Bayesian purchase model shares
(:class:`~clvmodels.bayes.purchase_predictions.PosteriorRFMPredictions`).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from clvmodels.estimation.bayes import BayesianModel
from clvmodels.estimation.bayes_covariates import BayesianStaticCovariates
from clvmodels.estimation.purchase_predictions import PosteriorRFMPredictions
from clvmodels.models.beta_geo.gradient import covariate_terms, weighted_log_likelihood
from clvmodels.models.beta_geo.math import (
    customer_parameters,
    grouped_log_likelihood,
    sufficient_statistics,
)
from clvmodels.models.beta_geo.mle import BetaGeoModel
from clvmodels.models.beta_geo.spec import SPEC
from clvmodels.models.namespace import pytensor_namespace

__all__ = ["BayesianBetaGeoModel"]


class BayesianBetaGeoModel(BayesianStaticCovariates, PosteriorRFMPredictions, BayesianModel):
    r"""BG/NBD with a posterior over (r, alpha, a, b).

    Parameters
    ----------
    priors
        Overrides of the default priors, parameter name -> :class:`LogNormalPrior` (or
        ``(mu, sigma)``) for the parameter's logarithm. The defaults are weakly
        informative (:func:`.spec.default_priors`): ``log r, log a, log b ~ Normal(0, 2)``
        (each within a factor of e^4 ~ 55 of 1 with 95 % probability) and
        ``log alpha ~ Normal(ln mean(T), 2.5)``, centred on the mean customer age because
        alpha is a time scale in the summary's unit (the prior then says the same in days
        as in weeks). With covariates they describe the reference customer (every
        covariate 0, categorical columns at their reference level).
    purchase_covariates, dropout_covariates, equal_effects
        Static covariates, as for :class:`~clvmodels.BetaGeoModel` (the same
        parametrisation, after CLVTools: :math:`\alpha_i = \alpha e^{-\gamma_P' z_i}`,
        :math:`a_i = a e^{\gamma_D' z_i}`, :math:`b_i = b e^{\gamma_D' z_i}`, and the same
        coefficient names ``purchase:NAME``, ``dropout:NAME``, ``both:NAME``).
    coefficient_prior
        The prior on the coefficients
        (:class:`~clvmodels.estimation.covariate_priors.CoefficientPrior`); by default
        hierarchical shrinkage, ``gamma_j ~ Normal(0, tau_process * c_j)`` with
        ``tau_process ~ HalfNormal(1)`` and ``c_j`` 1 for a dummy, ``1 / (2 sd)`` for a
        numeric column (the reasons, and against a horseshoe, in
        :mod:`clvmodels.estimation.covariate_priors`). It replaces the MLE's
        ``covariate_penalty``.

    Attributes
    ----------
    idata_ : arviz DataTree
        The posterior (also as :attr:`idata`); variables ``r, alpha, a, b`` and their
        logarithms ``log_r, ...``; with covariates also the coefficients under their
        names and each process's prior scale ``tau_purchase``, ``tau_dropout``
        (``tau_both``). Predictions for a summary use each customer's covariates from it.
    method_ : str
        ``"nuts"``, ``"map"`` or ``"advi"``.
    sampler_ : str
        The NUTS implementation used (``"nutpie"`` or ``"pymc"``...), or the method.
    n_customers_, n_unique_rows_, time_unit_, data_fingerprint_
        As for :class:`~clvmodels.BetaGeoModel`.

    Examples
    --------
    >>> import clvmodels as clv
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> bbg = BayesianBetaGeoModel().fit(summary, method="map")  # doctest: +SKIP
    >>> round(bbg.posterior_mean_params()["r"], 2)  # doctest: +SKIP
    0.24
    """

    spec = SPEC
    functions = BetaGeoModel.functions
    # the CLV's discounted path is summed per distinct (x, T) and draw before the rows
    sums_weighted_horizons = True

    plain_statistics = staticmethod(sufficient_statistics)
    plain_log_likelihood = staticmethod(weighted_log_likelihood)
    covariate_terms = staticmethod(covariate_terms)
    customer_parameters = staticmethod(customer_parameters)

    def _row_log_likelihood(self, params: Mapping[str, Any], stats: Any) -> Any:
        """The rows' log-likelihood in PyTensor: :func:`grouped_log_likelihood`."""
        columns = stats.arrays
        return grouped_log_likelihood(
            params,
            columns["x_unique"],
            columns["x_index"].astype(np.intp),
            columns["recency"],
            columns["T"],
            xp=pytensor_namespace(),
        )

    def point_params(self) -> Mapping[str, float]:
        """Posterior means of the parameters (e.g. to compare with the MLE)."""
        return self.posterior_mean_params()
