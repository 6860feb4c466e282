"""Posterior prediction methods of the Bayesian purchase models, written once.

The Bayesian Pareto/NBD, MBG/NBD and BG/BB (and any model whose data are three columns
``(x, t_x, T)`` or ``(x, t_x, n)``) predict by calling their ``models/`` module's pure
functions with the posterior draws: parameters of shape ``(chain, draw, 1[, 1])`` against the
distinct data rows, a chunk of rows at a time (:func:`clvmodels.estimation.posterior.per_customer`).
Each method returns the posterior mean by default, every draw with ``draws=True`` and the
mean with an HDI with ``hdi=prob``. A model names its functions in
:class:`~clvmodels.estimation.rfm_predictions.PurchaseFunctions`, as its MLE twin does.

The distinct rows are ordered by (x, age, t_x) and many horizons go on an axis before the
rows, ``(chain, draw, horizon, row)``: the layout in which a function that evaluates its
(x, age) terms once per distinct pair (the BG/NBD's 2F1 bracket,
:func:`clvmodels.models.beta_geo.conditional_expected_purchases`) finds few pairs per
chunk. A model whose function sums weighted horizons itself says so with
``sums_weighted_horizons``; the others' paths are summed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.validation import check_summary
from clvmodels.estimation.count_requests import check_count_request, check_offset
from clvmodels.estimation.intervals import chosen_interval
from clvmodels.estimation.posterior import (
    CHUNK_ELEMENTS,
    distinct_rows,
    per_customer,
    summarise_draws,
)
from clvmodels.estimation.protocols import PurchaseCapabilities
from clvmodels.estimation.rfm_predictions import PurchaseFunctions

__all__ = ["PosteriorPurchasePredictions", "PosteriorRFMPredictions"]


class PosteriorPurchasePredictions(PurchaseCapabilities):
    """Per-customer and new-customer posterior predictions of a purchase model.

    Mixed into a :class:`~clvmodels.estimation.bayes.BayesianModel` (which provides
    ``posterior_params``, ``_check_fitted`` and ``_check_unit``).
    """

    functions: ClassVar[PurchaseFunctions]
    #: The columns of a customer's history, in the order the functions take them.
    data_columns: ClassVar[tuple[str, str, str]] = ("frequency", "recency", "T")
    #: Values evaluated at once; lower where a function works on a grid per value (quadrature).
    chunk_elements: ClassVar[int] = CHUNK_ELEMENTS
    #: conditional_expected_purchases takes an array of horizons (used by the CLV).
    accepts_many_horizons = True

    # -- hooks and helpers ------------------------------------------------------------------
    def _check_data(self, summary: pd.DataFrame) -> None:
        """Validate a frame of customer histories (a hook: the BG/BB's differ)."""
        check_summary(summary)

    def _draws(self, trailing: int) -> dict[str, np.ndarray]:
        """Parameter draws ``(chain, draw)`` with ``trailing`` axes of length 1 added."""
        return {
            name: value.reshape(value.shape + (1,) * trailing)
            for name, value in self.posterior_params().items()
        }

    def _row_params(self, params: dict, rows: np.ndarray, many: bool) -> dict:
        """The parameter draws of the distinct ``rows`` (a hook: the same for every row).

        ``params`` are draws ``(chain, draw, 1)``, or ``(chain, draw, 1, 1)`` when ``many``
        horizons go on an axis before the rows; a model with covariates returns each row's
        own, ``(chain, draw, rows)`` (``(chain, draw, 1, rows)``).
        """
        return params

    def _sample_shape(self) -> tuple[int, int]:
        return next(iter(self.posterior_params().values())).shape

    def _history(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The distinct histories of ``summary`` (checked) and each customer's row."""
        self._check_fitted()
        self._check_data(summary)
        self._check_unit(summary)
        # ordered by (x, age, t_x): neighbouring rows share the (x, age) terms
        x, t_x, age = (summary[c].to_numpy(np.float64) for c in self.data_columns)
        rows, inverse = distinct_rows(x, age, t_x)
        return rows[:, [0, 2, 1]], inverse

    def _per_customer(
        self,
        function: Callable[..., np.ndarray],
        summary: pd.DataFrame,
        name: str,
        *,
        draws: bool,
        hdi: float | None,
        horizons: np.ndarray | None = None,
        chunk_elements: int | None = None,
        axis: str = "t",
    ) -> Any:
        """``function(params, [horizons,] x, t_x, T)`` per customer, reduced over the draws.

        With ``horizons`` (1-D) the function gets them as a column, ``horizons[:, None]``,
        and draws ``(chain, draw, 1, 1)``, so its values are ``(chain, draw, horizon,
        row)``; the result has one column per horizon (``axis`` names them: "t", or "n"
        for counts). ``chunk_elements`` lowers the class's budget for a function that
        works on a grid per value.
        """
        rows, inverse = self._history(summary)
        many = horizons is not None
        params = self._draws(2 if many else 1)
        columns = [rows[:, k] for k in range(3)]
        leading = (horizons[:, None],) if many else ()

        def compute(part: slice) -> np.ndarray:
            values = function(
                self._row_params(params, rows[part], many), *leading, *(c[part] for c in columns)
            )
            return np.moveaxis(values, -2, -1) if many else values

        return per_customer(
            compute,
            len(rows),
            inverse,
            summary.index,
            self._sample_shape(),
            name=name,
            draws=draws,
            hdi_prob=hdi,
            extra=(axis, horizons.tolist()) if many else None,
            chunk_elements=chunk_elements or self.chunk_elements,
        )

    def _new_customer(
        self,
        function: Callable[..., np.ndarray],
        grid: ArrayLike,
        label: str,
        name: str,
        hdi: float | None,
        dtype: type | None = np.float64,
    ) -> Any:
        """``function(params, grid)`` for a new customer: posterior mean, or mean and HDI."""
        self._check_fitted()
        values = np.atleast_1d(np.asarray(grid, dtype=dtype))
        result = function(self._draws(1), values)
        if hdi is not None:
            return summarise_draws(result, pd.Index(values, name=label), hdi, name)
        mean = result.mean(axis=(0, 1))
        return float(mean[0]) if np.ndim(grid) == 0 else mean

    # -- predictions ------------------------------------------------------------------------
    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        summary: pd.DataFrame,
        *,
        draws: bool = False,
        hdi: float | None = None,
        weights: ArrayLike | None = None,
        interval: float | None = None,
    ) -> Any:
        """Expected purchases in the next ``t`` periods per customer (posterior).

        Parameters
        ----------
        t
            A horizon, or a 1-D array of horizons (a column each), in the data's unit.
        summary
            One row per customer, in the unit of the fitted data.
        draws
            Return every draw: ``xarray.DataArray`` with dims
            ``(chain, draw, customer_id[, t])``.
        hdi
            Return the posterior mean and the HDI of this probability (e.g. 0.94).
        interval
            The same as ``hdi`` (the keyword maximum-likelihood models take too): the same
            frame, ``mean`` and ``hdi_5%``, ``hdi_95%`` for 0.9, with
            ``attrs["base_total"]``.
        weights
            One per horizon of a 1-D ``t``: return the weighted sum over the horizons (one
            value per customer, no ``t`` axis), e.g. the discounted expected transactions
            of the CLV. A model that ``sums_weighted_horizons`` takes the sum in its own
            function (the BG/NBD per distinct (x, T), before the rows); the others sum
            their path here.

        Returns
        -------
        pandas.Series, pandas.DataFrame or xarray.DataArray
            The posterior mean per customer by default.
        """
        hdi = chosen_interval(hdi, interval)
        horizons = np.asarray(t, dtype=np.float64)
        if horizons.ndim > 1:
            raise ValueError(f"t must be a number or a 1-D array of horizons, got {horizons.shape}")
        function = self.functions.conditional_expected_purchases
        if weights is not None:
            factors = np.asarray(weights, dtype=np.float64)
            if horizons.ndim != 1 or factors.shape != horizons.shape:
                raise ValueError(
                    "weights needs one value per horizon of a 1-D t, e.g. t=[1, 2], "
                    f"weights=[0.5, 0.5]; got t of shape {horizons.shape} and weights of "
                    f"shape {factors.shape}"
                )
            if self.sums_weighted_horizons:

                def summed(params: dict, *history: np.ndarray) -> np.ndarray:
                    return function(params, horizons, *history, weights=factors)

                return self._per_customer(
                    summed, summary, "expected_purchases", draws=draws, hdi=hdi
                )

            def weighted(params: dict, *history: np.ndarray) -> np.ndarray:
                path = function(
                    {name: np.expand_dims(value, -2) for name, value in params.items()},
                    horizons[:, None],
                    *history,
                )
                return (path * factors[:, None]).sum(axis=-2)

            return self._per_customer(
                weighted,
                summary,
                "expected_purchases",
                draws=draws,
                hdi=hdi,
                chunk_elements=max(1, self.chunk_elements // max(1, len(horizons))),
            )
        if horizons.ndim == 1:
            return self._per_customer(
                function, summary, "expected_purchases", draws=draws, hdi=hdi, horizons=horizons
            )

        def at_t(params: dict, *history: np.ndarray) -> np.ndarray:
            return function(params, horizons, *history)

        return self._per_customer(at_t, summary, "expected_purchases", draws=draws, hdi=hdi)

    def probability_alive(
        self,
        summary: pd.DataFrame,
        *,
        draws: bool = False,
        hdi: float | None = None,
        interval: float | None = None,
        at: float | None = None,
    ) -> Any:
        """P(alive) at the end of observation per customer (posterior; see above).

        ``interval`` is a synonym of ``hdi``. With ``at`` = s: P(alive at T + s |
        history), the model's ``probability_alive_after``.
        """
        hdi = chosen_interval(hdi, interval)
        if at is not None:
            offset, after = (
                check_offset(at),
                self.functions.offered("probability_alive_after", self),
            )

            def alive_after(params: dict, *history: np.ndarray) -> np.ndarray:
                return after(params, offset, *history)

            return self._per_customer(alive_after, summary, "p_alive", draws=draws, hdi=hdi)
        return self._per_customer(
            self.functions.probability_alive,
            summary,
            "p_alive",
            draws=draws,
            hdi=hdi,
        )

    def probability_of_purchases(
        self,
        t: float,
        n: ArrayLike,
        summary: pd.DataFrame | None = None,
        *,
        draws: bool = False,
        hdi: float | None = None,
        at_least: bool = False,
    ) -> Any:
        """P(X(t) = n) of a new customer, or P(Y(t) = n | history) per customer of ``summary``.

        The posterior mean (or mean and HDI, or every draw with ``draws=True`` for a
        summary). With ``summary``: a Series for one ``n``, customers x n for a sequence.
        ``at_least=True`` gives P(X(t) >= n).
        """
        if summary is None:
            if draws:
                raise ValueError("draws=True needs a summary; for a new customer use hdi=")
            function = (
                self.functions.offered("probability_at_least", self)
                if at_least
                else self.functions.probability_of_purchases
            )

            def at_t(params: dict, counts: np.ndarray) -> np.ndarray:
                return function(params, t, counts)

            return self._new_customer(at_t, n, "n", "probability", hdi, dtype=None)
        horizon = check_offset(t, "t")
        counts, _ = check_count_request(n)
        conditional = self.functions.offered("conditional_probability_of_purchases", self)
        name = "probability_at_least" if at_least else "probability_of_purchases"

        def per_count(params: dict, *rest: np.ndarray) -> np.ndarray:
            leading = () if counts.ndim else (counts,)
            return conditional(params, horizon, *leading, *rest, at_least=at_least)

        return self._per_customer(
            per_count,
            summary,
            name,
            draws=draws,
            hdi=hdi,
            horizons=counts if counts.ndim else None,
            axis="n",
        )

    def expected_purchases(self, t: ArrayLike, *, hdi: float | None = None) -> Any:
        """E[X(t)] of a newly acquired customer: the posterior mean (or mean and HDI)."""
        return self._new_customer(
            self.functions.expected_purchases, t, "t", "expected_purchases", hdi
        )

    # -- prior predictive check -------------------------------------------------------------
    def prior_params(
        self,
        data: pd.DataFrame,
        weights: ArrayLike | None = None,
        *,
        draws: int = 1000,
        seed: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Draws ``(1, draws)`` of each parameter from the priors :meth:`fit` would use on ``data``.

        The priors are ``log(theta) ~ Normal(mu, sigma)`` (:meth:`priors_for`); ``seed``
        makes the draws reproducible.
        """
        rng = np.random.default_rng(seed)
        priors = self.priors_for(self._statistics(data, weights))
        return {
            name: np.exp(rng.normal(priors[name].mu, priors[name].sigma, size=(1, int(draws))))
            for name in self.param_names
        }

    def prior_predictive_check(
        self,
        data: pd.DataFrame,
        weights: ArrayLike | None = None,
        *,
        draws: int = 1000,
        seed: int | None = None,
        hdi: float = 0.94,
    ) -> pd.Series:
        """Do the priors allow the data? Mean repeat transactions per customer, prior vs observed.

        For each prior draw the model's ``expected_purchases`` at every customer's own age
        (T, or n periods) gives the mean number of repeat transactions per customer the
        priors expect for data like ``data``; the observed mean should sit well inside
        their spread (Gelman et al. 2020, "Bayesian workflow", section 2.4). Needs no
        sampling.

        Returns
        -------
        pandas.Series
            ``observed``, the prior ``mean``, its HDI bounds (``hdi_3%``, ``hdi_97%`` for
            0.94) and ``share_below_observed`` (the prior predictive tail probability: near
            0 or 1 means the priors rule the data out).
        """
        stats = self._statistics(data, weights)
        params = {
            k: v[..., None]
            for k, v in self.prior_params(data, weights, draws=draws, seed=seed).items()
        }
        age = stats.columns[self.data_columns[2]]
        ages, where = np.unique(age, return_inverse=True)
        share = np.bincount(where, weights=stats.weights) / stats.weights.sum()
        expected = self.functions.expected_purchases(params, ages) @ share
        observed = float(
            np.dot(stats.weights, stats.columns[self.data_columns[0]]) / stats.weights.sum()
        )
        summary = summarise_draws(expected[..., None], None, hdi, "repeat_transactions").iloc[0]
        summary = pd.concat([pd.Series({"observed": observed}), summary])
        summary["share_below_observed"] = float(np.mean(expected < observed))
        summary.name = "repeat_transactions_per_customer"
        return summary


class PosteriorRFMPredictions(PosteriorPurchasePredictions):
    """The posterior predictions of the continuous-time (x, t_x, T) models.

    Every method is :class:`PosteriorPurchasePredictions`'; the name stays for the models
    that inherit it.
    """
