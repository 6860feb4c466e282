import warnings

import pytest

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel, BayesianGammaGammaModel

# Few draws keep the suite fast: 2 chains x 400 draws (dense mass matrix, one core).
SMALL = dict(draws=400, tune=400, chains=2, cores=1, random_seed=20051105)


@pytest.fixture(scope="session")
def bbg_cdnow(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)  # ESS < 400 with 800 draws
        return BayesianBetaGeoModel().fit(cdnow_summary, **SMALL)


@pytest.fixture(scope="session")
def bgg_cdnow(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.ConvergenceWarning)
        return BayesianGammaGammaModel().fit(cdnow_summary, **SMALL)
