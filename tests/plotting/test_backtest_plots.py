"""Tracking, calibration-vs-holdout and predicted-vs-actual plots: the drawn data."""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels import plotting

BG = "BG/NBD + Gamma-Gamma"
CUT = "1997-09-30"


def _line(ax, label):
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line


def test_tracking_plot_draws_actual_and_models(cdnow_backtest, ax, sample_log):
    plotting.plot_tracking(cdnow_backtest, ax=ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["actual", BG] and "calibration end" in labels
    actual = _line(ax, "actual").get_ydata()
    # Independent count: repeat purchase days of the cohort up to the observation end.
    days = sample_log[["customer_id", "date"]].drop_duplicates()
    assert actual[-1] == len(days) - days["customer_id"].nunique() == 2457 + 1882
    boundary = _line(ax, "calibration end").get_xdata()[0]
    assert pd.Timestamp(boundary) == pd.Timestamp(CUT)
    # Baselines have no calibration-period fit: their lines start after the cut-off.
    run_rate_x = pd.to_datetime(_line(ax, "run rate").get_xdata())
    assert run_rate_x.min() > pd.Timestamp(CUT)


def test_tracking_plot_incremental_and_errors(cdnow_backtest, ax):
    plotting.plot_tracking(cdnow_backtest, cumulative=False, models=[BG], ax=ax)
    bg = _line(ax, BG).get_ydata()
    assert len(bg) == len(_line(ax, "actual").get_ydata())  # the fit covers every period
    assert np.nansum(bg) == pytest.approx(
        cdnow_backtest.tracking.query("model == @BG")["incremental"].sum()
    )
    with pytest.raises(ValueError, match="not in the backtest"):
        plotting.plot_tracking(cdnow_backtest, models=["Pareto/NBD"], ax=ax)
    with pytest.raises(TypeError, match="BacktestResult or its tracking table"):
        plotting.plot_tracking(pd.DataFrame({"a": [1]}), ax=ax)


def test_calibration_vs_holdout_means(cdnow_backtest, ax, sample_log):
    plotting.plot_calibration_vs_holdout(cdnow_backtest, max_frequency=7, ax=ax)
    split = clv.calibration_holdout_split(
        sample_log, "customer_id", "date", CUT, "1998-06-30", time_unit="W"
    )
    expected = split.groupby(split["frequency"].clip(upper=7))["frequency_holdout"].mean()
    line = _line(ax, "actual")
    np.testing.assert_array_equal(line.get_xdata(), np.arange(8))
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())
    run_rate = split["frequency"] / split["T"] * 39.0
    by_group = run_rate.groupby(split["frequency"].clip(upper=7)).mean()
    np.testing.assert_allclose(_line(ax, "run rate").get_ydata(), by_group.to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7+"


def test_predicted_vs_actual_groups(cdnow_backtest, ax):
    plotting.plot_predicted_vs_actual(cdnow_backtest, target="purchases", n_groups=5, ax=ax)
    rows = cdnow_backtest.per_customer.query("model == @BG")
    order = np.argsort(rows["predicted_purchases"].to_numpy(), kind="stable")
    top = order[-(len(order) // 5) :]  # 2357 = 4 x 471 + 473: the last group has 471
    line = _line(ax, BG)
    assert line.get_xdata()[-1] == pytest.approx(rows["predicted_purchases"].iloc[top].mean())
    assert line.get_ydata()[-1] == pytest.approx(rows["actual_purchases"].iloc[top].mean())
    assert len(line.get_xdata()) == 5
