"""The one-command benchmark suite runs and writes its report (a smoke test, no timings)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"


def _module(name):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def test_loglog_table_recovers_a_known_power_law(tmp_path):
    harness = _module("_harness")
    # seconds = 2e-6 n^1.5 and 3e-7 n: exponents 1.5 and 1 by construction
    series = {
        "a": {n: 2e-6 * n**1.5 for n in (1_000, 10_000, 100_000)},
        "b (transactions)": {n: 3e-7 * n for n in (1_000_000, 10_000_000)},
    }
    assert harness.exponent(series["a"]) == pytest.approx(1.5, abs=1e-9)
    table = harness.loglog_table(series).splitlines()
    assert table[0] == "| series | 1k | 10k | 100k | 1M | 10M | exponent b |"
    assert table[2].endswith("| 1.50 |") and table[3].endswith("| 1.00 |")
    harness.loglog_plot(series, tmp_path / "p.png", "title", "size")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_benchmark_is_refused(capsys):
    run_all = _module("run_all")
    with pytest.raises(SystemExit) as stop:
        run_all.main(["--only", "nope"])
    assert stop.value.code == 2
    assert "unknown benchmark(s) ['nope']" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_run_writes_every_table_and_the_plot(tmp_path):
    pytest.importorskip("lifetimes")
    pytest.importorskip("duckdb")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]]),
        "CLVMODELS_BENCH_RESULTS": str(tmp_path / "results"),
    }
    command = [sys.executable, str(BENCHMARKS / "run_all.py"), "--quick"]
    done = subprocess.run(
        [*command, "--data-dir", str(tmp_path / "data")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = (tmp_path / "results" / "all-quick.md").read_text()
    for heading in ("## growth", "## scale", "## Cost against size"):
        assert heading in report
    assert "FAILED" not in report
    assert "| BG/NBD fit, lifetimes with weights | 1k |" in report
    assert "| RFM summary, DuckDB (from the Parquet files) | 100k tx" in report
    assert (tmp_path / "results" / "all-quick.png").stat().st_size > 0
