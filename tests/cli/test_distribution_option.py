"""``clvmodels score --distribution FIRST..LAST`` as a user runs it (issue 25).

A real log and a real fit folder on disk, the command run as a subprocess: the exit status,
the columns it adds (P(X=0) .. P(X=4), P(X>=5)), their values against the library called
directly with the saved model, and one clear line naming the option for a bad range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli import main

from .conftest import COLUMNS, first_line, run_cli


@pytest.fixture(scope="module")
def fit_folder(sample_csv, tmp_path_factory):
    """``fit`` on the CDNOW sample log (a user's CSV): (folder, log path)."""
    where = tmp_path_factory.mktemp("distribution")
    path = sample_csv
    folder = where / "results"
    done = run_cli("fit", path, *COLUMNS, "--out", folder, "-q", cwd=where)
    assert done.returncode == 0, done.stderr
    return folder, path


def test_distribution_columns_are_the_models_probabilities(fit_folder, tmp_path):
    folder, log = fit_folder
    out = tmp_path / "scores.csv"
    done = run_cli("score", folder, log, "--out", out, "--distribution", "0..5", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(out, index_col=0)
    names = [f"P(X={k})" for k in range(5)] + ["P(X>=5)"]
    assert list(scores.columns[-6:]) == names
    np.testing.assert_allclose(scores[names].sum(axis=1), 1.0, atol=1e-9)
    model = clv.BetaGeoModel.load(folder / "bgnbd.json")
    summary = scores[["frequency", "recency", "T"]].copy()
    summary.attrs["time_unit"] = model.time_unit_
    t = 12 * 365.25 / 12 / 7  # the default horizon, 12 months, in weeks
    want = model.probability_of_purchases(t, [0, 1, 2, 3, 4], summary)
    np.testing.assert_allclose(scores[names[:5]].to_numpy(), want.to_numpy(), rtol=1e-6)
    # the expected purchases over the same horizon are the distribution's mean
    mean = scores[names[:5]].to_numpy() @ np.arange(5)
    assert np.all(mean <= scores["expected_purchases"].to_numpy() + 1e-9)


def test_a_bad_range_is_one_line_naming_the_option(tmp_path):
    """As a user runs it: exit 2, one line naming the option, the rule and an example."""
    done = run_cli(
        "score",
        tmp_path,
        "log.csv",
        "--out",
        tmp_path / "s.csv",
        "--distribution",
        "3..2",
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    line = first_line(done.stderr)
    assert "'--distribution'" in line and "FIRST..LAST" in line and "e.g. 0..5" in line
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize("value", ["5", "0..x", "-1..4", "0..500", "2..2"])
def test_every_bad_range_is_refused_before_any_work(value, tmp_path, capsys):
    arguments = [str(tmp_path), "log.csv", "--out", str(tmp_path / "s.csv")]
    assert main(["score", *arguments, "--distribution", value]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "'--distribution'" in error and "e.g. 0..5" in error
