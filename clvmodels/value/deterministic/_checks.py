"""Shared validation and array helpers for the deterministic CLV formulas.

Private: every public function of :mod:`clvmodels.value.deterministic` turns its
per-customer arguments into validated float arrays here (:func:`_to_array`),
broadcasts them with one shared index (:func:`_combine`) and shapes the result
like its input (:func:`_finish`).  Single-number arguments (a discount rate for
all, a number of periods) are checked by :mod:`clvmodels.checks`.  The policy is
that module's: a non-numeric argument raises :class:`TypeError`; a value that
breaks a rule raises :class:`~clvmodels.exceptions.DataValidationError` (a
``ValueError``) naming the argument, the rule and the first offending value with
its position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from clvmodels.exceptions import DataValidationError

#: Anything the functions accept for a per-customer quantity.
ArrayLike = float | Sequence[float] | npt.NDArray[np.floating] | pd.Series
#: What the vectorised functions return.
Result = float | npt.NDArray[np.float64] | pd.Series

_Rule = tuple[Callable[[np.ndarray], np.ndarray], str]

_NON_NEGATIVE: _Rule = (lambda a: a >= 0, "must be non-negative")
_POSITIVE: _Rule = (lambda a: a > 0, "must be positive")
_PROBABILITY: _Rule = (lambda a: (a >= 0) & (a <= 1), "must lie in [0, 1]")
_RATE: _Rule = (lambda a: a > -1, "must be greater than -1")
_WHOLE: _Rule = (lambda a: (a >= 0) & (a == np.floor(a)), "must be a non-negative whole number")


def _fmt(value: float) -> str:
    """Format an offending value readably (12 significant digits)."""
    return f"{float(value):.12g}"


def _describe_position(flat_position: int, shape: tuple[int, ...], labels: pd.Index | None) -> str:
    """Say where an offending value sits (empty for a scalar)."""
    if not shape:
        return ""
    if labels is not None and len(labels) != shape[0]:
        labels = None
    if len(shape) == 1:
        where = f" at position {flat_position}"
        if labels is not None:
            where += f" (index label {labels[flat_position]!r})"
        return where
    position = tuple(int(i) for i in np.unravel_index(flat_position, shape))
    where = f" at position {position}"
    if labels is not None:
        where += f" (row label {labels[position[0]]!r})"
    return where


def _require(
    ok: np.ndarray | bool,
    values: np.ndarray,
    name: str,
    rule: str,
    labels: pd.Index | None = None,
) -> None:
    """Raise a DataValidationError at the first value where ``ok`` is false."""
    ok = np.broadcast_to(np.asarray(ok, dtype=bool), values.shape)
    if ok.all():
        return
    flat_position = int(np.flatnonzero(~ok.ravel())[0])
    bad = float(values.ravel()[flat_position])
    where = _describe_position(flat_position, values.shape, labels)
    raise DataValidationError(f"{name} {rule}; got {_fmt(bad)}{where}")


def _to_array(value: object, name: str, *rules: _Rule) -> tuple[np.ndarray, pd.Index | None]:
    """Convert ``value`` to a finite float array, check ``rules``, keep its index."""
    if value is None or isinstance(value, str | bytes):
        raise TypeError(f"{name} must be numeric; got {value!r}")
    labels = value.index if isinstance(value, pd.Series | pd.DataFrame) else None
    try:
        if isinstance(value, pd.Series | pd.DataFrame):
            array = value.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric; got {value!r}") from exc
    _require(np.isfinite(array), array, name, "must be finite (no NaN or infinity)", labels)
    for check, text in rules:
        _require(check(array), array, name, text, labels)
    return array, labels


def _common_labels(labelled: dict[str, pd.Index | None]) -> pd.Index | None:
    """Return the index shared by all Series arguments (they must agree)."""
    first_name: str | None = None
    first: pd.Index | None = None
    for name, labels in labelled.items():
        if labels is None:
            continue
        if first is None:
            first_name, first = name, labels
        elif not first.equals(labels):
            raise DataValidationError(
                f"Series arguments must share the same index; {first_name} and {name} differ "
                "(align them first, e.g. with Series.reindex)"
            )
    return first


def _broadcast(arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Broadcast arrays together, naming the culprits on a shape mismatch."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} has shape {array.shape}" for name, array in arrays.items())
        raise DataValidationError(
            f"shape mismatch: {shapes}; arguments must be scalars or have broadcast-compatible "
            "shapes (one value per customer)"
        ) from None


def _combine(
    **args: tuple[np.ndarray, pd.Index | None],
) -> tuple[list[np.ndarray], pd.Index | None, bool]:
    """Broadcast validated arguments; return arrays, shared index, all-scalar flag."""
    arrays = {name: array for name, (array, _) in args.items()}
    labels = _common_labels({name: index for name, (_, index) in args.items()})
    all_scalar = all(array.ndim == 0 for array in arrays.values())
    return _broadcast(arrays), labels, all_scalar


def _finish(result: np.ndarray, labels: pd.Index | None, all_scalar: bool, name: str) -> Result:
    """Return a float, a labelled Series or a plain array, as the inputs were."""
    if all_scalar:
        return float(result)
    result = np.asarray(result, dtype=float)
    if labels is not None and result.ndim == 1 and result.shape[0] == len(labels):
        return pd.Series(result, index=labels, name=name)
    return result


def _scalar_or_sequence(
    value: object, name: str, length: int, steps: str, *rules: _Rule
) -> np.ndarray:
    """Validate a scalar or one value per step; return ``length`` floats.

    ``steps`` names the steps in the error message, e.g. ``"year 1..5"``.
    """
    array, _ = _to_array(value, name, *rules)
    if array.ndim != 0 and array.shape != (length,):
        raise DataValidationError(
            f"{name} must be a scalar or hold one value per {steps} "
            f"(shape ({length},)); got shape {array.shape}"
        )
    return np.broadcast_to(array, (length,)).astype(float)
