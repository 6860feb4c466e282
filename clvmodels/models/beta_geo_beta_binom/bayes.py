"""Bayesian BG/BB: the maximum-likelihood model's likelihood, sampled by PyMC.

For discrete-time "opportunity" data, e.g. yearly donations. The log-likelihood is
:func:`.math.log_likelihood` evaluated by PyTensor on the distinct (x, t_x, n) rows,
weighted by their counts; the parameters are sampled on the log scale, and predictions
call the functions of :mod:`.math` with the posterior draws (references in
:mod:`clvmodels.models.beta_geo_beta_binom`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clvmodels.data.opportunities import COLUMNS, check_opportunity_summary
from clvmodels.estimation.bayes import BayesianModel
from clvmodels.estimation.count_requests import check_offset
from clvmodels.estimation.intervals import chosen_interval
from clvmodels.estimation.posterior import CHUNK_ELEMENTS
from clvmodels.estimation.purchase_predictions import PosteriorPurchasePredictions
from clvmodels.estimation.rfm_predictions import PurchaseFunctions
from clvmodels.estimation.rows import CompressedRows
from clvmodels.models.beta_geo_beta_binom import counts
from clvmodels.models.beta_geo_beta_binom.math import (
    conditional_expected_purchases,
    discounted_expected_residual_transactions,
    expected_purchases,
    log_likelihood,
    opportunity_rows,
    probability_alive,
)
from clvmodels.models.beta_geo_beta_binom.spec import SPEC
from clvmodels.models.namespace import pytensor_namespace

__all__ = ["BayesianBetaGeoBetaBinomModel"]


class BayesianBetaGeoBetaBinomModel(PosteriorPurchasePredictions, BayesianModel):
    r"""BG/BB with a posterior over (alpha, beta, gamma, delta).

    Fit with :meth:`~clvmodels.estimation.bayes.BayesianModel.fit` on an (x, t_x, n) table
    (:func:`clvmodels.data.opportunities.opportunity_summary`, or an aggregated
    table with ``weights``, as :func:`clvmodels.datasets.load_donations`). Horizons are
    whole numbers of periods.

    Parameters
    ----------
    priors
        Overrides of the default priors on the parameters' logarithms
        (:class:`LogNormalPrior` or ``(mu, sigma)``). Defaults
        ``log alpha, log beta, log gamma, log delta ~ Normal(0, 2)``: the four are shapes of
        beta distributions of probabilities, without a unit, and values from 1/55 to 55
        cover transaction and dropout probabilities from nearly uniform to tightly
        concentrated.

    Attributes
    ----------
    idata_ : arviz DataTree
        The posterior (also :attr:`idata`): ``alpha, beta, gamma, delta`` and their logs.
    method_, sampler_, n_customers_, n_unique_rows_, time_unit_, data_fingerprint_
        As for :class:`~clvmodels.bayes.BayesianBetaGeoModel`.

    Examples
    --------
    >>> import clvmodels as clv
    >>> donations = clv.datasets.load_donations()
    >>> bb = BayesianBetaGeoBetaBinomModel().fit(
    ...     donations, weights=donations["count"], method="map")  # doctest: +SKIP
    >>> round(bb.posterior_mean_params()["delta"], 1)  # doctest: +SKIP
    2.8
    """

    spec = SPEC
    param_names = SPEC.parameters
    functions = PurchaseFunctions(
        expected_purchases,
        conditional_expected_purchases,
        probability_alive,
        counts.probability_of_purchases,
        counts.conditional_probability_of_purchases,
        counts.probability_at_least,
    )
    data_columns = COLUMNS
    # the survival sums run over up to a few hundred periods per value
    chunk_elements = CHUNK_ELEMENTS // 64

    _statistics = staticmethod(opportunity_rows)

    def _row_log_likelihood(self, params: Mapping[str, Any], stats: CompressedRows) -> Any:
        c = stats.columns
        return log_likelihood(params, *(c[name] for name in COLUMNS), xp=pytensor_namespace())

    def _check_data(self, summary: pd.DataFrame) -> None:
        check_opportunity_summary(summary)

    def probability_alive(
        self,
        summary: pd.DataFrame,
        periods_ahead: int = 1,
        *,
        draws: bool = False,
        hdi: float | None = None,
        interval: float | None = None,
        at: int | None = None,
    ) -> Any:
        """P(alive in period n + ``periods_ahead``) per customer (posterior).

        See :func:`clvmodels.models.beta_geo_beta_binom.probability_alive`; the default
        ``periods_ahead=1`` is the paper's P(alive); ``at`` is the same number (whole
        periods after the end of observation), the spelling every purchase model takes.
        ``interval`` is a synonym of ``hdi``.
        """
        if at is not None:
            periods_ahead = check_offset(at)

        def p_alive(params: dict, *history: np.ndarray) -> np.ndarray:
            return probability_alive(params, *history, periods_ahead)

        hdi = chosen_interval(hdi, interval)
        return self._per_customer(p_alive, summary, "p_alive", draws=draws, hdi=hdi)

    def discounted_expected_residual_transactions(
        self,
        discount_rate: float,
        summary: pd.DataFrame,
        *,
        draws: bool = False,
        hdi: float | None = None,
    ) -> Any:
        """DERT per customer (posterior), ``discount_rate`` per period.

        See :func:`clvmodels.models.beta_geo_beta_binom.discounted_expected_residual_transactions`.
        """

        def dert(params: dict, *history: np.ndarray) -> np.ndarray:
            return discounted_expected_residual_transactions(params, discount_rate, *history)

        return self._per_customer(dert, summary, "dert", draws=draws, hdi=hdi)
