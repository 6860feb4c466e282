"""Parameter-uncertainty intervals of maximum-likelihood predictions at 1M customers.

Targets (issue 25): the delta method under 5 s, 200 bootstrap draws under 30 s.

Data: ``bench_growth.daily_summary``: ``clvmodels.simulate.simulate_summary`` with the
CDNOW BG/NBD and Gamma-Gamma parameters in weeks, ages of one to two years on a daily grid
(times in weeks, recency in whole days). BG/NBD and Gamma-Gamma are fitted
once, outside the timed region; each case is timed ``--repeats`` times (median, min and
max shown), after one untimed warm-up call.

Run::

    python benchmarks/intervals.py              # 1M customers, 3 repeats
    python benchmarks/intervals.py --n 100000 --repeats 2
    python benchmarks/intervals.py --cases clv     # only the cases whose name has "clv"

The table gives wall-clock seconds and, in brackets, the CPU seconds of the process (all
threads: the chunks of distinct rows run in ``CLVMODELS_THREADS`` threads, default one per
CPU), which tell what a loaded machine hides.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench_growth import daily_summary

import clvmodels as clv

CLV_ARGS = dict(horizon=12, discount_rate=0.1, horizon_unit="M", discount_period="Y")
TARGETS = {"delta": 5.0, "bootstrap": 30.0}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timings(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (every thread of the process) of ``repeats`` calls."""
    fn()  # warm-up (numba caches, imports)
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="customers")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per case")
    parser.add_argument("--draws", type=int, default=200, help="bootstrap draws")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    parser.add_argument(
        "--cases", default="", help="comma-separated words of the cases to run (default all)"
    )
    args = parser.parse_args(argv)

    log(f"simulating {args.n:,} customers")
    summary = daily_summary(args.n)
    distinct = len(summary.groupby(["frequency", "recency", "T"]).size())
    log(f"{distinct:,} distinct (x, t_x, T) rows; fitting BG/NBD and Gamma-Gamma")
    bg = clv.BetaGeoModel().fit(summary)
    gg = clv.GammaGammaModel().fit(summary[summary["frequency"] > 0])

    cases = {
        "expected purchases (52 w)": lambda how: bg.conditional_expected_purchases(
            52.0, summary, interval=0.9, **how
        ),
        "P(alive)": lambda how: bg.probability_alive(summary, interval=0.9, **how),
        "expected spend": lambda how: gg.expected_spend(summary, interval=0.9, **how),
        "CLV (12 months)": lambda how: clv.customer_lifetime_value(
            bg, gg, summary, interval=0.9, **CLV_ARGS, **how
        ),
    }
    points = {
        "expected purchases (52 w)": lambda: bg.conditional_expected_purchases(52.0, summary),
        "P(alive)": lambda: bg.probability_alive(summary),
        "expected spend": lambda: gg.expected_spend(summary),
        "CLV (12 months)": lambda: clv.customer_lifetime_value(bg, gg, summary, **CLV_ARGS),
    }
    methods = {
        "delta": {"method": "delta"},
        "bootstrap": {"method": "bootstrap", "draws": args.draws, "seed": 1},
    }
    wanted = [w.strip().lower() for w in args.cases.split(",") if w.strip()]
    if wanted:
        cases = {k: v for k, v in cases.items() if any(w in k.lower() for w in wanted)}
    lines = [
        f"Intervals (interval=0.9) at {args.n:,} customers ({distinct:,} distinct rows); "
        f"wall seconds, median of {args.repeats} (min-max), and [CPU seconds, median]",
        "",
        f"| prediction | point | delta | bootstrap ({args.draws} draws) |",
        "|---|---|---|---|",
    ]
    for name, case in cases.items():
        log(f"timing {name}")
        cells = [_cell(*timings(points[name], args.repeats))]
        for method, how in methods.items():
            wall, cpu = timings(lambda case=case, how=how: case(how), args.repeats)
            flag = "" if statistics.median(wall) < TARGETS[method] else " (over target)"
            cells.append(_cell(wall, cpu) + flag)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    targets = f"delta < {TARGETS['delta']:g} s, bootstrap < {TARGETS['bootstrap']:g} s"
    lines += ["", f"targets (wall): {targets}"]
    table = "\n".join(lines)
    print(table)
    if args.out is not None:
        args.out.write_text(table + "\n")


def _cell(wall: list[float], cpu: list[float]) -> str:
    return (
        f"{statistics.median(wall):.2f} ({min(wall):.2f}-{max(wall):.2f}) "
        f"[{statistics.median(cpu):.1f}]"
    )


if __name__ == "__main__":
    main()
