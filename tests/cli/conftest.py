"""Shared by the tests of how the command reads users' files (issue 26).

The log is the CDNOW sample (Fader, Hardie & Lee 2005) restricted to purchases on
days 1 to 12 of a month, so that ``dd/mm/yyyy`` and ``mm/dd/yyyy`` both read every
date: 2,734 purchases of 1,437 customers. The reference is the command run on that
log written with ISO dates and plain CSV, which no day/month, dialect or id question
touches.
"""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import clvmodels as clv

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]
HOLDOUT = "1997-10-01"


def run_cli(*arguments, cwd):
    """The installed command as a user runs it: a subprocess, this tree first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])}
    return subprocess.run(
        [sys.executable, "-m", "clvmodels.cli", *map(str, arguments)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


@pytest.fixture(scope="session")
def early_days_log() -> pd.DataFrame:
    """CDNOW sample purchases on days 1-12: customer (int), day (datetime), amount."""
    log = clv.datasets.load_cdnow_sample_transactions()
    log = log[log["date"].dt.day <= 12]
    log = log.rename(columns={"customer_id": "customer", "date": "day", "spend": "amount"})
    return log[["customer", "day", "amount"]].reset_index(drop=True)


def write_log(frame: pd.DataFrame, path: Path, date_layout: str = "%Y-%m-%d", **to_csv):
    """``frame`` as a CSV file with its dates in ``date_layout``; returns the path."""
    frame.assign(day=frame["day"].dt.strftime(date_layout)).to_csv(path, index=False, **to_csv)
    return path


@pytest.fixture(scope="session")
def reference(early_days_log, tmp_path_factory):
    """``fit`` on the ISO, comma-separated file with a holdout: (its folder, the file)."""
    folder = tmp_path_factory.mktemp("reference")
    source = write_log(early_days_log, folder / "iso.csv")
    result = run_cli(
        "fit", source, *COLUMNS, "--holdout-start", HOLDOUT, "--out", "out", "-q", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return folder / "out", source


def same_csv(left: Path, right: Path) -> None:
    """The two CSV outputs hold the same table (ids compared as text, in any order)."""
    a = pd.read_csv(left, dtype={0: str}, index_col=0).sort_index()
    b = pd.read_csv(right, dtype={0: str}, index_col=0).sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)


# Test modules are imported by path (--import-mode=importlib), so the helpers come as fixtures.
@pytest.fixture(scope="session")
def cli():
    return run_cli


@pytest.fixture(scope="session")
def log_file():
    return write_log


@pytest.fixture(scope="session")
def same_table():
    return same_csv


@pytest.fixture(scope="session")
def first():
    return first_line
