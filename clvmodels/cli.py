"""The ``clvmodels`` command.

``clvmodels demo`` runs the main job on the bundled CDNOW data: summarise the
transaction log, fit BG/NBD and Gamma-Gamma on a calibration period, check the
predictions against the holdout period, and report per-customer predictions.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import clvmodels as clv

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
    """Run the demo and return its key numbers (also printed)."""
    started = time.perf_counter()
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
    total = pd.Series(
        {
            "predicted holdout purchases": predicted.sum(),
            "actual holdout purchases": float(actual.sum()),
            "mean absolute error per customer": float(np.abs(predicted - actual).mean()),
            "correlation predicted/actual": float(np.corrcoef(predicted, actual)[0, 1]),
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

    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        bg_full.save(output / "bgnbd.json")
        gg_full.save(output / "gamma_gamma.json")
        predictions.to_csv(output / "predictions.csv")
        print(f"\nwrote {output / 'bgnbd.json'}, gamma_gamma.json and predictions.csv")
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return {
        "bgnbd_calibration": bg.params_,
        "holdout_predicted": float(predicted.sum()),
        "holdout_actual": float(actual.sum()),
        "n_customers": len(full),
        "customer_equity": float(predictions["clv"].sum()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clvmodels`` command."""
    parser = argparse.ArgumentParser(prog="clvmodels", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"clvmodels {clv.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="fit and check the models on the bundled CDNOW data")
    demo.add_argument("--output", type=Path, default=None, help="folder for models and predictions")
    demo.add_argument("--freq", default="W", help="time unit of the summary (D, W, M)")
    demo.add_argument(
        "--horizon", type=float, default=52.0, help="prediction horizon in --freq units"
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(output=args.output, freq=args.freq, horizon=args.horizon)
    return 0


if __name__ == "__main__":
    sys.exit(main())
