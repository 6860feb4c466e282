"""The rules behind the command's reading, in process: dialects, amounts, ids, dates.

Expected values are written by hand from the files' text.
"""

import gzip

import pandas as pd
import pytest

from clvmodels.cli.columns import amounts_as_numbers, id_collisions, ids_as_numbers
from clvmodels.cli.dialect import sniff_dialect
from clvmodels.cli.inputs import InputError, read_log_file
from clvmodels.data.dates import day_month_ambiguity, parse_date_column, readable_format
from clvmodels.exceptions import DataValidationError


@pytest.mark.parametrize(
    ("text", "sep", "decimal"),
    [
        ("id,day,amount\n1,2024-01-01,12.5\n2,2024-01-02,3\n", ",", "."),
        ("id;day;amount\n1;2024-01-01;12,5\n2;2024-01-02;3\n", ";", ","),
        ("id|day|amount\n1|2024-01-01|12.5\n", "|", "."),
        ("id\tday\tamount\n1\t09.10.2024\t1.234,50\n", "\t", ","),
        # 1,234 could be a thousand or one and a bit: not a reason for a decimal comma
        ('id,day,amount\n1,2024-01-01,"1,234"\n', ",", "."),
        # a decimal point elsewhere rules the decimal comma out
        ("id;day;amount;rate\n1;2024-01-01;12,5;0.25\n", ";", "."),
        ("id;day\n1;2024-01-01\n", ";", "."),
    ],
)
def test_dialect_is_detected(text, sep, decimal, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(text)
    dialect = sniff_dialect(path)
    assert (dialect.sep, dialect.decimal) == (sep, decimal)
    assert dialect.sep_detected


def test_a_gzipped_file_is_sniffed_and_given_options_win(tmp_path):
    path = tmp_path / "log.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("id;day;amount\n1;2024-01-01;12,5\n")
    assert sniff_dialect(path).sep == ";"
    given = sniff_dialect(path, sep="|", decimal=".")
    assert (given.sep, given.decimal, given.sep_detected, given.decimal_detected) == (
        "|",
        ".",
        False,
        False,
    )
    assert given.describe() == "'|'-separated, decimal point (as given)"


def test_rows_are_labelled_by_file_line(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("id,day\n1,2024-01-01\n\n2,2024-01-02\n")
    frame, dialect = read_log_file(path, ["id"])
    assert frame.index.tolist() == [2, 4] and frame.index.name == "line"
    assert frame["id"].tolist() == ["1", "2"] and dialect.is_plain


def test_amounts_with_decimal_commas_and_thousands():
    values = pd.Series(["1.234,50", "12,5", "3", "", None, "1.000.000"], name="amount")
    numbers = amounts_as_numbers(values, ",")
    assert numbers.tolist()[:3] == [1234.5, 12.5, 3.0]
    assert numbers.isna().tolist() == [False, False, False, True, True, False]
    assert numbers.iloc[5] == 1_000_000.0


def test_id_collisions_group_numbers_written_differently():
    ids = pd.Series(["2", "2.0", "02", "10", "1e1", "A7", "7"])
    assert id_collisions(ids) == ([["02", "2", "2.0"], ["10", "1e1"]], 2)
    assert id_collisions(pd.Series(["A1", "B2"])) == ([], 0)
    merged = ids_as_numbers(pd.Series(["2", "2.0", "02"], name="customer"), "--customer-col")
    assert merged.tolist() == [2, 2, 2] and merged.dtype == "int64"
    with pytest.raises(InputError, match=r"e\.g\. row 1: 'A7'; read them as text"):
        ids_as_numbers(pd.Series(["2", "A7"], name="customer"), "--customer-col")


def test_day_month_ambiguity_needs_every_value_to_read_both_ways():
    assert day_month_ambiguity(["01/02/2024", "03/04/2024"]).examples == (
        "01/02/2024",
        "03/04/2024",
    )
    assert day_month_ambiguity(["01/02/2024", "13/04/2024"]) is None  # day first only
    assert day_month_ambiguity(["01/01/2024", "02/02/2024"]) is None  # same days both ways
    assert day_month_ambiguity(["2024-01-02", "2024-03-04"]) is None  # ISO
    assert day_month_ambiguity(["9 Oct 2024"]) is None
    assert readable_format(["01/02/2024", "13/04/2024"]) == "%d/%m/%Y"


def test_parse_date_column_keeps_zones_in_utc_and_refuses_ambiguity():
    log = pd.DataFrame({"day": ["2024-01-01T10:00+01:00", "2024-01-02T10:00+01:00"]})
    parsed = parse_date_column(log, "day")
    assert str(parsed["day"].dt.tz) == "UTC" and parsed["day"].iloc[0].hour == 9
    with pytest.raises(DataValidationError, match="datetime_format='%d/%m/%Y' \\(day first\\)"):
        parse_date_column(pd.DataFrame({"day": ["01/02/2024", "03/04/2024"]}), "day")
