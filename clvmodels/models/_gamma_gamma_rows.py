"""Moved to :mod:`clvmodels.models.gamma_gamma._kernel`; the old module path keeps working.

A plain re-export (not a ``sys.modules`` alias): pytest's doctest collection imports this
file as a module of its own and binds that module to ``clvmodels.models._gamma_gamma_rows``,
which an alias would leave empty.
"""

from clvmodels.models.gamma_gamma._kernel import BLOCK, X_COLUMNS, weighted_at

__all__ = ["BLOCK", "X_COLUMNS", "weighted_at"]
