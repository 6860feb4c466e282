"""Discrete-time "opportunity" data: per customer (x, t_x, n), checked, or built from a log.

The BG/BB's data (:mod:`clvmodels.models.beta_geo_beta_binom`): of n repeat opportunities
(e.g. yearly donation drives) after the acquisition period, the number x with a
transaction and the last such period t_x (0 if none).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clvmodels.data.units import TIME_UNIT_ATTR
from clvmodels.data.validation import Problems, require_frame

__all__ = ["COLUMNS", "check_opportunity_summary", "opportunity_summary"]

#: The columns of an opportunity summary: x, t_x and n.
COLUMNS = ("frequency", "recency", "n_periods")


def check_opportunity_summary(summary: object, what: str = "summary") -> pd.DataFrame:
    """Validate an (x, t_x, n) table and return it unchanged.

    Rules: columns ``frequency``, ``recency``, ``n_periods`` exist and are finite whole
    numbers >= 0; ``frequency <= recency <= n_periods``; ``recency == 0`` exactly when
    ``frequency == 0``.

    Raises
    ------
    DataValidationError
        Listing every rule broken, with the number of rows and an example row.
    """
    frame = require_frame(summary, what, COLUMNS)
    problems = Problems(frame, what)
    arrays = {}
    for column in COLUMNS:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        problems.add_rows(column, f"{column} is a whole number >= 0", bad, COLUMNS)
        arrays[column] = values
    x, t_x, n = (arrays[c] for c in COLUMNS)
    problems.add_rows("recency", "frequency <= recency", x > t_x, COLUMNS)
    problems.add_rows("recency", "recency <= n_periods", t_x > n, COLUMNS)
    problems.add_rows(
        "recency", "recency == 0 exactly when frequency == 0", (x == 0) != (t_x == 0), COLUMNS
    )
    problems.raise_if_any()
    return frame


def opportunity_summary(
    log: pd.DataFrame,
    customer_id_col: str,
    period_col: str,
    n_periods: int,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Turn a log of the periods in which customers transacted into the BG/BB's (x, t_x, n).

    Parameters
    ----------
    log
        One row per (customer, period with a transaction); periods are whole numbers,
        0 for the acquisition (trial) period and 1..``n_periods`` for the repeat
        opportunities. Every customer must appear (with period 0 at least); repeated rows
        for one period count once.
    customer_id_col, period_col
        Column names.
    n_periods
        The number of repeat opportunities observed, n.
    time_unit
        The length of one period (e.g. ``"Y"``), stored in ``attrs["time_unit"]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id with ``frequency`` (periods 1..n with a transaction),
        ``recency`` (the last of them, 0 if none) and ``n_periods``.
    """
    frame = require_frame(log, "log", [customer_id_col, period_col])
    period = pd.to_numeric(frame[period_col], errors="coerce").to_numpy(np.float64)
    problems = Problems(frame, "log")
    problems.add_rows(
        period_col,
        f"{period_col} is a whole number in 0..{n_periods} (0 = the acquisition period)",
        ~np.isfinite(period) | (period < 0) | (period > n_periods) | (period != np.round(period)),
        [customer_id_col, period_col],
    )
    problems.raise_if_any()
    pairs = pd.DataFrame({"id": frame[customer_id_col].to_numpy(), "period": period})
    pairs = pairs.drop_duplicates()
    repeat = pairs[pairs["period"] > 0].groupby("id")["period"]
    ids = pd.Index(pd.unique(pairs["id"]), name=customer_id_col)
    summary = pd.DataFrame(
        {
            "frequency": repeat.size().reindex(ids, fill_value=0).astype(np.int64),
            "recency": repeat.max().reindex(ids, fill_value=0).astype(np.int64),
            "n_periods": np.int64(n_periods),
        },
        index=ids,
    )
    if time_unit is not None:
        summary.attrs[TIME_UNIT_ATTR] = time_unit
    return summary
