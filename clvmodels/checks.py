"""Checks of single-number arguments and per-customer values, with one policy.

Every public function of clvmodels checks its numeric arguments here, so that
the same mistake raises the same error everywhere:

* a **wrong type** (text, ``None``, ``True``, an array where one number is
  expected) raises :class:`TypeError`;
* a **wrong value** (NaN, infinity, outside the allowed range, a fraction where
  a whole number is expected) raises :class:`ValueError`;
* per-customer values (arrays of data) that break a rule raise
  :class:`~clvmodels.exceptions.DataValidationError`, a ``ValueError`` that also
  names the first position at fault.

Messages read ``"<argument> must be <rule>; got <value>"``, e.g.
``"discount_rate must be greater than -1; got -1.5"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = ["finite_scalar", "per_customer_values", "positive_parameters", "whole_number"]


def _shown(value: float) -> str:
    """A number as it appears in messages (12 significant digits: 1.5, -1, nan, inf)."""
    return f"{value:.12g}"


def _number(value: object, name: str) -> float:
    """``value`` as a float if it is one real number; TypeError otherwise."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.ndarray | pd.Series | pd.Index | list | tuple):
        shape = np.shape(value)
        raise TypeError(f"{name} must be a single number; got an array of shape {shape}")
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    return float(value)


def _range_rule(
    greater_than: float | None, at_least: float | None, at_most: float | None
) -> str | None:
    """The rule a range states, as words after the argument's name (``None``: no range)."""
    if greater_than is not None and at_least is not None:
        raise ValueError("give at most one of greater_than and at_least")
    low = at_least if at_least is not None else greater_than
    if at_most is not None and low is not None:
        bracket = "[" if at_least is not None else "("
        return f"lie in {bracket}{_shown(low)}, {_shown(at_most)}]"
    if at_most is not None:
        return f"be at most {_shown(at_most)}"
    if greater_than is not None:
        return "be positive" if greater_than == 0 else f"be greater than {_shown(greater_than)}"
    if at_least is not None:
        return "be non-negative" if at_least == 0 else f"be at least {_shown(at_least)}"
    return None


def finite_scalar(
    value: object,
    name: str,
    *,
    greater_than: float | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
) -> float:
    """Check that ``value`` is one finite real number within a range.

    Parameters
    ----------
    value
        The argument as given: a Python or NumPy real number, or a 0-d array.
    name
        The argument's name, used in the message.
    greater_than, at_least
        Exclusive or inclusive lower bound (give at most one).
    at_most
        Inclusive upper bound.

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (text, ``None``, a boolean, an array).
    ValueError
        If it is NaN, infinite or outside the range.

    Examples
    --------
    >>> finite_scalar(0.1, "discount_rate", greater_than=-1)
    0.1
    >>> finite_scalar(-1.5, "discount_rate", greater_than=-1)
    Traceback (most recent call last):
    ...
    ValueError: discount_rate must be greater than -1; got -1.5
    """
    number = _number(value, name)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite (no NaN or infinity); got {_shown(number)}")
    inside = (
        (greater_than is None or number > greater_than)
        and (at_least is None or number >= at_least)
        and (at_most is None or number <= at_most)
    )
    if not inside:
        rule = _range_rule(greater_than, at_least, at_most)
        raise ValueError(f"{name} must {rule}; got {_shown(number)}")
    return number


def whole_number(value: object, name: str, *, at_least: int = 0) -> int:
    """Check that ``value`` is a whole number (e.g. a count of periods).

    Integers of any kind are accepted, and floats with no fractional part
    (``3.0``).

    Parameters
    ----------
    value
        The argument as given.
    name
        The argument's name, used in the message.
    at_least
        Smallest allowed value.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is not finite, has a fractional part, or is below ``at_least``.
    """
    words = "a non-negative whole number" if at_least == 0 else f"a whole number >= {at_least}"
    if isinstance(value, Integral) and not isinstance(value, bool | np.bool_):
        number = float(int(value))
    else:
        number = _number(value, name)
    if not (math.isfinite(number) and number == math.floor(number) and number >= at_least):
        shown = str(value) if isinstance(value, Integral) else _shown(number)
        raise ValueError(f"{name} must be {words}; got {shown}")
    return int(number)


def per_customer_values(values: object, index: pd.Index, what: str) -> np.ndarray:
    """Check one finite value per customer, in the order of ``index``.

    Used on what a model returns for a summary (expected purchases, spend).

    Parameters
    ----------
    values
        A Series (its index must equal ``index``) or anything array-like.
    index
        The customers, e.g. ``summary.index``.
    what
        What produced the values, for the message (e.g.
        ``"spend_model.expected_spend"``).

    Returns
    -------
    numpy.ndarray
        float64, shape ``(len(index),)``.

    Raises
    ------
    ValueError
        If a Series has another index, the shape is not one value per customer, or
        If a value is NaN or infinite (naming how many and the first customer).
    """
    if isinstance(values, pd.Series):
        if not values.index.equals(index):
            raise ValueError(f"{what} returned a Series whose index differs from the summary's")
        array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = np.asarray(values, dtype=np.float64)
    if array.shape != (len(index),):
        raise ValueError(
            f"{what} must give one value per customer ({len(index)}), got shape {array.shape}"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{what} gave {int(bad.sum())} non-finite value(s); e.g. customer "
            f"{index[position]!r}: {array[position]}"
        )
    return array


def positive_parameters(
    params: Mapping[str, object], names: tuple[str, ...], model: str
) -> tuple[np.ndarray, ...]:
    """A model's parameters as float arrays (scalars or posterior draws), each finite and > 0.

    Raises
    ------
    ValueError
        Naming the model, the parameter and up to three offending values.
    """
    values = []
    for name in names:
        value = np.asarray(params[name], dtype=np.float64)
        valid = np.isfinite(value) & (value > 0.0)
        if not np.all(valid):
            bad = value if value.ndim == 0 else value[~valid][:3]
            raise ValueError(
                f"the {model} parameter {name!r} must be finite and > 0, e.g. {name}=1.0; got {bad}"
            )
        values.append(value)
    return tuple(values)
