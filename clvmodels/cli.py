"""The ``clvmodels`` command.

``clvmodels demo`` runs the main job on the bundled CDNOW data: summarise the
transaction log, fit BG/NBD and Gamma-Gamma on a calibration period, check the
predictions against the holdout period, and report per-customer predictions.

Files are written whole or not at all: the outputs are built in a temporary
folder next to ``--output`` and moved into place at the end. A mistake in the
options, or an error while running, is one line on stderr and a non-zero exit
(2 for options, 1 otherwise); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

import clvmodels as clv
from clvmodels.atomic import atomic_directory
from clvmodels.checks import finite_scalar
from clvmodels.data.units import canonical_unit
from clvmodels.evaluation.metrics import prediction_metrics

CALIBRATION_END = "1997-09-30"
OBSERVATION_END = "1998-06-30"


def _print_table(title: str, frame: pd.DataFrame | pd.Series, floatfmt: str = "{:,.4f}") -> None:
    print(f"\n== {title}")
    with pd.option_context("display.float_format", floatfmt.format, "display.width", 120):
        print(frame.to_string())


def _spend_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """Drop repeat buyers whose repeat purchases cost nothing, saying how many.

    Gamma-Gamma needs positive spend; CDNOW has a few $0 repeat purchases.
    """
    free = (summary["frequency"] > 0) & (summary["monetary_value"] <= 0)
    if free.any():
        print(
            f"note: {int(free.sum())} repeat buyer(s) with zero mean spend left out of the "
            f"Gamma-Gamma fit (e.g. customer {summary.index[free][0]})"
        )
    return summary[~free]


def run_demo(
    output: Path | None = None,
    freq: str = "W",
    horizon: float = 52.0,
    clv_months: int = 12,
    discount_rate: float = 0.10,
) -> dict:
    """Run the demo and return its key numbers (also printed).

    With ``output``, write ``bgnbd.json``, ``gamma_gamma.json`` and
    ``predictions.csv`` there, all at the end and each whole (see
    :func:`clvmodels.atomic.atomic_directory`); an unwritable ``output`` fails
    before the models are fitted.
    """
    started = time.perf_counter()
    staging_area = atomic_directory(output) if output is not None else nullcontext()
    with staging_area as staging:
        numbers = _demo(staging, freq, horizon, clv_months, discount_rate)
    if output is not None:
        print(f"\nwrote {output / 'bgnbd.json'}, gamma_gamma.json and predictions.csv")
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return numbers


def _demo(
    staging: Path | None, freq: str, horizon: float, clv_months: int, discount_rate: float
) -> dict:
    """The demo's work; the outputs go to ``staging`` when given."""
    transactions = clv.datasets.load_cdnow_transactions()
    print(
        f"CDNOW master log: {len(transactions):,} transactions, "
        f"{transactions['customer_id'].nunique():,} customers, "
        f"{transactions['date'].min().date()} .. {transactions['date'].max().date()}"
    )

    split = clv.calibration_holdout_split(
        transactions,
        "customer_id",
        "date",
        calibration_period_end=CALIBRATION_END,
        observation_period_end=OBSERVATION_END,
        monetary_value_col="spend",
        freq=freq,
    )
    bg = clv.BetaGeoModel().fit(split)
    gg = clv.GammaGammaModel().fit(_spend_rows(split))
    _print_table(
        f"BG/NBD on the calibration period (to {CALIBRATION_END}, unit {freq})", bg.summary()
    )
    print(f"log-likelihood {bg.log_likelihood_:,.2f} on {bg.n_unique_rows_} unique rows")
    _print_table("Gamma-Gamma on the repeat buyers", gg.summary())

    duration = float(split["duration_holdout"].iloc[0])
    predicted = bg.conditional_expected_purchases(duration, split)
    actual = split["frequency_holdout"]
    scores = prediction_metrics(actual, predicted)
    total = pd.Series(
        {
            "predicted holdout purchases": scores["predicted_total"],
            "actual holdout purchases": scores["actual_total"],
            "mean absolute error per customer": scores["mae"],
            "correlation predicted/actual": scores["correlation"],
        }
    )
    _print_table(f"Holdout check ({duration:g} {freq} to {OBSERVATION_END})", total)

    full = clv.rfm_summary(
        transactions,
        "customer_id",
        "date",
        monetary_value_col="spend",
        observation_period_end=OBSERVATION_END,
        freq=freq,
    )
    bg_full = clv.BetaGeoModel().fit(full)
    gg_full = clv.GammaGammaModel().fit(_spend_rows(full))
    predictions = pd.DataFrame(
        {
            "frequency": full["frequency"],
            "recency": full["recency"],
            "T": full["T"],
            "p_alive": bg_full.probability_alive(full),
            f"expected_purchases_{horizon:g}{freq}": bg_full.conditional_expected_purchases(
                horizon, full
            ),
            "expected_spend": gg_full.expected_spend(full),
        }
    )
    comparison = clv.compare_clv(
        full,
        bg_full,
        gg_full,
        horizon=clv_months,
        discount_rate=discount_rate,
        horizon_unit="M",
        discount_period="Y",
    )
    predictions["clv"] = comparison.per_customer["probabilistic"]
    top = predictions.sort_values("clv", ascending=False).head(10)
    _print_table(
        f"Top 10 customers by {clv_months}-month CLV (annual discount {discount_rate:.0%})",
        top,
        "{:,.2f}",
    )
    _print_table(
        f"Customer equity: probabilistic CLV vs textbook formulas on the same data "
        f"(churn {comparison.churn_per_period:.1%} a month, estimated from the summary)",
        comparison.aggregate,
        "{:,.2f}",
    )
    contractual = clv.compare_contractual(
        clv.datasets.load_retention_cohorts(), discount_rate=discount_rate
    )
    _print_table(
        "Contractual cohorts (Fader & Hardie 2007): sBG lifetime value vs the retention formula",
        contractual,
    )

    if staging is not None:
        bg_full.save(staging / "bgnbd.json")
        gg_full.save(staging / "gamma_gamma.json")
        predictions.to_csv(staging / "predictions.csv")
    return {
        "bgnbd_calibration": bg.params_,
        "holdout_predicted": float(predicted.sum()),
        "holdout_actual": float(actual.sum()),
        "n_customers": len(full),
        "customer_equity": float(predictions["clv"].sum()),
    }


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _time_unit(text: str) -> str:
    try:
        canonical_unit(text, "--freq")
        return text
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _horizon(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"value must be a number; got {text!r}") from None
    try:
        return finite_scalar(number, "value", greater_than=0)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _output_folder(text: str) -> Path:
    """A folder that is, or can be created, writable (checked before any work)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{text}: the folder {existing} is not writable")
    return path


def _one_line(error: BaseException) -> str:
    """An exception as one line: its message's lines joined, OS errors made readable."""
    if isinstance(error, OSError) and error.strerror:
        where = f" {error.filename}" if error.filename else ""
        return f"cannot write{where}: {error.strerror}"
    text = "; ".join(line.strip(" -") for line in str(error).splitlines() if line.strip())
    return text or type(error).__name__


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clvmodels", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"clvmodels {clv.__version__}")
    debug = {"action": "store_true", "help": "show the full traceback of an error"}
    parser.add_argument("--debug", **debug)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="fit and check the models on the bundled CDNOW data")
    demo.add_argument(
        "--output", type=_output_folder, default=None, help="folder for models and predictions"
    )
    demo.add_argument("--freq", type=_time_unit, default="W", help="time unit (D, W, M)")
    demo.add_argument(
        "--horizon", type=_horizon, default=52.0, help="prediction horizon in --freq units, > 0"
    )
    demo.add_argument("--debug", default=argparse.SUPPRESS, **debug)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clvmodels`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(output=args.output, freq=args.freq, horizon=args.horizon)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("clvmodels: interrupted; no output was written", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        print(
            f"clvmodels: error: {_one_line(error)} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
