"""Pareto/NBD with time-varying covariates side by side with CLVTools 0.12.1 (R).

The data are drawn here (``tests/models/dynamic_draws.py``, seed 20261207, 1,000
customers, weekly covariates from Sunday 2023-12-31, calibration to 2024-12-28); CLVTools
was fitted on the same data, written to CSV by ``export(...)`` below, with (R 4.2,
``OMP_NUM_THREADS=1``)::

    library(CLVTools); library(data.table)
    trans <- fread("trans.csv"); cov <- fread("cov.csv")
    trans[, Date := as.Date(Date)]; cov[, Cov.Date := as.Date(Cov.Date)]
    d <- clvdata(trans, date.format = "ymd", time.unit = "week",
                 estimation.split = "2024-12-28", name.id = "Id", name.date = "Date",
                 name.price = NULL)
    dc <- SetDynamicCovariates(d, data.cov.life = cov, data.cov.trans = cov,
                               names.cov.life = c("contact", "gender"),
                               names.cov.trans = c("season", "contact"),
                               name.id = "Id", name.date = "Cov.Date")
    f <- pnbd(dc)   # 116 s (50 s CPU) on this machine
    coef(f); sqrt(diag(vcov(f))); logLik(f)

The recorded numbers are below. CLVTools' likelihood at its estimates is ours to 1e-6:
the same model, the same data layout (partial first and last periods, covariates at the
repeat purchases). Its Nelder-Mead search stops 0.51 below the maximum, which our fit
finds; the estimates agree within CLVTools' standard errors. R is not needed to run this.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.dynamic_covariates import covariate_paths
from clvmodels.estimation.dynamic_covariates import path_arrays
from clvmodels.models.pareto_nbd import dynamic
from tests.models.dynamic_draws import PNBD_EFFECTS, PNBD_TRUTH, draw

TRUTH, EFFECTS = PNBD_TRUTH, PNBD_EFFECTS
SEED, CUSTOMERS = 20261207, 1000

#: CLVTools' coef(f) and sqrt(diag(vcov(f))), named as ours (life = dropout, trans = purchase).
CLVTOOLS = {
    "r": (0.9555360893, 0.1001268771),
    "alpha": (7.1415448239, 0.7390910987),
    "s": (0.6954383204, 0.1093012597),
    "beta": (9.3668694767, 2.8295901247),
    "purchase:season": (0.4901332097, 0.0334150013),
    "purchase:contact": (0.3364953525, 0.0331850624),
    "dropout:contact": (-0.6999289006, 0.4574413675),
    "dropout:gender": (0.5491228529, 0.1607880452),
}
CLVTOOLS_LOGLIK = -10455.0143615388


def export(folder: str) -> None:
    """Write the log and the frame as CLVTools reads them (how the R fit above got them)."""
    _, frame, log = draw("pareto_nbd", CUSTOMERS, TRUTH, EFFECTS, seed=SEED)
    log.assign(Date=log["date"].dt.strftime("%Y-%m-%d")).rename(columns={"customer_id": "Id"})[
        ["Id", "Date"]
    ].to_csv(f"{folder}/trans.csv", index=False)
    frame.assign(**{"Cov.Date": frame["period_start"].dt.strftime("%Y-%m-%d")}).rename(
        columns={"customer_id": "Id"}
    )[["Id", "Cov.Date", "season", "contact", "gender"]].to_csv(f"{folder}/cov.csv", index=False)


@pytest.fixture(scope="module")
def fitted():
    summary, frame, log = draw("pareto_nbd", CUSTOMERS, TRUTH, EFFECTS, seed=SEED)
    model = clv.ParetoNBDModel(
        purchase_covariates=["season", "contact"], dropout_covariates=["contact", "gender"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    return model, summary, frame, log


def test_the_data_are_those_clvtools_was_fitted_on(fitted):
    _, summary, _, log = fitted
    assert summary.clv.observation_period_end == pd.Timestamp("2024-12-28")
    assert (len(summary), int(summary["frequency"].sum()), len(log)) == (1000, 4069, 5516)


def test_clvtools_likelihood_at_its_estimates_is_ours(fitted):
    _, summary, frame, log = fitted
    paths = covariate_paths(summary, frame, ["season", "contact", "gender"], transactions=log)
    arrays = path_arrays(paths, summary).arrays | {"purchase_sums": paths.purchase_sums()}
    base = np.array([CLVTOOLS[name][0] for name in ("r", "alpha", "s", "beta")])
    purchase = [CLVTOOLS["purchase:season"][0], CLVTOOLS["purchase:contact"][0], 0.0]
    dropout = [0.0, CLVTOOLS["dropout:contact"][0], CLVTOOLS["dropout:gender"][0]]
    ll, _, _ = dynamic.log_likelihood_terms(base, np.array(purchase), np.array(dropout), arrays)
    assert ll.sum() == pytest.approx(CLVTOOLS_LOGLIK, abs=1e-6)


def test_our_fit_reaches_at_least_clvtools_maximum_and_agrees_within_its_errors(fitted):
    model = fitted[0]
    assert model.log_likelihood_ >= CLVTOOLS_LOGLIK
    assert model.log_likelihood_ - CLVTOOLS_LOGLIK < 1.0
    for name, (estimate, se) in CLVTOOLS.items():
        assert abs(model.params_[name] - estimate) < se, (name, model.params_[name], estimate)
