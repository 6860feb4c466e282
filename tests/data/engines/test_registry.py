"""The engine registry: one choice per log, pandas one engine among DuckDB and Spark."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.data import rfm_sufficient_statistics
from clvmodels.data.engines.registry import (
    SummaryEngine,
    engine_for,
    get_engine,
    register_engine,
    registered_engines,
    unregister_engine,
)
from clvmodels.data.engines.spec import SummarySpec

LOG = pd.DataFrame(
    {
        "id": [1, 1, 2, 3, 3, 3],
        "date": ["2024-01-01", "2024-01-09", "2024-01-03"]
        + ["2024-01-02", "2024-01-02", "2024-02-20"],
        "spend": [10.0, 20.0, 5.0, 1.0, 2.0, 4.0],
    }
)


def test_the_three_engines_are_registered_in_order():
    assert list(registered_engines()) == ["pandas", "spark", "duckdb"]
    assert all(isinstance(e, SummaryEngine) for e in registered_engines().values())


def test_a_dataframe_goes_to_the_pandas_engine():
    assert engine_for(LOG).name == "pandas"


@pytest.mark.parametrize(
    "source",
    [
        "transactions.csv",
        "logs/2024-*.csv",
        "logs/**/*.parquet",
        Path("transactions.parquet"),
        ["a.csv", Path("b.csv")],
    ],
    ids=["csv-path", "glob", "recursive-glob", "pathlib", "list"],
)
def test_paths_and_globs_go_to_duckdb(source):
    assert engine_for(source).name == "duckdb"


def test_a_spark_dataframe_goes_to_spark():
    fake = type("DataFrame", (), {"__module__": "pyspark.sql.dataframe"})()
    assert engine_for(fake).name == "spark"


@pytest.mark.parametrize("source", [42, {"id": [1]}, np.zeros((2, 2)), None, []])
def test_an_unknown_object_is_refused_with_what_each_engine_takes(source):
    with pytest.raises(TypeError) as info:
        engine_for(source)
    message = str(info.value)
    assert f"got {type(source).__name__}" in message
    for name in ("'pandas'", "'duckdb'", "'spark'"):
        assert name in message
    assert "CSV/Parquet" in message and "Spark DataFrame" in message
    with pytest.raises(TypeError, match="transactions must be a pandas DataFrame"):
        clv.rfm_summary(source, "id", "date")


def test_a_csv_path_and_its_frame_give_the_same_summary(tmp_path):
    pytest.importorskip("duckdb", reason="duckdb not installed: pip install 'clvmodels[duckdb]'")
    path = tmp_path / "log.csv"
    LOG.to_csv(path, index=False)
    from_frame = clv.rfm_summary(LOG, "id", "date", "spend", freq="D", time_unit="W")
    from_file = clv.rfm_summary(str(path), "id", "date", "spend", freq="D", time_unit="W")
    pd.testing.assert_frame_equal(from_file, from_frame)
    assert from_file.attrs == from_frame.attrs
    # hand-computed: customer 3 bought on days 1 (twice, one period) and 50 after 2024-01-01
    assert from_frame.loc[3, "frequency"] == 1
    assert from_frame.loc[3, "recency"] == pytest.approx(49 / 7)
    assert from_frame.loc[3, "monetary_value"] == 4.0


class RecordingEngine:
    """An engine for lists of dicts, recording what the registry hands it."""

    name = "records"
    accepted = "a list of dicts"

    def __init__(self):
        self.calls = []

    def accepts(self, source):
        return isinstance(source, list) and bool(source) and isinstance(source[0], dict)

    def summarise(self, source, spec):
        self.calls.append(("summarise", spec))
        return get_engine("pandas").summarise(pd.DataFrame(source), spec)

    def split(self, source, spec, calibration_period_end):
        self.calls.append(("split", spec, calibration_period_end))
        return get_engine("pandas").split(pd.DataFrame(source), spec, calibration_period_end)

    def reduce(self, source, spec):
        self.calls.append(("reduce", spec))
        return get_engine("pandas").reduce(pd.DataFrame(source), spec)


@pytest.fixture
def recording():
    engine = register_engine(RecordingEngine())
    yield engine
    unregister_engine(engine.name)


def test_a_registered_engine_receives_the_one_specification(recording):
    records = LOG.to_dict("records")
    summary = clv.rfm_summary(records, "id", "date", "spend", "2024-02-29", "D", time_unit="W")
    split = clv.calibration_holdout_split(
        records, "id", "date", "2024-01-31", "2024-02-29", "spend", time_unit="W"
    )
    stats = rfm_sufficient_statistics(records, "id", "date", "2024-02-29", time_unit="W")
    kinds = [call[0] for call in recording.calls]
    assert kinds == ["summarise", "split", "reduce"]
    expected = SummarySpec.of("id", "date", "spend", "2024-02-29", "D", None, "W")
    assert recording.calls[0][1] == expected
    assert recording.calls[1][2] == "2024-01-31"
    pd.testing.assert_frame_equal(
        summary, clv.rfm_summary(LOG, "id", "date", "spend", "2024-02-29", "D", time_unit="W")
    )
    assert split.clv.calibration_period_end == pd.Timestamp("2024-01-31")
    assert stats["n_customers"].sum() == 3


def test_registration_refuses_a_taken_name_and_an_incomplete_engine():
    with pytest.raises(ValueError, match="'pandas' is registered already"):
        register_engine(get_engine("pandas"))
    incomplete = type("Half", (), {"name": "half", "accepts": lambda self, s: False})()
    with pytest.raises(TypeError, match=r"needs \['accepted', 'summarise', 'split', 'reduce'\]"):
        register_engine(incomplete)
    with pytest.raises(ValueError, match="no engine named 'nope'"):
        get_engine("nope")
