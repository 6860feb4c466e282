"""What ``clvmodels fit`` says and writes (issue 26, items 3 and 4), run as a user runs it.

Each test writes a real log into ``tmp_path``, runs the command in a subprocess and
asserts the exit status, the first line of stderr and the files written: warnings one
line each in the command's words (also in ``--json`` and ``run.json`` and next to the
model in the report), ``--penalizer``, the output folder replaced whole, a folder of
someone else's files refused, and no staging folder left after a signal.
"""

import html
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import clvmodels as clv
from clvmodels.cli.outputs import Terminated, stop_on_signals, write_frame

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])}
COLUMNS = ["--customer-col", "customer", "--date-col", "day"]


def _command(*arguments):
    return [sys.executable, "-m", "clvmodels.cli", *map(str, arguments)]


def _run(*arguments, cwd):
    return subprocess.run(_command(*arguments), cwd=cwd, env=ENV, capture_output=True, text=True)


def _staging(folder):
    """Hidden staging folders (.<name>.<...>.tmp) in ``folder``."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp"))


def write_loyal_log(path, n=60, seed=1):
    """Customers who never stop buying: each buys every few days until the last day.

    Spend per purchase is drawn from one gamma distribution for everybody, so the
    customers' mean spends differ by chance only.
    """
    rng = np.random.default_rng(seed)
    rows, end = [], pd.Timestamp("2023-12-31")
    for customer in range(n):
        day = pd.Timestamp("2022-01-03") + pd.Timedelta(days=int(rng.integers(0, 60)))
        gap = rng.uniform(4, 12)
        while day <= end:
            rows.append((f"C{customer:03d}", day.date().isoformat(), rng.gamma(4, 10)))
            day += pd.Timedelta(days=int(rng.integers(1, 2 * gap)))
    log = pd.DataFrame(rows, columns=["customer", "day", "amount"]).round(2)
    log.to_csv(path, index=False)
    return log


# -- item 3: warnings --------------------------------------------------------------------------
def test_a_fit_without_dropout_warns_in_one_line_everywhere(tmp_path):
    log = write_loyal_log(tmp_path / "loyal.csv")
    # the truth of the file: nobody stopped, every customer bought in the last 3 weeks
    last = pd.to_datetime(log.groupby("customer")["day"].max())
    assert (last >= pd.Timestamp("2023-12-10")).all()
    out = tmp_path / "results"
    done = _run(
        "fit", "loyal.csv", *COLUMNS, "--amount-col", "amount", "--out", out, "-q", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(
        "clvmodels: warning: BG/NBD: no customer in the data seems to stop buying"
    )
    assert all(line.startswith("clvmodels: warning: ") for line in lines)
    # the command's words: no Python warning class, file path or source line; the options
    assert "ConvergenceWarning" not in done.stderr and ".py:" not in done.stderr
    assert "penalizer_coef" not in done.stderr
    said = [line.removeprefix("clvmodels: warning: ") for line in lines]
    assert any(line.startswith("Gamma-Gamma: q, v ran to infinity") for line in said)
    numbers = json.loads(done.stdout)
    assert numbers["warnings"] == said
    run = json.loads((out / "run.json").read_text())
    assert run["warnings"] == said
    assert sorted(os.listdir(out)) == sorted(numbers["files"])
    # the report: a visible note under the model's name, and prose that fits the numbers
    page = html.unescape((out / "report.html").read_text())
    assert '<h3>BG/NBD</h3><p class="note warn">Warning: no customer in the data' in page
    gamma_gamma = page[page.index("<h3>Gamma-Gamma</h3>") :].split("<h3>")[1]
    assert gamma_gamma.startswith('Gamma-Gamma</h3><p class="note warn">Warning: ')
    assert '<p class="note warn">Warning: q, v ran to infinity' in gamma_gamma
    assert "The data show no dropout" in page and "probability 0.0%" not in page
    assert "customers' mean spends are practically the same" in page
    params = json.loads((out / "bgnbd.json").read_text())["params"]
    assert params["a"] / (params["a"] + params["b"]) < 1e-4  # the boundary the words name


def test_penalizer_reaches_the_models_and_matches_lifetimes(sample_csv, tmp_path):
    lifetimes = pytest.importorskip("lifetimes")
    out = tmp_path / "results"
    done = _run(
        "fit", sample_csv, *COLUMNS, "--observation-end", "1997-09-30", "--penalizer", "0.01",
        "--out", out, "-q", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""
    assert sorted(os.listdir(out)) == [
        "bgnbd.json", "report.html", "run.json", "scores.csv", "scores.parquet",
        "table_overview.csv", "table_parameters_bg_nbd.csv", "table_top_customers.csv",
    ]  # fmt: skip
    state = json.loads((out / "bgnbd.json").read_text())
    assert state["settings"]["penalizer_coef"] == 0.01
    assert json.loads((out / "run.json").read_text())["settings"]["penalizer"] == 0.01
    # lifetimes' penalised objective (mean NLL + 0.01 sum(params**2)) on its own summary of
    # the file (days counted, time in weeks), minimised directly: lifetimes' fit() rescales
    # the times first, which changes what a penalty means
    log = pd.read_csv(sample_csv, parse_dates=["day"])
    days = lifetimes.utils.summary_data_from_transaction_data(
        log, "customer", "day", observation_period_end="1997-09-30", freq="D"
    )
    x, t_x, T = days["frequency"], days["recency"] / 7, days["T"] / 7
    best = optimize.minimize(
        lifetimes.BetaGeoFitter._negative_log_likelihood,
        np.log([0.2, 2.0, 0.5, 1.0]),
        args=(x.to_numpy(), t_x.to_numpy(), T.to_numpy(), np.ones(len(x)), 0.01),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000},
    )
    for name, value in zip(("r", "alpha", "a", "b"), np.exp(best.x), strict=True):
        assert state["params"][name] == pytest.approx(value, rel=1e-4), name
    unpenalised = clv.BetaGeoModel().fit(
        clv.rfm_summary(log, "customer", "day", observation_period_end="1997-09-30")
    )
    assert state["params"]["r"] < 0.9 * unpenalised.params_["r"]  # the penalty mattered


# -- item 4: the output folder is replaced whole -----------------------------------------------
def test_a_rerun_leaves_exactly_the_new_runs_files(sample_csv, tmp_path):
    out = tmp_path / "results"
    first = _run(
        "fit", sample_csv, *COLUMNS, "--amount-col", "amount", "--holdout-start", "1997-10-01",
        "--out", out, "--json", cwd=tmp_path,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert {"gamma_gamma.json", "table_backtest_purchases_metrics.csv"} <= set(os.listdir(out))
    (out / "my notes.txt").write_text("put here after the run")  # a user's file stays
    second = _run("fit", sample_csv, *COLUMNS, "--out", out, "--json", cwd=tmp_path)
    assert second.returncode == 0 and second.stderr == ""
    files = json.loads(second.stdout)["files"]
    assert sorted(os.listdir(out)) == sorted([*files, "my notes.txt"])
    assert json.loads((out / "run.json").read_text())["files"] == files
    assert not any(name.startswith("table_backtest") for name in os.listdir(out))
    assert "gamma_gamma.json" not in os.listdir(out)
    assert _staging(tmp_path) == [] and _staging(out) == []


def test_a_folder_of_other_files_is_refused(sample_csv, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "data").mkdir()
    for out in (".", "data", str(tmp_path)):
        (tmp_path / "data" / "budget.xlsx").write_text("mine too")
        done = _run("fit", sample_csv, *COLUMNS, "--out", out, cwd=tmp_path)
        assert done.returncode == 2
        first = done.stderr.splitlines()[0]
        assert first.startswith(f"clvmodels: error: --out {out}: the folder holds files that ")
        assert "no run.json" in first and "name a new or empty folder" in first
    assert sorted(os.listdir(tmp_path)) == ["data", "notes.txt"]
    assert os.listdir(tmp_path / "data") == ["budget.xlsx"]


def test_an_empty_folder_is_used(sample_csv, tmp_path):
    (tmp_path / "results").mkdir()
    done = _run("fit", sample_csv, *COLUMNS, "--out", "results", "-q", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert "run.json" in os.listdir(tmp_path / "results")


@pytest.mark.parametrize(("number", "status", "said"), [
    (signal.SIGTERM, 143, "clvmodels: stopped by SIGTERM; no output was written"),
    (signal.SIGINT, 130, "clvmodels: interrupted; no output was written"),
])  # fmt: skip
def test_a_signal_during_fit_leaves_no_staging_folder(sample_csv, tmp_path, number, status, said):
    arguments = [*COLUMNS, "--amount-col", "amount", "--holdout-start", "1997-10-01"]
    process = subprocess.Popen(
        _command("fit", sample_csv, *arguments, "--out", "results", "-q"),
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _staging(tmp_path) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _staging(tmp_path), "the run never started writing"
    time.sleep(0.2)  # inside the run (it takes seconds after the staging folder appears)
    process.send_signal(number)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == status
    assert stderr.splitlines()[-1] == said
    assert os.listdir(tmp_path) == []  # no results/, no hidden .results.*.tmp


@pytest.mark.parametrize(("number", "raised"), [
    (signal.SIGTERM, Terminated),
    (signal.SIGINT, KeyboardInterrupt),
])  # fmt: skip
def test_a_signal_whose_exception_was_swallowed_still_stops_the_writes(tmp_path, number, raised):
    # Python ignores an exception raised in a finalizer (__del__), where a signal's
    # handler can run: the handler's record must stop the run before any file lands.
    frame = pd.DataFrame({"x": [1.0]})
    with stop_on_signals():
        try:
            signal.getsignal(number)(number, None)  # the handler, as the signal runs it
        except raised:
            pass  # swallowed, as a finalizer would
        with pytest.raises(raised):
            write_frame(frame, tmp_path / "scores.csv")
    assert os.listdir(tmp_path) == []  # nothing written, no temporary left
    write_frame(frame, tmp_path / "scores.csv")  # the record ends with the block
    assert os.listdir(tmp_path) == ["scores.csv"]


def test_staging_of_ended_runs_is_removed_and_a_live_ones_kept(sample_csv, tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    out = tmp_path / "results"
    out.mkdir()
    (out / "run.json").write_text("{}")  # an earlier run's folder
    (out / "bgnbd.json").write_text("{}")
    (out / "table_backtest_purchases_metrics.csv").write_text("old")
    left = [
        out / f".results.{ended.pid}-0123abcd.tmp",  # killed: its process has ended
        out / ".results.89abcdef.tmp",  # from a clvmodels before process ids
        tmp_path / f".results.{ended.pid}-deadbeef.tmp",  # staging of a new folder
    ]
    for folder in left:
        folder.mkdir()
        (folder / "scores.csv").write_bytes(b"x" * 100_000)
    live = out / f".results.{os.getpid()}-cafef00d.tmp"  # this test's process runs
    live.mkdir()
    done = _run("fit", sample_csv, *COLUMNS, "--out", "results", "--json", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    files = json.loads(done.stdout)["files"]
    assert sorted(os.listdir(out)) == sorted([*files, live.name])
    assert not any(folder.exists() for folder in left)
    assert os.listdir(tmp_path) == ["results"]
