"""Issue 26 item 13: without a Python >= 3.12 the quick start names what to run and set.

``scripts/bootstrap`` and ``scripts/find-python`` are copied into ``tmp_path`` (so
that nothing can touch this checkout's ``.venv``) and run with a ``PATH`` that holds
only the shell tools they use, so no Python is found.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ["bash", "dirname", "ls", "sort"]

pytestmark = pytest.mark.skipif(
    os.name != "posix" or not all(shutil.which(t) for t in TOOLS), reason="needs bash"
)


@pytest.fixture
def checkout(tmp_path):
    """A folder with the two scripts and a bin/ of the tools they use (no Python)."""
    (tmp_path / "scripts").mkdir()
    for name in ("bootstrap", "find-python"):
        shutil.copy2(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "bin").mkdir()
    for tool in TOOLS:
        (tmp_path / "bin" / tool).symlink_to(shutil.which(tool))
    return tmp_path


def _run(command, cwd, **env):
    environment = {"PATH": str(cwd / "bin"), "HOME": str(cwd), **env}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)


def test_no_python_names_the_command_run_and_the_setting(checkout):
    result = _run(["./scripts/bootstrap"], checkout)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert (
        lines[0] == "./scripts/bootstrap: error: no Python >= 3.12 with the venv module was found."
    )
    assert lines[1] == "Tried, in order: (none)"
    assert lines[-1] == "  CLVMODELS_PYTHON=/path/to/python3.12 ./scripts/bootstrap"
    assert sorted(p.name for p in checkout.iterdir()) == ["bin", "scripts"]  # no .venv made


def test_a_wrong_clvmodels_python_names_it_and_the_command(checkout):
    result = _run(["bin/bash", "scripts/bootstrap"], checkout, CLVMODELS_PYTHON="/no/python")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "scripts/bootstrap: error: CLVMODELS_PYTHON=/no/python is not a runnable Python >= 3.12 "
        "with the venv module.",
        "Name one that is, e.g.: CLVMODELS_PYTHON=/usr/bin/python3.12 scripts/bootstrap",
    ]


def test_find_python_run_alone_names_itself(checkout):
    result = _run(["scripts/find-python"], checkout)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("scripts/find-python: error: no Python")
