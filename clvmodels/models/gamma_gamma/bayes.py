"""Bayesian Gamma-Gamma: the maximum-likelihood model's likelihood, sampled by PyMC.

The log-likelihood is :func:`clvmodels.models.gamma_gamma.math.grouped_log_likelihood` on
the distinct (x, m) rows of the repeat buyers, weighted by their counts (NUTS samples the
compiled kernel, :func:`.gradient.weighted_log_likelihood`); predictions call
:func:`clvmodels.models.gamma_gamma.math.expected_spend` with the posterior draws.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves
for customer base analysis. *Journal of Marketing Research*, 42(4), 415-430.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.estimation.bayes import BayesianModel
from clvmodels.estimation.intervals import chosen_interval
from clvmodels.estimation.posterior import distinct_rows, per_customer, summarise_draws
from clvmodels.models.gamma_gamma.gradient import weighted_log_likelihood
from clvmodels.models.gamma_gamma.math import (
    check_spend_summary,
    expected_spend,
    grouped_log_likelihood,
    sufficient_statistics,
)
from clvmodels.models.gamma_gamma.spec import SPEC
from clvmodels.models.namespace import pytensor_namespace

__all__ = ["BayesianGammaGammaModel"]


class BayesianGammaGammaModel(BayesianModel):
    r"""Gamma-Gamma spend model with a posterior over (p, q, v).

    ``fit(summary)`` (:meth:`~clvmodels.estimation.bayes.BayesianModel.fit`) uses the rows with
    ``frequency > 0``, as the MLE does.

    Parameters
    ----------
    priors
        Overrides of the default priors on the parameters' logarithms
        (:class:`~clvmodels.bayes.LogNormalPrior` or ``(mu, sigma)``). Defaults:
        ``log p ~ Normal(0, 2)``, ``log q ~ Normal(1, 1.5)`` (q > 1 is needed for a
        finite mean spend; this puts 90 % of the prior mass there) and
        ``log v ~ Normal(ln mean(m), 2.5)``, centred on the mean spend because v (the
        papers' gamma) is in money units.

    Attributes
    ----------
    idata_ : arviz DataTree
        The posterior (also :attr:`idata`).

    Examples
    --------
    >>> import clvmodels as clv
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> gg = BayesianGammaGammaModel().fit(summary, method="map")  # doctest: +SKIP
    >>> round(gg.posterior_mean_params()["p"], 1)  # doctest: +SKIP
    6.2
    """

    spec = SPEC
    param_names = SPEC.parameters

    _statistics = staticmethod(sufficient_statistics)

    def _log_likelihood_function(self, stats: Any) -> Any:
        return weighted_log_likelihood(stats)

    def _row_log_likelihood(self, params: dict[str, Any], stats: Any) -> Any:
        columns = stats.arrays
        return grouped_log_likelihood(
            params,
            columns["x_unique"],
            columns["x_index"].astype(np.intp),
            columns["monetary_value"],
            xp=pytensor_namespace(),
        )

    def expected_spend(
        self,
        summary: pd.DataFrame,
        *,
        draws: bool = False,
        hdi: float | None = None,
        interval: float | None = None,
    ) -> Any:
        """Expected spend per transaction per customer (posterior mean by default).

        ``draws=True`` gives a ``(chain, draw, customer_id)`` DataArray; ``hdi=0.94`` (or
        its synonym ``interval=0.94``) the mean and interval. Draws with q <= 1 (no finite
        mean) raise a ValueError.
        """
        hdi = chosen_interval(hdi, interval)
        self._check_fitted()
        check_spend_summary(summary)
        rows, inverse = distinct_rows(
            summary["frequency"].to_numpy(np.float64),
            summary["monetary_value"].to_numpy(np.float64),
        )
        params = {k: v[..., None] for k, v in self.posterior_params().items()}

        def compute(part: slice) -> np.ndarray:
            return expected_spend(params, rows[part, 0], rows[part, 1])

        return per_customer(
            compute,
            len(rows),
            inverse,
            summary.index,
            params["p"].shape[:2],
            name="expected_spend",
            draws=draws,
            hdi_prob=hdi,
        )

    def population_mean_spend(self, *, hdi: float | None = None) -> Any:
        """p gamma / (q - 1), the mean spend per transaction across customers (posterior)."""
        self._check_fitted()
        values = expected_spend(self.posterior_params(), 0.0, 0.0)
        if hdi is not None:
            return summarise_draws(values[..., None], None, hdi, "population_mean_spend")
        return float(values.mean())
