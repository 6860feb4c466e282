"""The fit on reduced rows is the fit on every customer; Spark scoring is the models' own."""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data import rfm_sufficient_statistics
from clvmodels.data.engines.scoring import score_frame, score_spark

from .conftest import to_engine

CLV_OPTIONS = dict(
    time_unit="W", t=52.0, horizon=12, discount_rate=0.1, horizon_unit="M", discount_period="Y"
)


@pytest.fixture(scope="module")
def cdnow_weekly(cdnow_transactions):
    return clv.rfm_summary(
        cdnow_transactions, "customer_id", "date", "spend", "1998-06-30", time_unit="W"
    )


@pytest.fixture(scope="module")
def fitted(cdnow_weekly):
    # One CDNOW customer's repeat purchases cost 0: Gamma-Gamma is fitted without it.
    spenders = cdnow_weekly[cdnow_weekly["monetary_value"] > 0]
    return clv.BetaGeoModel().fit(cdnow_weekly), clv.GammaGammaModel().fit(spenders)


@pytest.mark.parametrize("engine", ["pandas", "duckdb-parquet"])
def test_fit_on_reduced_rows_is_the_fit_on_every_customer(
    engine, cdnow_transactions, cdnow_weekly, fitted, tmp_path
):
    if engine != "pandas":
        pytest.importorskip("duckdb")
    stats = rfm_sufficient_statistics(
        to_engine(cdnow_transactions, engine, tmp_path),
        "customer_id",
        "date",
        "1998-06-30",
        time_unit="W",
    )
    # 23,570 customers on far fewer distinct (x, t_x, T) rows.
    assert stats.attrs["n_customers"] == len(cdnow_weekly) == 23_570
    assert len(stats) < len(cdnow_weekly) / 2
    reduced = clv.BetaGeoModel().fit(stats, weights=stats["n_customers"])
    full = fitted[0]
    for name in ["r", "alpha", "a", "b"]:
        assert reduced.params_[name] == pytest.approx(full.params_[name], rel=1e-6)
    assert reduced.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-10)
    assert reduced.time_unit_ == "W"


def test_score_frame_calls_the_models(cdnow_weekly, fitted):
    bg, gg = fitted
    scored = score_frame(cdnow_weekly, bg, gg, **CLV_OPTIONS)
    np.testing.assert_array_equal(scored["p_alive"], bg.probability_alive(cdnow_weekly))
    np.testing.assert_array_equal(
        scored["expected_purchases"], bg.conditional_expected_purchases(52.0, cdnow_weekly)
    )
    np.testing.assert_array_equal(scored["expected_spend"], gg.expected_spend(cdnow_weekly))
    value = clv.customer_lifetime_value(
        bg, gg, cdnow_weekly, 12, 0.1, horizon_unit="M", discount_period="Y"
    )
    np.testing.assert_array_equal(scored["clv"], value)


def test_score_frame_refuses_another_unit(cdnow_weekly, fitted):
    with pytest.raises(clv.UnitMismatchError):
        score_frame(cdnow_weekly, fitted[0], time_unit="D", t=7.0)


def test_spark_scoring_equals_pandas_scoring(spark, cdnow_weekly, fitted):
    # the deprecated aliases still give the valuation step's answer, and say so
    bg, gg = fitted
    sample = cdnow_weekly.iloc[::50]  # 472 customers, in 2 partitions
    frame = sample.reset_index()
    with pytest.warns(DeprecationWarning, match="value_spark"):
        scored_spark = score_spark(
            spark.createDataFrame(frame).repartition(2), bg, gg, **CLV_OPTIONS
        )
    scored = scored_spark.toPandas().sort_values("customer_id").set_index("customer_id")
    with pytest.warns(DeprecationWarning, match="value_customers"):
        expected = score_frame(sample, bg, gg, **CLV_OPTIONS)
    pd.testing.assert_frame_equal(
        scored,
        expected,
        check_exact=False,
        rtol=1e-13,
        check_index_type=False,
        check_frame_type=False,
    )


def test_value_spark_equals_value_customers(spark, cdnow_weekly, fitted):
    from clvmodels.value.valuation import value_customers, value_spark

    bg, gg = fitted
    sample = cdnow_weekly.iloc[::50]
    options = dict(horizon=12, horizon_unit="M", discount_rate=0.1, discount_period="Y")
    for spend, rate in [(gg, 0.1), (gg, None), (None, 0.1)]:
        chosen = {**options, "discount_rate": rate}
        frame = spark.createDataFrame(sample.reset_index()).repartition(2)
        valued = (
            value_spark(bg, spend, frame, time_unit="W", **chosen)
            .toPandas()
            .sort_values("customer_id")
            .set_index("customer_id")
        )
        expected = value_customers(bg, spend, sample, **chosen)
        assert list(valued.columns) == list(sample.columns) + list(expected.columns)
        pd.testing.assert_frame_equal(
            valued[expected.columns], expected, rtol=1e-13, check_index_type=False
        )
