import matplotlib
import pytest

matplotlib.use("Agg")  # headless: tests check the drawn data, not pixels

import matplotlib.pyplot as plt  # noqa: E402

import clvmodels as clv  # noqa: E402

CUT = "1997-09-30"
BG = "BG/NBD + Gamma-Gamma"


@pytest.fixture(scope="session")
def sample_log():
    return clv.datasets.load_cdnow_sample_transactions()


@pytest.fixture(scope="session")
def cdnow_backtest(sample_log):
    return clv.backtest(
        sample_log,
        "customer_id",
        "date",
        CUT,
        "1998-06-30",
        monetary_value_col="spend",
        time_unit="W",
    )


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)
