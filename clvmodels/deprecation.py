"""Old spellings that keep working for one release, with a warning that names the new one.

One policy for every renamed argument or changed argument order: the old call still
gives the same result, and a :class:`DeprecationWarning` says what to write instead.

The column arguments are spelled as in :mod:`clvmodels.data` and the public API
everywhere (:data:`COLUMN_RENAMES`): ``customer_id_col``, ``datetime_col``,
``monetary_value_col``.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["COLUMN_RENAMES", "renamed_arguments", "renamed_column_arguments", "warn_deprecated"]

#: The previous spellings of the column arguments and their names now.
COLUMN_RENAMES = {
    "customer_col": "customer_id_col",
    "date_col": "datetime_col",
    "amount_col": "monetary_value_col",
}


def warn_deprecated(message: str, stacklevel: int = 3) -> None:
    """Issue a :class:`DeprecationWarning` pointing at the caller's caller."""
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)


def renamed_arguments[F: Callable[..., Any]](**renames: str) -> Callable[[F], F]:
    """Accept the old keyword names ``renames`` (old -> new) with a DeprecationWarning.

    Positional calls are untouched (the position did not change). Giving both the old
    and the new name is a :class:`TypeError`.

    Examples
    --------
    >>> import warnings
    >>> @renamed_arguments(date_col="datetime_col")
    ... def f(datetime_col):
    ...     return datetime_col
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(date_col="date")
    'date'
    >>> print(caught[0].message)
    f(): the argument 'date_col' is deprecated and will be removed in the next release; \
use 'datetime_col' (same meaning)
    """

    def decorate(func: F) -> F:
        parameters = inspect.signature(func).parameters
        unknown = [new for new in renames.values() if new not in parameters]
        if unknown:  # a mistake in this package, caught at import
            raise TypeError(f"{func.__qualname__} has no parameter(s) {unknown} to rename to")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{func.__name__}() got both {old!r} (deprecated) and {new!r}; "
                        f"pass only {new}={kwargs[old]!r}"
                    )
                warn_deprecated(
                    f"{func.__name__}(): the argument {old!r} is deprecated and will be "
                    f"removed in the next release; use {new!r} (same meaning)"
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def renamed_column_arguments[G: Callable[..., Any]](func: G) -> G:
    """:func:`renamed_arguments` with the :data:`COLUMN_RENAMES` that ``func`` takes."""
    parameters = inspect.signature(func).parameters
    renames = {old: new for old, new in COLUMN_RENAMES.items() if new in parameters}
    if not renames:
        raise TypeError(f"{func.__qualname__} takes none of {sorted(COLUMN_RENAMES.values())}")
    return renamed_arguments(**renames)(func)
