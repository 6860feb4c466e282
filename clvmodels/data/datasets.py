"""Bundled datasets.

The CDNOW files are the ones the ``lifetimes`` package ships (a runtime
dependency), so nothing is downloaded. The retention cohorts are printed in
Fader & Hardie (2007).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from clvmodels.data.units import TIME_UNIT_ATTR

__all__ = [
    "load_cdnow_summary",
    "load_cdnow_transactions",
    "load_retention_cohorts",
]


def _lifetimes_data_dir() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "the CDNOW datasets are read from the files of the 'lifetimes' package; "
            "install it with `pip install lifetimes`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "datasets"


def load_cdnow_transactions() -> pd.DataFrame:
    """Load the full CDNOW master transaction log (69,659 rows, 23,570 customers).

    Customers first purchased in the first quarter of 1997; the log runs to
    30 June 1998.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (int), ``date`` (datetime64), ``quantity``
        (number of CDs, int) and ``spend`` (dollars, float), one row per
        transaction.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
    the easy way: an alternative to the Pareto/NBD model. *Marketing Science*,
    24(2), 275-284.
    """
    frame = pd.read_csv(
        _lifetimes_data_dir() / "CDNOW_master.txt",
        sep=r"\s+",
        skiprows=1,
        header=None,
        names=["customer_id", "date", "quantity", "spend"],
        dtype={"customer_id": "int64", "date": "str", "quantity": "int64", "spend": "float64"},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def load_cdnow_summary() -> pd.DataFrame:
    """Load the 2,357-customer CDNOW cohort summary used by Fader, Hardie & Lee (2005).

    Times are in weeks (days / 7) up to the end of week 78 (30 June 1998).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` with columns ``frequency`` (repeat
        purchases x), ``recency`` (t_x), ``T`` and ``monetary_value`` (mean
        spend of the repeat purchases, 0 when there are none);
        ``attrs["time_unit"] == "W"``.
    """
    frame = pd.read_csv(
        _lifetimes_data_dir() / "cdnow_customers_summary_with_transactions.csv",
        index_col="ID",
    )
    frame = frame.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    frame.index.name = "customer_id"
    frame = frame[["frequency", "recency", "T", "monetary_value"]]
    frame.attrs[TIME_UNIT_ATTR] = "W"
    return frame


# Customers still active at the start of years 0..7 out of 1000 acquired:
# Fader & Hardie (2007), Table 1 / Figure 1.
_REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
_HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


def load_retention_cohorts() -> pd.DataFrame:
    """Load the two retention cohorts of Fader & Hardie (2007).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``year`` (0..7) with columns ``regular`` and ``high_end``:
        the number of customers (out of 1000 acquired at year 0) who are still
        customers at the start of each year; ``attrs["time_unit"] == "Y"``.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76-90.
    """
    frame = pd.DataFrame(
        {"regular": _REGULAR, "high_end": _HIGH_END},
        index=pd.RangeIndex(len(_REGULAR), name="year"),
    )
    frame.attrs[TIME_UNIT_ATTR] = "Y"
    return frame
