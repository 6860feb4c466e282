import warnings

import arviz as az
import numpy as np
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


class MapFits:
    """MAP fits of the Bayesian purchase models, each computed once per session on its data."""

    def __init__(self, cdnow_summary):
        self.cdnow = cdnow_summary
        self.donations = clv.datasets.load_donations()
        self.fits = {}

    def data(self, name):
        """(data, weights) of the model ``name``: CDNOW, or the donations with their counts."""
        if name == "BG/BB":
            return self.donations, self.donations["count"]
        return self.cdnow, None

    def __getitem__(self, name):
        if name not in self.fits:
            data, weights = self.data(name)
            self.fits[name] = BAYESIAN_PURCHASE_MODELS[name]().fit(
                data, weights=weights, method="map"
            )
        return self.fits[name]


BAYESIAN_PURCHASE_MODELS = {
    "BG/NBD": BayesianBetaGeoModel,
    "Pareto/NBD": clv.bayes.BayesianParetoNBDModel,
    "MBG/NBD": clv.bayes.BayesianModifiedBetaGeoModel,
    "BG/BB": clv.bayes.BayesianBetaGeoBetaBinomModel,
}


@pytest.fixture(scope="session")
def map_fits(cdnow_summary):
    return MapFits(cdnow_summary)


def known_posterior(cls, data, weights, draws):
    """A fitted ``cls`` whose posterior is ``draws`` (name -> (chain, draw) array).

    Predictions can then be checked against the models/ functions without sampling.
    """
    model = cls()
    idata = az.from_dict({"posterior": {k: np.asarray(v, float) for k, v in draws.items()}})
    model._store(idata, model._statistics(data, weights), "advi")
    return model
