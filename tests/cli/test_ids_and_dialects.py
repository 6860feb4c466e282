"""Issue 26 items 5 and 7: ids are text and collisions are named; CSV dialects are detected.

The reference is ``fit`` on the same purchases in a plain CSV file with ISO dates
(the per-customer scores do not depend on the holdout).
"""

import json

import pandas as pd

COLUMNS = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]


def _ids_written_two_ways(log: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The log with one purchase of two repeat buyers written '2.0'-style and '07'-style."""
    counts = log["customer"].value_counts()
    first, second = sorted(counts[counts >= 2].index)[:2]
    ids = log["customer"].astype(str)
    ids[ids.index[log["customer"] == first][-1]] = f"{first}.0"
    ids[ids.index[log["customer"] == second][-1]] = f"0{second}"
    return log.assign(customer=ids), [f"'{first}' and '{first}.0'", f"'0{second}' and '{second}'"]


def test_ids_differing_only_as_numbers_are_kept_apart_and_named(
    reference, early_days_log, cli, log_file, same_table, tmp_path
):
    ref_out, _ = reference
    log, pairs = _ids_written_two_ways(early_days_log)
    log_file(log, tmp_path / "ids.csv")
    result = cli("fit", "ids.csv", *COLUMNS, "--out", "text", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = result.stderr.splitlines()[0]
    assert line.startswith("clvmodels: warning: ids.csv: 2 customer id(s) are written as ")
    assert f"({pairs[0]}, {pairs[1]})" in line and "give --id-type number" in line
    scores = pd.read_csv(tmp_path / "text" / "scores.csv", dtype={"customer": str})
    assert len(scores) == early_days_log["customer"].nunique() + 2  # as written: 2 more
    recorded = json.loads((tmp_path / "text" / "run.json").read_text())["input"]
    assert recorded["id_type"] == "text" and len(recorded["warnings"]) == 1

    # Read as numbers, they are the reference's customers and scores.
    result = cli(
        "fit", "ids.csv", *COLUMNS, "--id-type", "number", "--out", "n", "-q", cwd=tmp_path
    )
    assert result.returncode == 0 and result.stderr == ""
    same_table(tmp_path / "n" / "scores.csv", ref_out / "scores.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids.csv", "n", "text"]


def test_semicolons_and_decimal_commas_are_detected_and_said(
    reference, early_days_log, cli, log_file, same_table, tmp_path
):
    ref_out, _ = reference
    log_file(early_days_log, tmp_path / "semi.csv", sep=";", decimal=",")
    assert "29,33" in (tmp_path / "semi.csv").read_text()  # CDNOW's first purchase
    result = cli("fit", "semi.csv", *COLUMNS, "--out", "out", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "clvmodels: read semi.csv: ';'-separated, decimal comma "
        "(both detected; --sep and --decimal to change)"
    )
    same_table(tmp_path / "out" / "scores.csv", ref_out / "scores.csv")
    printed = json.loads(result.stdout)["input"]
    recorded = json.loads((tmp_path / "out" / "run.json").read_text())["input"]
    assert printed == recorded
    assert (recorded["sep"], recorded["decimal"]) == (";", ",")
    assert recorded["detected"] == ["sep", "decimal"]


def test_tab_separated_file_is_detected(
    reference, early_days_log, cli, log_file, same_table, tmp_path
):
    ref_out, _ = reference
    log_file(early_days_log, tmp_path / "sales.tsv", sep="\t")
    result = cli("fit", "sales.tsv", *COLUMNS, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "clvmodels: read sales.tsv: tab-separated, decimal point (separator detected; --sep to "
        "change)"
    )
    same_table(tmp_path / "out" / "scores.csv", ref_out / "scores.csv")


def test_a_wrong_sep_names_the_option(early_days_log, cli, log_file, tmp_path):
    log_file(early_days_log, tmp_path / "semi.csv", sep=";", decimal=",")
    result = cli("fit", "semi.csv", *COLUMNS, "--sep", ",", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("clvmodels: error: --customer-col 'customer' is not a column of semi")
    assert line.endswith(
        "its columns are 'customer;day;amount'); the file was read as one column: name its "
        "separator with --sep"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["semi.csv"]
