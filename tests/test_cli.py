"""The ``clvmodels`` command: demo, fit and score end to end, and its one-line errors.

Most runs use the 2,357-customer CDNOW sample log written to a CSV file (fast); the
demo on the master log runs once per module.
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli import main
from clvmodels.exceptions import DataValidationError

ROOT = Path(__file__).resolve().parents[1]


def _run(*arguments, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])}
    return subprocess.run(
        [sys.executable, "-m", "clvmodels.cli", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


FIT = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]


@pytest.fixture(scope="module")
def fitted(sample_csv, tmp_path_factory):
    """``fit --quiet`` on the sample to 1997-09-30: its folder and what it printed."""
    folder = tmp_path_factory.mktemp("fit") / "results"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        arguments = [*FIT, "--observation-end", "1997-09-30", "--out", str(folder), "-q"]
        assert main(["fit", str(sample_csv), *arguments]) == 0
    return folder, printed.getvalue()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The demo, run once: its folder and what it printed with --json."""
    folder = tmp_path_factory.mktemp("demo") / "report"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["demo", "--out", str(folder), "--json"]) == 0
    return folder, json.loads(printed.getvalue())


# -- demo ------------------------------------------------------------------------------------
def test_demo_writes_models_scores_and_report(demo_run):
    demo_folder, _ = demo_run
    state = json.loads((demo_folder / "bgnbd.json").read_text())
    assert set(state["params"]) == {"r", "alpha", "a", "b"}
    model = clv.BetaGeoModel.load(demo_folder / "bgnbd.json")
    assert model.n_customers_ == 23_570 and model.time_unit_ == "W"
    scores = pd.read_csv(demo_folder / "scores.csv", index_col="customer_id")
    assert len(scores) == 23_570
    assert list(scores.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "clv",
        "clv_lower",
        "clv_upper",
    ]
    assert scores["p_alive"].between(0, 1).all() and (scores["clv"] >= 0).all()
    page = (demo_folder / "report.html").read_text()
    for title in ("Fitted models", "Probabilistic vs textbook CLV", "Retention and lifetime"):
        assert title in page
    # P(alive), CLV, Lorenz, tracking, calibration vs holdout, customer equity, retention
    assert page.count('<img src="data:image/png;base64,') == 7
    metrics = pd.read_csv(demo_folder / "table_backtest_purchases_metrics.csv", index_col="model")
    assert list(metrics.index) == [
        "BG/NBD + Gamma-Gamma",
        "run rate",
        "retention formula",
        "last period",
    ]
    # the contractual table reproduces Fader & Hardie (2007/2010): DEL 3.695 at d = 10%
    lifetimes = pd.read_csv(demo_folder / "table_retention_lifetimes.csv", index_col="cohort")
    assert lifetimes.loc["regular", "DEL"] == pytest.approx(3.695, abs=5e-4)
    assert lifetimes.loc["regular", "deterministic_clv"] == pytest.approx(2.345, abs=5e-4)


def test_demo_prints_json_for_scripts(demo_run):
    folder, numbers = demo_run
    assert numbers["command"] == "demo" and numbers["customers"] == 23_570
    assert numbers["out"] == str(folder) and "report.html" in numbers["files"]
    assert sorted(numbers["files"]) == sorted(os.listdir(folder))
    assert numbers["holdout"]["actual holdout purchases"] > 0
    # how long it took is reported (speed is measured in benchmarks/, not asserted here)
    assert numbers["seconds"] > 0


def test_demo_prints_tables(tmp_path, capsys, monkeypatch):
    """The terminal summary, on a quick stand-in for the master log (the CDNOW sample)."""
    monkeypatch.setattr(
        clv.datasets, "load_cdnow_transactions", clv.datasets.load_cdnow_sample_transactions
    )
    assert main(["demo", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    for title in (
        "BG/NBD",
        "Gamma-Gamma",
        "Backtest: holdout purchases after 1997-09-30",
        "Top 10 customers",
        "probabilistic vs textbook formulas",
        "Contractual cohorts",
    ):
        assert title in out
    assert f"wrote {tmp_path / 'r' / 'report.html'}" in out


# -- fit and score end to end -----------------------------------------------------------------
def test_fit_reproduces_the_published_bgnbd_fit(fitted):
    """Fader, Hardie & Lee (2005), CDNOW cohort to 1997-09-30: r .2426, alpha 4.4136, a .7929,
    b 2.4259 (days counted, time in weeks: the command's defaults)."""
    folder, printed = fitted
    assert printed == ""  # --quiet
    params = json.loads((folder / "bgnbd.json").read_text())["params"]
    published = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
    for name, value in published.items():
        assert params[name] == pytest.approx(value, abs=1e-4)


def test_fit_then_score_gives_the_same_scores(sample_csv, tmp_path):
    out = tmp_path / "results"
    fitted = _run(
        "fit",
        str(sample_csv),
        *FIT,
        "--holdout-start",
        "1997-10-01",
        "--out",
        str(out),
        "--json",
        cwd=tmp_path,
    )
    assert fitted.returncode == 0, fitted.stderr
    numbers = json.loads(fitted.stdout)
    assert numbers["customers"] == 2357 and numbers["holdout"]["calibration customers"] == 2357
    # Fader, Hardie & Lee (2005): the cohort made 1,882 repeat purchases in weeks 40-78
    assert numbers["holdout"]["actual holdout purchases"] == 1882
    for name in ("bgnbd.json", "gamma_gamma.json", "scores.csv", "run.json", "report.html"):
        assert name in numbers["files"] and (out / name).exists()
    fit_scores = pd.read_csv(out / "scores.csv", index_col="customer")

    scored = _run(
        "score", str(out), str(sample_csv), "--out", str(tmp_path / "s.csv"), cwd=tmp_path
    )
    assert scored.returncode == 0, scored.stderr
    assert "scored 2,357 customers" in scored.stdout
    scores = pd.read_csv(tmp_path / "s.csv", index_col="customer")
    pd.testing.assert_frame_equal(scores, fit_scores)

    # against the library called directly on the same log
    log = pd.read_csv(sample_csv)
    summary = clv.rfm_summary(log, "customer", "day", "amount", freq="D", time_unit="W")
    model = clv.BetaGeoModel().fit(summary)
    expected = model.probability_alive(summary).reindex(scores.index)
    np.testing.assert_allclose(scores["p_alive"], expected, rtol=1e-9)


def test_score_takes_a_summary_file(fitted, tmp_path):
    """Score the bundled cohort summary (in weeks) with the saved models, no refit."""
    folder, _ = fitted
    summary = clv.datasets.load_cdnow_summary()
    summary.to_csv(tmp_path / "summary.csv")
    arguments = [str(folder), str(tmp_path / "summary.csv"), "--out", str(tmp_path / "s.csv")]
    assert main(["score", *arguments, "--quiet"]) == 0
    scores = pd.read_csv(tmp_path / "s.csv", index_col=0)
    assert len(scores) == 2357
    # the library, called directly with the saved models, on the same summary
    bg = clv.BetaGeoModel.load(folder / "bgnbd.json")
    gg = clv.GammaGammaModel.load(folder / "gamma_gamma.json")
    value = clv.customer_lifetime_value(
        bg, gg, summary, 12, 0.10, horizon_unit="M", discount_period="Y"
    )
    np.testing.assert_allclose(scores["p_alive"], bg.probability_alive(summary), rtol=1e-9)
    np.testing.assert_allclose(scores["clv"], value, rtol=1e-9)
    # the bundled summary is the sample's (rounded to 0.01 week): fit's scores, nearly
    fit_scores = pd.read_csv(folder / "scores.csv", index_col=0).reindex(scores.index)
    np.testing.assert_allclose(scores["clv"], fit_scores["clv"], rtol=0.03)


def test_score_without_spend_leaves_clv_out(fitted, tmp_path, capsys):
    folder, _ = fitted
    clv.datasets.load_cdnow_summary()[["frequency", "recency", "T"]].to_csv(tmp_path / "x.csv")
    arguments = [str(folder), str(tmp_path / "x.csv"), "--out", str(tmp_path / "s.csv")]
    assert main(["score", *arguments]) == 0
    out = capsys.readouterr().out
    assert "no monetary_value column: expected spend and CLV are left out" in out
    scores = pd.read_csv(tmp_path / "s.csv", index_col=0)
    assert list(scores.columns) == ["frequency", "recency", "T", "p_alive", "expected_purchases"]


# -- bad input: one line on stderr, a non-zero exit, nothing written -------------------------
def _write(path, text):
    path.write_text(text)
    return path


BAD_INPUT = {
    "missing file": (lambda d: d / "nope.csv", FIT, 2, "nope.csv: no such file"),
    "folder without logs": (lambda d: d, FIT, 2, "a folder without Parquet (.parquet, .pq) or CSV"),
    "wrong column": (
        lambda d: _write(d / "t.csv", "customer_id,date,amount\n1,2024-01-01,3\n"),
        ["--customer-col", "customer", "--date-col", "date"],
        2,
        "--customer-col 'customer' is not a column of",
    ),
    "empty file": (lambda d: _write(d / "t.csv", ""), FIT, 3, "is empty"),
    "header only": (
        lambda d: _write(d / "t.csv", "customer,day,amount\n"),
        FIT,
        3,
        "has a header but no rows",
    ),
    "unparseable dates": (
        lambda d: _write(d / "t.csv", "customer,day,amount\n1,2024-01-01,3\n2,someday,4\n"),
        FIT,
        3,
        "day is a parseable date",
    ),
    "broken quoting": (
        lambda d: _write(d / "t.csv", 'customer,day,amount\n1,2024-01-01,3\n"2,x\n'),
        FIT,
        3,
        "cannot be read as CSV: Error tokenizing data",
    ),
    "binary file": (
        lambda d: (d / "t.csv").write_bytes(b"\xff\xfe\x00\x01") and d / "t.csv",
        FIT,
        3,
        "cannot be read as CSV: 'utf-8' codec can't decode",
    ),
    "negative spend": (
        lambda d: _write(d / "t.csv", "customer,day,amount\n1,2024-01-01,-3\n"),
        FIT,
        3,
        "amount",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_one_line(case, tmp_path, capsys):
    make, options, status, message = BAD_INPUT[case]
    source = make(tmp_path)
    out = tmp_path / "out"
    assert main(["fit", str(source), *options, "--out", str(out)]) == status
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err, captured.err
    assert captured.err.startswith("clvmodels: error: ")
    assert not out.exists() and not [p for p in os.listdir(tmp_path) if p.startswith(".out")]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ["--holdout-start", "1999-01-01"],
            "--holdout-start 1999-01-01 is after the last day of the data (1998-06-30",
        ),
        (["--observation-end", "1990-01-01"], "on or before --observation-end 1990-01-01: all"),
    ],
)
def test_dates_outside_the_log_name_the_option(option, message, sample_csv, tmp_path, capsys):
    assert main(["fit", str(sample_csv), *FIT, *option, "--out", str(tmp_path / "o")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_is_one_line(tmp_path, capsys):
    source = _write(tmp_path / "t.csv", "customer,day\n1,2024-01-01\n")
    source.chmod(0)
    assert main(["fit", str(source), *FIT[:4]]) == 2
    assert f"{source}: cannot read it (Permission denied)" in capsys.readouterr().err


def test_wrong_column_names_the_closest_columns(tmp_path, capsys):
    source = _write(tmp_path / "t.csv", "Customer ID,order_date,amount\n1,2024-01-01,3\n")
    assert main(["fit", str(source), "--customer-col", "customer_id", "--date-col", "date"]) == 2
    err = capsys.readouterr().err
    assert "--customer-col 'customer_id' is not a column" in err
    assert "did you mean 'Customer ID'?" in err
    assert "--date-col 'date' is not a column" in err and "'order_date'" in err


def test_malformed_files_as_a_user_runs_them(tmp_path):
    """The installed command (a subprocess): no traceback, one line, the exit status."""
    bad = _write(tmp_path / "t.csv", "customer,day\n1,2024-13-45\n")
    result = _run("fit", str(bad), "--customer-col", "customer", "--date-col", "day", cwd=tmp_path)
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "2024-13-45" in result.stderr
    assert not (tmp_path / "clv-report").exists()


def test_parquet_needs_pyarrow_or_reads(sample_csv, tmp_path, capsys):
    path = tmp_path / "sales.parquet"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        path.write_bytes(b"PAR1")
        assert main(["fit", str(path), *FIT, "--out", str(tmp_path / "o")]) == 2
        assert "reading Parquet needs pyarrow" in capsys.readouterr().err
        return
    pd.read_csv(sample_csv).to_parquet(path)
    assert main(["fit", str(path), *FIT, "--out", str(tmp_path / "o"), "-q"]) == 0
    fit_scores = pd.read_parquet(tmp_path / "o" / "scores.parquet")
    scored = tmp_path / "s.parquet"
    assert main(["score", str(tmp_path / "o"), str(path), "--out", str(scored), "-q"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(scored), fit_scores)
    assert sorted(os.listdir(tmp_path)) == ["o", "s.parquet", "sales.parquet"]


def test_score_needs_a_fit_folder(sample_csv, tmp_path, capsys):
    assert main(["score", str(tmp_path), str(sample_csv), "--out", str(tmp_path / "s.csv")]) == 2
    assert "has no run.json: name a folder written by 'clvmodels fit'" in capsys.readouterr().err


def test_score_refuses_a_broken_model_file(fitted, sample_csv, tmp_path, capsys):
    out = tmp_path / "results"
    shutil.copytree(fitted[0], out)
    (out / "bgnbd.json").write_text("[1, 2]")
    assert main(["score", str(out), str(sample_csv), "--out", str(tmp_path / "s.csv")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bgnbd.json: holds a JSON array" in err
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.skipif(hasattr(clv, "BayesianBetaGeoModel"), reason="the Bayesian models exist")
def test_bayes_without_the_bayesian_models_is_refused(capsys):
    assert main(["demo", "--bayes"]) == 2
    assert "--bayes needs the Bayesian models" in capsys.readouterr().err


# -- option errors: one line on stderr, exit 2, no traceback -------------------------------
OPTION_ERRORS = {
    "unknown freq": (["--freq", "X"], "unknown time unit --freq='X'"),
    "NaN horizon": (["--horizon", "nan"], "'--horizon': value must be finite"),
    "infinite horizon": (["--horizon", "1e999"], "'--horizon': value must be finite"),
    "negative horizon": (["--horizon=-4"], "'--horizon': value must be positive; got -4"),
    "text horizon": (["--horizon", "year"], "'--horizon': value must be a number"),
    "fractional horizon": (["--horizon", "2.5"], "value must be a whole number of --horizon-unit"),
    "bad date": (["--observation-end", "2024-02-30"], "'2024-02-30' is not a date"),
    "unknown option": (["--bogus"], "No such option '--bogus'"),
}


@pytest.mark.parametrize("case", OPTION_ERRORS, ids=list(OPTION_ERRORS))
def test_option_errors_are_one_line(case, capsys):
    arguments, message = OPTION_ERRORS[case]
    command = ["fit", "x.csv", "--customer-col", "c", "--date-col", "d"]
    if case != "bad date":
        assert main(["demo", *arguments]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and message in captured.err, captured.err
        assert captured.err.startswith("clvmodels demo: error: ")
    assert main([*command, *arguments]) == 2
    assert message in capsys.readouterr().err


def test_missing_required_option(capsys):
    assert main(["fit", "x.csv", "--date-col", "d"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "clvmodels fit: error: Missing option '--customer-col'. (see 'clvmodels fit --help')\n"
    )


def test_the_command_prints_no_traceback(tmp_path):
    result = _run("demo", "--horizon", "nan", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "clvmodels demo: error: Invalid value for '--horizon': value must be finite (no NaN or "
        "infinity); got nan (see 'clvmodels demo --help')\n"
    )


@pytest.mark.parametrize("command", [[], ["demo"], ["fit"], ["score"]])
def test_help_shows_examples(command, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Examples:" in out and "Exit status:" in out and "``" not in out
    assert f"clvmodels {command[0]} " in out if command else "clvmodels demo" in out


def test_no_command_shows_the_help(capsys):
    assert main([]) in (0, 2)  # Click 8.1 exits 0 after the help, 8.2 and later 2
    captured = capsys.readouterr()
    assert "Commands:" in captured.out + captured.err and ": error:" not in captured.err


def test_output_that_is_a_file_is_refused_before_any_work(tmp_path, capsys):
    (tmp_path / "results").write_text("keep me")
    assert main(["demo", "--out", str(tmp_path / "results")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert f"{tmp_path / 'results'} is a file, not a folder" in captured.err
    assert (tmp_path / "results").read_text() == "keep me"


def test_output_below_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "results").write_text("keep me")
    assert main(["demo", "--output", str(tmp_path / "results" / "run1")]) == 2
    assert "results is a file, not a folder" in capsys.readouterr().err


def test_read_only_output_is_refused(tmp_path, capsys, monkeypatch):
    """As a user without write access sees it (``os.access`` says no)."""
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: False if str(path) == str(tmp_path) else real_access(path, mode),
    )
    assert main(["demo", "--out", str(tmp_path / "new")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"the folder {tmp_path} is not writable" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_output_is_refused_for_real(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    result = _run("demo", "--out", str(folder), cwd=tmp_path)
    assert result.returncode == 2 and "is not writable" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_folder_found_while_writing_is_one_line(tmp_path, capsys, monkeypatch):
    """Where permissions say yes but the write fails (a read-only mount, a full disk)."""

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr("clvmodels.atomic.Path.mkdir", refuse)
    monkeypatch.setattr(clv.datasets, "load_cdnow_transactions", _broken_log)
    assert main(["demo", "--out", str(tmp_path / "new")]) == 1  # refused before loading data
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "clvmodels: error: cannot write" in captured.err and "Permission denied" in captured.err


# -- errors while running: one line, or the traceback with --debug ---------------------------
def _broken_log():
    raise DataValidationError("invalid transactions:\n  - column 'date' has 3 missing values")


def test_runtime_error_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(clv.datasets, "load_cdnow_transactions", _broken_log)
    assert main(["demo"]) == 3
    err = capsys.readouterr().err
    assert err == "clvmodels: error: invalid transactions: column 'date' has 3 missing values\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(monkeypatch, where, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(clv.datasets, "load_cdnow_transactions", _broken_log)
    arguments = ["--debug", "demo"] if where == "before" else ["demo", "--debug"]
    with pytest.raises(DataValidationError, match="missing values"):
        main(arguments)


# -- outputs appear whole or not at all ------------------------------------------------------
def _fail_halfway_through_csv(monkeypatch):
    real_to_csv = pd.DataFrame.to_csv

    def to_csv(self, path, *args, **kwargs):
        text = real_to_csv(self, None, *args, **kwargs)
        with open(path, "w") as handle:
            handle.write(text[: len(text) // 2])
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


def test_failed_run_writes_no_new_folder(sample_csv, tmp_path, monkeypatch, capsys):
    _fail_halfway_through_csv(monkeypatch)
    out = tmp_path / "results"
    assert main(["fit", str(sample_csv), *FIT, "--out", str(out)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert [p for p in os.listdir(tmp_path) if p != "sales.csv"] == []


def test_failed_run_keeps_the_previous_report(sample_csv, tmp_path, monkeypatch, capsys):
    output = tmp_path / "results"
    assert main(["fit", str(sample_csv), *FIT, "--out", str(output), "-q"]) == 0
    before = {name: (output / name).read_bytes() for name in os.listdir(output)}
    (output / "notes.txt").write_text("mine")
    _fail_halfway_through_csv(monkeypatch)
    assert main(["fit", str(sample_csv), *FIT, "--out", str(output), "--horizon", "6"]) == 1
    after = {name: (output / name).read_bytes() for name in os.listdir(output)}
    assert after == before | {"notes.txt": b"mine"}


def test_bayes_adds_the_posterior_tables(sample_csv, tmp_path, monkeypatch, capsys):
    """With the Bayesian models (issue 12) present, --bayes puts their summaries in the
    report; here a stand-in with their fit/summary contract."""

    class Posterior:
        def fit(self, summary):
            self.n = len(summary)
            return self

        def summary(self):
            return pd.DataFrame({"mean": [float(self.n)]}, index=pd.Index(["r"], name="param"))

    monkeypatch.setattr(clv, "BayesianBetaGeoModel", Posterior, raising=False)
    out = tmp_path / "o"
    assert main(["fit", str(sample_csv), *FIT, "--bayes", "--out", str(out), "-q"]) == 0
    table = pd.read_csv(out / "table_posterior_bg_nbd.csv", index_col="param")
    assert table.loc["r", "mean"] == 2357
    assert "Bayesian fits" in (out / "report.html").read_text()


def test_interrupt_writes_nothing(tmp_path, monkeypatch, capsys):
    def interrupt():
        raise KeyboardInterrupt

    monkeypatch.setattr(clv.datasets, "load_cdnow_transactions", interrupt)
    assert main(["demo", "--out", str(tmp_path / "r")]) == 130
    assert capsys.readouterr().err.endswith("clvmodels: interrupted; no output was written\n")
    assert os.listdir(tmp_path) == []
