"""Static covariates side by side with CLVTools (R): the same logs, fitted in the same run.

For each data set the transaction log and the covariates are written to a temporary
folder (outside the repository); CLVTools (``OMP_NUM_THREADS=1``, its default
optimiser and start) fits ``pnbd`` and ``bgnbd`` with the covariates on both processes
from that log, and clvmodels fits ``ParetoNBDModel`` and ``BetaGeoModel`` on its own
summary of the same log. Printed: fit times, log-likelihoods, the coefficients and their
standard errors side by side (difference in clvmodels standard errors), and P(alive) and
expected purchases in the next 52 weeks for every customer (largest difference, and a
few customers).

Data sets: CLVTools' ``apparelTrans`` / ``apparelStaticCov`` (exported to CSV by R;
estimation split after 40 weeks, covariates Gender and Channel), and a simulated log of
``n`` customers (``covariates_static.customers``: five covariates, two of them
categorical, with known effects; dummies against the first level for R).

Needs ``Rscript`` with CLVTools installed (``../shared/peers/clvtools/install.sh``); without
it, says so and exits 0. Run: ``python benchmarks/covariates_clvtools.py [n]`` (default
10,000 customers: CLVTools takes minutes beyond that on this machine);
``python benchmarks/covariates_clvtools.py --reference`` prints the CLVTools estimates
that ``tests/models/test_covariates_clvtools_reference.py`` records.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import clvmodels as clv

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from covariates_static import COLUMNS, customers  # noqa: E402

from tests.models.covariate_draws import (  # noqa: E402
    TRUE_EFFECTS,
    beta_geo_customers,
    in_whole_days,
    pareto_nbd_customers,
)

#: CLVTools' fit of both models on the files in a folder (arguments: the folder, the
#: covariate columns joined by commas, the estimation split in weeks or "none").
R_FIT = r"""
suppressMessages({library(CLVTools); library(data.table)})
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]; names.cov <- strsplit(args[2], ",")[[1]]
split <- if (args[3] == "none") NULL else as.numeric(args[3])
trans <- fread(file.path(folder, "transactions.csv"), colClasses = c(Id = "character"))
cov <- fread(file.path(folder, "covariates.csv"), colClasses = c(Id = "character"))
d <- clvdata(trans, date.format = "ymd", time.unit = "week", estimation.split = split,
             name.id = "Id", name.date = "Date", name.price = NULL)
d <- SetStaticCovariates(d, data.cov.life = cov, data.cov.trans = cov,
                         names.cov.life = names.cov, names.cov.trans = names.cov, name.id = "Id")
writeLines(as.character(d@clv.time@timepoint.estimation.end), file.path(folder, "end.txt"))
for (model in c("pnbd", "bgnbd")) {
  tryCatch({
    seconds <- system.time(f <- do.call(model, list(clv.data = d, verbose = FALSE)))[["elapsed"]]
    estimate <- coef(f)
    se <- suppressWarnings(sqrt(diag(vcov(f))))[names(estimate)]
    fwrite(data.table(name = names(estimate), estimate = estimate, se = se),
           file.path(folder, paste0(model, "_coef.csv")))
    fwrite(data.table(seconds = seconds, loglik = as.numeric(logLik(f))),
           file.path(folder, paste0(model, "_fit.csv")))
    p <- predict(f, prediction.end = 52, verbose = FALSE)
    fwrite(p[, .(Id, PAlive, CET)], file.path(folder, paste0(model, "_predict.csv")))
    fwrite(f@cbs[, .(Id, x, t.x, T.cal)], file.path(folder, "cbs.csv"))
  }, error = function(e) {
    writeLines(conditionMessage(e), file.path(folder, paste0(model, "_error.txt")))
  })
}
"""

#: CLVTools' apparel data as CSV (argument: the folder).
R_EXPORT = r"""
suppressMessages({library(CLVTools); library(data.table)})
folder <- commandArgs(trailingOnly = TRUE)[1]
data(apparelTrans); data(apparelStaticCov)
fwrite(apparelTrans[, .(Id, Date)], file.path(folder, "transactions.csv"))
fwrite(apparelStaticCov, file.path(folder, "covariates.csv"))
"""

MODELS = (("pnbd", clv.ParetoNBDModel), ("bgnbd", clv.BetaGeoModel))


def peer_available() -> bool:
    """Whether ``Rscript`` runs and loads CLVTools."""
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(
        ["Rscript", "-e", "library(CLVTools)"], capture_output=True, timeout=120, check=False
    )
    return done.returncode == 0


def run_r(script: str, *args: str) -> None:
    """Run an R script with one OpenMP thread; its errors end the benchmark."""
    env = os.environ | {"OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        ["Rscript", "-e", script, *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{done.stderr[-3000:]}")


def simulated_log(n: int, story: str, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The log and covariates of ``customers(n, story)`` (see :func:`log_of`).

    Age is in decades from 45 (effects 10 times those of ``customers``): CLVTools'
    optimiser, started at 0 effects, fails on years.
    """
    drawn = in_whole_days(customers(n, story, seed))
    drawn["age"] = (drawn["age"] - 45.0) / 10.0
    drawn.index = pd.RangeIndex(1, n + 1)
    return log_of(drawn), drawn[COLUMNS].rename_axis("Id").reset_index()


def log_of(summary: pd.DataFrame) -> pd.DataFrame:
    """A daily transaction log (Id, Date) whose summary is ``summary``.

    ``summary`` (indexed by whole-number ids) has recency and T on whole days and at most
    one purchase per day (``tests/models/covariate_draws.in_whole_days``). Each customer's
    first purchase is T days before the end, and x repeat purchases fall on distinct days,
    the last at t_x.
    """
    T_days = np.rint(summary["T"].to_numpy() * 7).astype(np.int64)
    t_x_days = np.rint(summary["recency"].to_numpy() * 7).astype(np.int64)
    x = summary["frequency"].to_numpy().astype(np.int64)
    if np.any(x > t_x_days):
        raise ValueError("more purchases than days: give in_whole_days(summary)")
    end = np.datetime64("2024-12-31")
    first = end - T_days.astype("timedelta64[D]")
    ids = summary.index.to_numpy()
    owner = np.repeat(np.arange(len(x)), x)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(x) - x, x) + 1  # 1..x per customer
    offsets = (k * t_x_days[owner]) // np.maximum(x[owner], 1)
    dates = np.concatenate([first, first[owner] + offsets.astype("timedelta64[D]")])
    log = pd.DataFrame({"Id": np.concatenate([ids, ids[owner]]), "Date": dates})
    return log.sort_values(["Id", "Date"], kind="stable")


def dummies(covariates: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Numeric columns for R (categories as 0/1 against the first sorted level).

    Returns the frame and, per R column, the clvmodels name of its coefficient suffix.
    """
    out, names = covariates[["Id"]].copy(), {}
    for column in covariates.columns.drop("Id"):
        values = covariates[column]
        if values.dtype.kind in "fiub":
            out[column] = values.astype(float)
            names[column] = column
            continue
        for level in sorted(values.unique())[1:]:
            name = f"{column}_{level}"
            out[name] = (values == level).astype(float)
            names[name] = f"{column}[{level}]"
    return out, names


def peer(log: pd.DataFrame, covariates: pd.DataFrame, split: str) -> dict:
    """CLVTools' fits on ``log`` (R in a temporary folder), and clvmodels' summary of it."""
    numeric, names = dummies(covariates)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        log.assign(Date=pd.to_datetime(log["Date"]).dt.strftime("%Y-%m-%d")).to_csv(
            out / "transactions.csv", index=False
        )
        numeric.to_csv(out / "covariates.csv", index=False)
        start = time.perf_counter()
        run_r(R_FIT, folder, ",".join(names), split)
        r_total = time.perf_counter() - start
        end = pd.Timestamp((out / "end.txt").read_text().strip())
        fits = {}
        for model, _ in MODELS:
            if (out / f"{model}_error.txt").exists():
                fits[model] = (out / f"{model}_error.txt").read_text().strip()
                continue
            fits[model] = (
                pd.read_csv(out / f"{model}_coef.csv").set_index("name"),
                pd.read_csv(out / f"{model}_fit.csv").iloc[0],
                pd.read_csv(out / f"{model}_predict.csv", dtype={"Id": str}).set_index("Id"),
            )
        cbs = (
            pd.read_csv(out / "cbs.csv", dtype={"Id": str}).set_index("Id")
            if (out / "cbs.csv").exists()
            else None
        )
    dated = log.assign(Date=pd.to_datetime(log["Date"]), Id=log["Id"].astype(str))
    summary = clv.rfm_summary(
        dated[dated["Date"] <= end], "Id", "Date", observation_period_end=end, time_unit="W"
    )
    table = covariates.assign(Id=covariates["Id"].astype(str)).set_index("Id")
    summary = summary.join(table)
    identical = cbs is not None and np.allclose(
        cbs.reindex(summary.index)[["x", "t.x", "T.cal"]].to_numpy(),
        summary[["frequency", "recency", "T"]],
    )
    coefficient_names = [f[0].index for f in fits.values() if not isinstance(f, str)]
    return {
        "fits": fits,
        "summary": summary,
        "identical": bool(identical),
        "r_seconds": r_total,
        "names": {
            name: ("" if not column else {"trans": "purchase:", "life": "dropout:"}[process])
            + names.get(column, name)
            for name in pd.Index([]).append(coefficient_names).unique()
            for process, _, column in [name.partition(".")]
        },
    }


def compare(label: str, log: pd.DataFrame, covariates: pd.DataFrame, split: str) -> None:
    """Fit both libraries on ``log`` and print the side-by-side tables."""
    result = peer(log, covariates, split)
    summary, names = result["summary"], result["names"]
    print(
        f"\n== {label}: {len(summary)} customers, CLVTools' (x, t_x, T) identical: "
        f"{result['identical']} (R process {result['r_seconds']:.1f} s in all)"
    )
    columns = list(covariates.columns.drop("Id"))
    for model, cls in MODELS:
        mine = cls(purchase_covariates=columns, dropout_covariates=columns)
        with warnings.catch_warnings():  # compile (or load) the kernels outside the timing
            warnings.simplefilter("ignore")
            cls(purchase_covariates=columns, dropout_covariates=columns).fit(summary.head(300))
        start = time.perf_counter()
        mine.fit(summary)
        seconds = time.perf_counter() - start
        if isinstance(result["fits"][model], str):
            print(
                f"\n{cls.__name__}: fit {seconds:.2f} s on {mine.n_unique_rows_} distinct rows, "
                f"log-likelihood {mine.log_likelihood_:.4f}; CLVTools {model} failed: "
                f"{result['fits'][model]}"
            )
            continue
        coefficients, fit, predictions = result["fits"][model]
        print(
            f"\n{cls.__name__} vs CLVTools {model}: fit {seconds:.2f} s vs "
            f"{fit['seconds']:.2f} s on {mine.n_unique_rows_} distinct rows; log-likelihood "
            f"{mine.log_likelihood_:.4f} vs {fit['loglik']:.4f} "
            f"(difference {mine.log_likelihood_ - fit['loglik']:+.2e})"
        )
        rows = []
        for name, (estimate, se) in coefficients[["estimate", "se"]].iterrows():
            ours = names[name]
            value, own_se = mine.params_[ours], mine.standard_errors_[ours]
            rows.append((ours, value, estimate, own_se, se, (value - estimate) / own_se))
        frame = pd.DataFrame(
            rows,
            columns=["parameter", "clvmodels", "CLVTools", "se", "se_CLVTools", "diff/se"],
        ).set_index("parameter")
        print(frame.to_string(float_format=lambda v: f"{v:.6g}"))
        alive = mine.probability_alive(summary)
        expected = mine.conditional_expected_purchases(52.0, summary)
        theirs = predictions.reindex(summary.index)
        print(
            f"P(alive): largest difference {np.max(np.abs(alive - theirs['PAlive'])):.2e}; "
            f"E[purchases in 52 weeks]: {np.max(np.abs(expected - theirs['CET'])):.2e}"
        )
        shown = pd.DataFrame(
            {
                "p_alive": alive,
                "p_alive_CLVTools": theirs["PAlive"],
                "cet_52": expected,
                "cet_52_CLVTools": theirs["CET"],
            }
        ).head(4)
        print(shown.to_string(float_format=lambda v: f"{v:.6f}"))


#: The data of ``tests/models/test_covariates_clvtools_reference.py``: per model, its
#: draw (``tests/models/covariate_draws.py``), true parameters, customers and seed.
REFERENCE = {
    "pnbd": (pareto_nbd_customers, {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}, 3000, 2027),
    "bgnbd": (beta_geo_customers, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}, 3000, 2027),
}


def reference() -> None:
    """Print CLVTools' estimates on the reference data as the test's constants."""
    for model, (draw, truth, n, seed) in REFERENCE.items():
        summary = in_whole_days(draw(n, truth, TRUE_EFFECTS, seed=seed))
        summary.index = pd.RangeIndex(1, n + 1)
        covariates = summary[["gender", "channel"]].rename_axis("Id").reset_index()
        result = peer(log_of(summary), covariates, "none")
        coefficients, fit, predictions = result["fits"][model]
        print(f"# {model}: (x, t_x, T) identical in CLVTools: {result['identical']}")
        print(f"{model.upper()}_LOGLIK = {fit['loglik']!r}")
        estimates = {result["names"][k]: float(v) for k, v in coefficients["estimate"].items()}
        errors = {result["names"][k]: float(v) for k, v in coefficients["se"].items()}
        print(f"{model.upper()}_ESTIMATES = {estimates!r}")
        print(f"{model.upper()}_ERRORS = {errors!r}")
        first = predictions.reindex(result["summary"].index).head(5)
        print(f"# predictions of the customers {first.index.tolist()}")
        print(f"{model.upper()}_P_ALIVE = {first['PAlive'].tolist()!r}")
        print(f"{model.upper()}_CET_52 = {first['CET'].tolist()!r}")


def main(n: int) -> None:
    if not peer_available():
        print("Rscript with CLVTools is not available: nothing to compare (see the docstring)")
        return
    with tempfile.TemporaryDirectory() as folder:
        run_r(R_EXPORT, folder)
        log = pd.read_csv(Path(folder) / "transactions.csv")
        covariates = pd.read_csv(Path(folder) / "covariates.csv")
    compare("apparelTrans / apparelStaticCov, split after 40 weeks", log, covariates, "40")
    log, covariates = simulated_log(n, "pnbd")
    compare(f"simulated (Pareto/NBD story), {n} customers", log, covariates, "none")


if __name__ == "__main__":
    if sys.argv[1:] == ["--reference"]:
        if peer_available():
            reference()
        else:
            print("Rscript with CLVTools is not available")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
