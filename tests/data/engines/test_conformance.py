"""Every engine gives the pandas path's summary on the same logs, to the last digit.

The pandas path itself is checked against lifetimes and hand-computed values
(tests/data/test_summary.py); here the logs are chosen so that each rule of
the shared SQL (clvmodels/data/engines/spec.py) is exercised: several
purchases in one period, single purchases, a purchase on the end day, rows
after the end, time zones, weeks anchored on other days, months, and days
counted but expressed in weeks. Spend values are binary fractions, so sums are
exact whatever the order and the frames are compared exactly.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data import rfm_sufficient_statistics
from clvmodels.exceptions import DataValidationError

from .conftest import as_pandas_summary, to_engine

DUCKDB = ["duckdb-parquet", "duckdb-csv", "duckdb-relation"]
ENGINES = [*DUCKDB, "spark"]
UNITS = [
    ("D", None),
    ("D", "W"),
    ("D", "h"),
    ("W", None),
    ("W", "h"),
    ("W-MON", None),
    ("M", None),
    ("Q", None),
]
# Each Spark job costs about a second in local mode: Spark runs the units whose SQL differs
# (and hours, issue 25, whose scale of 1 / (1/24) each engine writes as a double).
SPARK_UNITS = [("D", "W"), ("D", "h"), ("W-MON", None), ("M", None)]
SUMMARY_CASES = [(e, *u) for e in DUCKDB for u in UNITS] + [("spark", *u) for u in SPARK_UNITS]


def _needs(engine):
    if engine.startswith("duckdb"):
        pytest.importorskip(
            "duckdb", reason="duckdb not installed: pip install 'clvmodels[duckdb]'"
        )


@pytest.fixture
def engine_input(request, tmp_path):
    """A function turning a pandas log into the input of the engine under test."""

    def convert(log, engine):
        _needs(engine)
        session = request.getfixturevalue("spark") if engine == "spark" else None
        return to_engine(log, engine, tmp_path, session)

    return convert


def edge_log() -> pd.DataFrame:
    rows = [
        # Customer 1: two purchases on one day (one period, spend 3 + 5), then two more.
        (1, "2024-01-01 09:00", 3.0),
        (1, "2024-01-01 17:30", 5.0),
        (1, "2024-01-03 12:00", 4.0),
        (1, "2024-02-05 08:00", 6.5),
        # Customer 2: a single purchase.
        (2, "2024-01-10 10:00", 9.25),
        # Customer 3: a purchase late on the observation end day (kept).
        (3, "2024-01-07 00:00", 2.0),
        (3, "2024-03-31 23:59", 1.5),
        # Customer 4: one purchase after the end (left out, counted in attrs).
        (4, "2024-01-31 12:00", 7.0),
        (4, "2024-02-29 12:00", 8.0),
        (4, "2024-04-02 12:00", 100.0),
        # Customer 5: first seen after the end (not in the summary).
        (5, "2024-04-05 12:00", 11.0),
        # Customer 6: purchases on a Sunday and the next Monday (one W week, two W-MON weeks).
        (6, "2024-01-14 10:00", 1.25),
        (6, "2024-01-15 10:00", 2.75),
        (6, "2024-03-17 10:00", 0.5),
    ]
    log = pd.DataFrame(rows, columns=["customer", "when", "spend"])
    log["when"] = pd.to_datetime(log["when"])
    return log


def zoned_log() -> pd.DataFrame:
    """Instants in two zones: local days differ from UTC days, which are what count."""
    rows = [
        # 23:30 in New York on Jan 1 is Jan 2 04:30 UTC: same UTC day as the next row.
        (1, "2024-01-01 23:30:00-05:00", 2.0),
        (1, "2024-01-02 06:00:00+00:00", 3.0),
        # 00:30 in Tokyo on Jan 9 is Jan 8 15:30 UTC.
        (1, "2024-01-09 00:30:00+09:00", 4.0),
        (2, "2024-01-05 12:00:00+01:00", 8.0),
        (2, "2024-01-31 23:00:00-02:00", 6.0),  # Feb 1 01:00 UTC: after a Jan 31 end
    ]
    log = pd.DataFrame(rows, columns=["customer", "when", "spend"])
    log["when"] = pd.to_datetime(log["when"], utc=True).dt.tz_convert("America/New_York")
    return log


def _assert_same(ours, reference, customer_id_col):
    ours = as_pandas_summary(ours, customer_id_col)
    pd.testing.assert_frame_equal(
        ours,
        reference,
        check_exact=True,
        check_index_type=False,
        check_names=True,
        check_frame_type=False,  # a collected Spark summary is a plain DataFrame
    )
    if ours.attrs:  # a Spark summary has none
        assert ours.attrs == reference.attrs


@pytest.mark.parametrize(("engine", "freq", "time_unit"), SUMMARY_CASES)
def test_summary_matches_pandas_on_edge_cases(engine_input, engine, freq, time_unit):
    log = edge_log()
    args = ("customer", "when", "spend", "2024-03-31")
    reference = clv.rfm_summary(log, *args, freq=freq, time_unit=time_unit)
    assert reference.attrs["transactions_after_end"] == 2
    ours = clv.rfm_summary(engine_input(log, engine), *args, freq=freq, time_unit=time_unit)
    _assert_same(ours, reference, "customer")


def test_edge_log_by_hand(engine_input):
    # The definitions by hand (days, in weeks of 7 days), for the DuckDB engine and so
    # for every engine that matches it. Customer 1: days Jan 1 (3+5), Jan 3, Feb 5 ->
    # x = 2, t_x = 35 days, T = 90 days (to Mar 31), repeat spend (4 + 6.5) / 2.
    log = edge_log()
    s = clv.rfm_summary(
        engine_input(log, "duckdb-parquet"),
        "customer",
        "when",
        "spend",
        "2024-03-31",
        time_unit="W",
    )
    assert s.loc[1].tolist() == [2, 35 / 7, 90 / 7, 5.25]
    assert s.loc[2].tolist() == [0, 0.0, 81 / 7, 0.0]
    assert s.loc[3].tolist() == [1, 84 / 7, 84 / 7, 1.5]
    assert s.loc[4].tolist() == [1, 29 / 7, 60 / 7, 8.0]
    assert 5 not in s.index
    assert s.attrs["transactions_after_end"] == 2
    assert s.attrs["time_unit"] == "W" and s.attrs["freq"] == "D"


@pytest.mark.parametrize(
    ("engine", "freq", "time_unit"),
    [(e, *u) for e in DUCKDB for u in [("D", None), ("D", "W"), ("D", "h"), ("W", None)]]
    + [("spark", "D", "W"), ("spark", "D", "h")],
)
def test_split_matches_pandas(engine_input, engine, freq, time_unit):
    log = edge_log()
    args = ("customer", "when", "2024-02-10", "2024-03-31", "spend")
    reference = clv.calibration_holdout_split(log, *args, freq=freq, time_unit=time_unit)
    ours = clv.calibration_holdout_split(
        engine_input(log, engine), *args, freq=freq, time_unit=time_unit
    )
    _assert_same(ours, reference, "customer")


@pytest.mark.parametrize("engine", ENGINES)
def test_include_first_transaction_matches_pandas(engine_input, engine):
    """lifetimes' option: the first purchase period counts in frequency and mean spend.

    The pandas path is checked against lifetimes (tests/data/test_summary.py); by hand,
    customer 1 has 3 purchase days with spend 8, 4 and 6.5: frequency 3, mean 18.5 / 3.
    """
    log = edge_log()
    source = engine_input(log, engine)
    args = ("customer", "when", "spend", "2024-03-31")
    reference = clv.rfm_summary(log, *args, time_unit="W", include_first_transaction=True)
    assert reference.loc[1, "frequency"] == 3
    assert reference.loc[1, "monetary_value"] == 18.5 / 3
    ours = clv.rfm_summary(source, *args, time_unit="W", include_first_transaction=True)
    _assert_same(ours, reference, "customer")
    split = ("customer", "when", "2024-02-10", "2024-03-31", "spend")
    reference = clv.calibration_holdout_split(log, *split, include_first_transaction=True)
    ours = clv.calibration_holdout_split(source, *split, include_first_transaction=True)
    _assert_same(ours, reference, "customer")


@pytest.mark.parametrize(
    ("engine", "end"),
    [(e, "2024-01-31") for e in DUCKDB] + [(e, "2024-01-31T00:00:00+00:00") for e in ENGINES],
)
def test_time_zones_are_compared_in_utc(engine_input, engine, end):
    log = zoned_log()
    reference = clv.rfm_summary(log, "customer", "when", "spend", end)
    # By hand: customer 1 buys on UTC days Jan 2 (2 + 3) and Jan 8 -> x = 1, t_x = 6;
    # customer 2's second purchase is on Feb 1 in UTC, after the end.
    assert reference.loc[1].tolist() == [1, 6.0, 29.0, 4.0]
    assert reference.attrs["transactions_after_end"] == 1
    ours = clv.rfm_summary(engine_input(log, engine), "customer", "when", "spend", end)
    _assert_same(ours, reference, "customer")


@pytest.mark.parametrize("engine", ENGINES)
def test_string_ids_and_no_spend(engine_input, engine):
    log = edge_log().assign(customer=lambda f: "c" + f["customer"].astype(str))
    reference = clv.rfm_summary(log, "customer", "when", freq="D", time_unit="W")
    ours = clv.rfm_summary(engine_input(log, engine), "customer", "when", freq="D", time_unit="W")
    _assert_same(ours, reference, "customer")


@pytest.mark.parametrize("engine", ["pandas", *ENGINES])
def test_sufficient_statistics_are_the_summary_counted(engine_input, engine):
    log = edge_log()
    stats = rfm_sufficient_statistics(
        engine_input(log, engine) if engine != "pandas" else log,
        "customer",
        "when",
        "2024-03-31",
        freq="D",
        time_unit="W",
    )
    summary = clv.rfm_summary(log, "customer", "when", None, "2024-03-31", time_unit="W")
    expected = summary.value_counts(["frequency", "recency", "T"]).sort_index()
    got = stats.set_index(["frequency", "recency", "T"])["n_customers"]
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert stats.attrs["n_customers"] == len(summary) == 5
    assert stats.attrs["time_unit"] == "W"


@pytest.mark.parametrize("engine", ["duckdb-parquet", "duckdb-csv"])
def test_cdnow_matches_pandas(engine_input, engine, cdnow_transactions):
    # 69,659 real transactions; spend sums in another order may differ in the last bits.
    args = ("customer_id", "date", "1997-09-30", "1998-06-30", "spend")
    reference = clv.calibration_holdout_split(cdnow_transactions, *args, freq="D", time_unit="W")
    ours = as_pandas_summary(
        clv.calibration_holdout_split(
            engine_input(cdnow_transactions, engine), *args, freq="D", time_unit="W"
        ),
        "customer_id",
    )
    exact = [c for c in reference.columns if not c.startswith("monetary")]
    pd.testing.assert_frame_equal(
        ours[exact],
        reference[exact],
        check_exact=True,
        check_index_type=False,
        check_frame_type=False,
    )
    for column in ["monetary_value", "monetary_value_holdout"]:
        np.testing.assert_allclose(ours[column], reference[column], rtol=1e-12, atol=0)


@pytest.mark.parametrize("engine", ["duckdb-parquet", "duckdb-csv", "spark"])
def test_invalid_logs_are_refused_naming_column_rule_and_row(engine_input, engine):
    log = edge_log()
    log.loc[2, "spend"] = -1.0
    log.loc[4, "customer"] = None
    log["customer"] = log["customer"].astype("Int64")
    with pytest.raises(DataValidationError) as err:
        clv.rfm_summary(engine_input(log, engine), "customer", "when", "spend")
    message = str(err.value)
    assert "column 'spend': 1 of 14 rows break the rule 'spend >= 0" in message
    assert "column 'customer': 1 of 14 rows break the rule 'customer is not missing'" in message
    assert "spend=-1.0" in message


@pytest.mark.parametrize("engine", ["duckdb-parquet", "spark"])
def test_numeric_dates_are_refused(engine_input, engine):
    log = pd.DataFrame({"customer": [1, 2], "when": [19970101, 19970102]})
    with pytest.raises(DataValidationError, match="holds numbers"):
        clv.rfm_summary(engine_input(log, engine), "customer", "when")


def test_unknown_file_kind_is_refused(tmp_path):
    with pytest.raises(ValueError, match="CSV files .* or of Parquet files"):
        clv.rfm_summary(str(tmp_path / "log.json"), "customer", "when")


def _text_log():
    return pd.DataFrame(
        {
            "customer": [1, 1, 1, 2],
            "when": [
                "05/01/2024 10:00",
                "05/01/2024 18:00",
                "20/01/2024 09:00",
                "13/01/2024 12:00",
            ],
            "spend": [1.0, 2.0, 4.0, 8.0],
        }
    )


@pytest.mark.parametrize("engine", ["duckdb-csv", "duckdb-relation"])
def test_datetime_format_reads_text_dates(engine_input, engine):
    log = _text_log()
    args = ("customer", "when", "spend", "2024-01-31")
    reference = clv.rfm_summary(log, *args, datetime_format="%d/%m/%Y %H:%M")
    assert reference.loc[1].tolist() == [1, 15.0, 26.0, 4.0]  # Jan 5 (1 + 2), Jan 20
    ours = clv.rfm_summary(engine_input(log, engine), *args, datetime_format="%d/%m/%Y %H:%M")
    _assert_same(ours, reference, "customer")


@pytest.mark.parametrize("engine", ["duckdb-csv", "duckdb-relation"])
def test_text_dates_that_are_not_iso_need_a_format(engine_input, engine):
    with pytest.raises(DataValidationError, match="4 of 4 rows break the rule 'when is a parse"):
        clv.rfm_summary(engine_input(_text_log(), engine), "customer", "when")


@pytest.mark.parametrize("engine", ["duckdb-csv", "duckdb-relation", "spark"])
def test_text_dates_mixing_zones_and_no_zones_are_refused(engine_input, engine):
    log = pd.DataFrame(
        {"customer": [1, 2, 3], "when": ["2024-01-01 10:00+01:00", "2024-01-02", "2024-01-03"]}
    )
    with pytest.raises(DataValidationError, match="1 of 3 rows break the rule 'when values all"):
        clv.rfm_summary(engine_input(log, engine), "customer", "when")


def test_spark_timestamps_are_dayed_in_utc_whatever_the_session_zone(spark):
    # Spark TIMESTAMP values are instants; with the session in Tokyo, 2024-01-08 15:30 UTC
    # displays as Jan 9, but the summary counts UTC days, as the pandas path does.
    log = zoned_log()
    frame = spark.createDataFrame(log)
    reference = clv.rfm_summary(log, "customer", "when", "spend", "2024-01-31")
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Asia/Tokyo")
    try:
        ours = as_pandas_summary(
            clv.rfm_summary(frame, "customer", "when", "spend", "2024-01-31"), "customer"
        )
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    _assert_same(ours, reference, "customer")


@pytest.mark.parametrize("engine", ["duckdb-relation", "spark"])
@pytest.mark.parametrize("make_log", [edge_log, zoned_log])
def test_iso_text_dates_match_pandas(engine_input, engine, make_log):
    # The dates as ISO 8601 text ("2024-01-01 09:00:00", "2024-01-01 23:30:00-05:00").
    log = make_log()
    log["when"] = log["when"].astype(str)
    assert isinstance(log["when"].iloc[0], str)
    reference = clv.rfm_summary(log, "customer", "when", "spend", "2024-01-31", time_unit="W")
    ours = clv.rfm_summary(
        engine_input(log, engine), "customer", "when", "spend", "2024-01-31", time_unit="W"
    )
    _assert_same(ours, reference, "customer")
