"""The same RFM summary computed by pandas, DuckDB and Spark from one specification.

- :mod:`.spec`: the summary as one SQL text (run as it is by DuckDB and Spark SQL);
- :mod:`.plan`: the checks, end days and output frames around it;
- :mod:`.duckdb_engine`, :mod:`.spark_engine`: how each engine exposes a log to it;
- :mod:`.dispatch`: what ``rfm_summary`` hands a non-pandas log to;
- :mod:`.reduction`: the reduction to distinct (frequency, recency, T) rows with counts;
- :mod:`.spark_scoring`: per-customer predictions of a Spark summary with fitted models.

The pandas path (:mod:`clvmodels.data.summary`) is checked against the SQL by
``tests/data/engines/test_conformance.py``.
"""
