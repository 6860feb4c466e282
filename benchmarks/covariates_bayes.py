"""Bayesian BG/NBD with 5 static covariates: time to a posterior, ESS/s, R-hat, effects vs truth.

The customers are those of ``covariates_static.py`` (gender 0/1, age in years, contacts
0-10: numeric; channel with 3 levels, region with 4: categorical; times in whole days, in
weeks), drawn with known effects, every covariate on both processes: 4 base parameters,
16 coefficients and 2 prior scales. The fit is nutpie on the compiled covariate likelihood
(``clvmodels/estimation/density.py``), 4 chains x (``--tune`` + ``--draws``) by default, with
the hierarchical shrinkage prior. Prints the wall time (compilation included), the mean
leapfrog steps per draw, the time of one likelihood-and-gradient evaluation, the smallest
bulk ESS per second of wall time, the largest R-hat, and each coefficient's posterior mean,
sd and 94 % HDI against the truth. The CPU time of the fit (every thread) is printed
beside the wall time: on a shared machine the wall time depends on the others' load, the
CPU time much less.

Usage::

    python benchmarks/covariates_bayes.py                       # 100k, 4 x (1000 + 1000)
    python benchmarks/covariates_bayes.py --n 20000 --draws 300 --tune 300   # quick look
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from covariates_static import COLUMNS, customers  # noqa: E402

from clvmodels.bayes import BayesianBetaGeoModel  # noqa: E402

#: The effects ``covariates_static.customers`` draws the BG/NBD customers with: the base
#: parameters (r, alpha, a, b) = (0.25, 4, 0.8, 2.5) at age 45, so the reference customer
#: (age 0) has alpha * e^{-0.45}, a and b * e^{-0.45}.
TRUTH = {
    "r": 0.25,
    "alpha": 4.0 * np.exp(-0.45),
    "a": 0.8 * np.exp(-0.45),
    "b": 2.5 * np.exp(-0.45),
    "purchase:gender": 0.3,
    "purchase:age": -0.01,
    "purchase:contacts": 0.1,
    "purchase:channel[online]": 0.4,
    "purchase:channel[store]": 0.0,
    "purchase:region[north]": 0.0,
    "purchase:region[south]": 0.0,
    "purchase:region[west]": -0.2,
    "dropout:gender": -0.4,
    "dropout:age": 0.01,
    "dropout:contacts": 0.0,
    "dropout:channel[online]": 0.0,
    "dropout:channel[store]": 0.5,
    "dropout:region[north]": 0.0,
    "dropout:region[south]": 0.0,
    "dropout:region[west]": 0.0,
}


def evaluation_ms(model: BayesianBetaGeoModel, summary, repeats: int = 20) -> float:
    """Milliseconds of one weighted likelihood-and-gradient evaluation at the truth."""
    stats = model._statistics(summary)
    function = model._log_likelihood_function(stats)
    point = np.array([TRUTH[name] for name in model.param_names])
    function(point)
    start = time.perf_counter()
    for _ in range(repeats):
        function(point)
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    summary = customers(args.n, "bgnbd", seed=args.seed)
    keywords = dict(purchase_covariates=COLUMNS, dropout_covariates=COLUMNS)
    probe = BayesianBetaGeoModel(**keywords)
    per_call = evaluation_ms(probe, summary)
    model = BayesianBetaGeoModel(**keywords)
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(
            summary, draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed
        )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    posterior, stats = model.idata["posterior"], model.idata["sample_stats"]
    table = model.summary(hdi=0.94)
    steps = float(np.asarray(stats["n_steps"].values).mean())
    divergent = int(np.asarray(stats["diverging"].values).sum())
    print(
        f"Bayesian BG/NBD, {args.n} customers ({model.n_unique_rows_} distinct rows), "
        f"5 covariates on both processes ({len(model.param_names)} parameters + "
        f"{len(model.coefficient_block_.scale_names)} prior scales), {model.sampler_}, "
        f"{args.chains} x ({args.tune} + {args.draws}), {os.cpu_count()} CPUs"
    )
    print(
        f"wall {seconds:.1f} s (compile {posterior.attrs.get('compile_time', float('nan')):.1f} s,"
        f" sampling {posterior.attrs.get('sampling_time', float('nan')):.1f} s); "
        f"{steps:.1f} leapfrog steps per draw; one likelihood + gradient {per_call:.1f} ms; "
        f"{divergent} divergences; CPU {cpu:.0f} s (all threads; load average "
        f"{os.getloadavg()[0]:.1f} at the end)"
    )
    print(
        f"min bulk ESS {table['ess_bulk'].min():.0f} -> {table['ess_bulk'].min() / seconds:.1f} "
        f"ESS/s; max R-hat {table['r_hat'].max():.4f}"
    )
    columns = ["mean", "sd", "hdi94_lb", "hdi94_ub", "r_hat", "ess_bulk"]
    shown = table[columns].copy()
    shown.insert(0, "truth", [TRUTH.get(name, np.nan) for name in shown.index])
    covered = (shown["hdi94_lb"] <= shown["truth"]) & (shown["truth"] <= shown["hdi94_ub"])
    shown["covered"] = np.where(shown["truth"].isna(), "", np.where(covered, "yes", "NO"))
    print(shown.round(4).to_string())
    print(f"truth inside the 94 % HDI: {int(covered.sum())} of {len(TRUTH)}")


if __name__ == "__main__":
    main()
