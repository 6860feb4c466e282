"""The summary keeps its time unit, resolution and end through ordinary pandas work.

Each test states the facts at construction (``freq="D", time_unit="W"``, end 1997-09-30)
and checks them after one pandas operation. Where pandas alone drops ``attrs`` (join,
merge, concat with a covariate table), a plain-DataFrame control shows that the check
could fail.
"""

import io

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data.summary_frame import RFMSummary, as_summary
from clvmodels.exceptions import UnitMismatchError

FACTS = ("W", "D", pd.Timestamp("1997-09-30"))


@pytest.fixture(scope="module")
def summary():
    log = clv.datasets.load_cdnow_sample_transactions()
    return clv.rfm_summary(
        log, "customer_id", "date", "spend", "1997-09-30", freq="D", time_unit="W"
    )


@pytest.fixture(scope="module")
def static(summary):
    rng = np.random.default_rng(7)
    ids = summary.index.to_numpy()[::-1]  # another order than the summary's
    return pd.DataFrame(
        {"age": rng.integers(18, 80, len(ids)), "region": rng.choice(["n", "s"], len(ids))},
        index=pd.Index(ids, name=summary.index.name),
    )


def facts(frame):
    return frame.clv.time_unit, frame.clv.freq, frame.clv.observation_period_end


def test_the_accessor_reads_what_rfm_summary_states(summary):
    assert isinstance(summary, RFMSummary) and isinstance(summary, pd.DataFrame)
    assert facts(summary) == FACTS
    assert summary.clv.facts["transactions_after_end"] == summary.attrs["transactions_after_end"]
    assert summary.clv.calibration_period_end is None


@pytest.mark.parametrize(
    "operation",
    [
        lambda s: s.copy(),
        lambda s: s.copy(deep=False),
        lambda s: s.iloc[10:200],
        lambda s: s.loc[s.index[:5]],
        lambda s: s.head(3),
        lambda s: s[s["frequency"] > 0],
        lambda s: s.query("frequency > 0"),
        lambda s: s[["frequency", "recency", "T"]],
        lambda s: s.assign(x=1.0),
        lambda s: s.sort_values("T"),
        lambda s: s.reset_index().set_index("customer_id"),
        lambda s: s.sample(50, random_state=0),
    ],
    ids=[
        "copy",
        "shallow-copy",
        "iloc",
        "loc",
        "head",
        "boolean-filter",
        "query",
        "columns",
        "assign",
        "sort",
        "reset-set-index",
        "sample",
    ],
)
def test_facts_survive_selection_and_copies(summary, operation):
    assert facts(operation(summary)) == FACTS


def test_join_with_covariates_keeps_the_facts(summary, static):
    # the covariates issue's acceptance check does exactly this
    joined = summary.join(static)
    assert facts(joined) == FACTS
    assert list(joined.columns) == [*summary.columns, "age", "region"]
    assert (joined["age"] == static["age"].reindex(summary.index)).all()
    # control: pandas alone drops attrs here (not every input has the same attrs)
    assert pd.DataFrame(summary).join(static).attrs == {}


def test_merge_keeps_the_facts(summary, static):
    by_index = summary.merge(static, left_index=True, right_index=True, how="left")
    on_column = pd.merge(summary.reset_index(), static.reset_index(), on="customer_id")
    assert facts(by_index) == FACTS
    assert facts(on_column) == FACTS
    assert len(on_column) == len(summary)
    assert pd.merge(pd.DataFrame(summary).reset_index(), static.reset_index()).attrs == {}


def test_concat_keeps_the_facts_the_inputs_agree_on(summary, static):
    side_by_side = pd.concat([summary, static], axis=1)
    assert facts(side_by_side) == FACTS
    halves = pd.concat([summary.iloc[:100], summary.iloc[100:]])
    assert facts(halves) == FACTS
    pd.testing.assert_frame_equal(halves, summary)


def test_concat_of_disagreeing_summaries_keeps_only_what_they_share(summary):
    log = clv.datasets.load_cdnow_sample_transactions()
    later = clv.rfm_summary(log, "customer_id", "date", None, "1998-06-30", "D", time_unit="W")
    daily = clv.rfm_summary(log, "customer_id", "date", None, "1997-09-30", "D")
    both_weekly = pd.concat([summary, later])
    assert both_weekly.clv.time_unit == "W" and both_weekly.clv.freq == "D"
    assert both_weekly.clv.observation_period_end is None  # the two ends differ
    assert pd.concat([summary, daily]).clv.time_unit is None  # no unit is right for all


def test_groupby_keeps_the_facts(summary):
    means = summary.groupby("frequency").mean()
    assert facts(means) == FACTS
    np.testing.assert_allclose(means.loc[0, "T"], summary.loc[summary.frequency == 0, "T"].mean())
    assert facts(summary.groupby("frequency")[["recency", "T"]].sum()) == FACTS
    assert facts(summary.groupby("frequency").agg({"T": "mean", "recency": "max"})) == FACTS
    each = summary.groupby("frequency", group_keys=False)[["recency", "T"]].apply(lambda g: g)
    assert facts(each) == FACTS
    assert len(each) == len(summary)


def test_named_aggregation_builds_a_new_frame_and_like_restores_the_facts(summary):
    # pandas builds named aggregations as a new plain frame: documented, restored by like()
    table = summary.groupby("frequency").agg(n=("T", "size"), mean_T=("T", "mean"))
    assert table.clv.time_unit is None
    assert table["n"].sum() == len(summary)
    assert facts(table.clv.like(summary)) == FACTS


def test_parquet_round_trip_keeps_the_facts(summary, tmp_path):
    path = tmp_path / "summary.parquet"
    summary.to_parquet(path)
    back = pd.read_parquet(path)
    assert facts(back) == FACTS
    pd.testing.assert_frame_equal(back, summary, check_frame_type=False)


def test_csv_keeps_values_only_and_state_restores_the_facts(summary, static):
    buffer = io.StringIO()
    summary.to_csv(buffer)
    buffer.seek(0)
    back = pd.read_csv(buffer, index_col="customer_id")
    assert facts(back) == (None, None, None)
    restored = back.clv.state(time_unit="W", freq="D", observation_period_end="1997-09-30")
    assert facts(restored) == FACTS
    assert facts(restored.join(static)) == FACTS  # restored frames survive joins too
    assert clv.with_time_unit(back, "W").join(static).clv.time_unit == "W"
    with pytest.raises(UnitMismatchError, match="already states time_unit='W'"):
        restored.clv.state(time_unit="D")


def test_a_frame_with_the_summary_second_is_restored_with_like(summary, static):
    lost = static.join(summary)  # pandas gives the left input's type: a plain DataFrame
    assert lost.clv.time_unit is None
    assert facts(lost.clv.like(summary)) == FACTS


def test_a_model_fitted_on_a_joined_summary_predicts_as_on_the_summary(summary, static):
    weekly = clv.BetaGeoModel().fit(summary)
    joined = clv.BetaGeoModel().fit(summary.join(static))
    assert joined.time_unit_ == "W"
    np.testing.assert_allclose(
        joined.conditional_expected_purchases(10, summary.join(static)),
        weekly.conditional_expected_purchases(10, summary),
        rtol=1e-12,
    )
    # a joined summary that lost its unit would be refused, not read in the wrong unit
    with pytest.raises(UnitMismatchError, match="states no time unit"):
        weekly.conditional_expected_purchases(10, pd.DataFrame(summary).join(static))


def test_split_states_its_calibration_end(summary, static):
    log = clv.datasets.load_cdnow_sample_transactions()
    split = clv.calibration_holdout_split(
        log, "customer_id", "date", "1997-09-30", "1998-06-30", freq="D", time_unit="W"
    )
    joined = split.join(static)
    assert joined.clv.calibration_period_end == pd.Timestamp("1997-09-30")
    assert joined.clv.observation_period_end == pd.Timestamp("1998-06-30")


def test_as_summary_refuses_what_is_not_a_summary_fact(summary):
    with pytest.raises(ValueError, match=r"unknown summary facts \['units'\]"):
        as_summary(summary, units="W")
    with pytest.raises(TypeError, match="DataFrame"):
        as_summary(summary.to_numpy())
