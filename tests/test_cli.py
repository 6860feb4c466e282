import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli import main
from clvmodels.exceptions import DataValidationError


def test_demo_runs_and_writes_json_models(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "BG/NBD on the calibration period" in out and "Holdout check" in out
    assert "12-month CLV" in out and "Contractual cohorts" in out
    state = json.loads((tmp_path / "bgnbd.json").read_text())
    assert set(state["params"]) == {"r", "alpha", "a", "b"}
    model = clv.BetaGeoModel.load(tmp_path / "bgnbd.json")
    assert model.n_customers_ == 23_570
    predictions = (tmp_path / "predictions.csv").read_text().splitlines()
    assert len(predictions) == 23_571 and predictions[0].endswith(",clv")
    assert sorted(os.listdir(tmp_path)) == ["bgnbd.json", "gamma_gamma.json", "predictions.csv"]


# -- option errors: one line on stderr, exit 2, no traceback -----------------------------
OPTION_ERRORS = {
    "unknown freq": (["--freq", "X"], "argument --freq: unknown time unit --freq='X'"),
    "NaN horizon": (["--horizon", "nan"], "argument --horizon: value must be finite"),
    "infinite horizon": (["--horizon", "1e999"], "argument --horizon: value must be finite"),
    "negative horizon": (["--horizon=-4"], "argument --horizon: value must be positive; got -4"),
    "text horizon": (["--horizon", "year"], "argument --horizon: value must be a number"),
    "unknown option": (["--bogus"], "unrecognized arguments: --bogus"),
}


def _run(*arguments, cwd):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run(
        [sys.executable, "-m", "clvmodels.cli", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("case", OPTION_ERRORS, ids=list(OPTION_ERRORS))
def test_option_errors_are_one_line(case, capsys):
    arguments, message = OPTION_ERRORS[case]
    with pytest.raises(SystemExit) as exit_:
        main(["demo", *arguments])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("clvmodels")


def test_the_command_prints_no_traceback(tmp_path):
    result = _run("demo", "--horizon", "nan", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "clvmodels demo: error: argument --horizon: value must be finite (no NaN or infinity); "
        "got nan (see 'clvmodels demo --help')\n"
    )


def test_output_that_is_a_file_is_refused_before_any_work(tmp_path, capsys):
    (tmp_path / "results").write_text("keep me")
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--output", str(tmp_path / "results")])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert f"argument --output: {tmp_path / 'results'} is a file, not a folder" in captured.err
    assert (tmp_path / "results").read_text() == "keep me"


def test_output_below_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "results").write_text("keep me")
    with pytest.raises(SystemExit):
        main(["demo", "--output", str(tmp_path / "results" / "run1")])
    assert "results is a file, not a folder" in capsys.readouterr().err


def test_read_only_output_is_refused(tmp_path, capsys, monkeypatch):
    """As a user without write access sees it (``os.access`` says no)."""
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: False if str(path) == str(tmp_path) else real_access(path, mode),
    )
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--output", str(tmp_path / "new")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"the folder {tmp_path} is not writable" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_output_is_refused_for_real(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    result = _run("demo", "--output", str(folder), cwd=tmp_path)
    assert result.returncode == 2 and "is not writable" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_folder_found_while_writing_is_one_line(tmp_path, capsys, monkeypatch):
    """Where permissions say yes but the write fails (a read-only mount, a full disk)."""

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr("clvmodels.atomic.Path.mkdir", refuse)
    assert main(["demo", "--output", str(tmp_path / "new")]) == 1
    captured = capsys.readouterr()
    assert "CDNOW master log" not in captured.out  # refused before any work
    assert captured.err.count("\n") == 1
    assert "clvmodels: error: cannot write" in captured.err and "Permission denied" in captured.err


# -- errors while running: one line and exit 1, or the traceback with --debug ---------------
def _broken_log():
    raise DataValidationError("invalid transactions:\n  - column 'date' has 3 missing values")


def test_runtime_error_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(clv.datasets, "load_cdnow_transactions", _broken_log)
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "clvmodels: error: invalid transactions:; column 'date' has 3 missing values "
        "(run with --debug for the traceback)\n"
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(monkeypatch, where):
    monkeypatch.setattr(clv.datasets, "load_cdnow_transactions", _broken_log)
    arguments = ["--debug", "demo"] if where == "before" else ["demo", "--debug"]
    with pytest.raises(DataValidationError, match="missing values"):
        main(arguments)


# -- outputs appear whole or not at all ---------------------------------------------------
def _fail_halfway_through_csv(monkeypatch):
    real_to_csv = pd.DataFrame.to_csv

    def to_csv(self, path, *args, **kwargs):
        text = real_to_csv(self, None, *args, **kwargs)
        with open(path, "w") as handle:
            handle.write(text[: len(text) // 2])
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


def test_failed_run_writes_no_new_folder(tmp_path, monkeypatch, capsys):
    _fail_halfway_through_csv(monkeypatch)
    assert main(["demo", "--output", str(tmp_path / "results")]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []  # neither the folder nor a staging folder


def test_failed_run_keeps_the_previous_outputs(tmp_path, monkeypatch, capsys):
    output = tmp_path / "results"
    assert main(["demo", "--output", str(output)]) == 0
    before = {name: (output / name).read_bytes() for name in os.listdir(output)}
    (output / "notes.txt").write_text("mine")
    _fail_halfway_through_csv(monkeypatch)
    assert main(["demo", "--output", str(output), "--horizon", "26"]) == 1
    after = {name: (output / name).read_bytes() for name in os.listdir(output)}
    assert after == before | {"notes.txt": b"mine"}
