import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

import clvmodels as clv

# Reproducible property tests: the same examples on every run and machine.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.load_profile("repeatable")


@pytest.fixture(scope="session")
def cdnow_summary() -> pd.DataFrame:
    return clv.datasets.load_cdnow_summary()


@pytest.fixture(scope="session")
def cdnow_transactions() -> pd.DataFrame:
    return clv.datasets.load_cdnow_transactions()


@pytest.fixture(scope="session")
def bgnbd_cdnow(cdnow_summary):
    return clv.BetaGeoModel().fit(cdnow_summary)


@pytest.fixture(scope="session")
def gamma_gamma_cdnow(cdnow_summary):
    return clv.GammaGammaModel().fit(cdnow_summary)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20051105)


@pytest.fixture(scope="session")
def sample_csv(tmp_path_factory):
    """The CDNOW sample log as a user's CSV file: customer, day, amount; ISO dates."""
    path = tmp_path_factory.mktemp("data") / "sales.csv"
    log = clv.datasets.load_cdnow_sample_transactions()
    log = log.rename(columns={"customer_id": "customer", "date": "day", "spend": "amount"})
    log[["customer", "day", "amount"]].to_csv(path, index=False)
    return path
