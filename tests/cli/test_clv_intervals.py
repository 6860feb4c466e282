"""The command's CLV intervals (issue 25): per customer in scores.csv, the base total in the
run's numbers and the report; the same numbers as the library's
``customer_lifetime_value(..., interval=0.9)`` on the same fits.
"""

import html
import json

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli.pipeline import Settings
from clvmodels.cli.scores import score_summary


def test_the_scores_carry_the_librarys_clv_interval():
    summary = clv.datasets.load_cdnow_summary()
    bg = clv.BetaGeoModel().fit(summary)
    gg = clv.GammaGammaModel().fit(summary[summary["frequency"] > 0])
    settings = Settings(customer_col="customer", date_col="day", amount_col="amount")
    scores, _ = score_summary(summary, bg, gg, settings)
    library = clv.customer_lifetime_value(
        bg, gg, summary, 12, 0.10, time_unit="W", horizon_unit="M", discount_period="Y",
        interval=0.9,
    )  # fmt: skip
    np.testing.assert_allclose(scores["clv"], library["mean"], rtol=1e-10)
    np.testing.assert_allclose(scores["clv_lower"], library["hdi_5%"], rtol=1e-10)
    np.testing.assert_allclose(scores["clv_upper"], library["hdi_95%"], rtol=1e-10)
    total = scores.attrs["clv_interval"]
    assert total["lower"] < total["total"] < total["upper"]
    assert total["lower"] == pytest.approx(library.attrs["base_total"]["hdi_5%"], rel=1e-10)
    assert total["total"] == pytest.approx(scores["clv"].sum(), rel=1e-10)


def test_fit_writes_the_intervals_and_says_what_they_cover(reference, tmp_path):
    out, _ = reference
    scores = pd.read_csv(out / "scores.csv", dtype={"customer": str}).set_index("customer")
    assert (scores["clv_lower"] < scores["clv"]).all() and (
        scores["clv"] < scores["clv_upper"]
    ).all()
    page = html.unescape((out / "report.html").read_text())
    assert "Customer equity (the sum of CLV) over 12 months:" in page
    assert "cover the uncertainty of the fitted parameters only" in page
    assert "CLV 90 % low" in page and "CLV 90 % high" in page


def test_score_gives_the_fits_intervals(reference, cli, tmp_path):
    out, source = reference
    result = cli("score", out, source, "--out", "s.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(tmp_path / "s.csv", dtype={"customer": str}).set_index("customer")
    assert {"clv_lower", "clv_upper"} <= set(scored.columns)
    assert (scored["clv_lower"] <= scored["clv"]).all()
    assert (scored["clv"] <= scored["clv_upper"]).all()
    assert json.loads(result.stdout)["command"] == "score"
