"""Exception and warning classes raised by clvmodels.

Every error the package raises on purpose derives from a standard Python
exception, so ``except ValueError`` keeps working for callers that do not know
about clvmodels.
"""

from __future__ import annotations


class DataValidationError(ValueError):
    """Input data break a documented rule (column, rule, count, example row)."""


class ConvergenceError(RuntimeError):
    """The optimiser could not find a maximum of the likelihood."""


class ConvergenceWarning(UserWarning):
    """The fit finished, but a diagnostic says the result needs checking."""


class UnitMismatchError(ValueError):
    """Two inputs state different time units or discount-rate periods."""
