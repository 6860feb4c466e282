"""clvmodels vs lifetimes on the same inputs, in one run: fits, predictions, RFM summary.

Usage::

    python benchmarks/bench_foundation.py            # full run (a few minutes)
    python benchmarks/bench_foundation.py --quick    # small sizes, a smoke run

Prints a Markdown table and writes it, with the machine and the library versions, to
``benchmarks/results/foundation.md`` (``foundation-quick.md`` with ``--quick``). See
``benchmarks/README.md`` for the method and the last full run.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import (
    Row,
    compare,
    count,
    git_revision,
    machine_info,
    markdown_table,
    max_rel_diff,
)
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

import clvmodels as clv
from clvmodels.models import beta_geo, gamma_gamma
from clvmodels.simulate import simulate_transactions

#: The CDNOW estimates (BG/NBD in weeks, Fader, Hardie & Lee 2005; Gamma-Gamma as in the
#: lifetimes documentation) used to draw the simulated customers.
BGNBD_WEEKS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
#: Prediction horizon: 52 weeks, in days (the simulated summaries are daily).
HORIZON_DAYS = 364.0
#: Transactions per simulated customer (acquired over 52 weeks, observed 104): ~2.85.
TX_PER_CUSTOMER = 2.7

SIZES = {
    "full": {
        "bgnbd": (100_000, 1_000_000),
        "transactions": (1_000_000, 10_000_000),
    },
    "quick": {
        "bgnbd": (10_000, 50_000),
        "transactions": (100_000, 300_000),
    },
}

RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = ("clvmodels", "lifetimes", "numpy", "scipy", "pandas", "autograd")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def short(n: int) -> str:
    """1000000 -> '1M', 100000 -> '100k'."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size and n % (size // 10) == 0:
            return f"{n / size:g}{suffix}"
    return count(n)


# -- data (generated once, outside every timed region) ----------------------------------
def simulated_log(n_customers: int, seed: int) -> tuple[pd.DataFrame, str]:
    """A BG/NBD + Gamma-Gamma transaction log, times to the second, and its end date."""
    tx = simulate_transactions(n_customers, BGNBD_WEEKS, GAMMA_GAMMA, time_unit="W", seed=seed)
    return tx, tx.attrs["observation_period_end"]


def simulated_summary(n_customers: int, seed: int) -> pd.DataFrame:
    """Daily (integer-day) RFM summary of ``n_customers`` simulated customers."""
    tx, end = simulated_log(n_customers, seed)
    return clv.rfm_summary(tx, "customer_id", "date", "spend", observation_period_end=end, freq="D")


def log_of_size(n_transactions: int, seed: int) -> tuple[pd.DataFrame, str]:
    """The first ``n_transactions`` rows (by date) of a simulated log."""
    tx, end = simulated_log(math.ceil(n_transactions / TX_PER_CUSTOMER), seed)
    if len(tx) < n_transactions:
        raise RuntimeError(f"simulated only {len(tx)} transactions, wanted {n_transactions}")
    return tx.iloc[:n_transactions].reset_index(drop=True), end


def arrays(summary: pd.DataFrame, *names: str) -> list[np.ndarray]:
    """Columns as plain numpy arrays (what lifetimes is given)."""
    return [summary[name].to_numpy() for name in names]


# -- agreement ---------------------------------------------------------------------------
def bgnbd_agreement(ours: clv.BetaGeoModel, theirs: BetaGeoFitter, summary) -> str:
    names = beta_geo.PARAM_NAMES
    ours_params = [ours.params_[n] for n in names]
    theirs_params = [float(theirs.params_[n]) for n in names]
    x, t_x, T = arrays(summary, "frequency", "recency", "T")
    theirs_ll = beta_geo.log_likelihood(dict(zip(names, theirs_params, strict=True)), x, t_x, T)
    delta = ours.log_likelihood_ - float(np.sum(theirs_ll))
    return f"params rel. diff {max_rel_diff(ours_params, theirs_params):.1e}; ΔLL {delta:+.1e}"


def gamma_gamma_agreement(ours: clv.GammaGammaModel, theirs: GammaGammaFitter, repeat) -> str:
    names = gamma_gamma.PARAM_NAMES
    ours_params = [ours.params_[n] for n in names]
    theirs_params = [float(theirs.params_[n]) for n in names]
    x, m = arrays(repeat, "frequency", "monetary_value")
    theirs_ll = gamma_gamma.log_likelihood(dict(zip(names, theirs_params, strict=True)), x, m)
    delta = ours.log_likelihood_ - float(np.sum(theirs_ll))
    return f"params rel. diff {max_rel_diff(ours_params, theirs_params):.1e}; ΔLL {delta:+.1e}"


def values_agreement(ours: pd.Series, theirs: np.ndarray) -> str:
    ours = ours.to_numpy()
    theirs = np.asarray(theirs, dtype=np.float64)
    text = f"max rel. diff {max_rel_diff(ours, theirs):.1e}"
    bad_ours, bad_theirs = int((~np.isfinite(ours)).sum()), int((~np.isfinite(theirs)).sum())
    if bad_ours or bad_theirs:
        text += f"; non-finite: ours {bad_ours}, lifetimes {bad_theirs}"
    return text


def summary_agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> str:
    """Same customers, and each column compared after aligning lifetimes' index to ours."""
    if not ours.index.sort_values().equals(theirs.index.sort_values()):
        return "DIFFERENT customers"
    theirs = theirs.reindex(ours.index)
    diffs = {c: float(np.max(np.abs(ours[c].to_numpy() - theirs[c].to_numpy()))) for c in ours}
    same = [c for c, d in diffs.items() if d == 0.0]
    text = f"same customers; {', '.join(same)} identical" if same else "same customers"
    rest = [f"{c} max abs. diff {d:.1e}" for c, d in diffs.items() if d != 0.0]
    return "; ".join([text, *rest])


# -- cases -------------------------------------------------------------------------------
def bgnbd_fit(name: str, summary: pd.DataFrame, k: int) -> tuple[Row, clv.BetaGeoModel]:
    x, t_x, T = arrays(summary, "frequency", "recency", "T")
    ours, theirs = compare(
        lambda: clv.BetaGeoModel().fit(summary), lambda: BetaGeoFitter().fit(x, t_x, T), k
    )
    model = ours.result
    row = Row(
        name,
        count(len(summary)),
        count(model.n_unique_rows_),
        ours,
        theirs,
        bgnbd_agreement(model, theirs.result, summary),
        note=f"clvmodels BFGS iterations {model.n_iterations_}",
    )
    return row, model


def bgnbd_fit_weighted(name: str, summary: pd.DataFrame, k: int) -> Row:
    """Context: lifetimes given the unique rows and their counts (its ``weights``)."""

    def theirs() -> BetaGeoFitter:
        rows = summary.groupby(["frequency", "recency", "T"], sort=False).size().reset_index()
        f, r, t, w = arrays(rows, "frequency", "recency", "T", 0)
        return BetaGeoFitter().fit(f, r, t, weights=w)

    ours, lt = compare(lambda: clv.BetaGeoModel().fit(summary), theirs, k)
    return Row(
        name,
        count(len(summary)),
        count(ours.result.n_unique_rows_),
        ours,
        lt,
        bgnbd_agreement(ours.result, lt.result, summary),
        note="lifetimes timing includes its groupby to unique rows",
    )


def gamma_gamma_fit(name: str, summary: pd.DataFrame, k: int) -> tuple[Row, clv.GammaGammaModel]:
    repeat = summary[summary["frequency"] > 0]
    x, m = arrays(repeat, "frequency", "monetary_value")
    ours, theirs = compare(
        lambda: clv.GammaGammaModel().fit(repeat), lambda: GammaGammaFitter().fit(x, m), k
    )
    model = ours.result
    row = Row(
        name,
        count(len(repeat)),
        count(model.n_unique_rows_),
        ours,
        theirs,
        gamma_gamma_agreement(model, theirs.result, repeat),
        note=f"repeat buyers of {count(len(summary))}; "
        f"clvmodels BFGS iterations {model.n_iterations_}",
    )
    return row, model


def predictions(
    summary: pd.DataFrame, bg: clv.BetaGeoModel, gg: clv.GammaGammaModel, k: int
) -> list[Row]:
    """Per-customer predictions with the same parameters in both libraries."""
    lt_bg = BetaGeoFitter()
    lt_bg.params_ = pd.Series({n: bg.params_[n] for n in beta_geo.PARAM_NAMES})
    lt_gg = GammaGammaFitter()
    lt_gg.params_ = pd.Series({n: gg.params_[n] for n in gamma_gamma.PARAM_NAMES})
    x, t_x, T, m = arrays(summary, "frequency", "recency", "T", "monetary_value")
    n = short(len(summary))
    cases: list[tuple[str, Callable, Callable]] = [
        (
            f"E[purchases in 52 wk] ({HORIZON_DAYS:g} d), {n}",
            lambda: bg.conditional_expected_purchases(HORIZON_DAYS, summary),
            lambda: lt_bg.conditional_expected_number_of_purchases_up_to_time(
                HORIZON_DAYS, x, t_x, T
            ),
        ),
        (
            f"P(alive), {n}",
            lambda: bg.probability_alive(summary),
            lambda: lt_bg.conditional_probability_alive(x, t_x, T),
        ),
        (
            f"expected spend, {n}",
            lambda: gg.expected_spend(summary),
            lambda: lt_gg.conditional_expected_average_profit(x, m),
        ),
        (
            # lifetimes: 12 monthly steps of 30 days (its freq="D" factor), rate per month.
            f"12-month CLV (1%/month), {n}",
            lambda: clv.customer_lifetime_value(
                bg,
                gg,
                summary,
                12,
                0.01,
                horizon_unit="M",
                discount_period="M",
                step_length=30.0,
            ),
            lambda: lt_gg.customer_lifetime_value(
                lt_bg,
                summary["frequency"],
                summary["recency"],
                summary["T"],
                summary["monetary_value"],
                time=12,
                discount_rate=0.01,
                freq="D",
            ),
        ),
    ]
    # lifetimes' CLV calls .predict, which its fit() sets; these fitters were not fitted.
    lt_bg.predict = lt_bg.conditional_expected_number_of_purchases_up_to_time
    rows = []
    for name, ours_fn, theirs_fn in cases:
        ours, theirs = compare(ours_fn, theirs_fn, k)
        agreement = values_agreement(ours.result, theirs.result)
        target = 10.0 if name.startswith("12-month CLV") else None
        rows.append(Row(name, count(len(summary)), "—", ours, theirs, agreement, target=target))
    return rows


def summary_case(n_transactions: int, seed: int, k: int, k_theirs: int) -> Row:
    tx, end = log_of_size(n_transactions, seed)
    ours, theirs = compare(
        lambda: clv.rfm_summary(
            tx, "customer_id", "date", "spend", observation_period_end=end, freq="D"
        ),
        lambda: summary_data_from_transaction_data(
            tx, "customer_id", "date", monetary_value_col="spend", observation_period_end=end
        ),
        k,
        k_theirs,
    )
    return Row(
        f"rfm_summary (freq=D, spend), {short(n_transactions)} transactions",
        count(n_transactions),
        f"{count(len(ours.result))} customers",
        ours,
        theirs,
        summary_agreement(ours.result, theirs.result),
    )


def run(quick: bool) -> list[Row]:
    sizes = SIZES["quick" if quick else "full"]
    rows: list[Row] = []

    def add(row: Row) -> None:
        log(
            f"  {row.case}: ours {row.ours.median:.3f} s, lifetimes {row.theirs.median:.3f} s "
            f"({row.speedup:.1f}x); {row.agreement}"
        )
        rows.append(row)

    cdnow = clv.datasets.load_cdnow_summary()
    add(bgnbd_fit("BG/NBD fit, CDNOW (weeks)", cdnow, k=5)[0])

    for i, n in enumerate(sizes["bgnbd"]):
        log(f"simulating {count(n)} customers")
        summary = simulated_summary(n, seed=100 + i)
        last = i == len(sizes["bgnbd"]) - 1
        row, model = bgnbd_fit(f"BG/NBD fit, {short(n)} simulated (days)", summary, k=5)
        row.target = 10.0 if last else None
        add(row)
        if last:
            bg_big, big = model, summary
            add(
                bgnbd_fit_weighted(
                    f"BG/NBD fit, {short(n)} (context: lifetimes given unique rows + counts)",
                    summary,
                    k=3,
                )
            )
    # Gamma-Gamma and predictions use the largest simulated summary and its BG/NBD fit.
    add(gamma_gamma_fit("Gamma-Gamma fit, CDNOW repeat buyers", cdnow, k=5)[0])
    row, gg_big = gamma_gamma_fit(f"Gamma-Gamma fit, {short(len(big))} simulated", big, k=5)
    add(row)

    for row in predictions(big, bg_big, gg_big, k=5):
        add(row)

    for i, n in enumerate(sizes["transactions"]):
        last = i == len(sizes["transactions"]) - 1
        log(f"simulating {count(n)} transactions")
        row = summary_case(n, seed=300 + i, k=5, k_theirs=3 if last else 5)
        row.target = 5.0 if last else None
        add(row)
    return rows


def targets(rows: list[Row]) -> str:
    """Pass/miss against the speed-up targets (meant for the full-size cases)."""
    lines = ["Targets (speed-up = lifetimes median / clvmodels median):", ""]
    for row in rows:
        if row.target is not None:
            verdict = "PASS" if row.speedup >= row.target else "MISS"
            lines.append(f"- {row.case}: {row.speedup:.1f}x vs >= {row.target:g}x: {verdict}")
    return "\n".join(lines)


def report(rows: list[Row], quick: bool, seconds: float) -> str:
    command = "python benchmarks/bench_foundation.py" + (" --quick" if quick else "")
    notes = "\n".join(
        f"- {row.case}: clvmodels {', '.join(f'{t:.3g}' for t in row.ours.times)} s; "
        f"lifetimes {', '.join(f'{t:.3g}' for t in row.theirs.times)} s"
        + (f"; {row.note}" if row.note else "")
        for row in rows
    )
    return "\n\n".join(
        [
            "# clvmodels vs lifetimes: fits, predictions, CLV, RFM summary",
            f"Command: `{command}` (total {seconds / 60:.1f} min)",
            machine_info(PACKAGES)
            + f"\n- clvmodels commit: {git_revision(str(RESULTS.parents[1]))}",
            markdown_table(rows),
            targets(rows),
            "Each timed call, in seconds:\n\n" + notes,
            "Timings: wall clock, median of k calls (k shown), interleaved ours/lifetimes. "
            "Peak memory: tracemalloc peak of one separate untimed call (also the warm-up).",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # lifetimes 0.11.3 triggers pandas/numpy deprecation warnings; ours are kept.
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        rows = run(args.quick)
    text = report(rows, args.quick, time.perf_counter() - start)
    print(markdown_table(rows))
    print()
    print(targets(rows))
    path = RESULTS / ("foundation-quick.md" if args.quick else "foundation.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    log(f"written to {path} ({(time.perf_counter() - start) / 60:.1f} min)")


if __name__ == "__main__":
    main()
