"""``clvmodels fit`` and ``score`` on folders and globs of files, summarised by DuckDB.

The CDNOW sample log (2,357 customers) split into small files in ``tmp_path``; the
reference is the same command on the one CSV file, read by pandas, and the published
BG/NBD fit of that cohort (Fader, Hardie & Lee 2005).
"""

import json

import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli import main

pytest.importorskip("duckdb", reason="duckdb not installed: pip install 'clvmodels[duckdb]'")

FIT = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]
END = ["--observation-end", "1997-09-30"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The sample log as one CSV file, three Parquet files in a folder and two CSV files."""
    root = tmp_path_factory.mktemp("logs")
    log = clv.datasets.load_cdnow_sample_transactions()
    log = log.rename(columns={"customer_id": "customer", "date": "day", "spend": "amount"})
    log = log[["customer", "day", "amount"]]
    log.to_csv(root / "sales.csv", index=False)
    (root / "parquet").mkdir()
    (root / "csv").mkdir()
    shuffled = log.sample(frac=1.0, random_state=1)
    third = len(shuffled) // 3 + 1
    for i in range(3):
        part = shuffled.iloc[i * third : (i + 1) * third]
        part.to_parquet(root / "parquet" / f"part-{i}.parquet", index=False)
        if i < 2:
            part.to_csv(root / "csv" / f"part-{i}.csv", index=False)
    log.iloc[:0].to_csv(root / "csv" / "ignored.txt", index=False)
    return root


def _fit(source, out, *more):
    assert main(["fit", str(source), *FIT, *END, "--out", str(out), "-q", *more]) == 0
    scores = pd.read_csv(out / "scores.csv")
    scores["customer"] = scores["customer"].astype(str)
    return json.loads((out / "bgnbd.json").read_text())["params"], scores.set_index("customer")


@pytest.fixture(scope="module")
def reference(files, tmp_path_factory):
    """``fit`` on the one CSV file, read into memory by pandas."""
    return _fit(files / "sales.csv", tmp_path_factory.mktemp("ref") / "out")


def test_a_folder_of_parquet_files_fits_as_the_one_csv_file(files, reference, tmp_path):
    params, scores = _fit(files / "parquet", tmp_path / "out")
    # Fader, Hardie & Lee (2005): r .2426, alpha 4.4136, a .7929, b 2.4259
    published = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
    for name, value in published.items():
        assert params[name] == pytest.approx(value, abs=1e-4)
    ref_params, ref_scores = reference
    assert params == pytest.approx(ref_params, rel=1e-9)
    pd.testing.assert_frame_equal(scores.sort_index(), ref_scores.sort_index(), rtol=1e-9)


def test_a_glob_of_csv_files_is_read_by_duckdb(files, reference, tmp_path, capsys):
    # Two of the three parts: fewer customers, but the command runs the same way.
    params, scores = _fit(files / "csv" / "part-*.csv", tmp_path / "out")
    part = pd.concat(pd.read_csv(p) for p in sorted((files / "csv").glob("part-*.csv")))
    summary = clv.rfm_summary(part, "customer", "day", "amount", "1997-09-30", time_unit="W")
    assert len(scores) == len(summary) < 2357
    expected = clv.BetaGeoModel().fit(summary).params_
    assert params == pytest.approx(expected, rel=1e-6)


def test_engine_duckdb_reads_one_file_and_the_backtest_runs(files, reference, tmp_path, capsys):
    out = tmp_path / "out"
    arguments = ["fit", str(files / "sales.csv"), *FIT, "--engine", "duckdb", "--json"]
    arguments += ["--holdout-start", "1997-10-01", "--out", str(out)]
    assert main(arguments) == 0
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["customers"] == 2357
    assert numbers["transactions"] == len(pd.read_csv(files / "sales.csv"))
    # Fader, Hardie & Lee (2005): the cohort made 1,882 repeat purchases in weeks 40-78
    assert numbers["holdout"]["actual holdout purchases"] == 1882


def test_score_a_folder_with_the_saved_models(files, reference, tmp_path, capsys):
    folder = tmp_path / "fit"
    _fit(files / "sales.csv", folder)
    out = tmp_path / "scores.csv"
    arguments = ["score", str(folder), str(files / "parquet"), "--out", str(out)]
    assert main([*arguments, *END]) == 0
    assert "scored 2,357 customers" in capsys.readouterr().out
    scores = pd.read_csv(out)
    scores["customer"] = scores["customer"].astype(str)
    _, ref_scores = reference
    pd.testing.assert_frame_equal(
        scores.set_index("customer").sort_index(), ref_scores.sort_index(), rtol=1e-9
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("nothing-*.parquet", "no file matches"),
        ("empty-folder", "a folder without Parquet (.parquet, .pq) or CSV"),
    ],
)
def test_no_files_is_one_line(where, message, tmp_path, capsys):
    (tmp_path / "empty-folder").mkdir()
    arguments = ["fit", str(tmp_path / where), *FIT, "--out", str(tmp_path / "out")]
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_wrong_column_of_a_glob_names_the_closest(files, tmp_path, capsys):
    arguments = ["fit", str(files / "parquet"), "--customer-col", "Customer", "--date-col", "day"]
    assert main([*arguments, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--customer-col 'Customer' is not a column of" in err and "'customer'" in err
