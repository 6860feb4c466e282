"""Bayesian BG/NBD and Gamma-Gamma: time to a posterior, ours vs pymc-marketing, same run.

Each case fits 4 chains x (``--tune`` + ``--draws``) in one process, PyMC and nutpie
imported before the clocks start, and reports the wall time (compilation included), the
compile and sampling times where the sampler reports them, bulk ESS per second of the
slowest parameter (over the wall time) and the posterior means; with ``--refit`` a second
BG/NBD fit with another seed, which reuses the compiled nutpie sampler. pymc-marketing
(the ``bench`` extra) is timed on the same data when importable and the data have at
most ``--theirs-max`` customers.

Cases: BG/NBD on CDNOW (2,357 customers, weeks), Gamma-Gamma on CDNOW, BG/NBD on
simulated customers (``--sizes``, whole weeks); after each BG/NBD fit, the posterior-mean
CLV with a 94% HDI per customer (12 months, ``--clv-draws`` draws per chain, Gamma-Gamma
MLE on the same customers, or with ``--bayes-spend`` a Bayesian Gamma-Gamma fitted there
with the same chains and draws; only the CLV is timed).

Usage::

    python benchmarks/bench_bayes.py --refit            # CDNOW, 4 x (1000 + 1000)
    python benchmarks/bench_bayes.py --no-cdnow --sizes 100000 1000000
    python benchmarks/bench_bayes.py --draws 300 --tune 300 --chains 2   # quick look
    python benchmarks/bench_bayes.py --no-cdnow --no-theirs --sizes 1000000 --bayes-spend \
        --draws 250 --tune 250 --chains 2                                 # Bayesian spend CLV
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
import warnings

import numpy as np
import pandas as pd

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel, BayesianGammaGammaModel


def _ess_per_second(model, seconds: float) -> float:
    table = model.summary()
    return float(table["ess_bulk"].min() / seconds)


def _fit(cls, data: pd.DataFrame, args, seed: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls().fit(
            data,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            random_seed=seed,
            nuts_sampler=args.sampler,
        )


def _ours(kind: str, data: pd.DataFrame, args) -> dict:
    cls = BayesianBetaGeoModel if kind == "bgnbd" else BayesianGammaGammaModel
    start = time.perf_counter()
    model = _fit(cls, data, args, seed=1)
    total = time.perf_counter() - start
    posterior = model.idata["posterior"]
    result = {
        "library": f"clvmodels ({model.sampler_})",
        "seconds": total,
        "sampling_s": float(posterior.attrs.get("sampling_time", np.nan)),
        "compile_s": float(posterior.attrs.get("compile_time", np.nan)),
        "ess_per_s": _ess_per_second(model, total),
        "means": {k: round(v, 4) for k, v in model.posterior_mean_params().items()},
        "model": model,
    }
    if kind == "bgnbd" and args.refit and "compile_time" in posterior.attrs:
        # the same model and data with another seed: the compiled sampler is reused
        start = time.perf_counter()
        again = _fit(cls, data, args, seed=2)
        result["refit_s"] = time.perf_counter() - start
        result["refit_ess_per_s"] = _ess_per_second(again, result["refit_s"])
    return result


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
        "compile_s": np.nan,
        "ess_per_s": float(table["ess_bulk"].min() / total),
        "means": {n: round(float(posterior[n].mean()), 4) for n in names},
    }


def _simulated(n: int, seed: int = 1) -> pd.DataFrame:
    """n customers from the CDNOW BG/NBD and Gamma-Gamma fits, acquired over a year, in
    whole weeks (recency rounded up to the week)."""
    rng = np.random.default_rng(seed)
    T = rng.integers(26, 79, n).astype(float)  # 26..78 weeks of observation
    frame = clv.simulate.simulate_summary(
        n,
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        T,
        gamma_gamma_params={"p": 6.25, "q": 3.74, "v": 15.44},
        seed=rng,
    )
    frame["recency"] = np.minimum(np.ceil(frame["recency"]), frame["T"])
    return frame


def _load() -> str:
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


def _posterior_clv(model, data: pd.DataFrame, label: str, args) -> dict:
    """Posterior-mean CLV with a 94% HDI per customer (12 months, 10% a year), the
    Bayesian BG/NBD with a Gamma-Gamma (MLE, or Bayesian with ``--bayes-spend``) fitted on
    the same customers."""
    n_draws = args.clv_draws
    if args.bayes_spend:
        gg = _fit(BayesianGammaGammaModel, data, args, seed=1)
    else:
        gg = clv.GammaGammaModel().fit(data)
    start = time.perf_counter()
    value = clv.customer_lifetime_value(
        model, gg, data, 12, 0.10, horizon_unit="M", discount_period="Y", n_draws=n_draws
    )
    seconds = time.perf_counter() - start
    total = value.base_total_summary()
    chains = model.idata["posterior"].sizes["chain"]
    print(
        f"posterior CLV (12 months, mean + 94% HDI, {chains} x {n_draws} draws, "
        f"{'Bayesian' if args.bayes_spend else 'MLE'} spend) for "
        f"{label} ({len(data):,} customers): {seconds:.1f} s; base total {total['mean']:.0f} "
        f"[{total['hdi_3%']:.0f}, {total['hdi_97%']:.0f}]; {_load()}",
        flush=True,
    )
    spend = "Bayesian" if args.bayes_spend else "MLE"
    return {
        "data": label,
        "customers": len(data),
        "draws": chains * n_draws,
        "spend": spend,
        "s": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--sampler", default=None, help="nutpie, pymc, numpyro, blackjax")
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--no-theirs", action="store_true")
    parser.add_argument("--no-cdnow", action="store_true", help="only the simulated sizes")
    parser.add_argument(
        "--theirs-max", type=int, default=200_000, help="largest data given to pymc-marketing"
    )
    parser.add_argument(
        "--clv-draws", type=int, default=250, help="draws per chain for the posterior CLV"
    )
    parser.add_argument(
        "--refit", action="store_true", help="time a second BG/NBD fit (cached sampler)"
    )
    parser.add_argument(
        "--bayes-spend", action="store_true", help="posterior CLV with a Bayesian Gamma-Gamma"
    )
    args = parser.parse_args()
    # both libraries sample with PyMC: import it (and nutpie) before any clock starts
    import pymc  # noqa: F401

    if importlib.util.find_spec("nutpie") is not None:
        import nutpie  # noqa: F401

    summary = clv.datasets.load_cdnow_summary()
    cases = (
        [] if args.no_cdnow else [("bgnbd", "CDNOW", summary), ("gamma_gamma", "CDNOW", summary)]
    )
    cases += [("bgnbd", f"simulated {n:,}", _simulated(n)) for n in args.sizes]
    rows, clv_rows = [], []
    for kind, label, data in cases:
        print(f"{kind} on {label}: {_load()}", flush=True)
        ours = _ours(kind, data, args)
        too_big = len(data) > args.theirs_max
        theirs = None if args.no_theirs or too_big else _theirs(kind, data, args)
        for side in filter(None, [ours, theirs]):
            rows.append(
                {
                    "model": kind,
                    "data": label,
                    "library": side["library"],
                    "total s": round(side["seconds"], 1),
                    "compile s": round(side["compile_s"], 1),
                    "sampling s": round(side["sampling_s"], 1),
                    "bulk ESS/s": round(side["ess_per_s"], 1),
                    "refit s": round(side.get("refit_s", np.nan), 1),
                    "refit ESS/s": round(side.get("refit_ess_per_s", np.nan), 1),
                    "speed-up": "",
                    "posterior means": side["means"],
                }
            )
        if theirs is not None:
            speed_up = theirs["seconds"] / ours["seconds"]
            rows[-2]["speed-up"] = f"{speed_up:.1f}x"
            if "refit_s" in ours:
                rows[-2]["speed-up"] += f" ({theirs['seconds'] / ours['refit_s']:.1f}x refit)"
        print(pd.DataFrame(rows[-2:] if theirs else rows[-1:]).to_string(index=False), flush=True)
        if kind == "bgnbd":
            clv_rows.append(_posterior_clv(ours["model"], data, label, args))
    print()
    print(pd.DataFrame(rows).to_string(index=False))
    print(pd.DataFrame(clv_rows).to_string(index=False))
    print(_load())


if __name__ == "__main__":
    main()
