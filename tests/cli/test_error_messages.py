"""Issue 26 item 9: data errors name file lines, the user's options and the fix.

Each case is a small file written here and the command run as a user runs it; the
first line of stderr is the whole message (no "--debug" hint: a traceback helps
nobody with a bad file), and nothing is written.
"""

import pytest

import clvmodels.cli.pipeline
from clvmodels.cli import main

COLUMNS = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]

CASES = {
    # A blank line (line 3) is counted: the bad date is on line 6 of the file.
    "bad date on a file line": (
        "customer,day,amount\n1,2024-01-01,3\n\n2,2024-01-02,4\n3,2024-01-03,5\n4,someday,6\n",
        [],
        "column 'day': 1 of 4 rows break the rule 'day is a parseable date'; e.g. line 6: "
        "day='someday'; column 'day': give the dates' layout in strftime codes, e.g. "
        "--date-format %d/%m/%Y, or write them as YYYY-MM-DD",
    ),
    "day-first dates without --date-format": (
        "customer,day,amount\n1,05/01/2024,3\n1,20/01/2024,4\n2,13/02/2024,5\n",
        [],
        "e.g. line 3: day='20/01/2024'; column 'day': all its dates read as %d/%m/%Y: give "
        "--date-format %d/%m/%Y",
    ),
    "dates that do not match --date-format": (
        "customer,day,amount\n1,05/01/2024,3\n1,20/01/2024,4\n",
        ["--date-format", "%m/%d/%Y"],
        "e.g. line 3: day='20/01/2024'; column 'day': all its dates read as %d/%m/%Y: give "
        "--date-format %d/%m/%Y",
    ),
    "dollar amounts": (
        "customer,day,amount\n1,2024-01-01,$12.50\n2,2024-01-02,$3.00\n",
        [],
        "--amount-col 'amount': 2 of 2 values are not numbers, e.g. line 2: '$12.50'; write the "
        "amounts as plain numbers, without a currency sign (e.g. 12.50)",
    ),
    "decimal-comma amounts read with --decimal .": (
        "customer;day;amount\n1;2024-01-01;1.234,50\n2;2024-01-02;3,5\n",
        ["--decimal", "."],
        "--amount-col 'amount': 2 of 2 values are not numbers, e.g. line 2: '1.234,50'; the "
        "amounts have a decimal comma: give --decimal ,",
    ),
    "thousands separators": (
        'customer,day,amount\n1,2024-01-01,"1,234.50"\n2,2024-01-02,3\n',
        [],
        "e.g. line 2: '1,234.50'; write the amounts without thousands separators (e.g. 1234.50)",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_data_errors_are_one_line_with_the_line_and_the_fix(case, cli, tmp_path):
    text, options, message = CASES[case]
    (tmp_path / "t.csv").write_text(text)
    result = cli("fit", "t.csv", *COLUMNS, *options, "--out", "out", cwd=tmp_path)
    assert result.returncode == 3 and result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if not line.startswith("clvmodels: read")]
    assert len(lines) == 1 and lines[0].startswith("clvmodels: error: "), result.stderr
    assert message in lines[0]
    assert "--debug" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (
            "1999-01-01",
            "--holdout-start 1999-01-01 is after the last day of the data "
            "(1998-06-12, the last transaction): the holdout period would be empty; choose a day "
            "on or before 1998-06-12",
        ),
        (
            "1997-01-01",
            "--holdout-start 1997-01-01 is on or before the first transaction "
            "(1997-01-01): there is nothing to fit on before it; choose a later day",
        ),
    ],
)
def test_holdout_errors_use_the_option_and_the_data_s_days(
    start, message, reference, cli, tmp_path
):
    _, source = reference
    result = cli("fit", source, *COLUMNS, "--holdout-start", start, "--out", "o", cwd=tmp_path)
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr == f"clvmodels: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_an_unexpected_error_still_offers_the_traceback(reference, monkeypatch, capsys, tmp_path):
    _, source = reference

    def broken(*args, **kwargs):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(clvmodels.cli.pipeline, "run_pipeline", broken)
    assert main(["fit", str(source), *COLUMNS, "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err == (
        "clvmodels: error: something inside broke (run with --debug for the traceback)\n"
    )
    assert list(tmp_path.iterdir()) == []
