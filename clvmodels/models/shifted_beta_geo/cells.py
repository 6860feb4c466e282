"""The sBG's likelihood cells for the Bayesian fits: per cohort, pooled, or from subscribers.

A cell is (t, churned at t or still alive at t) with its count of customers and the
index of its cohort; the likelihood is :func:`.math.cell_log_likelihood` per cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.cohorts import cohort_counts, subscriber_periods
from clvmodels.data.units import TIME_UNIT_ATTR, time_unit_of
from clvmodels.exceptions import DataValidationError
from clvmodels.models.shifted_beta_geo.math import likelihood_cells

__all__ = ["CohortCells", "cohort_cells", "subscriber_cells", "subscriber_table"]


class CohortCells:
    """Distinct likelihood cells, their counts, and which cohort each belongs to."""

    def __init__(
        self,
        t: np.ndarray,
        survived: np.ndarray,
        weights: np.ndarray,
        cohort: np.ndarray,
        cohorts: list[str],
        time_unit: str | None,
    ) -> None:
        frame = pd.DataFrame({"t": t, "survived": survived, "cohort": cohort, "w": weights})
        grouped = frame.groupby(["cohort", "t", "survived"], sort=True)["w"].sum()
        grouped = grouped[grouped > 0]
        self.cohort = grouped.index.get_level_values("cohort").to_numpy(np.intp)
        self.t = grouped.index.get_level_values("t").to_numpy(np.float64)
        self.survived = grouped.index.get_level_values("survived").to_numpy(np.float64)
        self.weights = grouped.to_numpy(np.float64)
        self.cohorts = cohorts
        self.time_unit = time_unit

    def fingerprint(self) -> str:
        """A short hash of the cells, saved with a fit and checked on load."""
        import hashlib

        digest = hashlib.sha256()
        for array in (self.cohort, self.t, self.survived, self.weights):
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        digest.update("|".join(self.cohorts).encode())
        return digest.hexdigest()[:16]


def cohort_cells(alive: Any, pooled: bool) -> CohortCells:
    """The cells of counts alive at t = 0..n, one cohort index per column unless ``pooled``."""
    cohorts = cohort_counts(alive)
    t, survived, cohort, weights = [], [], [], []
    for k, counts in enumerate(cohorts.values()):
        t_k, s_k, w_k = likelihood_cells({"c": counts})
        t.append(t_k)
        survived.append(s_k)
        weights.append(w_k)
        cohort.append(np.full(len(t_k), 0 if pooled else k))
    unit = time_unit_of(alive) if isinstance(alive, pd.DataFrame | pd.Series) else None
    names = ["all"] if pooled else list(cohorts)
    return CohortCells(*(np.concatenate(v) for v in (t, survived, weights, cohort)), names, unit)


def subscriber_cells(
    tenure: ArrayLike, churned: ArrayLike, time_unit: str | None = None
) -> CohortCells:
    """The cells of one row per subscriber (:func:`~clvmodels.data.cohorts.subscriber_periods`).

    A tenure of 0 (still active, no renewal yet) adds nothing to the likelihood.
    """
    periods, flags = subscriber_periods(tenure, churned)
    keep = periods > 0
    return CohortCells(
        periods[keep],
        (~flags[keep]).astype(np.float64),
        np.ones(int(keep.sum())),
        np.zeros(int(keep.sum()), dtype=np.intp),
        ["all"],
        time_unit,
    )


def subscriber_table(
    tenure: ArrayLike,
    churned: ArrayLike,
    covariates: pd.DataFrame | None = None,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """One row per subscriber: ``tenure``, ``churned`` and any covariate columns.

    What :meth:`clvmodels.ShiftedBetaGeoModel.fit_customers` fits (and ``fitted_on`` /
    ``load(data=...)`` take back). ``covariates`` rows are matched to ``tenure`` by
    position; ``time_unit`` is recorded in ``attrs``.

    Raises
    ------
    DataValidationError
        If ``covariates`` is not a frame with one row per subscriber.
    """
    periods = np.asarray(tenure).reshape(-1)
    flags = np.asarray(churned).reshape(-1)
    if covariates is None:
        table = pd.DataFrame({"tenure": periods, "churned": flags})
    else:
        if not isinstance(covariates, pd.DataFrame) or len(covariates) != len(periods):
            got = len(covariates) if isinstance(covariates, pd.DataFrame) else type(covariates)
            raise DataValidationError(
                f"covariates must be a DataFrame with one row per subscriber ({len(periods)}, "
                f"in the order of tenure); got {got}"
            )
        table = covariates.assign(tenure=periods, churned=flags)
    if time_unit is not None:
        table.attrs[TIME_UNIT_ATTR] = time_unit
    return table
