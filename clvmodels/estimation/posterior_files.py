"""Save and load fitted Bayesian models: a folder of NetCDF posteriors and JSON metadata.

Layout of a saved model (never pickle)::

    model/
      model.json         class, settings (priors...), fitted state, data fingerprint,
                         versions of clvmodels, pymc and arviz, and the groups saved
      posterior.nc       one NetCDF file per arviz group (NetCDF 3 through scipy, so
      sample_stats.nc    no netCDF4/h5netcdf install is needed; groups are files)

The folder is written through :func:`clvmodels.atomic.atomic_directory`: it appears
whole or not at all, and a failed save leaves a previous one as it was. Loading checks
every field and names the file and the field it rejects.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from clvmodels._version import __version__
from clvmodels.atomic import atomic_directory
from clvmodels.exceptions import ModelFileError

__all__ = ["FORMAT_VERSION", "load_posterior_model", "save_posterior_model"]

FORMAT_VERSION = 1
METADATA = "model.json"
_STATE = (
    "method_",
    "sampler_",
    "n_customers_",
    "n_unique_rows_",
    "time_unit_",
    "data_fingerprint_",
)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _groups(idata: Any) -> dict[str, Any]:
    """Group name -> xarray Dataset of the groups that hold variables."""
    return {
        name: idata[name].to_dataset() for name in idata.children if len(idata[name].data_vars) > 0
    }


def _plain(value: Any) -> Any:
    """``value`` as JSON data (numbers, strings, lists, dicts); anything else as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else str(value)
    return str(value)


def save_posterior_model(model: Any, path: str | Path, extra: dict[str, Any]) -> None:
    """Write ``model`` (fitted) to the folder ``path``; ``extra`` adds model-specific state."""
    model._check_fitted()
    groups = _groups(model.idata_)
    document = {
        "format_version": FORMAT_VERSION,
        "model": type(model).__name__,
        "clvmodels_version": __version__,
        "pymc_version": _version("pymc"),
        "arviz_version": _version("arviz"),
        "settings": {
            "priors": {name: [p.mu, p.sigma] for name, p in model._prior_objects().items()}
        },
        "state": {name.rstrip("_"): getattr(model, name, None) for name in _STATE},
        "extra": extra,
        "groups": sorted(groups),
        # NetCDF 3 takes no list-valued attributes (arviz's sample_dims): they live here
        "attrs": {name: _plain(dict(dataset.attrs)) for name, dataset in groups.items()},
    }
    text = json.dumps(document, indent=2, allow_nan=False)
    with atomic_directory(path) as staging:
        for name, dataset in groups.items():
            dataset.drop_attrs(deep=False).to_netcdf(staging / f"{name}.nc", engine="scipy")
        (staging / METADATA).write_text(text + "\n", encoding="utf-8")


def load_posterior_model(cls: type, path: str | Path) -> tuple[dict[str, Any], Any]:
    """Read the folder ``path`` written by :func:`save_posterior_model` for class ``cls``.

    Returns
    -------
    document, idata
        The checked metadata and the posterior (an arviz DataTree).

    Raises
    ------
    ModelFileError
        If the folder, its ``model.json`` or a group file is missing or invalid, or it
        holds another model class or a newer format; the message names file and field.
    """
    import xarray as xr

    folder = Path(path)
    if not folder.is_dir():
        raise ModelFileError(
            f"{folder}: no saved Bayesian model here (expected a folder with {METADATA})",
            path=str(folder),
        )
    meta_path = folder / METADATA
    try:
        document = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{meta_path}: missing", path=str(meta_path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{meta_path}: not JSON ({error})", path=str(meta_path)) from None
    if not isinstance(document, dict):
        raise ModelFileError(f"{meta_path}: must be a JSON object", path=str(meta_path))

    def field(name: str, kind: type | tuple[type, ...]) -> Any:
        if name not in document:
            raise ModelFileError(
                f"{meta_path}: field '{name}' is missing", path=str(meta_path), field=name
            )
        if not isinstance(document[name], kind):
            raise ModelFileError(
                f"{meta_path}: field '{name}' has the wrong type ({type(document[name]).__name__})",
                path=str(meta_path),
                field=name,
            )
        return document[name]

    version = field("format_version", int)
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path}: format_version {version} is newer than this clvmodels reads "
            f"({FORMAT_VERSION}); upgrade clvmodels",
            path=str(meta_path),
            field="format_version",
        )
    if field("model", str) != cls.__name__:
        raise ModelFileError(
            f"{meta_path}: holds a {document['model']}, not a {cls.__name__}",
            path=str(meta_path),
            field="model",
        )
    for name in ("settings", "state", "extra"):
        field(name, dict)
    groups = field("groups", list)
    if "posterior" not in groups:
        raise ModelFileError(
            f"{meta_path}: no posterior group listed", path=str(meta_path), field="groups"
        )
    datasets = {}
    for name in groups:
        file = folder / f"{name}.nc"
        if not isinstance(name, str) or not file.is_file():
            raise ModelFileError(f"{file}: missing (listed in {METADATA})", path=str(file))
        try:
            with xr.open_dataset(file, engine="scipy") as dataset:
                datasets[name] = dataset.load()
        except Exception as error:  # a corrupt or foreign file, whatever the reader says
            raise ModelFileError(
                f"{file}: not a readable NetCDF file ({error})", path=str(file)
            ) from None
    posterior = datasets["posterior"]
    for name in cls.param_names:
        if name not in posterior or not np.all(np.isfinite(posterior[name].values)):
            raise ModelFileError(
                f"{folder / 'posterior.nc'}: variable '{name}' is missing or not finite",
                path=str(folder / "posterior.nc"),
                field=name,
            )
    attrs = document.get("attrs", {})
    for name, dataset in datasets.items():
        if isinstance(attrs, dict) and isinstance(attrs.get(name), dict):
            dataset.attrs.update(attrs[name])
    return document, xr.DataTree.from_dict(datasets)
