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


class ModelFileError(ValueError):
    """A saved model cannot be read back: not a model file, or a field breaks its rule.

    The message names the file and the field. ``path`` and ``field`` hold them
    too (``field`` is ``None`` when the whole document is at fault: empty, not
    JSON, binary).
    """

    def __init__(self, message: str, *, path: str | None = None, field: str | None = None):
        super().__init__(message)
        self.path = path
        self.field = field


class NumericalPrecisionError(ArithmeticError):
    """A value cannot be computed to the promised accuracy in double precision.

    Raised instead of returning a number that may be wrong; the message names the inputs.
    """
