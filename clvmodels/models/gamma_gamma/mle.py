"""The Gamma-Gamma fitted by maximum likelihood: a thin class over :mod:`.math` and :mod:`.spec`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clvmodels.estimation.mle import MaximumLikelihoodModel
from clvmodels.estimation.rows import CompressedRows
from clvmodels.models.gamma_gamma.gradient import log_likelihood_gradient, weighted_sums
from clvmodels.models.gamma_gamma.math import (
    check_spend_summary,
    expected_spend,
    population_mean_spend,
    sufficient_statistics,
)
from clvmodels.models.gamma_gamma.spec import SPEC

__all__ = ["GammaGammaModel"]


class GammaGammaModel(MaximumLikelihoodModel):
    """Gamma-Gamma spend model, fitted by maximum likelihood on repeat buyers.

    ``fit(summary)`` uses the rows with ``frequency > 0`` (their
    ``monetary_value`` is the mean spend of the repeat purchases).

    Parameters
    ----------
    penalizer_coef
        L2 penalty on (p, q, v), as in ``lifetimes``.

    Attributes
    ----------
    params_ : dict
        ``p``, ``q``, ``v`` (the papers' gamma).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV. *Journal of
    Marketing Research*, 42(4), 415-430.
    """

    spec = SPEC
    param_names = SPEC.parameters

    def _sufficient_statistics(self, data: Any, weights: Any) -> CompressedRows:
        return sufficient_statistics(data, weights)

    _loglik_grad = staticmethod(log_likelihood_gradient)

    @staticmethod
    def _weighted_loglik_grad(
        params: np.ndarray, arrays: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The weighted sums in one compiled pass, without the per-row arrays."""
        return weighted_sums(params, arrays, weights)

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected spend per transaction, per customer (population mean when x = 0)."""
        self._check_fitted()
        check_spend_summary(summary)
        values = expected_spend(
            self.params_,
            summary["frequency"].to_numpy(np.float64),
            summary["monetary_value"].to_numpy(np.float64),
        )
        return pd.Series(values, index=summary.index, name="expected_spend")

    @property
    def population_mean_spend_(self) -> float:
        """p gamma / (q - 1): mean spend per transaction across customers."""
        self._check_fitted()
        return population_mean_spend(self.params_)
