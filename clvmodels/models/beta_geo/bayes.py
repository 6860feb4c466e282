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
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.estimation.bayes import BayesianModel
from clvmodels.estimation.purchase_predictions import PosteriorRFMPredictions
from clvmodels.models.beta_geo.gradient import weighted_log_likelihood
from clvmodels.models.beta_geo.math import grouped_log_likelihood, sufficient_statistics
from clvmodels.models.beta_geo.mle import BetaGeoModel
from clvmodels.models.beta_geo.spec import SPEC
from clvmodels.models.namespace import pytensor_namespace

__all__ = ["BayesianBetaGeoModel"]


class BayesianBetaGeoModel(PosteriorRFMPredictions, BayesianModel):
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
        as in weeks).

    Attributes
    ----------
    idata_ : arviz DataTree
        The posterior (also as :attr:`idata`); variables ``r, alpha, a, b`` and their
        logarithms ``log_r, ...``.
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

    def _fingerprint_of(self, data: Any) -> str:
        return sufficient_statistics(data).fingerprint()

    def build_model(self, summary: pd.DataFrame, weights: ArrayLike | None = None) -> Any:
        """The PyMC model of ``summary`` (for prior predictive checks or custom sampling)."""
        return self._build(sufficient_statistics(summary, weights))

    def _build(self, stats: Any) -> Any:
        import pymc as pm

        columns = stats.arrays
        with pm.Model() as model:
            params = self.log_normal_parameters(self.priors_for(stats))
            rows = grouped_log_likelihood(
                params,
                columns["x_unique"],
                columns["x_index"].astype(np.intp),
                columns["recency"],
                columns["T"],
                xp=pytensor_namespace(),
            )
            pm.Potential("log_likelihood", (stats.weights * rows).sum())
        return model

    def _statistics(self, data: Any, weights: ArrayLike | None = None) -> Any:
        """The summary's distinct (x, t_x, T) rows with counts, as the MLE fits them."""
        return sufficient_statistics(data, weights)

    def _log_likelihood_function(self, stats: Any) -> Any:
        return weighted_log_likelihood(stats)

    def point_params(self) -> Mapping[str, float]:
        """Posterior means of the parameters (e.g. to compare with the MLE)."""
        return self.posterior_mean_params()
