"""The same RFM summary computed by pandas, DuckDB and Spark from one specification.

Which engine
------------
- **pandas** (a DataFrame in memory): logs up to some 10^7 rows; the fastest when the
  log already is a DataFrame.
- **DuckDB** (``pip install 'clvmodels[duckdb]'``; a path, glob or list of CSV/Parquet
  files, or a DuckDB relation): logs stored as files, or larger than memory. DuckDB
  reads only the columns it needs, streams the files and spills to disk. Give it a
  relation from your own connection to set its threads or memory limit.
- **Spark** (``pip install 'clvmodels[spark]'``; a Spark DataFrame): logs that live in
  a cluster. The summary stays a Spark DataFrame; only the reduction (distinct
  (frequency, recency, T) rows with counts) comes to the driver for the fit, and the
  per-customer scoring runs back in the cluster::

      import clvmodels as clv
      from clvmodels.value import value_spark

      log = spark.read.parquet("s3://bucket/transactions/")  # customer_id, date, spend
      summary = clv.rfm_summary(log, "customer_id", "date", "spend", freq="D", time_unit="W")
      stats = clv.data.rfm_sufficient_statistics(log, "customer_id", "date",
                                                 freq="D", time_unit="W")
      bg = clv.BetaGeoModel().fit(stats, weights=stats["n_customers"])
      gg = clv.GammaGammaModel().fit(summary.where("frequency > 0").toPandas())
      scored = value_spark(bg, gg, summary, time_unit="W", t=52.0, horizon=12,
                           discount_rate=0.1, horizon_unit="M", discount_period="Y")
      scored.write.parquet("s3://bucket/clv/")

Modules
-------
- :mod:`.registry`: the engines by name; ``engine_for(log)`` picks one, once per call
  (pandas for a DataFrame, Spark for a Spark DataFrame, DuckDB for files and
  relations); ``register_engine`` adds one;
- :mod:`.spec`: what to compute (:class:`~.spec.SummarySpec`, the same for every
  engine) and the summary as one SQL text (run as it is by DuckDB and Spark SQL);
- :mod:`.pandas_engine`: the same definitions in numpy, for DataFrames;
- :mod:`.sql_engine`: the DuckDB and Spark engines around the SQL;
- :mod:`.plan`: the checks, end days and output frames around it;
- :mod:`.duckdb_engine`, :mod:`.spark_engine`: how each engine exposes a log to it;
- :mod:`.dispatch`: the previous entry points (engine name, opened SQL log), kept;
- :mod:`.reduction`: the reduction to distinct (frequency, recency, T) rows with counts;
- :mod:`.reads`: the other reads of a log (its extent, some of its columns);
- :mod:`.scoring`: running a per-customer function where a Spark summary lives (the
  valuation itself is :mod:`clvmodels.value.valuation`'s).

The pandas engine (:mod:`.pandas_engine`) is checked against the SQL by
``tests/data/engines/test_conformance.py``.
"""
