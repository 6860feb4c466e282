"""Bayesian BG/NBD: the maximum-likelihood model's likelihood, sampled by PyMC.

The log-likelihood is :func:`clvmodels.models.beta_geo.grouped_log_likelihood` evaluated
by PyTensor on the distinct (x, t_x, T) rows, weighted by their counts and added to the
model with ``pm.Potential``; the parameters are sampled on the log scale. Predictions
call the functions of :mod:`clvmodels.models.beta_geo` with the posterior draws.

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

from clvmodels.bayes.base import BayesianModel, LogNormalPrior
from clvmodels.bayes.posterior import distinct_rows, per_customer, summarise_draws
from clvmodels.data.validation import check_summary
from clvmodels.models import beta_geo
from clvmodels.models.namespace import pytensor_namespace

__all__ = ["BayesianBetaGeoModel"]


class BayesianBetaGeoModel(BayesianModel):
    r"""BG/NBD with a posterior over (r, alpha, a, b).

    Parameters
    ----------
    priors
        Overrides of the default priors, parameter name -> :class:`LogNormalPrior` (or
        ``(mu, sigma)``) for the parameter's logarithm. The defaults are weakly
        informative: ``log r, log a, log b ~ Normal(0, 2)`` (each within a factor of
        e^4 ~ 55 of 1 with 95 % probability) and ``log alpha ~ Normal(ln mean(T), 2.5)``,
        centred on the mean customer age because alpha is a time scale in the summary's
        unit (the prior then says the same in days as in weeks).

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

    param_names = beta_geo.PARAM_NAMES

    def _default_priors(self, stats: Any) -> dict[str, LogNormalPrior]:
        T = stats.columns["T"]
        mean_age = float(np.dot(stats.weights, T) / stats.weights.sum())
        return {
            "r": LogNormalPrior(0.0, 2.0),
            "alpha": LogNormalPrior(float(np.log(max(mean_age, 1e-9))), 2.5),
            "a": LogNormalPrior(0.0, 2.0),
            "b": LogNormalPrior(0.0, 2.0),
        }

    def _fingerprint_of(self, data: Any) -> str:
        return beta_geo.sufficient_statistics(data).fingerprint()

    def build_model(self, summary: pd.DataFrame, weights: ArrayLike | None = None) -> Any:
        """The PyMC model of ``summary`` (for prior predictive checks or custom sampling)."""
        return self._build(beta_geo.sufficient_statistics(summary, weights))

    def _build(self, stats: Any) -> Any:
        import pymc as pm

        columns = stats.arrays
        with pm.Model() as model:
            params = self.log_normal_parameters(self.priors_for(stats))
            rows = beta_geo.grouped_log_likelihood(
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
        return beta_geo.sufficient_statistics(data, weights)

    def _log_likelihood_function(self, stats: Any) -> Any:
        return beta_geo.weighted_log_likelihood(stats)

    # -- predictions ----------------------------------------------------------------------
    def _draws(self, trailing: int) -> dict[str, np.ndarray]:
        """Parameter draws ``(chain, draw)`` with ``trailing`` axes of length 1 added."""
        return {
            name: value.reshape(value.shape + (1,) * trailing)
            for name, value in self.posterior_params().items()
        }

    def _sample_shape(self) -> tuple[int, int]:
        return next(iter(self.posterior_params().values())).shape

    def _history(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        check_summary(summary)
        self._check_unit(summary)
        # ordered by (x, T, t_x): neighbouring rows share the (x, T) of the 2F1 bracket
        rows, inverse = distinct_rows(
            *(summary[c].to_numpy(np.float64) for c in ("frequency", "T", "recency"))
        )
        return rows[:, [0, 2, 1]], inverse

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        summary: pd.DataFrame,
        *,
        draws: bool = False,
        hdi: float | None = None,
        weights: ArrayLike | None = None,
    ) -> Any:
        """Expected purchases in the next ``t`` periods per customer (posterior).

        Parameters
        ----------
        t
            A horizon, or a 1-D array of horizons (a column each).
        summary
            One row per customer, in the unit of the fitted summary.
        draws
            Return every draw: ``xarray.DataArray`` with dims
            ``(chain, draw, customer_id[, t])``.
        hdi
            Return the posterior mean and the HDI of this probability (e.g. 0.94).
        weights
            One per horizon of a 1-D ``t``: return the weighted sum over the horizons
            (one value per customer, no ``t`` axis), e.g. the discounted expected
            transactions of the CLV; it is taken per distinct (x, T) before the rows.

        Returns
        -------
        pandas.Series, pandas.DataFrame or xarray.DataArray
            The posterior mean per customer by default.
        """
        rows, inverse = self._history(summary)
        horizons = np.asarray(t, dtype=np.float64)
        if horizons.ndim > 1:
            raise ValueError(f"t must be a number or a 1-D array of horizons, got {horizons.shape}")
        many = horizons.ndim == 1 and weights is None
        params = self._draws(2 if many else 1)
        x, t_x, T = (rows[:, k] for k in range(3))
        # horizons on their own axis (chain, draw, horizon, row): the 2F1 is then evaluated
        # once per distinct (x, T), draw and horizon
        t = horizons[:, None] if many else horizons

        def compute(part: slice) -> np.ndarray:
            values = beta_geo.conditional_expected_purchases(
                params, t, x[part], t_x[part], T[part], weights=weights
            )
            return np.moveaxis(values, -2, -1) if many else values

        return per_customer(
            compute,
            len(rows),
            inverse,
            summary.index,
            self._sample_shape(),
            name="expected_purchases",
            draws=draws,
            hdi_prob=hdi,
            extra=("t", horizons.tolist()) if many else None,
        )

    #: conditional_expected_purchases takes an array of horizons (used by the CLV).
    accepts_many_horizons = True

    def probability_alive(
        self, summary: pd.DataFrame, *, draws: bool = False, hdi: float | None = None
    ) -> Any:
        """P(alive) at the end of observation per customer (posterior; see above)."""
        rows, inverse = self._history(summary)
        params = self._draws(1)

        def compute(part: slice) -> np.ndarray:
            return beta_geo.probability_alive(params, rows[part, 0], rows[part, 1], rows[part, 2])

        return per_customer(
            compute,
            len(rows),
            inverse,
            summary.index,
            self._sample_shape(),
            name="p_alive",
            draws=draws,
            hdi_prob=hdi,
        )

    def expected_purchases(self, t: ArrayLike, *, hdi: float | None = None) -> Any:
        """E[X(t)] of a newly acquired customer: the posterior mean (or mean and HDI)."""
        self._check_fitted()
        horizons = np.atleast_1d(np.asarray(t, dtype=np.float64))
        values = beta_geo.expected_purchases(self._draws(1), horizons)
        if hdi is not None:
            return summarise_draws(values, pd.Index(horizons, name="t"), hdi, "expected_purchases")
        mean = values.mean(axis=(0, 1))
        return float(mean[0]) if np.ndim(t) == 0 else mean

    def probability_of_purchases(self, t: float, n: ArrayLike, *, hdi: float | None = None) -> Any:
        """P(X(t) = n) for a newly acquired customer: the posterior mean (or mean and HDI)."""
        self._check_fitted()
        counts = np.atleast_1d(np.asarray(n))
        values = beta_geo.probability_of_purchases(self._draws(1), t, counts)
        if hdi is not None:
            return summarise_draws(values, pd.Index(counts, name="n"), hdi, "probability")
        mean = values.mean(axis=(0, 1))
        return float(mean[0]) if np.ndim(n) == 0 else mean

    def point_params(self) -> Mapping[str, float]:
        """Posterior means of the parameters (e.g. to compare with the MLE)."""
        return self.posterior_mean_params()
