"""Time-varying covariate files on the command line: typed, checked through the horizon.

A ``--covariates`` file with a ``period_start`` column (:mod:`clvmodels.cli.covariates`
reads it) enters the fit as ``fit(summary, dynamic_covariates=frame, transactions=log,
datetime_col=...)``. Before the fit, the file is checked to cover every customer from her
first purchase through the end of the scoring horizon
(:func:`clvmodels.data.dynamic_covariates.covariate_paths`), so a short file is one line
naming the file, the customer and the first missing period, not a failure after the fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from clvmodels.cli.columns import ids_as_numbers
from clvmodels.data.dynamic_covariates import covariate_paths
from clvmodels.exceptions import DataValidationError

if TYPE_CHECKING:  # the reader's type; cli.covariates imports this module
    from clvmodels.cli.covariates import CovariateInput

__all__ = ["dynamic_file_error", "dynamic_frame", "time_varying_inputs"]


def dynamic_file_error(covariates: CovariateInput, error: Exception) -> DataValidationError:
    """A data-layer error about the time-varying file, as one line naming the file."""
    return DataValidationError(f"--covariates {covariates.dynamic_file}: {error}")


def dynamic_frame(summary: pd.DataFrame, covariates: CovariateInput) -> pd.DataFrame:
    """The time-varying file's rows with their ids typed as the summary's index.

    A summary made by DuckDB keeps numeric ids as numbers; a Parquet file's whole-number
    ids meet a log's text ids as text (as ``join_covariates`` does for static files).
    """
    frame, column = covariates.dynamic, covariates.customer_col
    assert frame is not None and column is not None
    ids = frame[column]
    if pd.api.types.is_numeric_dtype(summary.index) and not pd.api.types.is_numeric_dtype(ids):
        return frame.assign(**{column: ids_as_numbers(ids, str(covariates.dynamic_file))})
    if pd.api.types.is_integer_dtype(ids) and not pd.api.types.is_numeric_dtype(summary.index):
        return frame.assign(**{column: ids.astype(str)})
    return frame


def time_varying_inputs(
    summary: pd.DataFrame,
    covariates: CovariateInput | None,
    log: pd.DataFrame | None,
    settings: Any,
    columns: Sequence[str],
) -> dict[str, Any]:
    """The keywords of a time-varying fit, the file checked through the scoring horizon.

    Parameters
    ----------
    summary
        The run's summary (indexed by customer id, stating its end and unit).
    covariates
        The run's covariate files; without a time-varying one the result is empty.
    log
        The transaction log in memory (the covariates at the repeat purchases).
    settings
        The run's settings (``date_col``, ``horizon_in_units()``).
    columns
        The covariate columns the model uses.

    Returns
    -------
    dict
        ``dynamic_covariates``, ``transactions`` and ``datetime_col``.

    Raises
    ------
    clvmodels.exceptions.DataValidationError
        One line naming the file, the customer and the first missing period (or another
        rule of the data layer).
    """
    if covariates is None or covariates.dynamic is None:
        return {}
    frame = dynamic_frame(summary, covariates)
    try:
        covariate_paths(summary, frame, list(columns), horizon=settings.horizon_in_units())
    except DataValidationError as error:
        raise dynamic_file_error(covariates, error) from None
    return {"dynamic_covariates": frame, "transactions": log, "datetime_col": settings.date_col}
