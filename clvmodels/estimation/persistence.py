"""The JSON file of a fitted maximum-likelihood model: its fields, checked on read.

A saved model is one JSON object (never a pickle: reading it runs no code):

==================  ==========================================================
``format_version``  this layout's version, :data:`FORMAT_VERSION` (files written
                    before it was recorded are version 1)
``model``           the class name, e.g. ``"BetaGeoModel"``
``clvmodels_version``  the version of clvmodels that wrote it
``settings``        ``{"penalizer_coef": float >= 0}``
``params``          parameter name -> finite float > 0 (every parameter is
                    estimated on the log scale, so positive); a model with
                    covariates adds its coefficients (finite floats of any sign)
``log_covariance``  k x k finite floats, k = number of parameters (coefficients
                    included; they are estimated on their own scale)
``log_likelihood``  finite float
``n_customers``     integer >= 0
``n_unique_rows``   integer >= 1
``time_unit``       a time unit (``"D"``, ``"W"``, ...) or ``null``
``data_fingerprint``  16 hexadecimal digits
``optimizer_message``  text
``n_iterations``    integer >= 0
``covariates``      only for a model with covariates: its covariate settings
                    and design, and for time-varying covariates the
                    ``time_varying`` marker (:mod:`.covariate_files`)
==================  ==========================================================

:func:`read_document` turns a file into a JSON object or raises
:class:`~clvmodels.exceptions.ModelFileError` saying why it is not one (empty,
binary such as a renamed pickle, not JSON, a JSON array);
:func:`check_document` checks every field and raises the same error naming the
file and the field. :func:`write_document` writes atomically
(:func:`clvmodels.atomic.atomic_open`).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clvmodels.atomic import atomic_open
from clvmodels.data.units import canonical_unit
from clvmodels.exceptions import ModelFileError

__all__ = [
    "FORMAT_VERSION",
    "check_document",
    "exact_keys",
    "field_error",
    "read_document",
    "write_document",
]

#: Version of the layout above; a file with a higher one was written by a newer clvmodels.
FORMAT_VERSION = 1

_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def field_error(source: str, field: str | None, problem: str) -> ModelFileError:
    """The error for a model file whose ``field`` breaks a rule (``problem``, in words)."""
    return _fail(source, field, problem)


def _fail(source: str, field: str | None, problem: str) -> ModelFileError:
    where = f"field {field!r} " if field else ""
    return ModelFileError(f"{source}: {where}{problem}", path=source, field=field)


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a model file into a JSON object, without trusting its content.

    Parameters
    ----------
    path
        The file written by ``save()``.

    Returns
    -------
    dict
        The decoded JSON object (check it with :func:`check_document`).

    Raises
    ------
    ModelFileError
        If the file is empty, binary (e.g. a pickle renamed ``.json``), not JSON,
        or holds JSON that is not an object.
    FileNotFoundError
        If there is no such file.
    """
    source = str(path)
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise _fail(source, None, "is empty; it holds no saved model (was its save interrupted?)")
    if raw[:1] == b"\x80":
        raise _fail(
            source,
            None,
            "is binary and looks like a Python pickle; clvmodels saves models as JSON and "
            "never reads pickles (they can run code); refit and save() the model",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(
            source, None, f"is binary, not a JSON text file (byte {error.start} is not UTF-8)"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(
            source,
            None,
            f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})",
        ) from None
    if not isinstance(document, dict):
        raise _fail(
            source,
            None,
            f"holds a JSON {_json_type(document)}, not the JSON object a saved model is "
            '(e.g. {"model": "BetaGeoModel", "params": {...}, ...})',
        )
    return document


def write_document(document: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``document`` as indented JSON, atomically (the old file survives a failure)."""
    with atomic_open(path) as handle:
        json.dump(document, handle, indent=2, allow_nan=False)
        handle.write("\n")


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    if isinstance(value, bool | type(None) | dict | list | str):
        return names[type(value)]
    return "number"


def _real(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: object) -> bool:
    try:
        return _real(value) and math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:  # an integer too large for a float, e.g. 10**400
        return False


def _integer(minimum: int) -> tuple[Callable[[object], bool], str]:
    def rule(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= minimum

    return rule, f"must be a whole number >= {minimum}"


def _unit(value: object) -> bool:
    if value is None:
        return True
    try:
        canonical_unit(value)  # type: ignore[arg-type]
        return True
    except ValueError:
        return False


_TEXT = (lambda v: isinstance(v, str), "must be text")
#: Top-level scalar fields: name -> (rule, what the rule says).
_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "clvmodels_version": _TEXT,
    "log_likelihood": (_finite, "must be a finite number"),
    "n_customers": _integer(0),
    "n_unique_rows": _integer(1),
    "time_unit": (_unit, "must be null or a time unit such as 'D', 'W', 'M', 'Q' or 'Y'"),
    "data_fingerprint": (
        lambda v: isinstance(v, str) and _FINGERPRINT.fullmatch(v) is not None,
        "must be 16 hexadecimal digits",
    ),
    "optimizer_message": _TEXT,
    "n_iterations": _integer(0),
}
_STRUCTURED = ("format_version", "model", "settings", "params", "log_covariance")


def _check_version(document: dict[str, Any], source: str) -> None:
    version = document.get("format_version", 1)
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        raise _fail(source, "format_version", f"must be a whole number >= 1; got {version!r}")
    if version > FORMAT_VERSION:
        raise _fail(
            source,
            "format_version",
            f"is {version} (written by clvmodels {document.get('clvmodels_version')!r}); this "
            f"clvmodels reads format versions up to {FORMAT_VERSION}: upgrade clvmodels",
        )


def _check_mapping(
    document: dict[str, Any], field: str, keys: Sequence[str], source: str
) -> dict[str, Any]:
    return exact_keys(document[field], keys, field, source)


def exact_keys(value: Any, keys: Sequence[str], field: str, source: str) -> dict[str, Any]:
    """``value`` checked to be a JSON object with exactly ``keys``; returned as it is.

    Raises
    ------
    ModelFileError
        Naming ``source`` and ``field``, the keys missing and the keys unknown.
    """
    if not isinstance(value, dict):
        raise _fail(source, field, f"must be a JSON object; got a JSON {_json_type(value)}")
    missing = [k for k in keys if k not in value]
    unknown = [k for k in value if k not in keys]
    if missing or unknown:
        raise _fail(
            source,
            field,
            f"must have exactly the keys {list(keys)}; missing {missing}, unknown {unknown}",
        )
    return value


def _check_covariance(value: object, k: int, source: str) -> None:
    field = "log_covariance"
    expected = f"must be a {k} x {k} array (one row and one column per parameter)"
    if not isinstance(value, list):
        raise _fail(source, field, f"{expected}; got a JSON {_json_type(value)}")
    lengths = [len(row) if isinstance(row, list) else _json_type(row) for row in value]
    if lengths != [k] * k:
        raise _fail(source, field, f"{expected}; got rows of lengths {lengths}")
    for i, row in enumerate(value):
        for j, entry in enumerate(row):
            if not _finite(entry):
                raise _fail(source, f"{field}[{i}][{j}]", f"must be a finite number; got {entry!r}")


def check_document(
    document: dict[str, Any],
    model: str,
    param_names: Sequence[str],
    source: str,
    coefficients: Sequence[str] = (),
) -> dict[str, Any]:
    """Check every field of a model document; return it unchanged when valid.

    Parameters
    ----------
    document
        A decoded model file (see the module docstring for its fields).
    model
        The class that is loading it, e.g. ``"BetaGeoModel"``.
    param_names
        That class's parameters, in order.
    source
        What to call the document in messages (the file name).
    coefficients
        The covariate coefficients the ``covariates`` field lays out, after
        ``param_names`` (finite, any sign); the caller checks that field
        (:func:`.covariate_files.read_covariates`). Without them a ``covariates``
        field is an error.

    Returns
    -------
    dict
        ``document``, with ``format_version`` filled in for files saved before it
        was recorded.

    Raises
    ------
    ModelFileError
        Naming ``source`` and the first field at fault: a newer format version,
        another model class, a missing or unknown key, a wrong type, a covariance
        of the wrong shape, a NaN, infinite or non-positive parameter.
    """
    _check_version(document, source)
    known = (*_STRUCTURED, *_FIELDS)
    missing = [k for k in known if k not in document and k != "format_version"]
    if missing:
        raise _fail(source, missing[0], f"is missing (all missing keys: {missing})")
    unknown = [k for k in document if k not in known and k != "covariates"]
    if unknown:
        raise _fail(source, unknown[0], f"is not a field of a saved model (unknown: {unknown})")
    if document["model"] != model:
        found = document["model"]
        hint = f"; load it with clvmodels.{found}.load()" if isinstance(found, str) else ""
        raise _fail(source, "model", f"holds a {found!r}, not a {model}{hint}")
    if "covariates" in document and not coefficients:
        raise _fail(
            source,
            "covariates",
            f"is set: the file holds a model with covariates, which {model} does not take "
            "(or it is read without its covariate design)",
        )
    for field, (rule, text) in _FIELDS.items():
        if not rule(document[field]):
            raise _fail(source, field, f"{text}; got {document[field]!r}")
    settings = _check_mapping(document, "settings", ["penalizer_coef"], source)
    if not (_finite(settings["penalizer_coef"]) and settings["penalizer_coef"] >= 0):
        raise _fail(
            source,
            "settings.penalizer_coef",
            f"must be a finite number >= 0; got {settings['penalizer_coef']!r}",
        )
    params = _check_mapping(document, "params", [*param_names, *coefficients], source)
    for name in param_names:
        if not (_finite(params[name]) and params[name] > 0):
            raise _fail(
                source, f"params.{name}", f"must be a finite number > 0; got {params[name]!r}"
            )
    for name in coefficients:
        if not _finite(params[name]):
            raise _fail(source, f"params.{name}", f"must be a finite number; got {params[name]!r}")
    _check_covariance(document["log_covariance"], len(param_names) + len(coefficients), source)
    return {"format_version": 1} | document
