"""Issue 26 item 6: ``score`` takes the same column options as ``fit``.

The models fitted on the reference log (columns customer, day, amount; ISO dates)
score a log whose columns are named and dated otherwise. The reference is
``score`` on the reference log itself: the same purchases give the same scores.
"""

import pandas as pd


def test_score_maps_columns_and_the_error_names_options_it_has(
    reference, early_days_log, cli, tmp_path
):
    ref_out, ref_log = reference
    new = early_days_log.rename(columns={"customer": "client", "amount": "spend"})
    new = new.assign(date=new.pop("day").dt.strftime("%d/%m/%Y"))  # client, spend, date
    new.to_csv(tmp_path / "new.csv", index=False)

    result = cli("score", ref_out, "new.csv", "--out", "s.csv", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("clvmodels: error: --customer-col 'customer' is not a column of new.csv")
    assert line.endswith(
        "the columns named when the models were fitted: name this file's with --customer-col, "
        "--date-col and --amount-col"
    )

    options = ["--customer-col", "client", "--date-col", "date", "--amount-col", "spend"]
    result = cli(
        "score",
        ref_out,
        "new.csv",
        "--out",
        "s.csv",
        *options,
        "--date-format",
        "%d/%m/%Y",
        "-q",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    result = cli("score", ref_out, ref_log, "--out", "ref.csv", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv", "ref.csv", "s.csv"]
    ours = pd.read_csv(tmp_path / "s.csv", dtype={"client": str}).set_index("client")
    expected = pd.read_csv(tmp_path / "ref.csv", dtype={"customer": str}).set_index("customer")
    pd.testing.assert_frame_equal(ours.sort_index(), expected.sort_index(), check_names=False)
    assert ours["clv"].notna().all() and len(ours) == early_days_log["customer"].nunique()


def test_score_without_a_date_format_refuses_ambiguous_dates(
    reference, early_days_log, cli, log_file, tmp_path
):
    ref_out, _ = reference
    log_file(early_days_log, tmp_path / "dmy.csv", "%d/%m/%Y")
    result = cli("score", ref_out, "dmy.csv", "--out", "s.csv", cwd=tmp_path)
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith("clvmodels: error: invalid dmy.csv: column 'day': its dates read both")
    assert line.endswith(
        "give --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dmy.csv"]
