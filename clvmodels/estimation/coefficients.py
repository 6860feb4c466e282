"""Covariate coefficients: their names, their maps to the linear predictors, their penalties.

Pure functions shared by the static-covariate estimators
(:mod:`clvmodels.estimation.static_covariates`): :func:`coefficient_layout` turns a
:class:`~clvmodels.data.covariates.CovariateDesign` and the columns chosen per process
into the coefficient names (``purchase:NAME``, ``dropout:NAME``, ``both:NAME`` for an
equal effect, ``spend:NAME``, ``churn:NAME``), one 0/1 matrix per process mapping the
coefficients to the design's columns, and each coefficient's L2 penalty;
:func:`per_row` evaluates a model function for one parameter set per row (new customers
given their covariates).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.data.covariates import CovariateDesign

__all__ = ["PROCESSES", "coefficient_layout", "covariate_penalties", "per_row"]

#: The processes of the RFM purchase models, in the order of their linear predictors.
PROCESSES = ("purchase", "dropout")


def covariate_penalties(
    penalty: float | Mapping[str, float] | None, processes: Sequence[str] = PROCESSES
) -> dict[str, float]:
    """``covariate_penalty`` as {"purchase": lambda_P, "dropout": lambda_D}, checked."""
    if penalty is None:
        return dict.fromkeys(processes, 0.0)
    if isinstance(penalty, Mapping):
        unknown = set(penalty) - set(processes)
        if unknown:
            example = ", ".join(f"{p!r}: 0.1" for p in processes)
            raise ValueError(
                f"covariate_penalty names unknown processes {sorted(unknown)}; use {{{example}}}"
            )
        values = {p: float(penalty.get(p, 0.0)) for p in processes}
    else:
        values = dict.fromkeys(processes, float(penalty))
    for process, value in values.items():
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(
                f"covariate_penalty[{process!r}] must be a finite number >= 0, e.g. 0.1; "
                f"got {value}"
            )
    return values


def per_row(
    function: Callable[..., np.ndarray],
    params: Mapping[str, Any],
    index: pd.Index,
    t: ArrayLike,
    *extra: Any,
    label: str = "t",
) -> pd.Series | pd.DataFrame:
    """``function(params, t, *extra)`` for one set of parameters per row of ``index``.

    ``params`` holds one value (or a number) per row, e.g. new customers' parameters from
    their covariates. A scalar ``t`` gives a Series named as the function; a 1-D ``t`` a
    DataFrame (rows x horizons, columns named ``label``).
    """
    horizons = np.asarray(t, dtype=np.float64)
    if horizons.ndim == 0:
        values = np.broadcast_to(function(params, horizons, *extra), (len(index),))
        return pd.Series(values, index=index, name=function.__name__)
    if horizons.ndim != 1:
        raise ValueError(
            f"{label} must be a number or a 1-D array of horizons, got shape {horizons.shape}"
        )
    columns = {k: np.asarray(v, dtype=np.float64)[..., None] for k, v in params.items()}
    values = np.broadcast_to(function(columns, horizons, *extra), (len(index), len(horizons)))
    return pd.DataFrame(values, index=index, columns=pd.Index(horizons, name=label))


def coefficient_layout(
    design: CovariateDesign,
    chosen: Mapping[str, Sequence[str]],
    equal: Sequence[str],
    penalty: float | Mapping[str, float] | None,
) -> tuple[tuple[str, ...], tuple[np.ndarray, ...], np.ndarray]:
    """Coefficient names, the per-process maps to the design's columns, and the penalties.

    Parameters
    ----------
    design
        The encoding of the covariate columns.
    chosen
        Process -> the source columns that enter it, in the order of the predictors.
    equal
        Columns with one coefficient ``both:NAME`` shared by every process.
    penalty
        ``covariate_penalty`` (see :func:`covariate_penalties`); a shared coefficient
        carries the sum of its processes' penalties.

    Returns
    -------
    names, maps, penalties
        The coefficient names; per process a (design columns x coefficients) 0/1 matrix,
        so that the process's predictor is ``matrix @ (map @ coefficients)``; the L2
        penalty of each coefficient.
    """
    processes = tuple(chosen)
    encoded = {
        c: [n for n in design.names if n == c or n.startswith(f"{c}[")] for c in design.columns
    }
    names: list[str] = []
    pairs: dict[str, list] = {p: [] for p in processes}  # (design column, coefficient)
    for process, columns in chosen.items():
        for column in columns:
            if column in equal:
                continue
            for name in encoded[column]:
                pairs[process].append((design.names.index(name), len(names)))
                names.append(f"{process}:{name}")
    for column in equal:
        for name in encoded[column]:
            for process in processes:
                pairs[process].append((design.names.index(name), len(names)))
            names.append(f"both:{name}")
    maps = []
    for process in processes:
        selection = np.zeros((len(design.names), len(names)))
        for row, col in pairs[process]:
            selection[row, col] = 1.0
        maps.append(selection)
    per_process = covariate_penalties(penalty, processes)
    penalties = np.array(
        [
            sum(per_process[p] for p in processes)
            if n.startswith("both:")
            else per_process[n.split(":", 1)[0]]
            for n in names
        ],
        dtype=np.float64,
    )
    return tuple(names), tuple(maps), penalties
