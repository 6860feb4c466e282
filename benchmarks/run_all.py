"""Every benchmark in one command, side by side with the peers; one report.

Usage::

    pip install -e '.[bench]'   # the peers: lifetimes, pymc-marketing 1.x; and DuckDB
    python benchmarks/run_all.py --quick        # a smoke run: growth and scale, smallest sizes
    python benchmarks/run_all.py                # every benchmark, full sizes (an hour or more)
    python benchmarks/run_all.py --only growth,scale --data-dir /data/bench

Runs, each in its own process and in this order: ``bench_foundation.py`` (fits,
predictions and summaries against lifetimes), ``bench_growth.py`` (BG/NBD fits 1k..10M
customers, lifetimes with weights and plainly; scoring 1M and 10M), ``bench_scale.py``
(summaries of 1M/10M/100M transactions, pandas and DuckDB; reduction; scoring),
``bench_bayes.py`` (sampling, against pymc-marketing when it is installed) and any other
``bench_*.py`` found next to them (run with ``--quick`` in quick mode when it offers it).

``--quick`` runs ``bench_growth.py --quick`` and ``bench_scale.py --quick`` only (about
30 CPU seconds, mostly imports: a check that the suite runs, not a measurement);
``bench_foundation.py --quick`` alone takes about a CPU minute and the Bayesian one
compiles models, so they run in quick mode only when named with ``--only``.

Writes ``benchmarks/results/all.md`` (``all-quick.md``): each benchmark's table with the
command that produced it, its duration and exit status; then one log-log table of
seconds against size for every series that has several sizes, with the fitted exponent
``b`` of ``seconds ~ n^b``, and ``all.png`` (``all-quick.png``), the same on log-log axes.
A benchmark that fails is reported as failed and the others still run; the exit status
is 1 when any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import loglog_plot, loglog_table  # noqa: E402

HERE = Path(__file__).resolve().parent
#: Where the tables, JSON series and plots go (the tests point it at a temporary folder).
RESULTS = Path(os.environ.get("CLVMODELS_BENCH_RESULTS", HERE / "results"))


#: What ``--quick`` runs unless ``--only`` names others.
QUICK = ("growth", "scale")


def plan(quick: bool, data_dir: str) -> dict[str, list[str]]:
    """Benchmark name -> its command line arguments (after the script)."""
    steps = {
        "foundation": ["--quick"] if quick else [],
        "growth": ["--quick"] if quick else [],
        "scale": (
            ["--quick", "--only", "duckdb-summary,duckdb-reduce-fit"]
            if quick
            else ["--sizes", "1M,10M,100M"]
        )
        + ["--data-dir", data_dir],
        "bayes": (
            ["--draws", "20", "--tune", "20", "--chains", "1", "--no-theirs"] if quick else []
        ),
    }
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if name not in steps:
            steps[name] = ["--quick"] if quick and "--quick" in script.read_text() else []
    return steps


def run_one(name: str, arguments: list[str], log_file: Path) -> dict:
    """Run ``bench_<name>.py``; its stdout (the tables), duration and exit status."""
    command = [sys.executable, str(HERE / f"bench_{name}.py"), *arguments]
    print(f"== {name}: {' '.join(['python', f'benchmarks/bench_{name}.py', *arguments])}")
    started = time.perf_counter()
    load = os.getloadavg()[0]
    with log_file.open("w") as errors:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=errors, text=True)
    seconds = time.perf_counter() - started
    print(f"   {seconds:.0f} s, exit {result.returncode}", flush=True)
    return {
        "command": " ".join(["python", f"benchmarks/bench_{name}.py", *arguments]),
        "seconds": seconds,
        "load": (load + os.getloadavg()[0]) / 2,
        "status": result.returncode,
        "stdout": result.stdout,
    }


def collect_series(quick: bool, names: list[str]) -> dict[str, dict[int, float]]:
    """Seconds by size of every series the benchmarks wrote as JSON in this run."""
    files = {
        "growth": RESULTS / ("growth-quick.json" if quick else "growth.json"),
        "scale": RESULTS
        / (
            "scale-quick-duckdb-summary-duckdb-reduce-fit.json"
            if quick
            else "scale-1M-10M-100M.json"
        ),
    }
    series: dict[str, dict[int, float]] = {}
    for name, path in files.items():
        if name not in names or not path.exists():
            continue
        for label, points in json.loads(path.read_text()).items():
            key = label if name == "growth" else f"{label} (transactions)"
            series[key] = {int(n): float(s) for n, s in points.items()}
    return series


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every benchmark at its smallest")
    parser.add_argument("--only", help="comma-separated names, e.g. growth,scale")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("CLVMODELS_BENCH_DATA", "/tmp/clvmodels-bench-scale"),
        help="where bench_scale.py keeps its simulated Parquet logs (about 2 GB for 100M)",
    )
    args = parser.parse_args(argv)
    steps = plan(args.quick, args.data_dir)
    if args.only:
        wanted = args.only.split(",")
        unknown = sorted(set(wanted) - set(steps))
        if unknown:
            parser.error(f"--only: unknown benchmark(s) {unknown}; known: {sorted(steps)}")
        steps = {name: steps[name] for name in wanted}
    elif args.quick:
        steps = {name: steps[name] for name in QUICK}
    RESULTS.mkdir(exist_ok=True)
    stem = "all-quick" if args.quick else "all"
    started = time.perf_counter()
    runs = {
        name: run_one(name, arguments, RESULTS / f"{stem}-{name}.log")
        for name, arguments in steps.items()
    }
    series = collect_series(args.quick, list(runs))
    parts = [
        f"# clvmodels benchmarks{' (quick)' if args.quick else ''}",
        f"command: `python benchmarks/run_all.py {' '.join(argv or sys.argv[1:])}` "
        f"({(time.perf_counter() - started) / 60:.1f} min)",
    ]
    for name, run in runs.items():
        state = (
            "ok" if run["status"] == 0 else f"FAILED (exit {run['status']}, see {stem}-{name}.log)"
        )
        parts.append(
            f"## {name}\n\n`{run['command']}`: {run['seconds']:.0f} s, load {run['load']:.1f}, "
            f"{state}\n\n{run['stdout'].strip()}"
        )
    if series:
        loglog_plot(
            series,
            RESULTS / f"{stem}.png",
            "clvmodels benchmarks: cost against size (log-log)",
            "size: customers (fits, scoring) or transactions (summaries, dashed)",
        )
        table = loglog_table(series)
        parts.append(f"## Cost against size (log-log; plot: {stem}.png)\n\n{table}")
    (RESULTS / f"{stem}.md").write_text("\n\n".join(parts) + "\n")
    print(f"wrote {RESULTS / (stem + '.md')}")
    return 0 if all(run["status"] == 0 for run in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
