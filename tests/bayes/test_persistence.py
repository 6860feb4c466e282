"""Saved Bayesian models: NetCDF posterior + JSON metadata, atomic, checked on load."""

import json

import numpy as np
import pytest

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel, BayesianGammaGammaModel
from clvmodels.exceptions import ModelFileError


@pytest.fixture(scope="module")
def saved(tmp_path_factory, bbg_cdnow):
    path = tmp_path_factory.mktemp("models") / "bgnbd"
    bbg_cdnow.save(path)
    return path


def test_round_trip_gives_the_same_predictions(saved, bbg_cdnow, cdnow_summary):
    assert sorted(p.name for p in saved.iterdir()) == [
        "model.json",
        "posterior.nc",
        "sample_stats.nc",
    ]
    document = json.loads((saved / "model.json").read_text())
    assert document["model"] == "BayesianBetaGeoModel"
    assert document["pymc_version"] and document["arviz_version"]
    assert document["state"]["data_fingerprint"] == bbg_cdnow.data_fingerprint_
    loaded = BayesianBetaGeoModel.load(saved, data=cdnow_summary)
    for name, draws in bbg_cdnow.posterior_params().items():
        np.testing.assert_array_equal(loaded.posterior_params()[name], draws)
    some = cdnow_summary.iloc[:50]
    np.testing.assert_array_equal(
        loaded.probability_alive(some, hdi=0.9), bbg_cdnow.probability_alive(some, hdi=0.9)
    )
    assert loaded.time_unit_ == "W" and loaded.n_customers_ == 2357
    assert int(loaded.idata["sample_stats"]["diverging"].sum()) == int(
        bbg_cdnow.idata["sample_stats"]["diverging"].sum()
    )


def test_load_refuses_other_data_and_broken_folders(saved, cdnow_summary, tmp_path):
    with pytest.raises(ValueError, match="do not match"):
        BayesianBetaGeoModel.load(saved, data=cdnow_summary.iloc[:100])
    with pytest.raises(ModelFileError, match="holds a BayesianBetaGeoModel"):
        BayesianGammaGammaModel.load(saved)
    with pytest.raises(ModelFileError, match="no saved Bayesian model"):
        BayesianBetaGeoModel.load(tmp_path / "nothing")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not JSON"):
        BayesianBetaGeoModel.load(broken)
    document = json.loads((saved / "model.json").read_text())
    (broken / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="posterior.nc: missing"):
        BayesianBetaGeoModel.load(broken)
    (broken / "posterior.nc").write_bytes(b"\x80\x04pickle")
    (broken / "sample_stats.nc").write_bytes(b"")
    with pytest.raises(ModelFileError, match="not a readable NetCDF"):
        BayesianBetaGeoModel.load(broken)


def test_a_failed_save_leaves_the_previous_model(saved, bbg_cdnow, monkeypatch):
    before = (saved / "model.json").read_text()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("xarray.Dataset.to_netcdf", fail)
    with pytest.raises(OSError, match="disk full"):
        bbg_cdnow.save(saved)
    assert (saved / "model.json").read_text() == before
    assert not [p for p in saved.parent.iterdir() if p.name.endswith(".tmp")]


def test_sbg_round_trip_keeps_its_cohorts(tmp_path):
    from clvmodels.bayes import BayesianShiftedBetaGeoModel

    cohorts = clv.datasets.load_retention_cohorts()
    model = BayesianShiftedBetaGeoModel().fit(cohorts, method="map")
    model.save(tmp_path / "sbg")
    loaded = BayesianShiftedBetaGeoModel.load(tmp_path / "sbg", data=cohorts)
    assert loaded.hierarchical_ and loaded.cohorts_ == ["regular", "high_end"]
    assert loaded.survival(3, cohort="high_end") == pytest.approx(
        model.survival(3, cohort="high_end"), rel=1e-12
    )
