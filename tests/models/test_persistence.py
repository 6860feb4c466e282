"""Saving is atomic and loading trusts nothing in the file (issue 11, section 3)."""

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import clvmodels as clv
from clvmodels.exceptions import ModelFileError
from clvmodels.models import model_file


@pytest.fixture
def saved(tmp_path, bgnbd_cdnow):
    """A good model file and its document."""
    path = tmp_path / "bg.json"
    bgnbd_cdnow.save(path)
    return path, json.loads(path.read_text())


def _only_file_is(folder, name):
    assert sorted(p.name for p in folder.iterdir()) == [name]


# -- save: the previous file survives a failure ---------------------------------------------
def test_failed_save_keeps_the_previous_file_and_leaves_no_temporary(
    saved, monkeypatch, bgnbd_cdnow, cdnow_summary
):
    path, _ = saved
    before = path.read_bytes()
    real_dump = json.dump

    def dump_half_then_fail(document, handle, **kwargs):
        text = json.dumps(document, **kwargs)
        handle.write(text[: len(text) // 2])
        handle.flush()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_file.json, "dump", dump_half_then_fail)
    other = clv.BetaGeoModel(penalizer_coef=0.1).fit(cdnow_summary)
    with pytest.raises(OSError, match="No space left"):
        other.save(path)
    monkeypatch.setattr(model_file.json, "dump", real_dump)

    assert path.read_bytes() == before
    assert clv.BetaGeoModel.load(path).params_ == bgnbd_cdnow.params_
    _only_file_is(path.parent, "bg.json")


def test_killed_save_keeps_the_previous_file(saved, bgnbd_cdnow):
    """A SIGKILL halfway through writing: the target still loads (a .tmp may remain)."""
    path, _ = saved
    script = textwrap.dedent(
        f"""
        import json, os, signal
        import clvmodels as clv
        from clvmodels.models import model_file

        def dump_half_then_die(document, handle, **kwargs):
            text = json.dumps(document, **kwargs)
            handle.write(text[: len(text) // 2])
            handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        model = clv.BetaGeoModel.load({str(path)!r})
        model.penalizer_coef = 0.5
        model_file.json.dump = dump_half_then_die
        model.save({str(path)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    loaded = clv.BetaGeoModel.load(path)
    assert loaded.params_ == bgnbd_cdnow.params_ and loaded.penalizer_coef == 0.0
    left = [p.name for p in path.parent.iterdir() if p.name != "bg.json"]
    assert all(name.startswith(".bg.json.") and name.endswith(".tmp") for name in left)


def test_save_keeps_permissions_of_an_existing_file(saved, bgnbd_cdnow):
    path, _ = saved
    path.chmod(0o640)
    bgnbd_cdnow.save(path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_new_file_gets_the_usual_permissions(tmp_path, bgnbd_cdnow):
    umask = os.umask(0o022)
    os.umask(umask)
    bgnbd_cdnow.save(tmp_path / "new.json")
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_refuses_a_state_that_would_not_load(saved, cdnow_summary):
    path, _ = saved
    before = path.read_bytes()
    broken = clv.BetaGeoModel().fit(cdnow_summary)
    broken.log_likelihood_ = float("nan")
    with pytest.raises(ModelFileError, match="log_likelihood") as error:
        broken.save(path)
    assert "not written" in str(error.value)
    assert path.read_bytes() == before
    _only_file_is(path.parent, "bg.json")


def test_round_trip_and_a_file_written_before_format_versions(saved, bgnbd_cdnow, cdnow_summary):
    path, document = saved
    assert document["format_version"] == model_file.FORMAT_VERSION == 1
    del document["format_version"]
    path.write_text(json.dumps(document))
    loaded = clv.BetaGeoModel.load(path, data=cdnow_summary)
    assert loaded.params_ == bgnbd_cdnow.params_
    np.testing.assert_array_equal(loaded.log_covariance_, bgnbd_cdnow.log_covariance_)


# -- load: every fault is a ModelFileError naming the file and the field --------------------
def _edit(change):
    """A fault made by editing the decoded document; JSON written with NaN allowed."""

    def write(path, document):
        change(document)
        path.write_text(json.dumps(document))

    return write


def _raw(content: bytes):
    def write(path, document):
        path.write_bytes(content)

    return write


def _set(field, value):
    def change(document):
        *parents, last = field.split(".")
        target = document
        for key in parents:
            target = target[key]
        target[last] = value

    return _edit(change)


def _delete(field):
    def change(document):
        *parents, last = field.split(".")
        target = document
        for key in parents:
            target = target[key]
        del target[last]

    return _edit(change)


FAULTS = {
    # missing keys
    "missing params": (_delete("params"), "params", "is missing"),
    "missing log_likelihood": (_delete("log_likelihood"), "log_likelihood", "is missing"),
    "missing parameter b": (_delete("params.b"), "params", "missing ['b']"),
    "unknown parameter": (_set("params.gamma", 1.0), "params", "unknown ['gamma']"),
    "unknown field": (_set("weights", [1, 2]), "weights", "not a field"),
    # wrong types
    "parameter as text": (_set("params.r", "0.24"), "params.r", "finite number > 0"),
    "parameter as boolean": (_set("params.r", True), "params.r", "finite number > 0"),
    "params as array": (_set("params", [0.24, 4.4, 0.79, 2.4]), "params", "JSON object"),
    "settings as array": (_set("settings", []), "settings", "JSON object"),
    "fractional n_customers": (_set("n_customers", 2357.5), "n_customers", "whole number"),
    "n_unique_rows zero": (_set("n_unique_rows", 0), "n_unique_rows", "whole number >= 1"),
    "time unit unknown": (_set("time_unit", "fortnight"), "time_unit", "time unit"),
    "fingerprint not hex": (_set("data_fingerprint", "x" * 16), "data_fingerprint", "hex"),
    "message as number": (_set("optimizer_message", 0), "optimizer_message", "text"),
    # covariance shape and values
    "covariance 3 x 3": (
        _set("log_covariance", np.eye(3).tolist()),
        "log_covariance",
        "4 x 4",
    ),
    "covariance ragged": (
        _set("log_covariance", [[1.0] * 4, [1.0] * 4, [1.0] * 3, [1.0] * 4]),
        "log_covariance",
        "lengths [4, 4, 3, 4]",
    ),
    "covariance as number": (_set("log_covariance", 1.0), "log_covariance", "number"),
    "covariance with NaN": (
        _edit(lambda d: d["log_covariance"][1].__setitem__(2, float("nan"))),
        "log_covariance[1][2]",
        "finite",
    ),
    # invalid parameter values
    "NaN parameter": (_set("params.r", float("nan")), "params.r", "got nan"),
    "infinite parameter": (_set("params.alpha", float("inf")), "params.alpha", "got inf"),
    "huge integer parameter": (_set("params.r", 10**400), "params.r", "finite number > 0"),
    "negative parameter": (_set("params.a", -0.79), "params.a", "got -0.79"),
    "zero parameter": (_set("params.b", 0), "params.b", "> 0"),
    "NaN log-likelihood": (_set("log_likelihood", float("nan")), "log_likelihood", "finite"),
    "negative penalizer": (
        _set("settings.penalizer_coef", -1.0),
        "settings.penalizer_coef",
        ">= 0",
    ),
    # another model, another format
    "another model class": (_set("model", "GammaGammaModel"), "model", "not a BetaGeoModel"),
    "future format version": (_set("format_version", 2), "format_version", "upgrade clvmodels"),
    "format version as text": (_set("format_version", "1"), "format_version", "whole number"),
    # not a model document at all
    "JSON array": (_raw(b"[0.24, 4.41, 0.79, 2.43]"), None, "JSON array"),
    "JSON string": (_raw(b'"BetaGeoModel"'), None, "JSON string"),
    "empty file": (_raw(b""), None, "is empty"),
    "blank file": (_raw(b"\n  \n"), None, "is empty"),
    "truncated JSON": (_raw(b'{"model": "BetaGeoModel", "params": {"r": 0.2'), None, "not valid"),
    "CSV": (_raw(b"parameter,estimate\nr,0.2426\n"), None, "not valid JSON"),
    "renamed pickle": (_raw(pickle.dumps({"r": 0.24})), None, "pickle"),
    "other binary": (_raw(b"\x1f\x8b\x08\x00\xff\xfe\x00"), None, "binary"),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_load_names_the_file_and_the_field(fault, saved):
    path, document = saved
    write, field, phrase = FAULTS[fault]
    write(path, document)
    with pytest.raises(ModelFileError) as error:
        clv.BetaGeoModel.load(path)
    message = str(error.value)
    assert isinstance(error.value, ValueError)
    assert message.startswith(f"{path}: ")
    assert error.value.path == str(path) and error.value.field == field
    if field is not None:
        assert f"field {field!r}" in message
    assert phrase in message


def test_a_gamma_gamma_file_is_checked_against_its_own_parameters(tmp_path, gamma_gamma_cdnow):
    path = tmp_path / "gg.json"
    gamma_gamma_cdnow.save(path)
    document = json.loads(path.read_text())
    document["params"]["v"] = -1.0
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=r"field 'params\.v' must be a finite number > 0"):
        clv.GammaGammaModel.load(path)
    with pytest.raises(ModelFileError, match="not a BetaGeoModel; load it with"):
        clv.BetaGeoModel.load(path)


def test_from_dict_rejects_a_list_and_names_its_source():
    with pytest.raises(ModelFileError, match="^the model state: must be a dict"):
        clv.BetaGeoModel.from_dict([1, 2, 3])  # type: ignore[arg-type]


def test_a_missing_file_is_still_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        clv.BetaGeoModel.load(tmp_path / "nowhere.json")
