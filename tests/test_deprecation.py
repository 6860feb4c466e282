"""Old spellings keep working for a release: same results, a warning naming the new name.

The column arguments of evaluation/ and plotting/ are now spelled as in data/
(customer_id_col, datetime_col, monetary_value_col); compare_clv takes the models first,
as customer_lifetime_value does.
"""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.deprecation import renamed_arguments
from clvmodels.evaluation.baselines import recent_repeats
from clvmodels.evaluation.tracking import actual_repeat_transactions
from clvmodels.plotting import probability_alive_history

matplotlib.use("Agg")

CUT = "1997-09-30"


@pytest.fixture(scope="module")
def sample():
    return clv.datasets.load_cdnow_sample_transactions()


def _renamed(old, new):
    return rf"the argument '{old}' is deprecated .* use '{new}'"


def _assert_renamed(caught, function, *olds):
    """Exactly one warning per old name, naming the function and the new name."""
    new_of = {"customer_col": "customer_id_col", "date_col": "datetime_col",
              "amount_col": "monetary_value_col"}  # fmt: skip
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == len(olds)
    for old, message in zip(sorted(olds), messages, strict=True):
        assert message.startswith(f"{function}(): the argument '{old}' is deprecated")
        assert message.endswith(f"use '{new_of[old]}' (same meaning)")
    assert all(w.filename == __file__ for w in caught)  # points at the caller


def test_backtest_old_column_names_warn_and_give_the_same_result(sample):
    new = clv.backtest(
        sample, "customer_id", "date", CUT, "1998-06-30", monetary_value_col="spend", time_unit="W"
    )
    with pytest.warns(DeprecationWarning) as caught:
        old = clv.backtest(
            sample,
            customer_col="customer_id",
            date_col="date",
            calibration_period_end=CUT,
            observation_period_end="1998-06-30",
            amount_col="spend",
            time_unit="W",
        )
    _assert_renamed(caught, "backtest", "customer_col", "date_col", "amount_col")
    pd.testing.assert_frame_equal(old.per_customer, new.per_customer)
    pd.testing.assert_frame_equal(old.metrics, new.metrics)
    assert "actual_spend" in new.per_customer and new.per_customer["actual_spend"].notna().any()


def test_recent_repeats_and_tracking_old_names(sample):
    split = clv.calibration_holdout_split(
        sample, "customer_id", "date", CUT, "1998-06-30", freq="D", time_unit="W"
    )
    new = recent_repeats(
        split, sample, customer_id_col="customer_id", datetime_col="date", window=4
    )
    with pytest.warns(DeprecationWarning) as caught:
        old = recent_repeats(split, sample, customer_col="customer_id", date_col="date", window=4)
    _assert_renamed(caught, "recent_repeats", "customer_col", "date_col")
    pd.testing.assert_frame_equal(old, new)
    arguments = (split.index, "D", pd.Timestamp(CUT), pd.Timestamp("1998-06-30"), 7.0)
    new_counts = actual_repeat_transactions(sample, "customer_id", "date", *arguments)
    with pytest.warns(DeprecationWarning) as caught:
        old_counts = actual_repeat_transactions(
            sample, customer_col="customer_id", date_col="date", customers=arguments[0],
            freq="D", cut_off=arguments[2], end=arguments[3], step_days=7.0,
        )  # fmt: skip
    _assert_renamed(caught, "actual_repeat_transactions", "customer_col", "date_col")
    pd.testing.assert_series_equal(old_counts, new_counts)
    assert new_counts.sum() > 0


def test_plotting_old_names(sample, bgnbd_cdnow):
    new = probability_alive_history(
        bgnbd_cdnow, sample, customer_id_col="customer_id", datetime_col="date", customer_id=1516
    )
    with pytest.warns(DeprecationWarning) as caught:
        old = probability_alive_history(
            bgnbd_cdnow, sample, customer_col="customer_id", date_col="date", customer_id=1516
        )
    _assert_renamed(caught, "probability_alive_history", "customer_col", "date_col")
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(DeprecationWarning, match=_renamed("date_col", "datetime_col")):
        ax = clv.plotting.plot_probability_alive_history(
            bgnbd_cdnow, sample, "customer_id", date_col="date", customer_id=1516
        )
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), new["p_alive"])


def test_old_and_new_name_together_is_an_error(sample):
    with pytest.raises(TypeError, match="got both 'date_col' .* and 'datetime_col'"):
        clv.backtest(sample, "customer_id", datetime_col="date", date_col="date",
                     calibration_period_end=CUT)  # fmt: skip


def test_compare_clv_old_argument_order_warns_and_gives_the_same_result(
    cdnow_summary, bgnbd_cdnow, gamma_gamma_cdnow
):
    units = {"horizon_unit": "M", "discount_period": "Y"}
    new = clv.compare_clv(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 12, 0.1, **units)
    with pytest.warns(DeprecationWarning, match=r"use compare_clv\(purchase_model, spend_model"):
        old = clv.compare_clv(cdnow_summary, bgnbd_cdnow, gamma_gamma_cdnow, 12, 0.1, **units)
    pd.testing.assert_frame_equal(old.per_customer, new.per_customer)
    pd.testing.assert_frame_equal(old.aggregate, new.aggregate)
    by_name = clv.compare_clv(
        summary=cdnow_summary,
        purchase_model=bgnbd_cdnow,
        spend_model=gamma_gamma_cdnow,
        horizon=12,
        discount_rate=0.1,
        **units,
    )
    pd.testing.assert_frame_equal(by_name.per_customer, new.per_customer)
    # the probabilistic column is customer_lifetime_value, called in the same order
    clv_values = clv.customer_lifetime_value(
        bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 12, 0.1, **units
    )
    np.testing.assert_allclose(new.per_customer["probabilistic"], clv_values, rtol=1e-12)


def test_the_new_spellings_do_not_warn(cdnow_summary, bgnbd_cdnow, gamma_gamma_cdnow):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        clv.compare_clv(
            bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, 3, 0.1, horizon_unit="M",
            discount_period="Y",
        )  # fmt: skip


def test_renamed_arguments_refuses_a_target_the_function_lacks():
    with pytest.raises(TypeError, match=r"has no parameter\(s\) \['datetime_col'\]"):

        @renamed_arguments(date_col="datetime_col")
        def f(when):
            return when
