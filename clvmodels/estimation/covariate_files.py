"""The ``covariates`` field of a model file: a covariate model's settings and design.

A model fitted with static covariates is saved as any other model
(:mod:`.persistence`: JSON, never pickle) with its coefficients among ``params`` (finite,
any sign), the covariance over all parameters, and one more field::

    "covariates": {
      "settings": {"purchase_covariates": ["gender", "channel"],
                   "dropout_covariates": ["channel"],
                   "covariate_penalty": {"purchase": 0.1, "dropout": 0.0},
                   "equal_effects": []},
      "design": {"columns": ["gender", "channel"],
                 "levels": {"channel": ["email", "online", "store"]},
                 "reference": {"channel": "email"},
                 "names": ["gender", "channel[online]", "channel[store]"]}
    }

``settings`` holds the constructor's covariate keywords (``spend_covariates`` for the
Gamma-Gamma, ``churn_covariates`` for the sBG; ``equal_effects`` only for two processes);
``design`` is the :class:`~clvmodels.data.covariates.CovariateDesign` of the fit: the
source columns, the sorted levels of each categorical one (the first is the reference,
stated again under ``reference``), and the design matrix's column names. On read every
part is checked against the others (the names follow from the columns and levels, the
columns from the settings, the coefficient names from both), so a hand-edited file that
would predict with another encoding is a :class:`~clvmodels.exceptions.ModelFileError`
naming the field.

A model fitted with time-varying covariates
(:mod:`clvmodels.estimation.dynamic_covariates`) adds one key to the field, the marker
that its covariates change from period to period::

      "time_varying": {"period_length": 1.0, "time_unit": "W",
                       "columns": ["season", "contact"]}

``period_length`` is one covariate period in ``time_unit`` (the summary's unit, days or
weeks, equal to the file's ``time_unit``); ``columns`` are the design's columns. The
covariate frame itself is not saved: predictions take it (and the BG/NBD's transaction
log) as arguments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from clvmodels.data.covariates import CovariateDesign
from clvmodels.estimation.persistence import exact_keys, field_error

__all__ = [
    "covariates_document",
    "read_covariates",
    "read_time_varying",
    "time_varying_document",
]

_DESIGN_KEYS = ("columns", "levels", "reference", "names")
_TIME_VARYING_KEYS = ("period_length", "time_unit", "columns")


def _json_level(level: Any) -> Any:
    """A level as a plain JSON scalar (numpy scalars through ``item``)."""
    return level.item() if hasattr(level, "item") else level


def covariates_document(settings: Mapping[str, Any], design: CovariateDesign) -> dict[str, Any]:
    """The ``covariates`` field of a fitted covariate model (see the module docstring)."""
    plain = {}
    for name, value in settings.items():
        if isinstance(value, Mapping):
            value = {str(k): float(v) for k, v in value.items()}
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        elif value is not None:
            value = float(value)
        plain[name] = value
    levels = {c: [_json_level(v) for v in values] for c, values in design.levels.items()}
    return {
        "settings": plain,
        "design": {
            "columns": list(design.columns),
            "levels": levels,
            "reference": {c: values[0] for c, values in levels.items()},
            "names": list(design.names),
        },
    }


def _texts(value: Any, field: str, source: str) -> list[str]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise field_error(source, field, f"must be a list of column names (text); got {value!r}")
    return list(value)


def _positive(value: Any) -> bool:
    """A finite number > 0 (not a bool; an integer too large for a float is not finite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value) and value > 0
    except OverflowError:
        return False


def _level(value: Any) -> bool:
    if isinstance(value, bool | str):
        return True
    return isinstance(value, int | float) and math.isfinite(value)


def read_covariates(value: Any, model_class: type, source: str) -> tuple[dict, CovariateDesign]:
    """Check a file's ``covariates`` field; return the covariate settings and the design.

    Parameters
    ----------
    value
        The field as read from JSON.
    model_class
        The class loading it (its ``_covariate_keywords()`` are the settings' keys; the
        settings are checked by its constructor).
    source
        The file name, for messages.

    Raises
    ------
    ModelFileError
        Naming the field at fault (``covariates.settings``, ``covariates.design.levels``,
        ...) and the rule.
    """
    field = "covariates"
    value = exact_keys(value, ("settings", "design"), field, source)
    keywords = model_class._covariate_keywords()
    settings = exact_keys(value["settings"], keywords, f"{field}.settings", source)
    for name in keywords:
        if name.endswith("_covariates") or name == "equal_effects":
            settings[name] = _texts(settings[name], f"{field}.settings.{name}", source)
    try:
        model_class(**settings)
    except (TypeError, ValueError) as error:
        raise field_error(source, f"{field}.settings", f"is not valid: {error}") from None
    design = exact_keys(value["design"], _DESIGN_KEYS, f"{field}.design", source)
    columns = _texts(design["columns"], f"{field}.design.columns", source)
    chosen = [c for name in keywords if name.endswith("_covariates") for c in settings[name]]
    if columns != list(dict.fromkeys(chosen)):
        raise field_error(
            source,
            f"{field}.design.columns",
            f"must be the settings' covariate columns in order, {list(dict.fromkeys(chosen))}; "
            f"got {columns}",
        )
    levels = design["levels"]
    if not isinstance(levels, dict) or not set(levels) <= set(columns):
        raise field_error(
            source,
            f"{field}.design.levels",
            f"must map categorical columns (of {columns}) to their levels; got {levels!r}",
        )
    for column, found in levels.items():
        where = f"{field}.design.levels.{column}"
        if not (isinstance(found, list) and len(found) >= 2 and all(map(_level, found))):
            raise field_error(
                source,
                where,
                f"must list at least two levels (text, true/false or numbers); got {found!r}",
            )
        if len(set(map(repr, found))) != len(found):
            raise field_error(source, where, f"names a level twice: {found!r}")
    reference = design["reference"]
    expected_reference = {c: found[0] for c, found in levels.items()}
    if reference != expected_reference:
        raise field_error(
            source,
            f"{field}.design.reference",
            f"must be the first level of each categorical column, {expected_reference}; got "
            f"{reference!r}",
        )
    names = _texts(design["names"], f"{field}.design.names", source)
    expected_names = [
        n
        for c in columns
        for n in ([f"{c}[{level}]" for level in levels[c][1:]] if c in levels else [c])
    ]
    if names != expected_names:
        raise field_error(
            source,
            f"{field}.design.names",
            f"must be the encoded columns {expected_names}; got {names}",
        )
    encoding = CovariateDesign(
        tuple(columns), {c: tuple(found) for c, found in levels.items()}, tuple(names)
    )
    return settings, encoding


def time_varying_document(
    period_length: float, time_unit: str, design: CovariateDesign
) -> dict[str, Any]:
    """The ``covariates.time_varying`` marker of a time-varying fit (module docstring)."""
    return {
        "period_length": float(period_length),
        "time_unit": time_unit,
        "columns": list(design.columns),
    }


def read_time_varying(value: Any, time_unit: Any, design: CovariateDesign, source: str) -> float:
    """Check a file's ``covariates.time_varying`` marker; return the period length.

    Parameters
    ----------
    value
        The marker as read from JSON.
    time_unit
        The file's (checked) ``time_unit`` field.
    design
        The design read from ``covariates.design``.
    source
        The file name, for messages.

    Raises
    ------
    ModelFileError
        Naming the field (``covariates.time_varying.period_length``, ...) and the rule.
    """
    field = "covariates.time_varying"
    value = exact_keys(value, _TIME_VARYING_KEYS, field, source)
    length, unit = value["period_length"], value["time_unit"]
    columns = _texts(value["columns"], f"{field}.columns", source)
    rules = (
        (
            _positive(length),
            "period_length",
            f"must be a finite number > 0; got {length!r}",
        ),
        (
            unit in ("D", "W") and unit == time_unit,
            "time_unit",
            f"must be the model's time unit ({time_unit!r}), days 'D' or weeks 'W'; got {unit!r}",
        ),
        (
            columns == list(design.columns),
            "columns",
            f"must be the design's columns {list(design.columns)}; got {columns}",
        ),
    )
    for holds, name, problem in rules:
        if not holds:
            raise field_error(source, f"{field}.{name}", problem)
    return float(length)
