"""Per-customer prediction methods of the purchase models whose data are (x, t_x, T).

The BG/NBD, MBG/NBD and Pareto/NBD estimators differ in their math (the pure functions of
their own modules) but not in how a fitted model applies it to a summary frame: check the
frame and its time unit, take the three columns, return a Series (or a DataFrame for many
horizons) indexed by customer. That is written once here; each estimator names its
functions in :class:`PurchaseFunctions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.units import check_same_unit, time_unit_of
from clvmodels.data.validation import check_summary

__all__ = ["PurchaseFunctions", "RFMPredictions"]


class PurchaseFunctions(NamedTuple):
    """A model's pure prediction functions, each taking ``params`` first."""

    expected_purchases: Callable[..., np.ndarray]
    conditional_expected_purchases: Callable[..., np.ndarray]
    probability_alive: Callable[..., np.ndarray]
    probability_of_purchases: Callable[..., np.ndarray]


class RFMPredictions:
    """Prediction methods for a fitted model with ``params_`` and ``time_unit_``.

    Mixed into an estimator before :class:`~clvmodels.models._mle.MaximumLikelihoodModel`,
    which provides ``_check_fitted``.
    """

    functions: ClassVar[PurchaseFunctions]
    #: conditional_expected_purchases takes an array of horizons (used by the CLV).
    accepts_many_horizons = True

    def _check_unit(self, summary: pd.DataFrame) -> None:
        check_same_unit(self.time_unit_, time_unit_of(summary), "the summary")

    def _frame_arrays(self, summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
        """(frequency, recency, T) of a checked summary in the model's time unit."""
        check_summary(summary)
        self._check_unit(summary)
        return tuple(summary[name].to_numpy(np.float64) for name in ("frequency", "recency", "T"))

    def expected_purchases(self, t: ArrayLike) -> np.ndarray | float:
        """E[X(t)] for a newly acquired customer (the model's ``expected_purchases``)."""
        self._check_fitted()
        out = self.functions.expected_purchases(self.params_, t)
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(
        self, t: ArrayLike, summary: pd.DataFrame
    ) -> pd.Series | pd.DataFrame:
        """Expected purchases in the next ``t`` periods, per customer of ``summary``.

        A scalar ``t`` gives a Series; a 1-D array of horizons gives a DataFrame with one
        column per horizon (computed in one pass).
        """
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        horizons = np.asarray(t, dtype=np.float64)
        conditional = self.functions.conditional_expected_purchases
        if horizons.ndim == 0:
            values = conditional(self.params_, horizons, x, t_x, T)
            return pd.Series(values, index=summary.index, name="expected_purchases")
        if horizons.ndim != 1:
            raise ValueError(
                f"t must be a number or a 1-D array of horizons, got shape {horizons.shape}"
            )
        values = conditional(self.params_, horizons[:, None], x, t_x, T)
        return pd.DataFrame(values.T, index=summary.index, columns=pd.Index(horizons, name="t"))

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive) at the end of observation, per customer of ``summary``."""
        self._check_fitted()
        x, t_x, T = self._frame_arrays(summary)
        values = self.functions.probability_alive(self.params_, x, t_x, T)
        return pd.Series(values, index=summary.index, name="p_alive")

    def probability_of_purchases(self, t: float, n: ArrayLike) -> np.ndarray | float:
        """P(X(t) = n) for a newly acquired customer (the model's ``probability_of_purchases``)."""
        self._check_fitted()
        out = self.functions.probability_of_purchases(self.params_, t, n)
        return float(out) if out.ndim == 0 else out
