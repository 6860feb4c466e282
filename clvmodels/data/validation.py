"""Input checks shared by every layer.

Each check collects *all* the problems of a frame, then raises once with a
message that names the column, the rule, how many rows break it and one
example row (CLVTools ``f_clvdata_inputchecks.R`` does the same). Nothing is
dropped or coerced silently.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from clvmodels.exceptions import DataValidationError

__all__ = ["FILE_LINE", "Problems", "check_summary", "require_frame", "row_label"]

#: Name of the index of a frame read from a text file whose labels are the file's line
#: numbers (the header is line 1): messages then say "line 5", not "row 3".
FILE_LINE = "line"


def row_label(index: pd.Index, position: int) -> str:
    """How a message names the row at ``position``: ``line 5`` or ``row 'a'``.

    A frame whose index is named :data:`FILE_LINE` (the command line reads files so)
    holds file line numbers; any other index label is shown as it is.
    """
    label = _plain(index[position])
    if index.name == FILE_LINE:
        return f"line {label}"
    return f"row {label!r}"


class Problems:
    """Accumulates rule violations of one frame and raises them together."""

    def __init__(self, frame: pd.DataFrame, what: str) -> None:
        self._frame = frame
        self._what = what
        self._messages: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._messages)

    def add(self, message: str) -> None:
        """Record a problem that is not tied to particular rows."""
        self._messages.append(message)

    def add_rows(
        self, column: str, rule: str, bad: np.ndarray | pd.Series, show: Iterable[str]
    ) -> None:
        """Record rows (boolean mask ``bad``) of ``column`` that break ``rule``."""
        bad = np.asarray(bad, dtype=bool)
        n_bad = int(bad.sum())
        if n_bad == 0:
            return
        position = int(np.flatnonzero(bad)[0])
        row = self._frame.iloc[position]
        shown = ", ".join(f"{c}={_plain(row[c])!r}" for c in show if c in self._frame.columns)
        self._messages.append(
            f"column '{column}': {n_bad} of {len(self._frame)} rows break the rule "
            f"'{rule}'; e.g. {row_label(self._frame.index, position)}: {shown}"
        )

    def raise_if_any(self) -> None:
        """Raise one :class:`DataValidationError` listing every problem found."""
        if self._messages:
            lines = "\n  - ".join(self._messages)
            raise DataValidationError(f"invalid {self._what}:\n  - {lines}")


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def require_frame(data: object, what: str, columns: Iterable[str]) -> pd.DataFrame:
    """Check that ``data`` is a non-empty DataFrame holding ``columns``.

    Raises
    ------
    TypeError
        If ``data`` is not a pandas DataFrame.
    DataValidationError
        If it is empty or lacks a column.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(data).__name__}")
    columns = list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataValidationError(
            f"invalid {what}: missing column(s) {missing}; it has {list(data.columns)}"
        )
    if len(data) == 0:
        raise DataValidationError(f"invalid {what}: the frame is empty (0 rows)")
    return data


def _numeric(problems: Problems, frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """Return ``column`` as float64, recording non-numeric, NaN and inf values."""
    series = frame[column]
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
        problems.add(f"column '{column}': must be numeric, has dtype {series.dtype}")
        return None
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    problems.add_rows(column, f"{column} is finite (no NaN or inf)", ~np.isfinite(values), [column])
    return values


def _plain_array(frame: pd.DataFrame, column: str | None) -> np.ndarray | None:
    """The column as a numpy integer or float array (a view, no copy); None otherwise."""
    if column is None:
        return None
    dtype = frame[column].dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iuf":
        return None
    return frame[column].to_numpy()


def _bounds_ok(values: np.ndarray) -> bool:
    """Finite and >= 0, in two reductions (a NaN makes ``min`` NaN, an inf ``max`` inf)."""
    if values.dtype.kind in "iu":
        return bool(values.min() >= 0)
    low, high = values.min(), values.max()
    return bool(np.isfinite(low) and np.isfinite(high) and low >= 0)


def _summary_is_valid(
    frame: pd.DataFrame,
    frequency_col: str,
    recency_col: str | None,
    T_col: str | None,
    monetary_value_col: str | None,
    positive_monetary_value: bool,
) -> bool:
    """Whether every rule of :func:`check_summary` holds, in a few vectorised passes.

    False when any rule may break (or a column is not a plain numpy number);
    :func:`check_summary` then runs the detailed checks that name the rows.
    """
    x = _plain_array(frame, frequency_col)
    t_x = _plain_array(frame, recency_col)
    T = _plain_array(frame, T_col)
    m = _plain_array(frame, monetary_value_col)
    needed = [x] + [a for a, c in ((t_x, recency_col), (T, T_col), (m, monetary_value_col)) if c]
    if any(a is None for a in needed) or not all(_bounds_ok(a) for a in needed):
        return False
    if x.dtype.kind == "f" and np.any(np.not_equal(x, np.floor(x))):
        return False
    if t_x is not None and T is not None and np.any(np.greater(t_x, T)):
        return False
    buyer = np.greater(x, 0) if (t_x is not None or m is not None) else None
    if t_x is not None and not np.array_equal(buyer, np.greater(t_x, 0)):
        return False
    if m is not None and positive_monetary_value and np.any(np.equal(m, 0) & buyer):
        return False
    return True


def check_summary(
    summary: object,
    *,
    frequency_col: str = "frequency",
    recency_col: str | None = "recency",
    T_col: str | None = "T",
    monetary_value_col: str | None = None,
    positive_monetary_value: bool = True,
    what: str = "summary",
) -> pd.DataFrame:
    """Validate an RFM summary frame and return it unchanged.

    Rules: the columns exist and are numeric and finite; frequency is a
    non-negative integer; recency and T are non-negative; recency <= T;
    recency is 0 when frequency is 0 and positive when frequency > 0 (repeat
    purchases happen after the first one); monetary value is positive for
    customers with repeat purchases.

    Parameters
    ----------
    summary
        One row per customer.
    frequency_col, recency_col, T_col, monetary_value_col
        Column names; ``None`` skips the checks that need that column.
    positive_monetary_value
        Require monetary value > 0 for repeat buyers (needed to fit
        Gamma-Gamma; predictions only need >= 0).
    what
        How the frame is named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``summary`` itself (not a copy).

    Notes
    -----
    A valid frame costs a few vectorised passes over views of its columns (no
    copies, no Python per row); only a frame that breaks a rule goes through
    the detailed checks that count and show the rows.
    """
    columns = [c for c in (frequency_col, recency_col, T_col, monetary_value_col) if c]
    frame = require_frame(summary, what, columns)
    if _summary_is_valid(
        frame, frequency_col, recency_col, T_col, monetary_value_col, positive_monetary_value
    ):
        return frame
    problems = Problems(frame, what)
    x = _numeric(problems, frame, frequency_col)
    t_x = _numeric(problems, frame, recency_col) if recency_col else None
    T = _numeric(problems, frame, T_col) if T_col else None
    m = _numeric(problems, frame, monetary_value_col) if monetary_value_col else None

    if x is not None:
        finite = np.isfinite(x)
        problems.add_rows(frequency_col, f"{frequency_col} >= 0", finite & (x < 0), columns)
        problems.add_rows(
            frequency_col,
            f"{frequency_col} is a whole number",
            finite & (x != np.round(x)),
            columns,
        )
    for column, values in ((recency_col, t_x), (T_col, T)):
        if values is not None:
            problems.add_rows(column, f"{column} >= 0", np.isfinite(values) & (values < 0), columns)
    if t_x is not None and T is not None:
        problems.add_rows(recency_col, f"{recency_col} <= {T_col}", t_x > T, columns)
    if x is not None and t_x is not None:
        problems.add_rows(
            recency_col,
            f"{recency_col} == 0 when {frequency_col} == 0",
            (x == 0) & np.isfinite(t_x) & (t_x != 0),
            columns,
        )
        problems.add_rows(
            recency_col,
            f"{recency_col} > 0 when {frequency_col} > 0 (repeat purchases follow the first)",
            (x > 0) & (t_x == 0),
            columns,
        )
    if m is not None and x is not None and positive_monetary_value:
        problems.add_rows(
            monetary_value_col,
            f"{monetary_value_col} > 0 when {frequency_col} > 0",
            (x > 0) & np.isfinite(m) & (m <= 0),
            columns,
        )
    if m is not None:
        problems.add_rows(monetary_value_col, f"{monetary_value_col} >= 0", m < 0, columns)
    problems.raise_if_any()
    return frame
