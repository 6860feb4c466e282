"""A transaction log reduced to what a purchase-model fit needs: distinct rows with counts.

The BG/NBD and Pareto/NBD likelihoods depend on a customer only through
(frequency, recency, T), so a log of any size reduces to its distinct
(frequency, recency, T) rows and the number of customers on each; a model
fitted on them with those counts as weights is the model fitted on every
customer. The reduction runs where the log is (pandas, DuckDB or Spark);
only the reduced rows come back.
"""

from __future__ import annotations

import pandas as pd

from clvmodels.data.engines.registry import engine_for
from clvmodels.data.engines.spec import WEIGHT_COLUMN, SummarySpec

__all__ = ["WEIGHT_COLUMN", "rfm_sufficient_statistics"]


def rfm_sufficient_statistics(
    transactions: object,
    customer_id_col: str,
    datetime_col: str,
    observation_period_end: object = None,
    freq: str = "D",
    datetime_format: str | None = None,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Distinct (frequency, recency, T) rows of the RFM summary, with customer counts.

    Parameters
    ----------
    transactions
        A pandas DataFrame, CSV/Parquet paths or globs or a DuckDB relation,
        or a Spark DataFrame (as in :func:`clvmodels.rfm_summary`).
    customer_id_col, datetime_col, observation_period_end, freq, datetime_format
        As in :func:`clvmodels.rfm_summary`.
    time_unit
        As in :func:`clvmodels.rfm_summary`; also the unit of the fitted model.

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency`` (int), ``recency``, ``T`` and ``n_customers``
        (int), sorted by (frequency, recency, T), one row per distinct triple.
        ``attrs`` as the summary's (``time_unit``, ``freq``,
        ``observation_period_end``, ``transactions_after_end``...) plus
        ``n_customers`` (the total). Fit with
        ``BetaGeoModel().fit(stats, weights=stats["n_customers"])``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"id": [1, 1, 2, 3], "day": ["2024-01-01", "2024-01-08",
    ...                     "2024-01-01", "2024-01-01"]})
    >>> rfm_sufficient_statistics(log, "id", "day", freq="D", time_unit="W")
       frequency  recency    T  n_customers
    0          0      0.0  1.0            2
    1          1      1.0  1.0            1
    """
    spec = SummarySpec.of(
        customer_id_col,
        datetime_col,
        None,
        observation_period_end,
        freq,
        datetime_format,
        time_unit,
    )
    stats = engine_for(transactions).reduce(transactions, spec)
    attrs = dict(stats.attrs)
    stats = stats.astype(
        {"frequency": "int64", "recency": "float64", "T": "float64", WEIGHT_COLUMN: "int64"}
    )
    stats.attrs.update(attrs)
    stats.attrs[WEIGHT_COLUMN] = int(stats[WEIGHT_COLUMN].sum())
    return stats
