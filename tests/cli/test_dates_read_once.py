"""Issue 26 items 1 and 2: --date-format reaches every step; day and month are never guessed.

Every date of the log is on day 1-12, so a dd/mm file also reads month first, to
other days: the wrong reading fits and backtests without an error. Before this change
``fit --date-format %d/%m/%Y --holdout-start ...`` on such a file exited 0 with a
backtest that differed from the ISO reference (the holdout split read the dates
month first); the reference here is the same log with ISO dates.
"""

import json

COLUMNS = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]


def test_date_format_reaches_the_summary_split_and_backtest(
    reference, early_days_log, cli, log_file, same_table, tmp_path
):
    ref_out, _ = reference
    source = log_file(early_days_log, tmp_path / "dmy.csv", "%d/%m/%Y")
    # The holdout start in the file's own layout: 1 October 1997 (the reference's).
    arguments = ["fit", source, *COLUMNS, "--date-format", "%d/%m/%Y"]
    result = cli(*arguments, "--holdout-start", "01/10/1997", "--out", "out", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = tmp_path / "out"
    written = sorted(p.name for p in out.iterdir())
    backtest = [name for name in written if name.startswith("table_backtest")]
    assert {"run.json", "scores.csv", "bgnbd.json", "report.html"} <= set(written)
    assert len(backtest) >= 2, written
    for name in backtest + ["scores.csv", "table_overview.csv"]:
        same_table(out / name, ref_out / name)
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["holdout_start"] == "1997-10-01" and settings["date_format"] == "%d/%m/%Y"


def test_ambiguous_dates_are_refused_with_two_examples_and_the_option(
    early_days_log, cli, log_file, tmp_path
):
    source = log_file(early_days_log, tmp_path / "dmy.csv", "%d/%m/%Y")
    result = cli("fit", source.name, *COLUMNS, "--out", "out", cwd=tmp_path)
    assert result.returncode == 3 and result.stdout == ""
    line = result.stderr.splitlines()[0]
    assert line.startswith("clvmodels: error: invalid dmy.csv: column 'day': its dates read both")
    assert "e.g. '02/08/1997' and '11/01/1997'" in line  # the file's first two such values
    assert "give --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y" in line
    assert "--debug" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dmy.csv"]  # nothing written


def test_a_date_option_that_reads_both_ways_is_refused_iso_is_not(reference, cli, tmp_path):
    _, source = reference
    result = cli("fit", source, *COLUMNS, "--holdout-start", "09/10/1997", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    line = result.stderr.splitlines()[0]
    assert line.startswith("clvmodels fit: error: Invalid value for '--holdout-start'")
    assert "'09/10/1997' could be 09 October 1997 (day first) or 10 September 1997" in line
    assert "write it as YYYY-MM-DD" in line
    assert list(tmp_path.iterdir()) == []
    # A day that reads one way only is read so, and said back in ISO in run.json.
    result = cli(
        "fit", source, *COLUMNS, "--holdout-start", "13/10/1997", "--out", "o", "-q", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads((tmp_path / "o" / "run.json").read_text())["settings"]
    assert settings["holdout_start"] == "1997-10-13"
