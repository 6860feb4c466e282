"""Pareto/NBD with correlated rates side by side with CLVTools' ``pnbd(use.cor = TRUE)``.

The CDNOW sample log (``clvmodels.datasets.load_cdnow_sample_transactions``) is written
to a temporary folder (outside the repository); CLVTools (``OMP_NUM_THREADS=1``, its
default optimiser and start) fits ``pnbd`` with and without ``use.cor`` on it
(estimation split 1997-09-30, weeks), and clvmodels fits ``ParetoNBDModel`` with and
without ``correlation=True`` on its own summary of the same log (which equals CLVTools'
CBS to 6e-14). Printed: fit times (median of ``k`` runs for clvmodels, one run for
CLVTools), log-likelihoods, the correlation of the rates, and the likelihood-ratio test
of no correlation, in words.

Needs ``Rscript`` with CLVTools installed (``../shared/peers/clvtools/install.sh``);
without it, prints clvmodels' side only and says so. Run:
``python benchmarks/pareto_nbd_correlation.py [k]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from scipy import stats

import clvmodels as clv

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from covariates_clvtools import peer_available  # noqa: E402

#: CLVTools' fits of the log in the folder given as the first argument.
R_FIT = r"""
suppressMessages({library(CLVTools); library(data.table)})
folder <- commandArgs(trailingOnly = TRUE)[1]
trans <- fread(file.path(folder, "log.csv"), colClasses = c(Id = "character"))
d <- clvdata(trans, date.format = "ymd", time.unit = "week", estimation.split = "1997-09-30",
             name.id = "Id", name.date = "Date", name.price = "Price")
t0 <- system.time(f0 <- pnbd(d, verbose = FALSE))[["elapsed"]]
t1 <- system.time(f1 <- pnbd(d, use.cor = TRUE, verbose = FALSE))[["elapsed"]]
cor <- coef(f1)[["Cor(life,trans)"]]
fwrite(data.table(model = c("independent", "correlated"), seconds = c(t0, t1),
                  loglik = c(as.numeric(logLik(f0)), as.numeric(logLik(f1))),
                  correlation = c(0, cor)), file.path(folder, "fit.csv"))
"""


def clvtools(log: pd.DataFrame) -> pd.DataFrame:
    """CLVTools' fit times, log-likelihoods and correlations (one row per model)."""
    with tempfile.TemporaryDirectory() as folder:
        frame = log.rename(columns={"customer_id": "Id", "date": "Date", "spend": "Price"})
        frame["Date"] = frame["Date"].dt.strftime("%Y-%m-%d")
        frame[["Id", "Date", "Price"]].to_csv(Path(folder) / "log.csv", index=False)
        done = subprocess.run(
            ["Rscript", "-e", R_FIT, folder],
            capture_output=True,
            text=True,
            env=os.environ | {"OMP_NUM_THREADS": "1"},
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"Rscript failed:\n{done.stderr[-3000:]}")
        return pd.read_csv(Path(folder) / "fit.csv").set_index("model")


def ours(summary: pd.DataFrame, k: int) -> pd.DataFrame:
    """clvmodels' median fit times of ``k`` runs, log-likelihoods and correlations."""
    rows = {}
    for name, correlation in (("independent", False), ("correlated", True)):
        seconds = []
        for _ in range(k):
            start = time.perf_counter()
            model = clv.ParetoNBDModel(correlation=correlation).fit(summary)
            seconds.append(time.perf_counter() - start)
        rows[name] = {
            "seconds": statistics.median(seconds),
            "loglik": model.log_likelihood_,
            "correlation": model.correlation_,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def main(k: int = 5) -> None:
    log = clv.datasets.load_cdnow_sample_transactions()
    summary = clv.rfm_summary(
        log,
        customer_id_col="customer_id",
        datetime_col="date",
        observation_period_end="1997-09-30",
        freq="D",
        time_unit="W",
    )
    mine = ours(summary, k)
    theirs = clvtools(log) if peer_available() else None
    if theirs is None:
        print("Rscript with CLVTools is not available: clvmodels' side only (see the docstring)")
    print(f"CDNOW sample log, {len(summary):,} customers, weeks; clvmodels median of {k} runs\n")
    print("| model | clvmodels s | CLVTools s | speed-up | LL clvmodels | LL CLVTools | Corr |")
    print("|---|---|---|---|---|---|---|")
    for name in mine.index:
        ours_row = mine.loc[name]
        if theirs is not None:
            their = theirs.loc[name]
            speed = f"{their['seconds'] / ours_row['seconds']:.1f}x"
            columns = [f"{their['seconds']:.3g}", speed, f"{their['loglik']:.4f}"]
            corr = f"{ours_row['correlation']:.4f} / {their['correlation']:.4f}"
        else:
            columns = ["-", "-", "-"]
            corr = f"{ours_row['correlation']:.4f}"
        print(
            f"| Pareto/NBD {name} | {ours_row['seconds']:.3g} | {columns[0]} | {columns[1]} | "
            f"{ours_row['loglik']:.4f} | {columns[2]} | {corr} |"
        )
    statistic = max(2 * (mine.at["correlated", "loglik"] - mine.at["independent", "loglik"]), 0)
    p_value = stats.chi2.sf(statistic, 1)
    verdict = "reject" if p_value < 0.05 else "do not reject"
    print(
        f"\nLikelihood-ratio test of no correlation (clvmodels' fits): statistic "
        f"{statistic:.2f} on 1 degree of freedom, p = {p_value:.3f}: {verdict} independent "
        "purchase and dropout rates at the 5 % level."
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
