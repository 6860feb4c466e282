"""Counts of customers alive at t = 0, 1, ..., n per cohort: the sBG's data, checked.

:func:`cohort_counts` reads one cohort or a frame of cohorts and lists every broken
rule; :func:`subscriber_periods` checks one row per subscriber (periods observed,
churned or not); :func:`whole_numbers` and :func:`first_bad` are the checks and the
message parts they share.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.validation import Problems
from clvmodels.exceptions import DataValidationError

__all__ = ["cohort_counts", "first_bad", "subscriber_periods", "whole_numbers"]


def first_bad(values: np.ndarray, bad: np.ndarray) -> str:
    """The first value where ``bad``, and its position when ``values`` is an array.

    For messages: ``"1.5 at position (1,)"``.
    """
    flat = int(np.flatnonzero(np.broadcast_to(bad, values.shape).ravel())[0])
    position = tuple(int(i) for i in np.unravel_index(flat, values.shape))
    where = f" at position {position}" if values.ndim else ""
    return f"{values.ravel()[flat]:.12g}{where}"


def whole_numbers(values: ArrayLike, name: str, minimum: int) -> np.ndarray:
    """``values`` as float64, checked to be whole numbers >= ``minimum``."""
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(array) | (array < minimum) | (array != np.round(array))
    if np.any(bad):
        raise DataValidationError(
            f"{name} must be whole numbers >= {minimum}; got {first_bad(array, bad)}"
        )
    return array


def cohort_counts(alive: Any, what: str = "retention cohorts") -> dict[str, np.ndarray]:
    """Validate counts alive at t = 0, 1, ..., n and return them per cohort.

    Parameters
    ----------
    alive
        One cohort (a sequence, a 1-D array or a Series) or a DataFrame with
        one column per cohort. Counts are read by position (t = 0 first); the
        index only labels rows in error messages. Cohorts of a DataFrame may
        be observed for different numbers of periods: pad the shorter ones
        with trailing NaN.
    what
        How the data are named in error messages.

    Returns
    -------
    dict
        Cohort name -> float64 array of counts (trailing NaN removed).

    Raises
    ------
    TypeError
        If ``alive`` is not 1-D data or a DataFrame.
    DataValidationError
        Listing every broken rule, per cohort: numeric; NaN only as trailing
        padding, no inf; at least 2 counts (t = 0 and t = 1); whole numbers
        >= 0; more than 0 customers at t = 0; never increasing.
    """
    if isinstance(alive, pd.DataFrame):
        frame = alive
    elif isinstance(alive, pd.Series):
        frame = alive.to_frame(name="alive" if alive.name is None else str(alive.name))
    elif isinstance(alive, list | tuple | np.ndarray):
        values = np.asarray(alive)
        if values.ndim != 1:
            raise TypeError(
                f"{what}: give one cohort as 1-D counts or several as a DataFrame with one "
                f"column per cohort; got an array of shape {values.shape}"
            )
        frame = pd.DataFrame({"alive": values})
    else:
        raise TypeError(
            f"{what} must be counts alive at t = 0..n (a sequence, 1-D array or Series) or "
            f"a DataFrame with one column per cohort; got {type(alive).__name__}"
        )
    if frame.shape[1] == 0:
        raise DataValidationError(f"invalid {what}: the frame has no columns (no cohorts)")

    problems = Problems(frame, what)
    cohorts: dict[str, np.ndarray] = {}
    for column in frame.columns:
        name = str(column)
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            problems.add(f"column '{name}': counts must be numeric, has dtype {series.dtype}")
            continue
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
        n_observed = len(values) - int(np.argmax(~missing[::-1])) if (~missing).any() else 0
        interior = missing & (np.arange(len(values)) < n_observed)
        problems.add_rows(
            name, "NaN only as trailing padding after the last count", interior, [column]
        )
        problems.add_rows(name, "counts are finite", np.isinf(values), [column])
        counts = values[:n_observed]
        if n_observed < 2:
            problems.add(
                f"column '{name}': needs at least 2 counts (alive at t = 0 and t = 1); "
                f"has {n_observed}"
            )
        finite = np.isfinite(values)
        problems.add_rows(
            name,
            "counts are whole numbers >= 0",
            finite & ((values < 0) | (values != np.round(values))),
            [column],
        )
        if n_observed and not counts[0] > 0:
            problems.add(
                f"column '{name}': the cohort must start with more than 0 customers at t = 0; "
                f"got {counts[0]:g}"
            )
        rises = np.flatnonzero(counts[1:] > counts[:-1]) + 1
        if rises.size:
            t = int(rises[0])
            problems.add(
                f"column '{name}': {rises.size} of {n_observed - 1} periods break the rule "
                f"'alive[t] <= alive[t-1]' (customers who left do not come back); e.g. row "
                f"{frame.index[t]!r}: {counts[t - 1]:g} -> {counts[t]:g}"
            )
        cohorts[name] = counts
    problems.raise_if_any()
    return cohorts


def require_two_periods(cohorts: dict[str, np.ndarray]) -> None:
    """Refuse data of one period: it pins down alpha / (alpha + beta), not alpha and beta.

    With counts at t = 0 and t = 1 only, the sBG likelihood depends on the parameters
    through P(churn at 1) = alpha / (alpha + beta) alone: every (alpha, beta) with that
    ratio fits equally well, and an optimiser would return an arbitrary one.

    Raises
    ------
    DataValidationError
        When no cohort has counts for at least 2 periods (t = 0, 1 and 2).
    """
    if max(len(counts) for counts in cohorts.values()) >= 3:
        return
    churn = sum(c[0] - c[1] for c in cohorts.values()) / sum(c[0] for c in cohorts.values())
    raise DataValidationError(
        "ShiftedBetaGeoModel needs counts for at least 2 periods (alive at t = 0, 1 and 2, "
        "e.g. [1000, 631, 468]) in one cohort or more: with one period (t = 0 and 1) the "
        f"data give only the mean first-period churn alpha / (alpha + beta) = {churn:.3g}, "
        "not alpha and beta apart, so retention beyond the first period is unknown"
    )


def subscriber_periods(tenure: ArrayLike, churned: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Check one row per subscriber and return (periods, churned) as float and bool arrays.

    Parameters
    ----------
    tenure
        Periods each subscriber has been observed: the renewal at which she churned
        (whole number >= 1) or the renewals she has made so far if still active
        (whole number >= 0).
    churned
        True (or 1) where she has churned, False (or 0) where still active.

    Raises
    ------
    DataValidationError
        When the two differ in length, ``churned`` is not boolean, or a tenure breaks the
        rule (naming the count of rows and the first one).
    """
    periods = np.asarray(tenure, dtype=np.float64).reshape(-1)
    flags = np.asarray(churned).reshape(-1)
    if flags.shape != periods.shape:
        raise DataValidationError(
            f"tenure and churned must have one entry per subscriber; got {periods.shape[0]} "
            f"and {flags.shape[0]}"
        )
    if flags.dtype != bool and not np.isin(flags, [0, 1]).all():
        raise DataValidationError(
            "churned must be True/False (or 1/0) per subscriber; got e.g. "
            f"{flags[~np.isin(flags, [0, 1])][:3].tolist()}"
        )
    flags = flags.astype(bool)
    bad = ~np.isfinite(periods) | (periods != np.round(periods)) | (periods < 0)
    bad |= flags & (periods < 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataValidationError(
            f"{int(bad.sum())} of {len(periods)} subscribers break the rule 'tenure is a "
            "whole number >= 0, and >= 1 for those who churned' (churn happens at a "
            f"renewal); e.g. row {i}: tenure={periods[i]}, churned={flags[i]}"
        )
    return periods, flags
