"""Static covariates against CLVTools (R), on the same simulated customers.

CLVTools 0.12.1 (R 4.2, ``OMP_NUM_THREADS=1``) fitted ``pnbd`` and ``bgnbd`` with
``gender`` and ``channel`` (dummies ``channel_online``, ``channel_store`` against
``email``) on both processes, from the daily transaction log of the summaries drawn below
(``tests/models/covariate_draws.py``, times rounded to whole days); its (x, t_x, T) were
checked identical to these summaries. The constants were printed by

    python benchmarks/covariates_clvtools.py --reference

which writes the log and the covariates to a temporary folder and runs
``Rscript -e <covariates_clvtools.R_FIT> FOLDER gender,channel_online,channel_store none``:
``clvdata(trans, date.format="ymd", time.unit="week", estimation.split=NULL)``,
``SetStaticCovariates(...)``, then ``coef``, ``sqrt(diag(vcov))``, ``logLik`` and
``predict(fit, prediction.end=52)`` (``PAlive``, ``CET``) of ``pnbd(d)`` and ``bgnbd(d)``.
The test needs neither R nor CLVTools.

CLVTools stops its optimiser (L-BFGS-B) earlier than clvmodels: its log-likelihood is
within 1e-3 of ours and never above it, its estimates within a few hundredths of a
standard error, its standard errors (numerical Hessian) within 1.5 %, its P(alive) and 52-week
expectations of five customers within 5e-4 and 0.3 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from tests.models.covariate_draws import (
    TRUE_EFFECTS,
    beta_geo_customers,
    in_whole_days,
    pareto_nbd_customers,
)

PNBD_LOGLIK = -17607.9109862105
PNBD_ESTIMATES = {
    "r": 0.59195005862019,
    "alpha": 8.03353480928706,
    "s": 0.965552337410242,
    "beta": 16.4425817204934,
    "dropout:gender": -0.400696933002855,
    "dropout:channel[online]": 0.343253813134919,
    "dropout:channel[store]": 0.178948483226421,
    "purchase:gender": 0.422753937091657,
    "purchase:channel[online]": -0.371965494046803,
    "purchase:channel[store]": 0.0214738329247002,
}
PNBD_ERRORS = {
    "r": 0.0395431637701026,
    "alpha": 0.695164813763491,
    "s": 0.192008767395077,
    "beta": 5.72691241578136,
    "dropout:gender": 0.121142483130711,
    "dropout:channel[online]": 0.145616499165383,
    "dropout:channel[store]": 0.135361706178429,
    "purchase:gender": 0.0689956392144775,
    "purchase:channel[online]": 0.0840514892388999,
    "purchase:channel[store]": 0.0793964150521429,
}
PNBD_P_ALIVE = [
    0.210507376599573,
    0.13282384243013,
    0.876025189806694,
    0.947064244689388,
    0.253919357460575,
]
PNBD_CET_52 = [
    0.094067388655699,
    0.054416904326644,
    3.03352725604258,
    6.58945809206221,
    0.573308713411179,
]

BGNBD_LOGLIK = -15059.3256246331
BGNBD_ESTIMATES = {
    "r": 0.250611587833127,
    "alpha": 4.24676138412611,
    "a": 0.830548518724242,
    "b": 2.4177178989972,
    "dropout:gender": -0.38767940103018,
    "dropout:channel[online]": -0.109488303271628,
    "dropout:channel[store]": 0.0865003388680734,
    "purchase:gender": 0.348950795248736,
    "purchase:channel[online]": -0.289878218746816,
    "purchase:channel[store]": 0.00142279826593068,
}
BGNBD_ERRORS = {
    "r": 0.0102580549319353,
    "alpha": 0.441067251911786,
    "a": 0.260830850772303,
    "b": 0.835822718451596,
    "dropout:gender": 0.290860278694581,
    "dropout:channel[online]": 0.340957815589765,
    "dropout:channel[store]": 0.324016798282018,
    "purchase:gender": 0.0897798591793794,
    "purchase:channel[online]": 0.10897974325979,
    "purchase:channel[store]": 0.109358021718473,
}
BGNBD_P_ALIVE = [1.0, 1.0, 0.353659540940019, 0.803733297585582, 1.0]
BGNBD_CET_52 = [
    0.228433066151819,
    0.222424592451897,
    0.90158064451329,
    1.95288330103805,
    0.290551451649303,
]

CASES = {
    "pareto_nbd": (
        clv.ParetoNBDModel,
        pareto_nbd_customers,
        {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0},
        (PNBD_LOGLIK, PNBD_ESTIMATES, PNBD_ERRORS, PNBD_P_ALIVE, PNBD_CET_52),
    ),
    "beta_geo": (
        clv.BetaGeoModel,
        beta_geo_customers,
        {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},
        (BGNBD_LOGLIK, BGNBD_ESTIMATES, BGNBD_ERRORS, BGNBD_P_ALIVE, BGNBD_CET_52),
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def fitted(request):
    cls, draw, truth, reference = CASES[request.param]
    # the data of benchmarks/covariates_clvtools.REFERENCE: 3000 customers, seed 2027
    summary = in_whole_days(draw(3000, truth, TRUE_EFFECTS, seed=2027))
    summary.index = pd.RangeIndex(1, len(summary) + 1, name="Id")
    model = cls(purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"])
    return model.fit(summary), summary, reference


def test_log_likelihood_is_clvtools_or_a_little_higher(fitted):
    model, _, (loglik, *_) = fitted
    assert loglik - 1e-6 <= model.log_likelihood_ <= loglik + 1e-3


def test_estimates_and_standard_errors_are_clvtools(fitted):
    model, _, (_, estimates, errors, *_) = fitted
    assert set(estimates) == set(model.param_names)
    for name, value in estimates.items():
        own_se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 0.05 * own_se, name
        assert own_se == pytest.approx(errors[name], rel=0.015), name


#: The customers whose predictions are recorded (CLVTools orders its ids as text).
PREDICTED = [1, 10, 100, 1000, 1001]


def test_predictions_are_clvtools(fitted):
    model, summary, (*_, p_alive, cet) = fitted
    first = summary.loc[PREDICTED]
    np.testing.assert_allclose(model.probability_alive(first), p_alive, atol=5e-4)
    np.testing.assert_allclose(model.conditional_expected_purchases(52.0, first), cet, rtol=3e-3)
