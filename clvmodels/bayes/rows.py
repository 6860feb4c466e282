"""Moved to :mod:`clvmodels.estimation.rows`: one compressed-rows type for every fit.

``WeightedRows`` is now :class:`~clvmodels.estimation.rows.CompressedRows`, the type the
maximum-likelihood fits use too; the old names keep working.
"""

from clvmodels.estimation.rows import CompressedRows, WeightedRows, weighted_rows

__all__ = ["CompressedRows", "WeightedRows", "weighted_rows"]
