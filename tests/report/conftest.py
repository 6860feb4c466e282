import numpy as np
import pandas as pd
import pytest

from clvmodels.report import FittedModel, ReportContent, RetentionContent


def _parameters(names, values):
    values = np.asarray(values, dtype=float)
    return pd.DataFrame(
        {
            "estimate": values,
            "std_error": values / 10,
            "lower_95%": values * 0.8,
            "upper_95%": values * 1.2,
        },
        index=pd.Index(names, name="parameter"),
    )


@pytest.fixture
def content():
    """A small report with every section: 200 customers, made-up but plausible numbers."""
    rng = np.random.default_rng(7)
    n = 200
    ids = pd.Index([f"c{i:03d}" for i in range(n - 1)] + ["<b>x</b>"], name="customer")
    scores = pd.DataFrame(
        {
            "frequency": rng.integers(0, 10, n),
            "recency": rng.uniform(0, 30, n),
            "T": rng.uniform(30, 39, n),
            "p_alive": rng.uniform(0, 1, n),
            "expected_purchases": rng.gamma(1.0, 1.0, n),
            "expected_spend": rng.gamma(5.0, 8.0, n),
            "clv": rng.gamma(0.8, 40.0, n),
        },
        index=ids,
    )
    scores.loc["<b>x</b>", "clv"] = 1e4  # the top customer, whose id must be escaped
    comparison = pd.DataFrame(
        {"customer_equity": [8000.0, 2000.0, 5000.0, 12000.0], "n_customers": [n] * 4},
        index=pd.Index(["probabilistic", "simple", "retention", "dcf"], name="method"),
    )
    curve = pd.DataFrame(
        {
            "observed": [1000, 631, 468, 382, np.nan, np.nan],
            "expected": [1000, 625, 472, 385, 328, 287],
        },
        index=pd.Index(range(6), name="period"),
    )
    lifetimes = pd.DataFrame(
        {"sbg_clv": [3.695], "deterministic_clv": [2.345], "DEL": [3.695]},
        index=pd.Index(["regular"], name="cohort"),
    )
    retention = RetentionContent(
        models=[FittedModel("sBG, cohort regular", _parameters(["alpha", "beta"], [0.7, 1.2]), [])],
        curves={"regular": curve},
        lifetimes=lifetimes,
        period="year",
        discount_rate=0.1,
    )
    metrics = pd.DataFrame(
        {"mae": [0.785, 1.024], "predicted_total": [1653.4, 2930.0], "actual_total": [1882.0] * 2},
        index=pd.Index(["BG/NBD + Gamma-Gamma", "run rate"], name="model"),
    )
    return ReportContent(
        title="Customer value: test",
        source="a test log",
        settings={"freq": "D", "time_unit": "W"},
        overview={"customers": f"{n}", "transactions": "1,234"},
        models=[
            FittedModel(
                "BG/NBD",
                _parameters(["r", "alpha", "a", "b"], [0.2426, 4.4136, 0.7929, 2.4259]),
                ["While active, the average customer buys 0.055 times per week."],
                {"log-likelihood": "-9,582.43"},
            )
        ],
        scores=scores,
        horizon="12 months",
        time_unit="week",
        comparison=comparison,
        churn_per_period=0.05,
        backtest={"purchases metrics": metrics},
        retention=retention,
        notes=["Backtest metrics appear here once the backtest is installed."],
    )
