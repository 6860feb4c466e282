"""Bundled datasets.

The CDNOW files ship inside this package (``clvmodels/data/*.csv.gz``, read
with :mod:`importlib.resources`), so nothing is downloaded and no other
package's files are read at run time. They are the files distributed with
Fader & Hardie's notes and with the ``lifetimes`` package, re-encoded as
gzip-compressed CSV without changing a value. The retention cohorts are
printed in Fader & Hardie (2007).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from clvmodels.data.summary_frame import as_summary
from clvmodels.data.units import TIME_UNIT_ATTR

__all__ = [
    "load_cdnow_sample_transactions",
    "load_cdnow_summary",
    "load_cdnow_transactions",
    "load_donations",
    "load_retention_cohorts",
]


def _read_bundled_csv(name: str, **kwargs: object) -> pd.DataFrame:
    """Read the gzip-compressed CSV ``name`` that ships in ``clvmodels.data``."""
    with resources.files("clvmodels.data").joinpath(name).open("rb") as handle:
        return pd.read_csv(handle, compression="gzip", **kwargs)


def _transaction_log(name: str, id_columns: list[str]) -> pd.DataFrame:
    dtypes = {column: "int64" for column in id_columns}
    dtypes.update({"date": "str", "quantity": "int64", "spend": "float64"})
    frame = _read_bundled_csv(name, dtype=dtypes)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


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
    return _transaction_log("cdnow_master.csv.gz", ["customer_id"])


def load_cdnow_sample_transactions() -> pd.DataFrame:
    """Load the raw CDNOW sample log: 6,919 transactions of 2,357 customers.

    This is Fader & Hardie's 1/10 systematic sample of the CDNOW master log
    (file ``CDNOW_sample.txt``): the customers who made their first purchase
    in the first 12 weeks of 1997, followed to 30 June 1998. It is the log
    behind the 2,357-customer cohort of Fader, Hardie & Lee (2005): its
    summary at daily resolution in weeks (``rfm_summary(..., freq="D",
    time_unit="W")``) with observation end 1997-09-30 (39 weeks of
    calibration) is :func:`load_cdnow_summary`.

    Returns
    -------
    pandas.DataFrame
        One row per transaction with columns ``customer_id`` (int, 1..2357,
        the cohort id used by :func:`load_cdnow_summary`), ``master_id``
        (int, the customer's id in :func:`load_cdnow_transactions`),
        ``date`` (datetime64, day resolution), ``quantity`` (number of CDs,
        int) and ``spend`` (dollars, float).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
    the easy way: an alternative to the Pareto/NBD model. *Marketing Science*,
    24(2), 275-284.

    Fader, P. S. & Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW:
    a case study. *Interfaces*, 31(3), S94-S107.
    """
    frame = _transaction_log("cdnow_sample.csv.gz", ["master_id", "customer_id"])
    return frame[["customer_id", "master_id", "date", "quantity", "spend"]]


def load_cdnow_summary() -> pd.DataFrame:
    """Load the 2,357-customer CDNOW cohort summary used by Fader, Hardie & Lee (2005).

    The 39-week calibration period (1997-01-01 to 1997-09-30) of
    :func:`load_cdnow_sample_transactions`, as distributed with the paper:
    purchases counted per distinct day, times in weeks (days / 7) rounded
    to two decimals.

    Returns
    -------
    RFMSummary
        A pandas DataFrame indexed by ``customer_id`` with columns ``frequency`` (repeat
        purchases x), ``recency`` (t_x), ``T`` and ``monetary_value`` (mean
        spend of the repeat purchases, 0 when there are none);
        ``attrs["time_unit"] == "W"``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
    the easy way: an alternative to the Pareto/NBD model. *Marketing Science*,
    24(2), 275-284.
    """
    frame = _read_bundled_csv("cdnow_summary.csv.gz", index_col="ID")
    frame = frame.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
    frame.index.name = "customer_id"
    frame = frame[["frequency", "recency", "T", "monetary_value"]]
    return as_summary(frame, **{TIME_UNIT_ATTR: "W"})


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


def load_donations() -> pd.DataFrame:
    """Load the donations table of Fader, Hardie & Shang (2010): 11,104 donors, 6 years.

    The 1995 cohort of first-time supporters of a non-profit organisation, followed over
    the six yearly donation opportunities 1996-2001: one row per distinct history
    (x, t_x, n = 6) with the number of donors who had it. The file is the one distributed
    with the paper's spreadsheet and with the ``lifetimes`` package, re-encoded as
    gzip-compressed CSV without changing a value.

    Returns
    -------
    pandas.DataFrame
        22 rows with columns ``frequency`` (x, years with a donation), ``recency`` (t_x, the
        last of them, 0 if none), ``n_periods`` (6) and ``count`` (donors);
        ``attrs["time_unit"] == "Y"``. Fit with ``weights=frame["count"]``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a
    discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086-1108.
    """
    frame = _read_bundled_csv("donations.csv.gz", dtype="int64")
    frame = frame.rename(columns={"periods": "n_periods", "weights": "count"})
    frame = frame[["frequency", "recency", "n_periods", "count"]]
    frame.attrs[TIME_UNIT_ATTR] = "Y"
    return frame
