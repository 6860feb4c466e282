"""The buy-till-you-die family, clvmodels vs lifetimes: fits and predictions at 100k and 1M.

Usage::

    python benchmarks/bench_family.py                       # 100k and 1M customers
    python benchmarks/bench_family.py --quick               # 10k and 50k, a smoke run
    python benchmarks/bench_family.py --lifetimes-pareto-1m # also lifetimes' 1M Pareto/NBD
                                                            # fit (about 10 minutes or more)

Pareto/NBD, MBG/NBD and BG/NBD fitted by both libraries on the same simulated summary, then
E[purchases in 52 weeks] and P(alive) for every customer with the same parameters (ours,
given to lifetimes' fitters). Without ``--lifetimes-pareto-1m`` the lifetimes 1M Pareto/NBD
fit is not run and its time is extrapolated from the 100k fit (x 10: lifetimes evaluates
the likelihood on every customer, so its cost per iteration is linear in customers),
marked as such. Prints a Markdown table and writes it with the machine, versions and
every timing to ``benchmarks/results/family.md`` (``family-quick.md``; git-ignored).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _harness import Side, count, git_revision, machine_info, max_rel_diff, timed
from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

import clvmodels as clv
from clvmodels.models import beta_geo, modified_beta_geo, pareto_nbd

#: The Pareto/NBD estimates on CDNOW in weeks (Fader, Hardie & Lee 2005) that draw the
#: simulated customers.
PARETO_WEEKS = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
HORIZON_WEEKS = 52.0
SIZES = {"full": (100_000, 1_000_000), "quick": (10_000, 50_000)}
RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = ("clvmodels", "lifetimes", "numpy", "scipy", "pandas", "autograd")

#: name -> (our class, lifetimes' class, module with log_likelihood)
MODELS = {
    "Pareto/NBD": (clv.ParetoNBDModel, ParetoNBDFitter, pareto_nbd),
    "MBG/NBD": (clv.ModifiedBetaGeoModel, ModifiedBetaGeoFitter, modified_beta_geo),
    "BG/NBD": (clv.BetaGeoModel, BetaGeoFitter, beta_geo),
}


def log(message: str) -> None:
    print(
        f"[{time.strftime('%H:%M:%S')}] {message} (load {os.getloadavg()[0]:.1f})", file=sys.stderr
    )


def simulated_summary(n: int, seed: int) -> pd.DataFrame:
    """Pareto/NBD customers acquired over 52 weeks, observed to week 104, purchases on days.

    Drawn by :func:`clvmodels.simulate.simulate_pareto_nbd_summary`; times are whole days
    in weeks (days / 7), as ``rfm_summary(freq="D", time_unit="W")`` gives them.
    """
    rng = np.random.default_rng(seed)
    T = np.floor(rng.uniform(52.0, 104.0, n) * 7.0) / 7.0
    return clv.simulate.simulate_pareto_nbd_summary(
        n, PARETO_WEEKS, T, seed=rng, time_step=1.0 / 7.0
    )


@dataclass
class Case:
    """One line of the table."""

    case: str
    n: int
    unique_rows: str
    ours: Side
    theirs: Side
    agreement: str
    extrapolated: float | None = None

    @property
    def theirs_seconds(self) -> float:
        return self.theirs.median if self.theirs.times else float(self.extrapolated or np.nan)

    @property
    def speedup(self) -> float:
        return self.theirs_seconds / self.ours.median


def measure(ours: Callable[[], Any], theirs: Callable[[], Any] | None, k: int, k_theirs: int):
    """k calls of ours and k_theirs of theirs, interleaved; the first call of each warms up
    (and is timed too: a fit has nothing to warm but imports, done before)."""
    sides = (Side(), Side())
    for i in range(max(k, k_theirs)):
        for side, fn, reps in ((sides[0], ours, k), (sides[1], theirs, k_theirs)):
            if fn is not None and i < reps:
                side.result, seconds = timed(fn)
                side.times.append(seconds)
                log(f"  {'ours' if side is sides[0] else 'lifetimes'}: {seconds:.3g} s")
    return sides


def fit_agreement(module, ours, theirs_params: dict[str, float], summary) -> str:
    names = module.PARAM_NAMES
    x, t_x, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    theirs_ll = float(np.sum(module.log_likelihood(theirs_params, x, t_x, T)))
    delta = ours.log_likelihood_ - theirs_ll
    ours_params = [ours.params_[n] for n in names]
    other = [theirs_params[n] for n in names]
    return f"params rel. diff {max_rel_diff(ours_params, other):.1e}; ΔLL {delta:+.2g}"


def fit_case(name: str, summary: pd.DataFrame, k: int, run_theirs: bool, per_customer: float):
    ours_class, theirs_class, module = MODELS[name]
    x, t_x, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    log(f"{name} fit, {len(summary):,} customers")
    ours, theirs = measure(
        lambda: ours_class().fit(summary),
        (lambda: theirs_class().fit(x, t_x, T)) if run_theirs else None,
        k,
        1,
    )
    model = ours.result
    if theirs.times:
        params = {n: float(theirs.result.params_[n]) for n in module.PARAM_NAMES}
        agreement = fit_agreement(module, model, params, summary)
        extrapolated = None
    else:
        agreement = "lifetimes not run at this size"
        extrapolated = per_customer * len(summary)
    case = Case(
        f"{name} fit",
        len(summary),
        count(model.n_unique_rows_),
        ours,
        theirs,
        agreement,
        extrapolated,
    )
    return case, model


def predict_case(name: str, model, summary: pd.DataFrame, k: int) -> Case:
    _, theirs_class, module = MODELS[name]
    theirs = theirs_class()
    theirs.params_ = pd.Series(model.params_)
    x, t_x, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    log(f"{name} predictions, {len(summary):,} customers")

    def ours_both():
        return (
            model.conditional_expected_purchases(HORIZON_WEEKS, summary),
            model.probability_alive(summary),
        )

    def theirs_both():
        return (
            theirs.conditional_expected_number_of_purchases_up_to_time(HORIZON_WEEKS, x, t_x, T),
            theirs.conditional_probability_alive(x, t_x, T),
        )

    ours, other = measure(ours_both, theirs_both, k, k)
    diffs = [max_rel_diff(a.to_numpy(), b) for a, b in zip(ours.result, other.result, strict=True)]
    bad = sum(int((~np.isfinite(np.asarray(b, float))).sum()) for b in other.result)
    agreement = f"max rel. diff E[X] {diffs[0]:.1e}, P(alive) {diffs[1]:.1e}"
    if bad:
        agreement += f"; lifetimes non-finite {bad}"
    return Case(f"{name} E[X(52 w)] + P(alive)", len(summary), "—", ours, other, agreement)


def run(quick: bool, pareto_1m: bool) -> list[Case]:
    cases = []
    small, large = SIZES["quick" if quick else "full"]
    per_customer = {}
    for n, seed in ((small, 1), (large, 2)):
        summary = simulated_summary(n, seed)
        for name in MODELS:
            run_theirs = n == small or name != "Pareto/NBD" or pareto_1m
            case, model = fit_case(name, summary, 3, run_theirs, per_customer.get(name, np.nan))
            if n == small and case.theirs.times:
                per_customer[name] = case.theirs.median / n
            cases.append(case)
            cases.append(predict_case(name, model, summary, 3))
    return cases


def _seconds(value: float) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def table(cases: list[Case]) -> str:
    lines = [
        "| case | customers | unique rows | clvmodels median s | lifetimes s "
        "| speed-up (lifetimes/ours) | agreement |",
        "|" + "---|" * 7,
    ]
    for c in cases:
        theirs = (
            f"{_seconds(c.theirs.median)} (k={len(c.theirs.times)})"
            if c.theirs.times
            else f"~{_seconds(c.theirs_seconds)} (extrapolated, not run)"
        )
        lines.append(
            f"| {c.case} | {c.n:,} | {c.unique_rows} "
            f"| {_seconds(c.ours.median)} (k={len(c.ours.times)}) | {theirs} "
            f"| {c.speedup:.1f}x | {c.agreement} |"
        )
    return "\n".join(lines)


def report(cases: list[Case], command: str, seconds: float, loads: tuple) -> str:
    timings = "\n".join(
        f"- {c.case}, {c.n:,}: clvmodels {', '.join(f'{t:.3g}' for t in c.ours.times)} s; "
        f"lifetimes {', '.join(f'{t:.3g}' for t in c.theirs.times) or 'not run'}"
        for c in cases
    )
    return "\n\n".join(
        [
            "# The buy-till-you-die family: clvmodels vs lifetimes",
            f"Command: `{command}` (total {seconds / 60:.1f} min); load average at start "
            f"{loads[0]:.1f}, at end {loads[1]:.1f}",
            machine_info(PACKAGES)
            + f"\n- clvmodels commit: {git_revision(str(RESULTS.parents[1]))}",
            table(cases),
            "Each timed call, in seconds:\n\n" + timings,
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 50k customers")
    parser.add_argument(
        "--lifetimes-pareto-1m",
        action="store_true",
        help="also run lifetimes' Pareto/NBD fit at the large size (about 10 minutes)",
    )
    args = parser.parse_args(argv)
    start, load_start = time.perf_counter(), os.getloadavg()[0]
    with warnings.catch_warnings():
        # lifetimes 0.11.3 triggers pandas/numpy deprecation warnings; ours are kept.
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        cases = run(args.quick, args.lifetimes_pareto_1m)
    command = "python benchmarks/bench_family.py " + " ".join(argv or sys.argv[1:])
    text = report(
        cases, command.strip(), time.perf_counter() - start, (load_start, os.getloadavg()[0])
    )
    print(table(cases))
    path = RESULTS / ("family-quick.md" if args.quick else "family.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    log(f"written to {path}")


if __name__ == "__main__":
    main()
