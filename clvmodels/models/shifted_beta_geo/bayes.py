r"""Bayesian shifted-beta-geometric retention model: one cohort, many cohorts, or subscribers.

The likelihood is :func:`clvmodels.models.shifted_beta_geo.math.cell_log_likelihood` (the MLE's)
on the distinct (t, churned or still alive) cells, weighted by their counts. Three forms:

* one cohort's counts alive (or several cohorts sharing one (alpha, beta) with
  ``hierarchical=False``);
* several cohorts with partial pooling (``hierarchical=True``, the default for more than one
  cohort): :math:`\ln\alpha_k \sim N(\mu_\alpha, \sigma_\alpha)`,
  :math:`\ln\beta_k \sim N(\mu_\beta, \sigma_\beta)`, so a small cohort borrows strength from
  the others (non-centred parameterisation);
* one row per subscriber (:meth:`BayesianShiftedBetaGeoModel.fit_customers`): periods
  observed and whether she churned, compressed to distinct (periods, churned) rows.

Predictions (survival, retention, DEL, DERL, projections) call the functions of
:mod:`clvmodels.models.shifted_beta_geo` with the posterior draws.

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
Interactive Marketing*, 21(1), 76-90.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting:
the perils of ignoring heterogeneity. *Marketing Science*, 29(1), 85-93.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.cohorts import cohort_counts
from clvmodels.estimation.bayes import BayesianModel, LogNormalPrior, Sampling
from clvmodels.estimation.posterior import summarise_draws
from clvmodels.models.namespace import pytensor_namespace
from clvmodels.models.shifted_beta_geo.cells import CohortCells, cohort_cells, subscriber_cells
from clvmodels.models.shifted_beta_geo.lifetime import (
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
)
from clvmodels.models.shifted_beta_geo.math import cell_log_likelihood, retention_rate, survival
from clvmodels.models.shifted_beta_geo.spec import SPEC

__all__ = ["BayesianShiftedBetaGeoModel"]

_POPULATION = ("mu_alpha", "sigma_alpha", "mu_beta", "sigma_beta")


class BayesianShiftedBetaGeoModel(BayesianModel):
    """sBG retention model with a posterior over (alpha, beta), per cohort or pooled.

    Parameters
    ----------
    priors
        Overrides of the default priors on ``log alpha`` and ``log beta`` (the
        population means ``mu_alpha``, ``mu_beta`` of a hierarchical fit), as
        :class:`~clvmodels.bayes.LogNormalPrior` or ``(mu, sigma)``. Defaults
        ``Normal(0, 2)`` for both; the population scales ``sigma_alpha``, ``sigma_beta``
        are ``HalfNormal(1)`` (cohorts differing by a factor of e ~ 2.7 in alpha are
        plausible, by e^3 ~ 20 not).
    hierarchical
        With several cohorts: partial pooling (``True``, the default) or one
        (alpha, beta) shared by all (``False``, the MLE's model).

    Attributes
    ----------
    idata_ : arviz DataTree
        Posterior of ``alpha``, ``beta`` (with a ``cohort`` dimension when
        hierarchical, plus ``mu_alpha, sigma_alpha, mu_beta, sigma_beta``).
    cohorts_ : list of str
        The cohort names (``["all"]`` for a pooled fit).
    """

    spec = SPEC
    param_names = SPEC.parameters

    def __init__(
        self,
        priors: dict[str, LogNormalPrior | tuple[float, float]] | None = None,
        hierarchical: bool = True,
    ) -> None:
        super().__init__(priors)
        self.hierarchical = hierarchical

    # -- model ----------------------------------------------------------------------------
    def _build(self, cells: CohortCells, hierarchical: bool) -> Any:
        import pymc as pm
        import pytensor.tensor as pt

        priors = self.priors_for(cells)
        coords = {"cohort": cells.cohorts}
        with pm.Model(coords=coords) as model:
            if hierarchical:
                params = {}
                for name in self.param_names:
                    prior = priors[name]
                    mu = pm.Normal(f"mu_{name}", prior.mu, prior.sigma)
                    sigma = pm.HalfNormal(f"sigma_{name}", 1.0)
                    z = pm.Normal(f"z_{name}", 0.0, 1.0, dims="cohort")
                    params[name] = pm.Deterministic(name, pt.exp(mu + sigma * z), dims="cohort")
                per_cell = {name: params[name][cells.cohort] for name in self.param_names}
            else:
                per_cell = self.log_normal_parameters(priors)
            rows = cell_log_likelihood(per_cell, cells.t, cells.survived, xp=pytensor_namespace())
            pm.Potential("log_likelihood", (cells.weights * rows).sum())
        return model

    def build_model(self, alive: Any) -> Any:
        """The PyMC model :meth:`fit` would sample (for prior checks or custom sampling)."""
        hierarchical = self.hierarchical and len(cohort_counts(alive)) > 1
        return self._build(cohort_cells(alive, not hierarchical), hierarchical)

    def _run(self, cells: CohortCells, hierarchical: bool, sampling: Sampling) -> Self:
        self.hierarchical_ = hierarchical
        self.cohorts_ = cells.cohorts
        if hierarchical and sampling.method == "nuts":
            # the population scales make a funnel: smaller steps avoid divergences there
            sampling = sampling.with_defaults(target_accept=0.95)
        return self._sample(cells, lambda: self._build(cells, hierarchical), sampling)

    def fit(self, alive: Any, **sampling: Any) -> Self:  # type: ignore[override]
        """Sample the posterior given counts alive at t = 0..n of one or more cohorts.

        Parameters
        ----------
        alive
            One cohort's counts (sequence, 1-D array, Series) or a DataFrame with one
            column per cohort (see :func:`clvmodels.data.cohorts.cohort_counts`).
        **sampling
            ``method``, ``draws``, ``tune``, ``chains``, ``random_seed``, ``progressbar``,
            ``nuts_sampler`` and ``pymc.sample`` options, as for
            :meth:`clvmodels.estimation.bayes.BayesianModel.fit`
            (:class:`~clvmodels.estimation.inference.Sampling`).
        """
        settings = Sampling.from_keywords(**sampling)
        n_cohorts = len(cohort_counts(alive))
        hierarchical = self.hierarchical and n_cohorts > 1
        cells = cohort_cells(alive, pooled=not hierarchical)
        return self._run(cells, hierarchical, settings)

    def fit_customers(
        self,
        tenure: ArrayLike,
        churned: ArrayLike,
        *,
        time_unit: str | None = None,
        **sampling: Any,
    ) -> Self:
        """Sample the posterior from one row per subscriber.

        Parameters
        ----------
        tenure
            Periods each subscriber has been observed: the renewal at which she churned
            (whole number >= 1) or the renewals she has made so far if still active
            (whole number >= 0; 0 adds nothing to the likelihood).
        churned
            True where she has churned (at renewal ``tenure``), False where still active.
        time_unit
            The period of ``tenure`` (e.g. ``"M"``), stored for the discount rates.

        **sampling
            As for :meth:`fit`. The rows are compressed to the distinct (tenure, churned)
            pairs with their counts.
        """
        settings = Sampling.from_keywords(**sampling)
        cells = subscriber_cells(tenure, churned, time_unit)
        return self._run(cells, False, settings)

    # -- persistence hooks ----------------------------------------------------------------
    def _settings(self) -> dict[str, Any]:
        return {"hierarchical": self.hierarchical}

    def _extra_state(self) -> dict[str, Any]:
        return {"hierarchical": self.hierarchical_, "cohorts": list(self.cohorts_)}

    def _restore_extra(self, extra: dict[str, Any]) -> None:
        self.hierarchical_ = bool(extra["hierarchical"])
        self.cohorts_ = [str(c) for c in extra["cohorts"]]

    def _fingerprint_of(self, data: Any) -> str:
        return cohort_cells(data, not self.hierarchical_).fingerprint()

    # -- posterior ------------------------------------------------------------------------
    def summary(self, hdi: float = 0.94) -> pd.DataFrame:
        """Mean, sd, HDI, r_hat and ESS of alpha, beta (per cohort) and the population."""
        table = super().summary(hdi)
        if getattr(self, "hierarchical_", False):
            import arviz as az

            population = az.summary(
                self.idata_,
                var_names=list(_POPULATION),
                ci_prob=hdi,
                ci_kind="hdi",
                round_to="none",
            )
            table = pd.concat([table, population])
            table.index.name = "parameter"
        return table

    def cohort_params(self, cohort: str | None = None, *, seed: int = 0) -> dict[str, np.ndarray]:
        """Draws ``(chain, draw)`` of (alpha, beta) for one cohort, or for a new one.

        Parameters
        ----------
        cohort
            A cohort of the fit. ``None``: the only set of parameters of a pooled fit, or,
            for a hierarchical fit, a new cohort from the population (one draw of
            ``exp(mu + sigma z)`` per posterior draw, ``z`` standard normal from ``seed``).
        """
        self._check_fitted()
        posterior = self.idata_["posterior"]
        if not self.hierarchical_:
            if cohort not in (None, *self.cohorts_):
                raise KeyError(f"cohort {cohort!r}: the fit has one (alpha, beta) for all")
            return {n: np.asarray(posterior[n].values) for n in self.param_names}
        if cohort is not None:
            if cohort not in self.cohorts_:
                raise KeyError(f"cohort {cohort!r} is not one of {self.cohorts_}")
            return {n: np.asarray(posterior[n].sel(cohort=cohort).values) for n in self.param_names}
        rng = np.random.default_rng(seed)
        out = {}
        for name in self.param_names:
            mu = np.asarray(posterior[f"mu_{name}"].values)
            sigma = np.asarray(posterior[f"sigma_{name}"].values)
            out[name] = np.exp(mu + sigma * rng.standard_normal(mu.shape))
        return out

    def posterior_params(self) -> dict[str, np.ndarray]:
        """Draws of (alpha, beta): ``(chain, draw)``, or ``(chain, draw, cohort)``."""
        return super().posterior_params()

    def _predict(
        self,
        function: Callable[..., np.ndarray],
        values: ArrayLike,
        label: str,
        *,
        cohort: str | None,
        hdi: float | None,
        draws: bool,
        extra: tuple = (),
    ) -> Any:
        params = {k: v[..., None] for k, v in self.cohort_params(cohort).items()}
        grid = np.atleast_1d(np.asarray(values, dtype=np.float64))
        result = function(params, grid, *extra)
        result = np.broadcast_to(result, (*params["alpha"].shape[:2], len(grid)))
        index = pd.Index(grid, name=label)
        if draws:
            import xarray as xr

            return xr.DataArray(
                result,
                dims=("chain", "draw", label),
                coords={label: grid},
                name=function.__name__,
            )
        if hdi is not None:
            return summarise_draws(result, index, hdi, function.__name__)
        mean = result.mean(axis=(0, 1))
        return float(mean[0]) if np.ndim(values) == 0 else mean

    def survival(
        self,
        t: ArrayLike,
        *,
        cohort: str | None = None,
        hdi: float | None = None,
        draws: bool = False,
    ) -> Any:
        """S(t), the share of a new cohort still active at t: posterior mean, HDI or draws."""
        return self._predict(survival, t, "t", cohort=cohort, hdi=hdi, draws=draws)

    def retention_rate(
        self,
        t: ArrayLike,
        *,
        cohort: str | None = None,
        hdi: float | None = None,
        draws: bool = False,
    ) -> Any:
        """r_t, the retention rate of the t-th renewal (posterior)."""
        return self._predict(retention_rate, t, "t", cohort=cohort, hdi=hdi, draws=draws)

    def discounted_expected_lifetime(
        self,
        discount_rate: ArrayLike,
        *,
        cohort: str | None = None,
        hdi: float | None = None,
        draws: bool = False,
    ) -> Any:
        """DEL of a new customer at a rate per period of the data (posterior)."""
        return self._predict(
            discounted_expected_lifetime,
            discount_rate,
            "discount_rate",
            cohort=cohort,
            hdi=hdi,
            draws=draws,
        )

    def discounted_expected_residual_lifetime(
        self,
        discount_rate: float,
        n_renewals: ArrayLike,
        *,
        cohort: str | None = None,
        hdi: float | None = None,
        draws: bool = False,
    ) -> Any:
        """DERL of a customer who has renewed ``n_renewals`` times (posterior)."""

        def derl(params: dict, n: np.ndarray) -> np.ndarray:
            return discounted_expected_residual_lifetime(params, discount_rate, n)

        derl.__name__ = "discounted_expected_residual_lifetime"
        return self._predict(derl, n_renewals, "n_renewals", cohort=cohort, hdi=hdi, draws=draws)

    def project(
        self, alive: Any, n_periods: int, *, cohort: str | None = None, hdi: float = 0.94
    ) -> pd.DataFrame:
        """Observed and expected customers alive with an HDI band, over the data and beyond.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``period``; ``observed`` (NaN beyond the data), the posterior
            ``mean`` of ``alive[0] * S(t)`` and its HDI bounds.
        """
        cohorts = cohort_counts(alive)
        if len(cohorts) != 1:
            raise ValueError(f"project() takes one cohort; got {len(cohorts)} ({list(cohorts)})")
        (counts,) = cohorts.values()
        extra = int(n_periods)
        if extra < 0:
            raise ValueError(f"n_periods must be a whole number >= 0, got {n_periods}")
        t = np.arange(len(counts) + extra)
        band = self.survival(t, cohort=cohort, hdi=hdi) * counts[0]
        band.insert(0, "observed", np.concatenate([counts, np.full(extra, np.nan)]))
        band.index = pd.Index(t, name="period")
        return band

    def residual_value(
        self,
        alive: ArrayLike,
        margin: float,
        discount_rate: float,
        *,
        cohort: str | None = None,
        hdi: float = 0.94,
    ) -> pd.Series:
        """Expected residual value of the active base, with its HDI (Fader & Hardie 2010).

        Parameters
        ----------
        alive
            Customers active now, by the renewals they have made: ``alive[n]`` customers
            have renewed n times (n = 0, 1, ...).
        margin
            Margin per customer and period.
        discount_rate
            Per period of the data.

        Returns
        -------
        pandas.Series
            ``mean`` and the HDI bounds of ``margin * sum_n alive[n] * DERL(d | n)``.
        """
        counts = np.asarray(alive, dtype=np.float64)
        params = {k: v[..., None] for k, v in self.cohort_params(cohort).items()}
        derl = discounted_expected_residual_lifetime(
            params, discount_rate, np.arange(len(counts), dtype=np.float64)
        )
        total = margin * (derl * counts).sum(axis=-1)
        return summarise_draws(total[..., None], None, hdi, "residual_value").iloc[0]
