"""Bayesian BG/NBD and Gamma-Gamma: time to a posterior, ours vs pymc-marketing, same run.

Each case fits 4 chains x (``--tune`` + ``--draws``) with compilation included (a fresh
model each time; PyTensor's on-disk C cache is warm after the first case) and reports the
wall time, the sampling time alone, bulk ESS per second of the slowest parameter and the
posterior means. pymc-marketing (``pip install pymc-marketing``, an extra ``bench``
install in its own environment) is timed on the same data when importable.

Cases: BG/NBD on CDNOW (2,357 customers, weeks), on simulated customers (``--sizes``,
weekly unit) and Gamma-Gamma on CDNOW; then the posterior-mean CLV with HDI on CDNOW
(its cost is the BG/NBD 2F1 per draw, customer and step: 1,000 draws x 1,016 histories x
12 steps is 12M evaluations).

Usage::

    python benchmarks/bench_bayes.py                   # CDNOW only, 4 x (1000 + 1000)
    python benchmarks/bench_bayes.py --sizes 100000 1000000 --sampler nutpie
    python benchmarks/bench_bayes.py --draws 300 --tune 300 --chains 2   # quick look
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import warnings

import numpy as np
import pandas as pd

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel, BayesianGammaGammaModel


def _ess_per_second(model, seconds: float) -> float:
    table = model.summary()
    return float(table["ess_bulk"].min() / seconds)


def _ours(kind: str, data: pd.DataFrame, args) -> dict:
    cls = BayesianBetaGeoModel if kind == "bgnbd" else BayesianGammaGammaModel
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls().fit(
            data,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            random_seed=1,
            nuts_sampler=args.sampler,
        )
    total = time.perf_counter() - start
    sampling = float(model.idata["posterior"].attrs.get("sampling_time", np.nan))
    return {
        "library": f"clvmodels ({model.sampler_})",
        "seconds": total,
        "sampling_s": sampling,
        "ess_per_s": _ess_per_second(model, total),
        "means": {k: round(v, 4) for k, v in model.posterior_mean_params().items()},
        "model": model,
    }


def _theirs(kind: str, data: pd.DataFrame, args) -> dict | None:
    if importlib.util.find_spec("pymc_marketing") is None:
        return None
    import arviz as az
    from pymc_marketing import clv as pmc

    frame = data.reset_index().rename(columns={data.index.name or "index": "customer_id"})
    if kind == "bgnbd":
        model = pmc.BetaGeoModel()
        fitted_on = frame[["customer_id", "frequency", "recency", "T"]]
    else:
        model = pmc.GammaGammaModel()
        repeat = frame[frame["frequency"] > 0]
        fitted_on = repeat[["customer_id", "frequency", "monetary_value"]]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = model.fit(
            fitted_on,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            random_seed=1,
            progressbar=False,
            nuts_sampler=args.sampler or "pymc",
        )
    total = time.perf_counter() - start
    names = ["r", "alpha", "a", "b"] if kind == "bgnbd" else ["p", "q", "v"]
    table = az.summary(idata, var_names=names, kind="diagnostics", round_to="none")
    posterior = idata["posterior"]
    return {
        "library": f"pymc-marketing ({args.sampler or 'pymc'})",
        "seconds": total,
        "sampling_s": float(posterior.attrs.get("sampling_time", np.nan)),
        "ess_per_s": float(table["ess_bulk"].min() / total),
        "means": {n: round(float(posterior[n].mean()), 4) for n in names},
    }


def _simulated(n: int, seed: int = 1) -> pd.DataFrame:
    """n customers from the CDNOW BG/NBD fit, acquired over a year, in whole weeks."""
    rng = np.random.default_rng(seed)
    T = rng.integers(26, 79, n).astype(float)  # 26..78 weeks of observation
    frame = clv.simulate.simulate_summary(
        n, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, T, seed=rng
    )
    frame["recency"] = np.minimum(np.ceil(frame["recency"]), frame["T"])
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--sampler", default=None, help="nutpie, pymc, numpyro, blackjax")
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--no-theirs", action="store_true")
    args = parser.parse_args()

    summary = clv.datasets.load_cdnow_summary()
    cases = [("bgnbd", "CDNOW", summary), ("gamma_gamma", "CDNOW", summary)]
    cases += [("bgnbd", f"simulated {n:,}", _simulated(n)) for n in args.sizes]
    rows = []
    last_model = None
    for kind, label, data in cases:
        ours = _ours(kind, data, args)
        if kind == "bgnbd" and label == "CDNOW":
            last_model, last_data = ours["model"], data
        theirs = None if args.no_theirs else _theirs(kind, data, args)
        for side in filter(None, [ours, theirs]):
            rows.append(
                {
                    "model": kind,
                    "data": label,
                    "library": side["library"],
                    "total s": round(side["seconds"], 1),
                    "sampling s": round(side["sampling_s"], 1),
                    "bulk ESS/s": round(side["ess_per_s"], 1),
                    "speed-up": "",
                    "posterior means": side["means"],
                }
            )
        if theirs is not None:
            rows[-2]["speed-up"] = f"{theirs['seconds'] / ours['seconds']:.1f}x"
        print(pd.DataFrame(rows[-2:] if theirs else rows[-1:]).to_string(index=False), flush=True)

    if last_model is not None:
        gg = clv.GammaGammaModel().fit(summary)
        start = time.perf_counter()
        value = clv.customer_lifetime_value(
            last_model,
            gg,
            last_data,
            12,
            0.10,
            horizon_unit="M",
            discount_period="Y",
            n_draws=250,
        )
        seconds = time.perf_counter() - start
        total = value.base_total_summary()
        print(
            f"\nposterior CLV (12 months, mean + 94% HDI, 250 draws per chain) for "
            f"{len(last_data):,} customers: {seconds:.1f} s; base total {total['mean']:.0f} "
            f"[{total['hdi_3%']:.0f}, {total['hdi_97%']:.0f}]"
        )
    print()
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
