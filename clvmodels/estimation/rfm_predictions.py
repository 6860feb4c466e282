"""Per-customer prediction methods of the purchase models whose data are (x, t_x, T).

The BG/NBD, MBG/NBD and Pareto/NBD estimators differ in their math (the pure functions of
their own modules) but not in how a fitted model applies it to a summary frame: check the
frame and its time unit, take the three columns, return a Series (or a DataFrame for many
horizons) indexed by customer. That is written once here; each estimator names its
functions in :class:`PurchaseFunctions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.checks import finite_scalar, whole_number
from clvmodels.data.summary import summary_units
from clvmodels.data.units import TIME_UNIT_ATTR, check_same_unit, time_unit_of
from clvmodels.data.validation import check_summary
from clvmodels.deprecation import warn_deprecated
from clvmodels.estimation.coefficients import per_row
from clvmodels.estimation.count_requests import check_count_request, check_offset, count_frame
from clvmodels.estimation.parameter_stack import requested_interval
from clvmodels.estimation.prediction_intervals import horizon_interval, stacked_interval
from clvmodels.estimation.protocols import PurchaseCapabilities

__all__ = [
    "PurchaseFunctions",
    "RFMPredictions",
    "cells_as_matrix",
    "frequency_recency_grid",
    "purchase_history",
]


class PurchaseFunctions(NamedTuple):
    """A model's pure prediction functions, each taking ``params`` first.

    The first four are required; the count distributions and the future P(alive) are
    optional (None: the model does not offer them).
    """

    expected_purchases: Callable[..., np.ndarray]
    conditional_expected_purchases: Callable[..., np.ndarray]
    probability_alive: Callable[..., np.ndarray]
    probability_of_purchases: Callable[..., np.ndarray]
    #: ``(params, t, n, x, t_x, T, at_least=False)``: P(Y(t) = n | history) (or >= n).
    conditional_probability_of_purchases: Callable[..., np.ndarray] | None = None
    #: ``(params, t, n)``: P(X(t) >= n) of a new customer.
    probability_at_least: Callable[..., np.ndarray] | None = None
    #: ``(params, s, x, t_x, T)``: P(alive at T + s | history).
    probability_alive_after: Callable[..., np.ndarray] | None = None

    def offered(self, name: str, model: Any) -> Callable[..., np.ndarray]:
        """The function ``name``, or a NotImplementedError naming the model that lacks it."""
        function = getattr(self, name)
        if function is None:
            raise NotImplementedError(
                f"{type(model).__name__} does not offer {name} in this version of clvmodels"
            )
        return function

    @classmethod
    def of(cls, *modules: Any) -> PurchaseFunctions:
        """The functions of a model's modules (math first, then e.g. counts), by their names."""
        found = {}
        for name in cls._fields:
            for module in modules:
                if hasattr(module, name):
                    found[name] = getattr(module, name)
                    break
        return cls(**found)


def frequency_recency_grid(
    max_frequency: int, T: float, n_recency: int | None = None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The possible (frequency, recency) cells of customers of age ``T``, as a summary.

    Frequencies run over 0..``max_frequency``, recencies over ``n_recency`` points from 0
    to ``T`` (default: one per time unit, ``floor(T) + 1`` points). A cell is possible when
    ``recency == 0`` exactly when ``frequency == 0`` (a repeat purchase comes after the
    first one; without one, recency is 0).

    Returns
    -------
    cells, frequency, recency, valid
        The possible cells as a frame with ``frequency``, ``recency``, ``T``; the grid's
        frequencies and recencies; and the (frequency x recency) mask of possible cells.
    """
    T = finite_scalar(T, "T", greater_than=0)
    max_frequency = whole_number(max_frequency, "max_frequency", at_least=0)
    n = (
        int(np.floor(T)) + 1
        if n_recency is None
        else whole_number(n_recency, "n_recency", at_least=2)
    )
    recency = np.linspace(0.0, T, n)
    frequency = np.arange(max_frequency + 1)
    x, t_x = np.meshgrid(frequency, recency, indexing="ij")
    valid = (x == 0) == (t_x == 0)
    cells = pd.DataFrame({"frequency": x[valid], "recency": t_x[valid], "T": T})
    return cells, frequency, recency, valid


def cells_as_matrix(
    values: ArrayLike, frequency: np.ndarray, recency: np.ndarray, valid: np.ndarray
) -> pd.DataFrame:
    """One value per possible cell of :func:`frequency_recency_grid` as its matrix.

    Frequencies in rows, recencies in columns; impossible cells are NaN.
    """
    grid = np.full(valid.shape, np.nan)
    grid[valid] = np.asarray(values, dtype=np.float64)
    return pd.DataFrame(
        grid,
        index=pd.Index(frequency, name="frequency"),
        columns=pd.Index(recency, name="recency"),
    )


def purchase_history(purchases: ArrayLike, ages: ArrayLike) -> pd.DataFrame:
    """A customer's (frequency, recency, T) as of each age, from her purchase times.

    Parameters
    ----------
    purchases
        Her purchase times (numbers, in one time unit, any origin; repeated times count
        once, as purchases in one period do in the summary). Time 0 of the path is the
        first purchase.
    ages
        Times since the first purchase (>= 0) at which to take the summary.

    Returns
    -------
    pandas.DataFrame
        Indexed by age: ``frequency`` (purchases after the first, up to that age),
        ``recency`` (first to last of those) and ``T`` (the age).
    """
    times = np.unique(np.asarray(purchases, dtype=np.float64))
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)):
        raise ValueError(
            "purchases must be a non-empty 1-D array of finite purchase times, "
            f"e.g. [0.0, 3.5, 10.0]; got {purchases!r}"
        )
    ages = np.atleast_1d(np.asarray(ages, dtype=np.float64))
    if ages.ndim != 1 or not np.all(np.isfinite(ages)) or np.any(ages < 0):
        raise ValueError(
            f"ages must be a 1-D array of times >= 0 since the first purchase, e.g. "
            f"np.arange(0, 53); got {ages!r}"
        )
    since_first = times - times[0]
    # purchases at or before each age: the tiny slack keeps a purchase at an age computed
    # by adding floats (e.g. 0.1 * 3) on the path
    seen = np.searchsorted(since_first, ages * (1 + 1e-12) + 1e-12, side="right")
    return pd.DataFrame(
        {"frequency": seen - 1, "recency": since_first[seen - 1], "T": ages},
        index=pd.Index(ages, name="age"),
    )


class RFMPredictions(PurchaseCapabilities):
    """Prediction methods for a fitted model with ``params_`` and ``time_unit_``.

    Mixed into an estimator before :class:`~clvmodels.estimation.mle.MaximumLikelihoodModel`,
    which provides ``_check_fitted``.
    """

    functions: ClassVar[PurchaseFunctions]
    #: conditional_expected_purchases takes an array of horizons (used by the CLV).
    accepts_many_horizons = True

    def _check_unit(self, summary: pd.DataFrame) -> None:
        check_same_unit(self.time_unit_, time_unit_of(summary), "the summary")

    def _customer_params(self, summary: pd.DataFrame) -> Mapping[str, Any]:
        """The parameters of the customers of ``summary``.

        A model with covariates overrides this: per-customer arrays from the summary's
        covariate columns.
        """
        return self.params_

    def _frame_arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """(frequency, recency, T) of a checked summary in the model's time unit."""
        check_summary(summary)
        self._check_unit(summary)
        return tuple(summary[name].to_numpy(np.float64) for name in ("frequency", "recency", "T"))

    def _new_customer_params(self, covariates: pd.DataFrame | None) -> Mapping[str, Any]:
        """The parameters of new customers (a model with covariates overrides this)."""
        self._check_fitted()
        if covariates is not None:
            raise TypeError(
                f"{type(self).__name__} takes no covariates; call it without covariates="
            )
        return self.params_

    def expected_purchases(
        self, t: ArrayLike, covariates: pd.DataFrame | None = None
    ) -> np.ndarray | float | pd.Series | pd.DataFrame:
        """E[X(t)]: expected purchases in (0, t] of a customer acquired now.

        Without ``covariates``, of the model's customer (for a model with covariates, the
        reference customer: every covariate 0): a number, or an array for an array ``t``.
        With ``covariates`` (a frame with one row per new customer and the model's
        covariate columns), one value per row: a Series for a scalar ``t``, a DataFrame
        (rows x horizons) for a 1-D ``t``.
        """
        if covariates is not None:
            params = self._new_customer_params(covariates)
            return per_row(self.functions.expected_purchases, params, covariates.index, t)
        self._check_fitted()
        out = self.functions.expected_purchases(self.params_, t)
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        summary: pd.DataFrame,
        *,
        interval: float | None = None,
        **how: Any,
    ) -> pd.Series | pd.DataFrame:
        """Expected purchases in the next ``t`` periods, per customer of ``summary``.

        A scalar ``t`` gives a Series; a 1-D array of horizons gives a DataFrame with one
        column per horizon (computed in one pass).

        With ``interval`` (e.g. 0.9) and a scalar ``t``: a DataFrame of ``mean`` (the
        prediction at the estimate) and the bounds ``hdi_5%``, ``hdi_95%`` of the
        parameter-uncertainty interval; ``how`` takes ``method="delta"`` (default) or
        ``"bootstrap"``, ``draws=200`` (parameter vectors from the estimates' asymptotic
        normal) and ``seed``;
        ``attrs["base_total"]`` holds the base total's. It covers the uncertainty of the
        estimates only, not the Poisson noise of a customer's actual count
        (:mod:`clvmodels.estimation.prediction_intervals`).
        """
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        horizons = np.asarray(t, dtype=np.float64)
        conditional = self.functions.conditional_expected_purchases
        request = requested_interval(interval, how)
        if request is not None:
            return horizon_interval(self, conditional, horizons, (x, t_x, T), summary, request)
        if horizons.ndim == 0:
            values = conditional(self._customer_params(summary), horizons, x, t_x, T)
            return pd.Series(values, index=summary.index, name="expected_purchases")
        if horizons.ndim != 1:
            raise ValueError(
                f"t must be a number or a 1-D array of horizons, got shape {horizons.shape}"
            )
        values = conditional(self._customer_params(summary), horizons[:, None], x, t_x, T)
        return pd.DataFrame(values.T, index=summary.index, columns=pd.Index(horizons, name="t"))

    def probability_alive(
        self,
        summary: pd.DataFrame,
        *,
        at: float | None = None,
        interval: float | None = None,
        **how: Any,
    ) -> pd.Series | pd.DataFrame:
        """P(alive) at the end of observation, per customer of ``summary``.

        With ``at`` = s, P(alive at T + s | history): s time units after the end of
        observation (the model's ``counts.probability_alive_after``; ``at=0`` is P(alive)).
        With ``interval``: ``mean`` and the parameter-uncertainty bounds, as for
        :meth:`conditional_expected_purchases` (the delta method on the logit scale);
        ``attrs["base_total"]`` is the expected number of customers alive.
        """
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        request = requested_interval(interval, how)
        function = self.functions.probability_alive
        if at is not None:
            offset, after = (
                check_offset(at),
                self.functions.offered("probability_alive_after", self),
            )

            def function(params: Any, *history: np.ndarray) -> np.ndarray:
                return after(params, offset, *history)

        if request is not None:
            return stacked_interval(
                self, function, (x, t_x, T), summary, request, name="p_alive", link="logit"
            )
        values = function(self._customer_params(summary), x, t_x, T)
        return pd.Series(values, index=summary.index, name="p_alive")

    def probability_of_purchases(
        self,
        t: float,
        n: ArrayLike,
        summary: pd.DataFrame | None = None,
        covariates: pd.DataFrame | None = None,
        *,
        at_least: bool = False,
    ) -> np.ndarray | float | pd.Series | pd.DataFrame:
        """P(X(t) = n) for a newly acquired customer, or P(Y(t) = n | history) with ``summary``.

        Without ``summary``: of a new customer (the model's ``probability_of_purchases``); with
        ``covariates`` (one row per new customer) and a whole number ``n``, one value per row
        (a Series), as :meth:`expected_purchases`.

        With ``summary``: the probability of ``n`` purchases in (T, T + t] for each customer
        given her (frequency, recency, T) (and covariates), from the model's ``counts``
        module: a Series for one ``n``, a customers x n DataFrame for a sequence of counts.

        ``at_least=True`` gives the tail, P(X(t) >= n), instead (a sum of positive terms,
        right for small tails).
        """
        if summary is not None and covariates is None and "frequency" not in summary:
            # the third positional argument was covariates= before summaries were taken
            warn_deprecated(
                "probability_of_purchases(t, n, covariates_frame) is deprecated and will be "
                "removed in the next release; the third argument is now a summary: use "
                "probability_of_purchases(t, n, covariates=frame) for new customers"
            )
            summary, covariates = None, summary
        if summary is not None:
            return self._conditional_counts(t, n, summary, at_least)
        if at_least:
            params = self._new_customer_params(covariates)
            out = self.functions.offered("probability_at_least", self)(params, t, n)
            if covariates is not None:
                out = np.broadcast_to(out, (len(covariates),))
                return pd.Series(out, index=covariates.index, name="probability_at_least")
            return float(out) if out.ndim == 0 else out
        if covariates is not None:
            count = np.asarray(n)
            if count.ndim != 0:
                raise ValueError(
                    f"with covariates, n must be one whole number (e.g. n=2); got shape "
                    f"{count.shape}"
                )
            params = self._new_customer_params(covariates)
            values = self.functions.probability_of_purchases(params, t, count)
            values = np.broadcast_to(values, (len(covariates),))
            return pd.Series(values, index=covariates.index, name="probability_of_purchases")
        self._check_fitted()
        out = self.functions.probability_of_purchases(self.params_, t, n)
        return float(out) if out.ndim == 0 else out

    def _conditional_counts(
        self, t: float, n: ArrayLike, summary: pd.DataFrame, at_least: bool
    ) -> pd.Series | pd.DataFrame:
        """P(Y(t) = n | history) (or >= n) per customer: a Series, or customers x counts."""
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        horizon = check_offset(t, "t")
        counts, column = check_count_request(n)
        function = self.functions.offered("conditional_probability_of_purchases", self)
        params = self._customer_params(summary)
        values = function(params, horizon, column, x, t_x, T, at_least=at_least)
        name = "probability_at_least" if at_least else "probability_of_purchases"
        return count_frame(values, counts, summary.index, name)

    def _grid(self, max_frequency: int, T: float, n_recency: int | None) -> tuple:
        self._check_fitted()
        cells, frequency, recency, valid = frequency_recency_grid(max_frequency, T, n_recency)
        cells.attrs[TIME_UNIT_ATTR] = self.time_unit_
        return cells, frequency, recency, valid

    def probability_alive_matrix(
        self, max_frequency: int, T: float, n_recency: int | None = None
    ) -> pd.DataFrame:
        """P(alive) of customers of age ``T`` for every (frequency, recency).

        Rows are frequencies 0..``max_frequency``, columns recencies from 0 to ``T``
        (``n_recency`` of them; default one per time unit); impossible cells (see
        :func:`frequency_recency_grid`) are NaN. ``lifetimes``'
        ``conditional_probability_alive_matrix(max_frequency, max_recency)`` is this with
        ``T = max_recency``, transposed.
        """
        cells, frequency, recency, valid = self._grid(max_frequency, T, n_recency)
        values = self.probability_alive(cells)
        return cells_as_matrix(values, frequency, recency, valid)

    def expected_purchases_matrix(
        self, t: float, max_frequency: int, T: float, n_recency: int | None = None
    ) -> pd.DataFrame:
        """Expected purchases in the next ``t`` of customers of age ``T``, per (frequency, recency).

        The same grid as :meth:`probability_alive_matrix`; the data of ``lifetimes``'
        ``plot_frequency_recency_matrix(model, T=t, max_frequency, max_recency)`` (which
        takes the age as ``max_recency``) and of the iso-value plots of Fader, Hardie & Lee
        (2005, "RFM and CLV").
        """
        cells, frequency, recency, valid = self._grid(max_frequency, T, n_recency)
        values = self.conditional_expected_purchases(t, cells)
        return cells_as_matrix(values, frequency, recency, valid)

    def probability_alive_path(
        self,
        purchases: ArrayLike | pd.Series,
        ages: ArrayLike,
        *,
        freq: str = "D",
    ) -> pd.Series:
        """One customer's P(alive) at each age, given her purchases.

        At each age (time since her first purchase, in the model's time unit) the summary
        is what an analyst would have computed then: the purchases so far
        (:func:`purchase_history`). ``lifetimes.utils.calculate_alive_path`` computes the
        same path.

        Parameters
        ----------
        purchases
            Her purchase times in the model's time unit (numbers), or her transaction
            dates (datetimes or date strings), which are counted per period of ``freq``
            and converted to the model's unit as :func:`~clvmodels.rfm_summary` does.
        ages
            Ages at which to evaluate, in the model's time unit, e.g. ``np.arange(0, 53)``.
        freq
            Resolution at which dates are counted (only for dates).

        Returns
        -------
        pandas.Series
            P(alive) indexed by age.
        """
        self._check_fitted()
        values = pd.Series(purchases) if not isinstance(purchases, pd.Series) else purchases
        if values.dtype.kind in "OMm" or pd.api.types.is_string_dtype(values):
            if self.time_unit_ is None:
                raise ValueError(
                    "the model states no time unit, so purchase dates cannot be converted; "
                    "pass purchase times in its unit instead"
                )
            alias, _, num, den = summary_units(freq, self.time_unit_)
            periods = pd.to_datetime(values).dt.to_period(alias).array.asi8
            times = periods.astype(np.float64) * num / den
        else:
            times = values.to_numpy(np.float64)
        history = purchase_history(times, ages)
        x, t_x, T = (history[c].to_numpy(np.float64) for c in ("frequency", "recency", "T"))
        p_alive = self.functions.probability_alive(self.params_, x, t_x, T)
        return pd.Series(p_alive, index=history.index, name="p_alive")
