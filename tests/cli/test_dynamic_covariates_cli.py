"""Issue 22: ``clvmodels fit/score --covariates weekly.csv`` (time-varying covariates).

Customers are drawn with known weekly effects (tests/models/dynamic_draws.py: 60 weeks of
covariates, the summary ending after week 52) and written as CSV files; the command runs
in-process. The reference is the library on the same data: the time-varying fit of
``summary`` with ``dynamic_covariates=frame, transactions=log``, its predictions, the
valuation step and the calibration fit of the backtest. The command must hand the models
exactly those data, so the numbers agree to 1e-8.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli import main
from clvmodels.value.valuation import value_customers
from tests.models.dynamic_draws import PNBD_EFFECTS, PNBD_TRUTH, draw

END = "2024-12-28"  # the draws' summary end (no purchase on that day)
HOLDOUT = "2024-11-01"
BASE = ["--customer-col", "customer_id", "--date-col", "date", "--observation-end", END]
HORIZON = ["--horizon", "1", "--horizon-unit", "M"]  # 4.35 weeks: inside the 8 weeks left
BG_TRUTH = {"r": 0.8, "alpha": 6.0, "a": 0.8, "b": 2.5}
BG_EFFECTS = {"purchase:contact": 0.4, "dropout:contact": 0.6}


def _write(folder, log, frame):
    log.assign(date=log["date"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(
        folder / "log.csv", index=False
    )
    frame.assign(period_start=frame["period_start"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "weekly.csv", index=False
    )


@pytest.fixture(scope="module")
def pareto(tmp_path_factory):
    """The Pareto/NBD draw written to a folder: (folder, summary, frame, log)."""
    folder = tmp_path_factory.mktemp("pareto")
    summary, frame, log = draw("pareto_nbd", 300, PNBD_TRUTH, PNBD_EFFECTS, seed=11)
    _write(folder, log, frame)
    return folder, summary, frame, log


def _run(folder, monkeypatch, capsys, *arguments):
    monkeypatch.chdir(folder)
    status = main([str(a) for a in arguments])
    return status, capsys.readouterr()


def _fit(folder, monkeypatch, capsys, *arguments):
    """``clvmodels fit log.csv ... --covariates weekly.csv`` with more ``arguments``."""
    fixed = ("fit", "log.csv", *BASE, "--covariates", "weekly.csv")
    return _run(folder, monkeypatch, capsys, *fixed, *arguments)


def _parameters(out, model):
    return json.loads((out / model).read_text())["params"]


def test_pareto_fit_score_and_backtest_are_the_librarys(pareto, monkeypatch, capsys):
    folder, summary, frame, log = pareto
    status, captured = _fit(
        folder,
        monkeypatch,
        capsys,
        *HORIZON,
        "--model",
        "pareto",
        "--purchase-covariates",
        "season,contact",
        "--dropout-covariates",
        "contact,gender",
        "--holdout-start",
        HOLDOUT,
        "--out",
        "out",
        "--json",
    )
    assert status == 0, captured.err
    numbers = json.loads(captured.out)
    out = folder / "out"
    library = clv.ParetoNBDModel(
        purchase_covariates=["season", "contact"], dropout_covariates=["contact", "gender"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    saved = _parameters(out, "pareto.json")
    assert saved.keys() == library.params_.keys()
    for name, value in library.params_.items():
        assert saved[name] == pytest.approx(value, rel=1e-8, abs=1e-8), name
    # the model file says the covariates are time-varying, and holds no data
    document = json.loads((out / "pareto.json").read_text())
    assert document["covariates"]["time_varying"]["period_length"] == 1.0
    # scores: the library's predictions through the horizon (1 month in weeks)
    t = 365.25 / 12 / 7
    scores = pd.read_csv(out / "scores.csv", index_col=0)
    scores.index = scores.index.astype(str)
    np.testing.assert_allclose(
        scores.loc[summary.index, "p_alive"], library.probability_alive(summary), rtol=1e-8
    )
    np.testing.assert_allclose(
        scores.loc[summary.index, "expected_purchases"],
        library.conditional_expected_purchases(t, summary),
        rtol=1e-8,
    )
    # the likelihood-ratio test against the plain Pareto/NBD
    plain = clv.ParetoNBDModel().fit(summary)
    test = numbers["covariate_likelihood_ratio"]
    assert test["df"] == 4
    assert test["log_likelihood_without"] == pytest.approx(plain.log_likelihood_, rel=1e-8)
    assert test["statistic"] == pytest.approx(
        2 * (library.log_likelihood_ - plain.log_likelihood_), rel=1e-6
    )
    report = html.unescape((out / "report.html").read_text())
    assert "With time-varying covariates, r, alpha, s, beta" in report
    ratio = np.exp(library.params_["purchase:contact"])
    assert (
        f"In periods with contact one unit higher, customers buy {ratio:.3g} times as often"
        in report
    )
    assert "Likelihood-ratio test against the same model without covariates" in report
    # the backtest: the calibration fit on the same file and log, predicting the holdout
    split = clv.calibration_holdout_split(
        log,
        "customer_id",
        "date",
        calibration_period_end=pd.Timestamp(HOLDOUT) - pd.Timedelta(days=1),
        observation_period_end=END,
        time_unit="W",
    )
    calibration = split[["frequency", "recency", "T"]]
    calibration.attrs = dict(split.attrs)
    early = clv.ParetoNBDModel(
        purchase_covariates=["season", "contact"], dropout_covariates=["contact", "gender"]
    ).fit(calibration, dynamic_covariates=frame, transactions=log)
    duration = float(split["duration_holdout"].iloc[0])
    expected = early.conditional_expected_purchases(duration, calibration).sum()
    totals = pd.read_csv(out / "table_backtest_holdout_totals.csv", index_col=0)
    predicted = totals.at["Pareto/NBD with covariates + Gamma-Gamma", "predicted_purchases"]
    assert predicted == pytest.approx(expected, rel=1e-8)
    assert totals.at["Pareto/NBD with covariates + Gamma-Gamma", "actual_purchases"] == (
        split["frequency_holdout"].sum()
    )
    assert "Pareto/NBD + Gamma-Gamma" in totals.index  # the model without covariates
    # score: the saved model, given the same file and log, scores as the fit did
    status, captured = _run(
        folder,
        monkeypatch,
        capsys,
        "score",
        "out",
        "log.csv",
        "--observation-end",
        END,
        "--covariates",
        "weekly.csv",
        "--out",
        "scored.csv",
    )
    assert status == 0, captured.err
    rescored = pd.read_csv(folder / "scored.csv", index_col=0)
    rescored.index = rescored.index.astype(str)
    pd.testing.assert_frame_equal(rescored.loc[scores.index], scores, rtol=1e-12)
    # ... and names the file it needs without it
    status, captured = _run(
        folder, monkeypatch, capsys, "score", "out", "log.csv", "--out", "none.csv"
    )
    assert status == 2
    assert "fitted with covariates (weekly.csv): give the customers' covariates" in captured.err


def test_bgnbd_with_a_text_column_values_customers_as_the_library(tmp_path, monkeypatch, capsys):
    summary, frame, log = draw("beta_geo", 300, BG_TRUTH, BG_EFFECTS, seed=12)
    rng = np.random.default_rng(1)
    means = dict(zip(summary.index, rng.gamma(2.0, 20.0, len(summary)), strict=True))
    mean = log["customer_id"].map(means).to_numpy()
    log = log.assign(amount=np.round(mean * rng.gamma(6.0, 1 / 6.0, len(log)), 2))  # spread
    frame = frame.assign(tier=rng.choice(["gold", "silver", "bronze"], len(frame)))
    _write(tmp_path, log, frame)
    status, captured = _fit(
        tmp_path,
        monkeypatch,
        capsys,
        *HORIZON,
        "--amount-col",
        "amount",
        "--purchase-covariates",
        "tier,contact",
        "--dropout-covariates",
        "contact",
        "--out",
        "out",
        "-q",
    )
    assert status == 0, captured.err
    summary = clv.rfm_summary(
        log,
        "customer_id",
        "date",
        monetary_value_col="amount",
        time_unit="W",
        observation_period_end=END,
    )
    library = clv.BetaGeoModel(
        purchase_covariates=["tier", "contact"], dropout_covariates=["contact"]
    ).fit(summary, dynamic_covariates=frame, transactions=log)
    saved = _parameters(tmp_path / "out", "bgnbd.json")
    assert "purchase:tier[gold]" in saved and "purchase:tier[silver]" in saved  # bronze: ref.
    for name, value in library.params_.items():
        assert saved[name] == pytest.approx(value, rel=1e-8, abs=1e-8), name
    spend = clv.GammaGammaModel().fit(summary[summary["monetary_value"] > 0])
    valued = value_customers(
        library,
        spend,
        summary,
        horizon=1,
        horizon_unit="M",
        discount_rate=0.1,
        discount_period="Y",
    )
    scores = pd.read_csv(tmp_path / "out" / "scores.csv", index_col=0)
    scores.index = scores.index.astype(str)
    for column in ("p_alive", "expected_purchases", "clv"):
        np.testing.assert_allclose(
            scores.loc[summary.index, column], valued[column], rtol=1e-8, err_msg=column
        )
    report = html.unescape((tmp_path / "out" / "report.html").read_text())
    assert "customers drop out after a purchase with an average chance of" in report
    # score from a summary file: the BG/NBD needs the log's repeat purchases
    scores[["frequency", "recency", "T"]].to_csv(tmp_path / "summary.csv")
    status, captured = _run(
        tmp_path,
        monkeypatch,
        capsys,
        "score",
        "out",
        "summary.csv",
        "--covariates",
        "weekly.csv",
        "--out",
        "s.csv",
    )
    assert status == 2
    assert "score a transaction log, not a summary" in captured.err


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (
            ["--horizon", "12", "--horizon-unit", "M"],
            3,
            "--covariates weekly.csv: the dynamic covariate frame does not cover the "
            "prediction horizon of customer 'c000000': the first missing period starts "
            "2025-02-23",
        ),
        (
            [*HORIZON, "--model", "mbgnbd"],
            2,
            "--covariates weekly.csv has a period_start column: time-varying covariates (one "
            "row per customer and period), which --model mbgnbd does not take; models that "
            "do: bgnbd, pareto",
        ),
        (
            [*HORIZON, "--bayes"],
            2,
            "--bayes with --covariates weekly.csv: the Bayesian BG/NBD takes static "
            "covariates only, not a file with a period_start column",
        ),
    ],
)
def test_named_errors_before_any_fit(pareto, monkeypatch, capsys, arguments, status, message):
    folder = pareto[0]
    got, captured = _fit(folder, monkeypatch, capsys, *arguments, "--out", "refused")
    assert got == status
    assert captured.err.startswith(f"clvmodels: error: {message}")
    assert len(captured.err.splitlines()) == 1
    assert not (folder / "refused").exists()


def test_a_customer_missing_a_calibration_week_is_named(pareto, tmp_path, monkeypatch, capsys):
    _, _, frame, log = pareto
    gap = (frame["customer_id"] == "c000007") & (frame["period_start"] == "2024-06-02")
    _write(tmp_path, log, frame[~gap])
    status, captured = _fit(tmp_path, monkeypatch, capsys, *HORIZON, "--out", "out")
    assert status == 3
    (line,) = captured.err.splitlines()
    assert line.startswith(
        "clvmodels: error: --covariates weekly.csv: the dynamic covariate frame does not "
        "cover the calibration span of customer 'c000007': the first missing period starts "
        "2024-06-02"
    )
