"""Scale: the RFM summary of large logs (pandas vs DuckDB), the fit on reduced rows, scoring.

    python benchmarks/bench_scale.py                    # 1M and 10M transactions
    python benchmarks/bench_scale.py --sizes 1M,10M,100M
    python benchmarks/bench_scale.py --quick            # 100k, a smoke run

Each measurement runs in a fresh child process, so that its peak memory is the
process's peak resident set (``VmHWM``), which counts
DuckDB's native memory as well as numpy's; the table also gives the peak of
a child that only imports the libraries (the baseline). Times are wall clock
of the work alone (imports and untimed set-up excluded), the median of k
children.

Data: simulated BG/NBD + Gamma-Gamma logs (``clvmodels.simulate``, CDNOW
parameters in weeks, times to the second; the first n rows by date), written
once as Parquet files of at most 10M rows each under ``--data-dir`` (kept
between runs). A log of more than 10M rows is its first 10M-row file repeated
with the customer ids shifted (distinct customers, the same dates), read
through one glob.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Where the tables, JSON series and plots go (the tests point it at a temporary folder).
RESULTS = Path(os.environ.get("CLVMODELS_BENCH_RESULTS", HERE / "results"))
CHUNK = 10_000_000
TX_PER_CUSTOMER = 2.7
BGNBD_WEEKS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
END = "2022-01-01"  # observation end of every simulated chunk (start 2020-01-01 + 104 weeks)
ARGS = dict(customer_id_col="customer_id", datetime_col="date", freq="D", time_unit="W")
CLV = dict(
    time_unit="W", t=52.0, horizon=12, discount_rate=0.1, horizon_unit="M", discount_period="Y"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * scale)


def short(n: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:g}{suffix}"
    return str(n)


# -- data ---------------------------------------------------------------------------------
def write_log(n_rows: int, data_dir: Path) -> Path:
    """Parquet files holding ``n_rows`` simulated transactions; returns their folder."""
    import clvmodels as clv

    folder = data_dir / f"log-{short(n_rows)}"
    done = folder / "complete.txt"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows = min(CHUNK, n_rows)
    customers = math.ceil(rows / TX_PER_CUSTOMER)
    tx = clv.simulate.simulate_transactions(
        customers, BGNBD_WEEKS, GAMMA_GAMMA, time_unit="W", seed=20051105
    )
    tx = tx.iloc[:rows].reset_index(drop=True)
    first = folder / "part-000.parquet"
    tx.to_parquet(first, index=False)
    log(f"  wrote {first.name} ({len(tx):,} rows)")
    if n_rows > CHUNK:
        import duckdb

        # Further chunks: the first one with its customers renamed (ids shifted), written by
        # DuckDB; simulating 10M-row chunks again would take minutes each.
        for i in range(1, math.ceil(n_rows / CHUNK)):
            duckdb.sql(
                f"COPY (SELECT customer_id + {i * customers} AS customer_id, date, spend "
                f"FROM read_parquet('{first}')) TO '{folder / f'part-{i:03d}.parquet'}' "
                "(FORMAT parquet)"
            )
            log(f"  wrote part-{i:03d}.parquet (part-000 with ids + {i * customers:,})")
    done.write_text(f"{time.perf_counter() - start:.0f} s\n")
    return folder


#: Cases (child processes) and their labels in the table, in the order they run.
CASES = {
    "pandas-summary": "RFM summary, pandas",
    "duckdb-summary": "RFM summary, DuckDB (from the Parquet files)",
    "duckdb-summary-1-thread": "RFM summary, DuckDB relation, `threads=1`",
    "duckdb-reduce-fit": "reduction to distinct (x, t_x, T) + counts, DuckDB",
    "score": "scoring: P(alive), E[X(52 w)], E[spend], 12-month CLV",
}


# -- children: one measurement each --------------------------------------------------------
def child(case: str, folder: Path) -> dict:
    """Run one case once; return its timings and counts (printed as JSON by the child)."""
    import clvmodels as clv

    glob = str(folder / "*.parquet")
    out: dict = {}
    if case == "baseline":
        import duckdb  # noqa: F401 (the libraries the other children import)
        import pandas  # noqa: F401

        return out
    if case == "pandas-summary":
        import pandas as pd

        start = time.perf_counter()
        frame = pd.read_parquet(sorted(folder.glob("*.parquet")))
        out["read_s"] = time.perf_counter() - start
        start = time.perf_counter()
        summary = clv.rfm_summary(frame, monetary_value_col="spend", **ARGS)
        out["seconds"] = time.perf_counter() - start
        out["customers"] = len(summary)
        return out
    if case == "duckdb-summary":
        start = time.perf_counter()
        summary = clv.rfm_summary(glob, monetary_value_col="spend", **ARGS)
        out["seconds"] = time.perf_counter() - start
        out["customers"] = len(summary)
        return out
    if case == "duckdb-summary-1-thread":
        import duckdb

        # A relation from the user's own connection, here limited to one thread.
        relation = duckdb.connect(config={"threads": 1}).read_parquet(glob)
        start = time.perf_counter()
        summary = clv.rfm_summary(relation, monetary_value_col="spend", **ARGS)
        out["seconds"] = time.perf_counter() - start
        out["customers"] = len(summary)
        return out
    if case == "duckdb-reduce-fit":
        start = time.perf_counter()
        stats = clv.data.rfm_sufficient_statistics(glob, **ARGS)
        out["seconds"] = time.perf_counter() - start
        out["rows"] = len(stats)
        out["customers"] = stats.attrs["n_customers"]
        start = time.perf_counter()
        bg = clv.BetaGeoModel().fit(stats, weights=stats["n_customers"])
        out["fit_s"] = time.perf_counter() - start
        out["params"] = bg.params_
        return out
    if case == "score":
        from clvmodels.value import value_customers

        summary = clv.rfm_summary(glob, monetary_value_col="spend", **ARGS)
        stats = clv.data.rfm_sufficient_statistics(glob, **ARGS)
        bg = clv.BetaGeoModel().fit(stats, weights=stats["n_customers"])
        repeat = summary[summary["monetary_value"] > 0]
        start = time.perf_counter()
        gg = clv.GammaGammaModel().fit(repeat)
        out["gg_fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        scored = value_customers(bg, gg, summary, **CLV)
        out["seconds"] = time.perf_counter() - start
        out["customers"] = len(scored)
        return out
    raise ValueError(case)


def peak_rss_mib() -> float:
    """This process's peak resident set (``VmHWM``: reset by ``exec``, unlike ``ru_maxrss``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def run_child(case: str, folder: Path) -> dict:
    """Run ``case`` in a fresh process; its result, with the process's peak RSS in MiB."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", case, "--folder", str(folder)],
        stdout=subprocess.PIPE,
        env=os.environ,
        check=True,
    )
    return json.loads(result.stdout)


# -- the table ------------------------------------------------------------------------------
def measure(case: str, folder: Path, k: int) -> dict:
    runs = [run_child(case, folder) for _ in range(k)]
    out = dict(runs[-1])
    for key in ("seconds", "read_s", "fit_s", "gg_fit_s"):
        if key in out:
            values = [r[key] for r in runs]
            out[key] = statistics.median(values)
            out[key + "_range"] = (min(values), max(values))
    out["peak_mib"] = max(r["peak_mib"] for r in runs)
    out["k"] = k
    return out


def fmt(result: dict, key: str = "seconds") -> str:
    low, high = result[key + "_range"]
    spread = f" ({low:.3g}-{high:.3g})" if result["k"] > 1 else ""
    return f"{result[key]:.3g}{spread}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1M,10M", help="transactions, e.g. 1M,10M,100M")
    parser.add_argument("--quick", action="store_true", help="100k transactions only")
    parser.add_argument("--data-dir", default="/tmp/clvmodels-bench-scale")
    parser.add_argument("--k", type=int, default=3, help="children per case up to 1M rows")
    parser.add_argument("--skip-pandas-above", default="10M")
    parser.add_argument(
        "--only", help="only these cases, once each, e.g. duckdb-summary,duckdb-reduce-fit"
    )
    parser.add_argument("--child")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.child:
        load = os.getloadavg()[0]
        result = child(args.child, Path(args.folder))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["cpu_s"] = usage.ru_utime + usage.ru_stime
        result["load"] = (load + os.getloadavg()[0]) / 2
        result["peak_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return

    sizes = [100_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]
    pandas_limit = parse_size(args.skip_pandas_above)
    started = time.perf_counter()
    rows: list[str] = []
    series: dict[str, dict[str, float]] = {}  # seconds by size, for run_all.py's plot
    baseline = None

    def row(label: str, size: str, result: dict, key: str = "seconds", child=True) -> None:
        memory = f"{result['peak_mib']:,.0f}" if child else "(same child)"
        cpu = f"{result['cpu_s']:.0f}" if child else ""
        load = f"{result['load']:.1f}" if child else ""
        rows.append(
            f"| {label} | {size} | {fmt(result, key)} | {result['k']} | {memory} | {cpu} | {load} |"
        )

    def case(name: str, n: int, folder: Path, k: int) -> dict:
        log(f"{short(n)}: {name}")
        result = measure(name, folder, k)
        series.setdefault(name, {})[str(n)] = result["seconds"]
        return result

    for n in sizes:
        log(f"{short(n)} transactions: data")
        folder = write_log(n, Path(args.data_dir))
        if baseline is None:
            baseline = run_child("baseline", folder)["peak_mib"]
        k = 1 if args.only else args.k if n <= 1_000_000 else 1
        wanted = args.only.split(",") if args.only else list(CASES)
        if n > pandas_limit and not args.only:
            wanted = [c for c in wanted if c not in ("pandas-summary", "score")]
        for name in wanted:
            result = case(name, n, folder, k)
            label = CASES[name]
            if name == "pandas-summary":
                label += f" (read Parquet {fmt(result, 'read_s')} s, not included)"
            size = f"{short(n)} tx, {result['customers']:,} customers"
            if "rows" in result:
                size = f"{short(n)} tx -> {result['rows']:,} rows"
            if name == "score":
                row("Gamma-Gamma fit (repeat buyers)", f"{short(n)} tx", result, "gg_fit_s", False)
                size = f"{result['customers']:,} customers"
            row(label, size, result)
            if "fit_s" in result:
                fitted = f"{result['rows']:,} rows ({result['customers']:,} customers)"
                row("BG/NBD fit on the reduced rows (weights)", fitted, result, "fit_s", False)
    header = [
        "| case | size | median s (min-max) | k | peak RSS MiB | CPU s (whole child) | load |",
        "|---|---|---|---|---|---|---|",
    ]
    table = "\n".join(header + rows)
    note = (
        f"Peak RSS is the whole child process; a child that only imports clvmodels, pandas "
        f"and DuckDB peaks at {baseline:,.0f} MiB. CPU s: user + system time of the whole "
        "child (all its threads, imports included); load: the 1-minute load average at the "
        "child's start and end, averaged."
    )
    print(table)
    print()
    print(note)
    RESULTS.mkdir(exist_ok=True)
    name = "scale-quick" if args.quick else f"scale-{args.sizes.replace(',', '-')}"
    name += f"-{args.only.replace(',', '-')}" if args.only else ""
    command = " ".join(["python", "benchmarks/bench_scale.py", *sys.argv[1:]])
    (RESULTS / f"{name}.md").write_text(
        f"command: `{command}` ({(time.perf_counter() - started) / 60:.1f} min)\n\n"
        f"{table}\n\n{note}\n"
    )
    (RESULTS / f"{name}.json").write_text(json.dumps(series, indent=1))


if __name__ == "__main__":
    main()
