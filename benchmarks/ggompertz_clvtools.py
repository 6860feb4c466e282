"""The Gamma-Gompertz/NBD side by side with CLVTools' ``ggomnbd`` (R), in one run.

For CLVTools' ``apparelTrans`` (estimation split after 40 weeks) and the CDNOW logs that
clvmodels bundles (the 2,357-customer sample and all 23,570 customers, split on
1997-09-30), R (``OMP_NUM_THREADS=1``) builds its summary
(``clvdata``), fits ``ggomnbd`` with its defaults and times it (``system.time``); the
summary it fitted (``f@cbs``: x, t.x, T.cal) is read back and clvmodels fits
``GammaGompertzNBDModel`` on exactly those rows. Printed per data set: both fit times (the
median of ``--repeat`` clvmodels fits, after one warm-up that loads the compiled kernels),
the speed-up, both log-likelihoods, and both estimates. Then clvmodels alone on a
simulated summary of ``--customers`` customers (1,000,000 by default; whole days, so
distinct rows repeat as in a daily log), drawn from the model's story by
``tests/models/gamma_gompertz_draws.draw``.

Without ``Rscript`` and CLVTools (``../shared/peers/clvtools/install.sh`` builds it), the
CLVTools columns are skipped with a message. Run:
``python benchmarks/ggompertz_clvtools.py [--customers N] [--repeat K]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

import clvmodels as clv

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]
sys.path[:0] = [str(HERE)]
from covariates_clvtools import peer_available, run_r  # noqa: E402

from tests.models.gamma_gompertz_draws import TRUTH, draw  # noqa: E402

#: CLVTools' fit of one log (arguments: the folder, the estimation split).
R_FIT = r"""
suppressMessages({library(CLVTools); library(data.table)})
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]; split <- args[2]
trans <- fread(file.path(folder, "transactions.csv"), colClasses = c(Id = "character"))
d <- clvdata(trans, date.format = "ymd", time.unit = "week",
             estimation.split = if (grepl("-", split)) split else as.numeric(split),
             name.id = "Id", name.date = "Date", name.price = NULL)
took <- system.time(f <- ggomnbd(d, verbose = FALSE))
seconds <- took[["elapsed"]]; cpu <- took[["user.self"]] + took[["sys.self"]]
estimate <- coef(f)
fwrite(data.table(name = names(estimate), estimate = estimate), file.path(folder, "coef.csv"))
fwrite(data.table(seconds = seconds, cpu = cpu, loglik = as.numeric(logLik(f))),
       file.path(folder, "fit.csv"))
fwrite(f@cbs[, .(Id, x, t.x, T.cal)], file.path(folder, "cbs.csv"))
"""

#: CLVTools' apparel log as CSV (argument: the folder).
R_EXPORT = r"""
suppressMessages({library(CLVTools); library(data.table)})
data(apparelTrans)
fwrite(apparelTrans[, .(Id, Date)], file.path(commandArgs(trailingOnly = TRUE)[1], "apparel.csv"))
"""


def clvtools_fit(log: pd.DataFrame, split: str) -> tuple[dict, pd.DataFrame]:
    """CLVTools' fit of ``log`` (Id, Date): seconds, log-likelihood, estimates, and its rows."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        log.to_csv(out / "transactions.csv", index=False)
        run_r(R_FIT, folder, split)
        fit = pd.read_csv(out / "fit.csv").iloc[0]
        coef = pd.read_csv(out / "coef.csv").set_index("name")["estimate"]
        cbs = pd.read_csv(out / "cbs.csv", dtype={"Id": str})
    summary = (
        cbs.rename(columns={"x": "frequency", "t.x": "recency", "T.cal": "T"})
        .set_index("Id")
        .clv.state(time_unit="W", freq="D", observation_period_end="2000-01-01")
    )
    peer = {
        "seconds": float(fit["seconds"]),
        "cpu": float(fit["cpu"]),
        "loglik": float(fit["loglik"]),
    }
    return peer | dict(coef), summary


def time_fit(summary: pd.DataFrame, repeat: int) -> tuple[float, float, clv.GammaGompertzNBDModel]:
    """Median wall and CPU seconds (every thread) of ``repeat`` fits after a warm-up."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = clv.GammaGompertzNBDModel().fit(summary)
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            model = clv.GammaGompertzNBDModel().fit(summary)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), model


def logs() -> dict[str, tuple[pd.DataFrame, str]]:
    """The logs: CLVTools' apparel data (exported by R) and clvmodels' CDNOW (sample and full)."""

    def as_log(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {"Id": frame["customer_id"].astype(str), "Date": frame["date"].astype(str)}
        )

    with tempfile.TemporaryDirectory() as folder:
        run_r(R_EXPORT, folder)
        apparel = pd.read_csv(Path(folder) / "apparel.csv", dtype={"Id": str})
    return {
        "apparel (split 40 w)": (apparel, "40"),
        "CDNOW sample (split 1997-09-30)": (
            as_log(clv.datasets.load_cdnow_sample_transactions()),
            "1997-09-30",
        ),
        "CDNOW (split 1997-09-30)": (
            as_log(clv.datasets.load_cdnow_transactions()),
            "1997-09-30",
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-peer", action="store_true", help="only the simulated fit")
    options = parser.parse_args()
    names = ("r", "alpha", "b", "s", "beta")
    if options.skip_peer:
        pass
    elif peer_available():
        for label, (log, split) in logs().items():
            peer, summary = clvtools_fit(log, split)
            seconds, cpu, model = time_fit(summary, options.repeat)
            print(f"\n## {label}: {len(summary)} customers, {len(log)} transactions")
            print(
                f"CLVTools ggomnbd: {peer['seconds']:.3f} s wall, {peer['cpu']:.3f} s CPU, "
                f"logLik {peer['loglik']:.5f}"
            )
            print(
                f"clvmodels:        {seconds:.3f} s wall, {cpu:.3f} s CPU (medians of "
                f"{options.repeat}), log-likelihood {model.log_likelihood_:.5f}"
            )
            print(f"speed-up: {peer['seconds'] / seconds:.1f}x wall, {peer['cpu'] / cpu:.1f}x CPU")
            print("estimates (CLVTools | clvmodels):")
            for name in names:
                print(f"  {name:5s} {peer[name]:12.6g} | {model.params_[name]:12.6g}")
    else:
        print("Rscript with CLVTools not found: the CLVTools side is skipped.")
    summary = draw(options.customers, days=True)
    rows = len(summary.groupby(["frequency", "recency", "T"]).size())
    seconds, cpu, model = time_fit(summary, 1)
    print(
        f"\n## simulated: {options.customers:,} customers ({rows:,} distinct rows), truth {TRUTH}"
    )
    print(f"clvmodels: {seconds:.1f} s wall, {cpu:.1f} s CPU; estimates {model.params_}")


if __name__ == "__main__":
    main()
