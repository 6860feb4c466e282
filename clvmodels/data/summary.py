"""Transaction log -> per-customer RFM summary, and calibration/holdout splits.

Conventions (the same as ``lifetimes.utils.summary_data_from_transaction_data``,
so the two agree row for row):

- purchases are counted at the resolution ``freq`` (``"D"``, ``"W"``,
  ``"M"``...): several purchases in one period count as one purchase whose
  spend is their sum;
- ``frequency`` is the number of periods with a purchase after the first one
  (with ``include_first_transaction=True``, all of them: lifetimes' option of that name);
- ``recency`` is the time from the first to the last purchase period;
- ``T`` is the time from the first purchase period to the end of observation;
- both times are expressed in ``time_unit`` (default ``freq``): with
  ``freq="D", time_unit="W"`` they are days / 7 (lifetimes:
  ``freq="D", freq_multiplier=7``);
- ``monetary_value`` is the mean spend of the repeat periods (0 when there
  are none; of all periods with ``include_first_transaction=True``);
- the summary is taken as of ``observation_period_end``: later transactions
  are left out (as in lifetimes) and counted in ``attrs``.

Each log goes to the engine that :func:`clvmodels.data.engines.registry.engine_for`
picks (pandas for a DataFrame, DuckDB for files and relations, Spark for a Spark
DataFrame), with one :class:`~clvmodels.data.engines.spec.SummarySpec`. The result is an
:class:`~clvmodels.data.summary_frame.RFMSummary` whose time unit, resolution and end
survive joins (``summary.clv.time_unit``).
"""

from __future__ import annotations

from typing import Any

from clvmodels.data.engines.pandas_engine import purchase_periods
from clvmodels.data.engines.registry import engine_for
from clvmodels.data.engines.spec import SummarySpec, summary_units

__all__ = ["calibration_holdout_split", "purchase_periods", "rfm_summary", "summary_units"]


def rfm_summary(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    observation_period_end: object = None,
    freq: str = "D",
    datetime_format: str | None = None,
    time_unit: str | None = None,
    include_first_transaction: bool = False,
) -> Any:
    """Summarise a transaction log into frequency, recency, T (and monetary value).

    Parameters
    ----------
    transactions
        One row per transaction: a pandas DataFrame; a path, glob or list of
        CSV or Parquet files, or a DuckDB relation (summarised inside DuckDB,
        out of core); or a Spark DataFrame (summarised by Spark SQL). Every
        engine runs the same definitions (:mod:`clvmodels.data.engines`).
    customer_id_col, datetime_col
        Columns holding the customer id and the transaction date: datetimes
        or date strings that ``pandas.to_datetime`` parses (with
        ``datetime_format``). Numbers (``19970101``, epoch seconds) are
        refused: convert them first. Dates with a time zone are compared in
        UTC; a mix of dates with and without a zone is refused.
    monetary_value_col
        Optional column with the spend of each transaction (>= 0).
    observation_period_end
        End of observation (inclusive, a whole day); defaults to the last
        transaction date. The summary is taken as of that day: later
        transactions are left out and counted in
        ``attrs["transactions_after_end"]``; customers whose first purchase
        is later are not in the summary.
    freq
        Resolution at which purchases are counted: several purchases in one
        period of ``freq`` are one purchase. ``"D"`` (distinct days),
        ``"W"`` (calendar weeks ending on Sunday; ``"W-MON"`` ...
        ``"W-SUN"`` choose the day weeks end on), ``"M"``, ``"Q"`` or ``"Y"``.
    datetime_format
        ``strftime`` format of date strings, passed to ``pandas.to_datetime``.
    time_unit
        Unit in which recency and T are expressed; defaults to ``freq``.
        ``freq="D", time_unit="W"`` counts distinct days and measures time
        in weeks of 7 days (days / 7), the convention of Fader, Hardie & Lee
        (2005) and CLVTools. With ``freq`` in months, quarters or years,
        ``time_unit`` must be the same unit (their lengths vary).
    include_first_transaction
        Count the first purchase period in ``frequency`` and in ``monetary_value``
        (``lifetimes``' option of the same name), for descriptive tables and spend
        models that want every purchase. Do not fit the purchase models on it: their
        frequency counts repeat purchases (here a one-time buyer has frequency 1 and
        recency 0, which their ``fit`` refuses). ``attrs["include_first_transaction"]``
        records it.

    Returns
    -------
    RFMSummary
        For a Spark input, a Spark DataFrame with the customer id column and
        the same summary columns (no ``attrs``: the unit is given again when
        scoring it). Otherwise a pandas DataFrame (:class:`~clvmodels.data.RFMSummary`,
        whose facts survive joins; read them as ``summary.clv.time_unit``...)
        indexed by customer id (sorted), columns ``frequency`` (int),
        ``recency``, ``T`` and, with ``monetary_value_col``,
        ``monetary_value``. ``attrs`` holds ``time_unit``, ``freq``,
        ``observation_period_end``, ``transactions_after_end`` and, for a
        log with time zones, ``time_zone`` (``"UTC"``).

    Raises
    ------
    TypeError
        ``transactions`` is not a DataFrame, paths, a DuckDB relation or a
        Spark DataFrame (no registered engine accepts it).
    ValueError
        ``freq`` or ``time_unit`` is not a supported unit, or they cannot be
        combined.
    DataValidationError
        Missing columns, an empty log, missing ids, dates that are numbers,
        unparseable or in mixed time zones, spend that is not finite or is
        negative, no transaction on or before the end.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research*, 42(4), 415-430.
    """
    spec = SummarySpec.of(
        customer_id_col,
        datetime_col,
        monetary_value_col,
        observation_period_end,
        freq,
        datetime_format,
        time_unit,
        include_first_transaction,
    )
    return engine_for(transactions).summarise(transactions, spec)


def calibration_holdout_split(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: object,
    observation_period_end: object = None,
    monetary_value_col: str | None = None,
    freq: str = "D",
    datetime_format: str | None = None,
    time_unit: str | None = None,
    include_first_transaction: bool = False,
) -> Any:
    """Summarise the calibration period and count what each customer did afterwards.

    Customers are those with a purchase on or before ``calibration_period_end``;
    customers first seen in the holdout period are not part of the split.

    Parameters
    ----------
    transactions, customer_id_col, datetime_col, monetary_value_col, freq, datetime_format
        As in :func:`rfm_summary`.
    calibration_period_end
        Last day (inclusive) of the calibration period.
    observation_period_end
        Last day of the holdout period; defaults to the last transaction date.
        Later transactions are left out, as in :func:`rfm_summary`.
    time_unit
        Unit of recency, T and ``duration_holdout``; defaults to ``freq``.
    include_first_transaction
        As in :func:`rfm_summary`, for the calibration columns (the holdout has no
        first purchase to leave out).

    Returns
    -------
    pandas.DataFrame
        (A Spark DataFrame with the customer id column for a Spark input.)
        The calibration summary (``frequency``, ``recency``, ``T`` [,
        ``monetary_value``], so models fit on it directly) plus
        ``frequency_holdout`` (periods of ``freq`` with a purchase in the
        holdout), ``duration_holdout`` (holdout length in ``time_unit``) and,
        with spend, ``monetary_value_holdout`` (mean spend per holdout period
        with a purchase, 0 when none; lifetimes averages raw transactions
        instead). ``attrs`` holds ``time_unit``, ``freq``,
        ``calibration_period_end``, ``observation_period_end`` and
        ``transactions_after_end``.
    """
    spec = SummarySpec.of(
        customer_id_col,
        datetime_col,
        monetary_value_col,
        observation_period_end,
        freq,
        datetime_format,
        time_unit,
        include_first_transaction,
    )
    return engine_for(transactions).split(transactions, spec, calibration_period_end)
