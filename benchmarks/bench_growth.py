"""How cost grows with size: BG/NBD fits at 1k..10M customers and scoring, ours vs lifetimes.

Usage::

    python benchmarks/bench_growth.py                  # fits 1k..10M, scoring 1M and 10M
    python benchmarks/bench_growth.py --quick          # 1k and 10k customers (seconds)

Writes ``benchmarks/results/growth.md`` (a Markdown table: median, min-max, the ratio
lifetimes / ours, peak memory; then a log-log table of seconds against size with the
fitted exponent ``b`` of ``seconds ~ n^b``) and ``growth.png`` (the same on log-log axes).

Data: ``clvmodels.simulate.simulate_summary`` with the CDNOW BG/NBD and Gamma-Gamma
parameters, customers acquired over 52 weeks and observed for 104 (T uniform on 364-728
whole days), times rounded down to whole days (a repeat purchase on the first day moved to
day 1) and expressed in weeks: the summary a daily log gives, so that it compresses as a
real one does.

Cases, per size n (customers):

- ``fit, clvmodels``: ``BetaGeoModel().fit(summary)`` (it reduces the n rows to distinct
  (x, t_x, T) with counts itself: the reduction is timed in);
- ``fit, lifetimes with weights`` (lifetimes used well): ``groupby`` to distinct rows
  (timed in) then ``BetaGeoFitter().fit(x, t_x, T, weights=counts)``;
- ``fit, lifetimes plainly``: ``BetaGeoFitter().fit(x, t_x, T)`` on the n rows (up to
  ``--plain-max`` customers; it takes minutes beyond);
- ``scoring``: clvmodels P(alive) + expected purchases in 52 weeks + expected spend + 12-month
  CLV (``value_customers``) against lifetimes' ``conditional_probability_alive`` +
  ``conditional_expected_number_of_purchases_up_to_time`` (lifetimes' own CLV loops over
  months in pandas and is left out; the ratio compares the two-quantity part only, see
  ``ours P(alive)+E[X]``).

Timing and memory: ``_harness.compare`` (median of k calls after one traced call, which
gives the ``tracemalloc`` peak of the call's own allocations). The summary of 1M/10M/100M
transactions (pandas, DuckDB) is ``bench_scale.py``'s job; ``run_all.py`` puts both in one
report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import Side, compare, git_revision, loglog_plot, loglog_table, machine_info, short

import clvmodels as clv
from clvmodels.value import value_customers

HERE = Path(__file__).resolve().parent
#: Where the tables, JSON series and plots go (the tests point it at a temporary folder).
RESULTS = Path(os.environ.get("CLVMODELS_BENCH_RESULTS", HERE / "results"))
BGNBD_WEEKS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
CLV = dict(
    time_unit="W", t=52.0, horizon=12, discount_rate=0.1, horizon_unit="M", discount_period="Y"
)
SIZES = {
    "full": {
        "fit": (1_000, 10_000, 100_000, 1_000_000, 10_000_000),
        "score": (1_000_000, 10_000_000),
    },
    "quick": {"fit": (1_000, 10_000), "score": (10_000,)},
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def daily_summary(n: int, seed: int = 20051105) -> pd.DataFrame:
    """``n`` simulated customers on a daily grid, times in weeks (see the module notes)."""
    rng = np.random.default_rng(seed)
    t_days = rng.integers(364, 729, size=n)
    summary = clv.simulate.simulate_summary(
        n, BGNBD_WEEKS, t_days / 7.0, GAMMA_GAMMA, time_unit="W", seed=rng
    )
    days = np.floor(summary["recency"].to_numpy() * 7.0 + 1e-9)
    # A repeat purchase on the first day would not count on a daily grid: put it on day 1.
    days[(summary["frequency"].to_numpy() > 0) & (days < 1)] = 1.0
    summary["recency"] = days / 7.0
    summary["T"] = t_days / 7.0
    return summary


@dataclass
class Series:
    """One line of the log-log table: seconds against size."""

    name: str
    points: dict[int, Side] = field(default_factory=dict)

    def medians(self) -> dict[int, float]:
        """Median seconds by size."""
        return {n: side.median for n, side in sorted(self.points.items()) if side.times}


@dataclass
class Line:
    """One row of the main table: ours against a peer on one case and size."""

    case: str
    n: int
    rows: str
    ours: Side
    theirs: Side | None
    peer: str = "lifetimes"


def _spread(side: Side | None) -> str:
    if side is None or not side.times:
        return "—"
    low, high = min(side.times), max(side.times)
    text = f"{side.median:.3g}"
    spread = f" ({low:.3g}-{high:.3g})" if len(side.times) > 1 else ""
    cpu = f", CPU {statistics.median(side.cpu):.3g}" if side.cpu else ""
    return f"{text}{spread} k={len(side.times)}{cpu}"


def _ratio(line: Line) -> str:
    if line.theirs is None or not line.theirs.times:
        return "—"
    return f"{line.theirs.median / line.ours.median:.1f}x"


def _peak(side: Side | None) -> str:
    return "—" if side is None or not np.isfinite(side.peak_mib) else f"{side.peak_mib:,.0f}"


def _k(n: int, quick: bool) -> int:
    if quick:
        return 1
    return 5 if n <= 10_000 else 3 if n <= 1_000_000 else 1


def fits(n: int, summary: pd.DataFrame, k: int, plain_max: int, series, lines) -> None:
    from lifetimes import BetaGeoFitter

    def weighted() -> object:
        rows = summary.groupby(["frequency", "recency", "T"], sort=False).size().reset_index()
        f, r, t, w = (rows[c].to_numpy() for c in ("frequency", "recency", "T", 0))
        return BetaGeoFitter().fit(f, r, t, weights=w)

    def plain() -> object:
        f, r, t = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
        return BetaGeoFitter().fit(f, r, t)

    ours, lt_weighted = compare(lambda: clv.BetaGeoModel().fit(summary), weighted, k)
    rows = f"{ours.result.n_unique_rows_:,} distinct"
    lines.append(Line("BG/NBD fit, lifetimes with weights", n, rows, ours, lt_weighted))
    series["fit, clvmodels"].points[n] = ours
    series["fit, lifetimes with weights"].points[n] = lt_weighted
    if n <= plain_max:
        _, lt_plain = compare(lambda: None, plain, 0, k if n <= 100_000 else 1)
        lines.append(Line("BG/NBD fit, lifetimes plainly", n, f"{n:,}", ours, lt_plain))
        series["fit, lifetimes plainly"].points[n] = lt_plain


def scoring(n: int, summary: pd.DataFrame, k: int, series, lines) -> None:
    from lifetimes import BetaGeoFitter

    bg = clv.BetaGeoModel().fit(summary)
    gg = clv.GammaGammaModel().fit(summary[summary["frequency"] > 0])
    lt = BetaGeoFitter()
    lt.params_ = pd.Series(bg.params_)[["r", "alpha", "a", "b"]]
    f, r, t = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))

    def ours_two() -> object:
        return bg.probability_alive(summary), bg.conditional_expected_purchases(52.0, summary)

    def theirs_two() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # lifetimes' own overflow warnings
            alive = lt.conditional_probability_alive(f, r, t)
            return alive, lt.conditional_expected_number_of_purchases_up_to_time(52.0, f, r, t)

    ours, theirs = compare(ours_two, theirs_two, k)
    lines.append(Line("scoring: P(alive) + E[X(52 w)]", n, f"{n:,}", ours, theirs))
    series["scoring P(alive)+E[X], clvmodels"].points[n] = ours
    series["scoring P(alive)+E[X], lifetimes"].points[n] = theirs
    full, _ = compare(lambda: value_customers(bg, gg, summary, **CLV), lambda: None, k, 0)
    lines.append(
        Line("scoring: + E[spend] + 12-month CLV (value_customers)", n, f"{n:,}", full, None)
    )
    series["scoring all four, clvmodels"].points[n] = full


def main_table(lines: list[Line]) -> str:
    out = [
        "| case | customers | rows fitted / scored | clvmodels median s (min-max), CPU s "
        "| peer median s (min-max), CPU s | ratio peer / ours | peak MiB ours | peak MiB peer |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for line in lines:
        out.append(
            f"| {line.case} | {short(line.n)} | {line.rows} | {_spread(line.ours)} "
            f"| {_spread(line.theirs)} | {_ratio(line)} | {_peak(line.ours)} "
            f"| {_peak(line.theirs)} |"
        )
    return "\n".join(out)


def run(quick: bool, plain_max: int, fit_sizes=None, score_sizes=None) -> tuple[str, dict]:
    sizes = SIZES["quick" if quick else "full"]
    fit_sizes = fit_sizes or sizes["fit"]
    score_sizes = score_sizes or sizes["score"]
    names = [
        "fit, clvmodels",
        "fit, lifetimes with weights",
        "fit, lifetimes plainly",
        "scoring P(alive)+E[X], clvmodels",
        "scoring P(alive)+E[X], lifetimes",
        "scoring all four, clvmodels",
    ]
    series = {name: Series(name) for name in names}
    lines: list[Line] = []
    cache: dict[int, pd.DataFrame] = {}
    for n in sorted(set(fit_sizes) | set(score_sizes)):
        log(f"{short(n)} customers: simulating")
        cache = {n: daily_summary(n)}
        if n in fit_sizes:
            log(f"{short(n)}: fits")
            fits(n, cache[n], _k(n, quick), plain_max, series, lines)
        if n in score_sizes:
            log(f"{short(n)}: scoring")
            scoring(n, cache[n], _k(n, quick), series, lines)
    medians = {name: s.medians() for name, s in series.items() if s.points}
    tables = main_table(lines) + "\n\n" + loglog_table(medians)
    return tables, series


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k customers")
    parser.add_argument("--plain-max", type=int, default=1_000_000)
    parser.add_argument("--fit-sizes", help="customers, e.g. 1000,100000")
    parser.add_argument("--score-sizes", help="customers, e.g. 1000000")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load = os.getloadavg()[0]

    def sizes(text: str | None) -> tuple[int, ...] | None:
        return tuple(int(float(s)) for s in text.split(",")) if text else None

    tables, series = run(args.quick, args.plain_max, sizes(args.fit_sizes), sizes(args.score_sizes))
    RESULTS.mkdir(exist_ok=True)
    stem = "growth-quick" if args.quick else "growth"
    medians = {name: s.medians() for name, s in series.items() if s.points}
    loglog_plot(
        medians, RESULTS / f"{stem}.png", "BG/NBD: cost against size (log-log)", "customers"
    )
    minutes = (time.perf_counter() - started) / 60
    command = " ".join(["python", "benchmarks/bench_growth.py", *(argv or sys.argv[1:])])
    text = (
        f"command: `{command}` ({minutes:.1f} min, commit {git_revision(str(HERE))}, "
        f"load average {load:.1f} at the start)\n\n"
        f"{machine_info(['numpy', 'scipy', 'pandas', 'lifetimes'])}\n\n{tables}\n"
    )
    (RESULTS / f"{stem}.md").write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps(medians, indent=1))
    print(tables)
    log(f"wrote {RESULTS / (stem + '.md')} and {stem}.png")


if __name__ == "__main__":
    main()
