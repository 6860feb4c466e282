import json

import clvmodels as clv
from clvmodels.cli import main


def test_demo_runs_and_writes_json_models(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "BG/NBD on the calibration period" in out and "Holdout check" in out
    assert "12-month CLV" in out and "Contractual cohorts" in out
    state = json.loads((tmp_path / "bgnbd.json").read_text())
    assert set(state["params"]) == {"r", "alpha", "a", "b"}
    model = clv.BetaGeoModel.load(tmp_path / "bgnbd.json")
    assert model.n_customers_ == 23_570
    predictions = (tmp_path / "predictions.csv").read_text().splitlines()
    assert len(predictions) == 23_571 and predictions[0].endswith(",clv")
