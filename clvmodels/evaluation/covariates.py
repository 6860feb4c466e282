"""Static covariates in the backtest: each calibration customer's row of a covariate frame.

:func:`clvmodels.backtest` takes ``covariates`` (one row per customer, indexed by customer
id) and joins :func:`calibration_covariates` to every cut-off's calibration summary.
"""

from __future__ import annotations

import pandas as pd

from clvmodels.exceptions import DataValidationError

__all__ = ["SUMMARY_COLUMNS", "calibration_covariates"]

#: Columns of the calibration/holdout split that a covariate may not be named.
SUMMARY_COLUMNS = frozenset(
    {
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "recent_frequency",
        "recent_window",
        "frequency_holdout",
    }
    | {"monetary_value_holdout", "duration_holdout"}
)


def _shown(value: object) -> object:
    """A numpy number as a plain one in messages (``7``, not ``np.int64(7)``)."""
    return value.item() if hasattr(value, "item") else value


def calibration_covariates(
    customers: pd.Index, covariates: pd.DataFrame, label: object
) -> pd.DataFrame:
    """The rows of ``covariates`` of a cut-off's calibration ``customers``, in their order.

    Raises
    ------
    DataValidationError
        Naming a calibration customer without a row (and the cut-off), a duplicated id,
        or a covariate column that shadows a summary column.
    """
    if not isinstance(covariates, pd.DataFrame):
        raise TypeError(
            "covariates must be a DataFrame indexed by customer id with one row per customer, "
            f"e.g. static.set_index('customer_id'); got {type(covariates).__name__}"
        )
    duplicated = covariates.index.duplicated()
    if duplicated.any():
        raise DataValidationError(
            f"covariates has the customer {_shown(covariates.index[duplicated][0])!r} twice: "
            "static covariates need one row per customer"
        )
    shadowing = [c for c in covariates.columns if c in SUMMARY_COLUMNS]
    if shadowing:
        raise DataValidationError(
            f"covariates has the column(s) {shadowing}, which the summary computes itself: "
            "rename or drop them"
        )
    lacking = customers.difference(covariates.index)
    if len(lacking):
        raise DataValidationError(
            f"covariates: {len(lacking)} customer(s) of the calibration period ending "
            f"{label} have no row, e.g. {_shown(lacking[0])!r}; every customer who bought by the "
            "cut-off needs one"
        )
    return covariates.loc[customers]
