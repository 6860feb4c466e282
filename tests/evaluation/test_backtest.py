"""The backtest on CDNOW (39 + 39 weeks, 2,357 customers) and on small hand-made logs.

Published reference: Fader, Hardie & Lee (2005), "Counting your customers" the easy way,
Marketing Science 24(2): BG/NBD on the 39-week calibration r = 0.2426, alpha = 4.4136,
a = 0.7929, b = 2.4259; 2,457 repeat transactions in calibration.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.evaluation import RunRateBaseline, backtest
from clvmodels.evaluation.baselines import recent_repeats
from clvmodels.exceptions import DataValidationError

BG = "BG/NBD + Gamma-Gamma"
CUT = "1997-09-30"


@pytest.fixture(scope="module")
def sample():
    return clv.datasets.load_cdnow_sample_transactions()


@pytest.fixture(scope="module")
def cdnow(sample):
    return backtest(
        sample, "customer_id", "date", CUT, "1998-06-30", monetary_value_col="spend", time_unit="W"
    )


def test_bgnbd_is_fitted_on_the_calibration_period_only(cdnow):
    bg, gg = cdnow.fitted[CUT][BG]
    published = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
    for name, value in published.items():
        assert bg.params_[name] == pytest.approx(value, abs=5e-5)
    assert gg.params_["p"] > 0


def test_later_transactions_cannot_leak_into_predictions(sample, cdnow):
    # Double every holdout transaction's spend and add a burst of holdout purchases:
    # the actuals change, no prediction may.
    changed = sample.copy()
    later = changed["date"] > CUT
    changed.loc[later, "spend"] *= 2
    burst = changed[later].head(300).assign(date=pd.Timestamp("1998-06-01"))
    changed = pd.concat([changed, burst], ignore_index=True)
    other = backtest(
        changed, "customer_id", "date", CUT, "1998-06-30", monetary_value_col="spend", time_unit="W"
    )
    columns = ["predicted_purchases", "predicted_spend", "predicted_value", "p_alive"]
    pd.testing.assert_frame_equal(other.per_customer[columns], cdnow.per_customer[columns])
    assert other.aggregate["actual_revenue"].iloc[0] > cdnow.aggregate["actual_revenue"].iloc[0]


def test_actuals_agree_with_the_split_and_the_paper(sample, cdnow):
    split = clv.calibration_holdout_split(
        sample, "customer_id", "date", CUT, "1998-06-30", "spend", freq="D", time_unit="W"
    )
    rows = cdnow.per_customer[cdnow.per_customer["model"] == BG].set_index("customer_id")
    assert len(rows) == 2357
    np.testing.assert_array_equal(rows["actual_purchases"], split["frequency_holdout"])
    revenue = sample.loc[sample["date"] > CUT, "spend"].sum()
    assert rows["actual_value"].sum() == pytest.approx(revenue)
    actual = cdnow.tracking[cdnow.tracking["model"] == "actual"]
    calibration = actual[actual["phase"] == "calibration"]
    assert calibration["incremental"].sum() == 2457  # published repeat transactions
    assert actual["incremental"].sum() == 2457 + split["frequency_holdout"].sum()
    assert actual["period"].max() == 39  # 273 days = 39 weeks of holdout
    np.testing.assert_allclose(actual["cumulative"], actual["incremental"].cumsum())


def test_bgnbd_predictions_match_lifetimes(cdnow):
    lifetimes = pytest.importorskip("lifetimes")
    bg, _ = cdnow.fitted[CUT][BG]
    rows = cdnow.per_customer[cdnow.per_customer["model"] == BG]
    fitter = lifetimes.BetaGeoFitter()
    fitter.params_ = pd.Series(bg.params_)
    expected = fitter.conditional_expected_number_of_purchases_up_to_time(
        39.0, rows["frequency"], rows["recency"], rows["T"]
    )
    np.testing.assert_allclose(rows["predicted_purchases"], expected, rtol=1e-7)
    # Calibration tracking: sum over customers of E[X(T_i + k)] (lifetimes' formula).
    track = cdnow.tracking[(cdnow.tracking["model"] == BG) & (cdnow.tracking["period"] == -10)]
    ages = np.clip(rows["T"].to_numpy() - 10, 0, None)
    direct = fitter.expected_number_of_purchases_up_to_time(ages).sum()
    assert track["cumulative"].iloc[0] == pytest.approx(direct, rel=1e-7)


def test_bgnbd_beats_every_textbook_baseline_on_cdnow(cdnow):
    table = cdnow.metrics_table("purchases").loc[CUT]
    aggregate = cdnow.aggregate.set_index("model")
    assert set(table.index) == {BG, "run rate", "retention formula", "last period"}
    for baseline in ("run rate", "retention formula", "last period"):
        assert table.loc[BG, "mae"] < table.loc[baseline, "mae"]
        assert table.loc[BG, "rmse"] < table.loc[baseline, "rmse"]
        for what in ("purchases", "revenue"):
            error = aggregate[f"{what}_relative_error"].abs()
            assert error[BG] < error[baseline]
    # Within 20% of what happened, in purchases and in revenue.
    assert abs(aggregate.loc[BG, "purchases_relative_error"]) < 0.2
    assert abs(aggregate.loc[BG, "revenue_relative_error"]) < 0.2


def test_metrics_agree_with_the_per_customer_table(cdnow):
    rows = cdnow.per_customer[cdnow.per_customer["model"] == "run rate"]
    mae = np.abs(rows["predicted_value"] - rows["actual_value"]).mean()
    table = cdnow.metrics_table("value").loc[CUT]
    assert table.loc["run rate", "mae"] == pytest.approx(mae)
    # Run rate by hand: frequency / T x 39 weeks.
    np.testing.assert_allclose(rows["predicted_purchases"], rows["frequency"] / rows["T"] * 39.0)
    spend = cdnow.metrics_table("spend").loc[CUT]
    assert spend.loc["run rate", "n_customers"] == (rows["actual_purchases"] > 0).sum()


class _Constant:
    """A minimal model with the prediction protocol: everybody buys at one rate."""

    def fit(self, summary):
        self.rate_ = summary["frequency"].sum() / summary["T"].sum()
        return self

    def conditional_expected_purchases(self, t, summary):
        return pd.Series(self.rate_ * t, index=summary.index)


def _tiny_log():
    rows = [
        (1, "2020-01-01", 10.0),
        (1, "2020-01-08", 12.0),
        (1, "2020-01-29", 8.0),
        (1, "2020-02-10", 9.0),
        (2, "2020-01-05", 5.0),
        (2, "2020-02-04", 7.0),
        (3, "2020-01-20", 20.0),
        (3, "2020-01-27", 20.0),
        (3, "2020-02-18", 30.0),
    ]
    return pd.DataFrame(rows, columns=["id", "day", "amount"]).assign(
        day=lambda f: pd.to_datetime(f["day"])
    )


def test_any_model_with_the_protocol_plugs_in():
    models = {"constant": _Constant(), "run rate": RunRateBaseline()}
    result = backtest(_tiny_log(), "id", "day", "2020-01-31", "2020-02-28", models, time_unit="W")
    rows = result.per_customer
    assert rows["p_alive"].isna().all() and rows["predicted_value"].isna().all()
    assert set(result.metrics["target"]) == {"purchases"}
    # Holdout: 2020-02-01..02-28 = 4 weeks; customers 1, 2, 3 buy once each.
    assert rows.groupby("model")["actual_purchases"].sum().tolist() == [3.0, 3.0]
    constant = rows[rows["model"] == "constant"]["predicted_purchases"]
    assert constant.nunique() == 1
    # The candidate passed in is not fitted (the backtest fits a copy).
    assert not hasattr(models["constant"], "rate_")
    track = result.tracking[result.tracking["model"] == "constant"]
    assert track.loc[track["phase"] == "calibration", "cumulative"].isna().all()
    holdout = track[track["phase"] == "holdout"]
    assert holdout["incremental"].sum() == pytest.approx(constant.sum())


def test_rolling_origin_equals_separate_backtests(sample):
    # Default candidates without spend data: the Gamma-Gamma is left out, purchases scored.
    cut_offs = ["1997-06-30", CUT]
    rolled = backtest(sample, "customer_id", "date", cut_offs, "1998-06-30", time_unit="W")
    assert rolled.metrics["calibration_period_end"].unique().tolist() == cut_offs
    assert set(rolled.metrics["target"]) == {"purchases"}
    assert rolled.fitted[CUT][BG][1] is None
    alone = backtest(sample, "customer_id", "date", "1997-06-30", "1998-06-30", time_unit="W")
    first = rolled.metrics[rolled.metrics["calibration_period_end"] == "1997-06-30"]
    pd.testing.assert_frame_equal(first.reset_index(drop=True), alone.metrics)


def test_recent_repeats_by_hand():
    log = _tiny_log()
    split = clv.calibration_holdout_split(log, "id", "day", "2020-01-31", "2020-02-28")
    out = recent_repeats(split, log, "id", "day", window=14)  # 2020-01-18 .. 01-31
    # Customer 1 bought on 01-29 (1 repeat in the window); customer 2 none;
    # customer 3 started on 01-20: its repeat on 01-27 counts.
    assert out["recent_frequency"].tolist() == [1, 0, 1]
    assert out["recent_window"].iloc[0] == 14


def test_errors_name_the_argument(sample):
    with pytest.raises(TypeError, match=r"models\['bad'\] must offer fit"):
        backtest(sample, "customer_id", "date", CUT, models={"bad": object()})
    with pytest.raises(DataValidationError, match="2 dates for 1"):
        backtest(sample, "customer_id", "date", [CUT], ["1998-01-01", "1998-06-30"])
    with pytest.raises(DataValidationError, match="calibration_period_end"):
        backtest(sample, "customer_id", "date", "1999-01-01", "1998-06-30")


def _readme_rows():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("## Backtesting") : text.index("## Time units")]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().replace("*", "") for c in line.strip("|").split("|")]
        if len(cells) == 10 and cells[0] not in ("model", "---"):
            rows[cells[0]] = cells[1:]
    return rows


def test_readme_table_has_the_numbers_the_backtest_gives(cdnow):
    rows = _readme_rows()
    purchases = cdnow.metrics_table("purchases").loc[CUT]
    value = cdnow.metrics_table("value").loc[CUT]
    assert set(rows) == set(purchases.index)
    for model, cells in rows.items():
        p, v = purchases.loc[model], value.loc[model]
        expected = [
            f"{p.mae:.3f}",
            f"{p.rmse:.3f}",
            f"{p.correlation:.3f}",
            f"{p.spearman:.3f}",
            f"{p.top10_capture:.1%}",
            f"{p.gini:.3f}",
            f"{p.predicted_total:,.0f} ({p.total_relative_error:+.1%})",
            f"{v.mae:.2f}",
            f"{v.predicted_total:,.0f} ({v.total_relative_error:+.1%})",
        ]
        assert cells == expected, model


def test_readme_claims_about_mae(cdnow):
    rows = cdnow.per_customer[cdnow.per_customer["model"] == BG]
    actual = rows["actual_purchases"]
    assert round(actual.mean(), 3) == 0.798  # "predicting 0 for everybody"
    assert round((actual == 0).mean(), 2) == 0.71
    shrunk = 0.6 * rows["predicted_purchases"]
    assert round(np.abs(shrunk - actual).mean(), 3) == 0.739
    calibration = cdnow.summaries[CUT]
    everybody = clv.evaluation.RetentionBaseline(among="all").fit(calibration)
    assert round(everybody.churn_per_period_, 3) == 0.065
    predicted = everybody.conditional_expected_purchases(39.0, calibration)
    assert round(np.abs(predicted - actual.to_numpy()).mean(), 3) == 0.712
    assert round(predicted.sum()) == 1007


def test_dates_with_a_time_zone_give_the_same_backtest():
    log = _tiny_log()
    zoned = log.assign(day=log["day"].dt.tz_localize("UTC"))
    models = {"run rate": RunRateBaseline()}
    plain = backtest(log, "id", "day", "2020-01-31", "2020-02-28", models=models)
    other = backtest(zoned, "id", "day", "2020-01-31", "2020-02-28", models=models)
    pd.testing.assert_frame_equal(plain.per_customer, other.per_customer)
    pd.testing.assert_frame_equal(plain.tracking, other.tracking)
