"""Engines under test: the same log handed to pandas, DuckDB (CSV, Parquet, relation) and Spark.

DuckDB and PySpark are optional extras; their cases skip, saying so, when the
package (or Java, for Spark) is missing.
"""

import os
import shutil
import sys

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="pyspark not installed: pip install 'clvmodels[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (17) on PATH or JAVA_HOME")
    from pyspark.sql import SparkSession

    # Python workers must run this interpreter (PATH may hold another Python version).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    # One session for the whole test run (JVM start-up is most of the cost), one core and
    # one partition per shuffle: the logs are tiny, so more only adds scheduling; no
    # adaptive re-planning and no whole-stage code generation, which cost more than they
    # save on a few rows.
    session = (
        SparkSession.builder.master("local[1]")
        .appName("clvmodels-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def to_engine(log: pd.DataFrame, engine: str, tmp_path, spark_session=None):
    """``log`` as the input of ``engine``: itself, files, a DuckDB relation or a Spark frame."""
    if engine == "pandas":
        return log
    if engine == "duckdb-parquet":
        path = tmp_path / "log.parquet"
        log.to_parquet(path, index=False)
        return str(path)
    if engine == "duckdb-csv":
        # Two files read through one glob.
        half = len(log) // 2
        log.iloc[:half].to_csv(tmp_path / "part-0.csv", index=False)
        log.iloc[half:].to_csv(tmp_path / "part-1.csv", index=False)
        return str(tmp_path / "part-*.csv")
    if engine == "duckdb-relation":
        duckdb = pytest.importorskip("duckdb")
        return duckdb.connect().from_df(log)
    if engine == "spark":
        return spark_session.createDataFrame(log)
    raise ValueError(engine)


def as_pandas_summary(result, customer_id_col: str) -> pd.DataFrame:
    """A Spark summary collected and indexed as the pandas path's (others unchanged)."""
    if isinstance(result, pd.DataFrame):
        return result
    frame = result.toPandas().sort_values(customer_id_col, kind="stable")
    return frame.set_index(customer_id_col)
