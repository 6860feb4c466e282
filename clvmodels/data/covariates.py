"""Static covariates: one value per customer, checked and encoded as a design matrix.

A covariate column is numeric (used as it is, in its own units: no centring or scaling,
so a coefficient is the effect of one unit) or categorical (``object``, ``category`` or
``bool`` dtype), which becomes one 0/1 dummy per level except a reference level: **the
first level in sorted order** (``False`` for a bool, ``"email"`` before ``"online"``). It
is chosen by sorting rather than by frequency so that the same data give the same
parameter names whatever sample is fitted. A dummy is named ``COLUMN[LEVEL]``, e.g.
``channel[online]``; the model prefixes the process, ``purchase:channel[online]``.

The checks (each a :class:`~clvmodels.exceptions.DataValidationError` naming the column,
the rule, a customer and a fix): the column exists; no value is missing (a summary
customer without covariates after ``summary.join(static)``); numeric values are finite;
no column is constant (it would duplicate the model's base scale, the intercept); and no
column is a linear combination of the intercept and the columns before it (perfect
collinearity, found by a rank check of their correlation matrix).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clvmodels.exceptions import DataValidationError

__all__ = ["CovariateDesign", "check_covariate_ids", "encode_covariates"]

#: Smallest eigenvalue share of the correlation matrix below which a column is collinear.
COLLINEAR_TOL = 1e-10


@dataclass(frozen=True)
class CovariateDesign:
    """How covariate columns become a design matrix (fitted once, applied to new frames).

    Attributes
    ----------
    columns
        The source columns, in order.
    levels
        Categorical column -> its levels in sorted order; the first is the reference.
    names
        The design matrix's column names (numeric columns as they are, dummies as
        ``COLUMN[LEVEL]``).
    """

    columns: tuple[str, ...]
    levels: dict[str, tuple]
    names: tuple[str, ...]

    def matrix(self, frame: pd.DataFrame, what: str = "the summary") -> np.ndarray:
        """The design matrix (rows of ``frame`` x :attr:`names`), checked like the fit's data.

        Raises
        ------
        DataValidationError
            If a column is missing, a value is missing or not finite, or a categorical
            value is a level the fit did not see.
        """
        _check_present(frame, self.columns, what)
        blocks = []
        for column in self.columns:
            values = frame[column]
            _check_complete(values, column, what)
            if column in self.levels:
                levels = self.levels[column]
                known = values.isin(levels).to_numpy()
                if not known.all():
                    where = int(np.flatnonzero(~known)[0])
                    raise DataValidationError(
                        f"{what}: covariate column {column!r} has the level "
                        f"{values.iloc[where]!r} (customer {frame.index[where]!r}) that the "
                        f"fit did not see; known levels: {list(levels)}"
                    )
                blocks.extend(
                    (values == level).to_numpy(np.float64)[:, None] for level in levels[1:]
                )
            else:
                blocks.append(_numeric(values, column, what)[:, None])
        if not blocks:
            return np.empty((len(frame), 0))
        return np.hstack(blocks)


def _check_present(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{what} lacks the covariate column(s) {missing}: join them first, e.g. "
            f"summary = summary.join(static[{missing!r}]) (static indexed by customer id)"
        )


def _check_complete(values: pd.Series, column: str, what: str) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        where = int(np.flatnonzero(missing)[0])
        raise DataValidationError(
            f"{what}: covariate column {column!r} has {int(missing.sum())} missing value(s), "
            f"e.g. customer {values.index[where]!r}; every customer needs a value (a summary "
            "customer without covariates after summary.join(static)? drop or fill them)"
        )


def _is_categorical(values: pd.Series) -> bool:
    return (
        pd.api.types.is_object_dtype(values)
        or isinstance(values.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(values)
        or pd.api.types.is_string_dtype(values)
    )


def _numeric(values: pd.Series, column: str, what: str) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(values):
        raise DataValidationError(
            f"{what}: covariate column {column!r} has dtype {values.dtype}: it must be "
            "numeric, or categorical (object, category or bool), e.g. df[col].astype(float)"
        )
    array = values.to_numpy(np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise DataValidationError(
            f"{what}: covariate column {column!r} has the non-finite value {array[where]} "
            f"(customer {values.index[where]!r}); covariates must be finite numbers"
        )
    return array


def encode_covariates(
    frame: pd.DataFrame, columns: Sequence[str], what: str = "the summary"
) -> tuple[CovariateDesign, np.ndarray]:
    """Check ``frame``'s covariate ``columns`` and encode them (see the module docstring).

    Returns
    -------
    design, matrix
        The encoding (to apply to other frames) and the design matrix of ``frame``.

    Raises
    ------
    DataValidationError
        Naming the column, the rule and an example (module docstring).
    """
    columns = tuple(columns)
    if len(set(columns)) != len(columns):
        raise DataValidationError(f"covariate columns are named twice: {list(columns)}")
    _check_present(frame, columns, what)
    levels, names = {}, []
    for column in columns:
        values = frame[column]
        _check_complete(values, column, what)
        if _is_categorical(values):
            found = tuple(sorted(pd.unique(values).tolist()))
            if len(found) < 2:
                raise _constant(column, found[0], what)
            levels[column] = found
            names.extend(f"{column}[{level}]" for level in found[1:])
        else:
            array = _numeric(values, column, what)
            if len(array) and np.all(array == array[0]):
                raise _constant(column, array[0], what)
            names.append(column)
    design = CovariateDesign(columns, levels, tuple(names))
    matrix = design.matrix(frame, what)
    _check_rank(matrix, design.names, what)
    return design, matrix


def _constant(column: str, value: object, what: str) -> DataValidationError:
    return DataValidationError(
        f"{what}: covariate column {column!r} is constant ({value!r} for every customer): "
        "it would duplicate the model's base rate (the intercept); drop it"
    )


def _check_rank(matrix: np.ndarray, names: Sequence[str], what: str) -> None:
    """Perfect collinearity with the intercept and earlier columns -> a named error."""
    if matrix.shape[1] == 0:
        return
    centred = matrix - matrix.mean(axis=0)
    scale = np.sqrt((centred**2).mean(axis=0))
    gram = (centred.T @ centred) / len(matrix) / np.outer(scale, scale)
    for j in range(1, len(names) + 1):
        smallest = np.linalg.eigvalsh(gram[:j, :j])[0]
        if smallest < COLLINEAR_TOL:
            raise DataValidationError(
                f"{what}: covariate {names[j - 1]!r} is perfectly collinear with the "
                f"intercept and {list(names[: j - 1])} (the design matrix loses rank): "
                "the effects are not identified; drop one of them"
            )


def check_covariate_ids(summary: pd.DataFrame, static: pd.DataFrame) -> None:
    """Check that ``static`` (indexed by customer id) has one row per summary customer.

    Raises
    ------
    DataValidationError
        Naming a duplicated id, an id not in the summary, or a summary customer without
        covariates.
    """
    duplicated = static.index.duplicated()
    if duplicated.any():
        raise DataValidationError(
            f"the covariate frame has the customer {static.index[duplicated][0]!r} twice: "
            "static covariates need one row per customer"
        )
    extra = static.index.difference(summary.index)
    if len(extra):
        raise DataValidationError(
            f"the covariate frame has {len(extra)} customer id(s) not in the summary, e.g. "
            f"{extra[0]!r}: index it by the summary's customer ids"
        )
    lacking = summary.index.difference(static.index)
    if len(lacking):
        raise DataValidationError(
            f"{len(lacking)} summary customer(s) have no covariates, e.g. {lacking[0]!r}: "
            "every customer needs a row in the covariate frame"
        )
