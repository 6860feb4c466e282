"""Issue 22: ``clvmodels fit --covariates FILE``, run as a user runs it.

The log is the CDNOW sample on days 1-12 of a month (tests/cli/conftest.py); each
customer's covariates are derived from the first purchase: ``first_spend`` (log of its
amount) and ``month`` (Jan, Feb or Mar 1997, text: dummies against Feb, the first in
sorted order). The reference for the numbers is the library fitted on the summary joined
with the same covariates: the command must hand the model exactly those data.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.cli import main
from clvmodels.cli.covariates import takes_covariates
from clvmodels.cli.pipeline import purchase_models
from clvmodels.value.valuation import value_customers

BASE = ["--customer-col", "customer", "--date-col", "day", "--amount-col", "amount"]


@pytest.fixture(scope="module")
def covariates(early_days_log):
    """One row per customer: customer, first_spend, month (the first purchase's: Jan, Feb,
    Mar, or later for the few whose first purchase in this log is after March 1997)."""
    first = early_days_log.sort_values(["day", "amount"]).groupby("customer").first()
    month = first["day"].dt.strftime("%b").where(first["day"] < "1997-04-01", "later")
    return pd.DataFrame(
        {
            "customer": first.index,
            "first_spend": np.log(first["amount"].clip(lower=1.0)).round(4),
            "month": month,
        }
    )


@pytest.fixture
def files(early_days_log, covariates, log_file, tmp_path):
    log_file(early_days_log, tmp_path / "log.csv")
    covariates.to_csv(tmp_path / "cov.csv", index=False)
    return tmp_path


@pytest.fixture(scope="module")
def reference_run(early_days_log, covariates, log_file, cli, tmp_path_factory):
    """``fit --covariates cov.csv --json`` once: (its folder, the parsed JSON)."""
    folder = tmp_path_factory.mktemp("covariates")
    log_file(early_days_log, folder / "log.csv")
    covariates.to_csv(folder / "cov.csv", index=False)
    result = cli(
        "fit", "log.csv", *BASE, "--covariates", "cov.csv", "--out", "out", "--json", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    return folder, json.loads(result.stdout)


def _library_fit(early_days_log, covariates, **keywords):
    log = early_days_log.assign(customer=early_days_log["customer"].astype(str))
    summary = clv.rfm_summary(log, "customer", "day", monetary_value_col="amount", time_unit="W")
    static = covariates.assign(customer=covariates["customer"].astype(str)).set_index("customer")
    summary = summary.join(static)
    return clv.BetaGeoModel(**keywords).fit(summary), summary


def _parameters(out):
    return pd.read_csv(out / "table_parameters_bg_nbd.csv", index_col=0)["estimate"]


def test_fit_with_covariates_is_the_library_fit_and_the_report_says_it_in_words(
    reference_run, early_days_log, covariates, cli
):
    files, numbers = reference_run
    out = files / "out"
    both = ["first_spend", "month"]
    model, summary = _library_fit(
        early_days_log, covariates, purchase_covariates=both, dropout_covariates=both
    )
    ours = _parameters(out)
    assert list(ours.index) == list(model.params_)  # every column in both processes
    np.testing.assert_allclose(ours.to_numpy(), list(model.params_.values()), rtol=1e-6)
    scores = pd.read_csv(out / "scores.csv", dtype={"customer": str}, index_col=0)
    expected = value_customers(model, None, summary, horizon=12, horizon_unit="M")
    np.testing.assert_allclose(
        scores["expected_purchases"].to_numpy(),
        expected.loc[scores.index, "expected_purchases"].to_numpy(),
        rtol=1e-6,
    )
    assert scores["expected_purchases"].nunique() > 1000  # each customer's own covariates
    test = numbers["covariate_likelihood_ratio"]
    plain = clv.BetaGeoModel().fit(summary[["frequency", "recency", "T"]])
    assert test["statistic"] == pytest.approx(2 * (model.log_likelihood_ - plain.log_likelihood_))
    assert test["df"] == 8

    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    ratio = np.exp(model.params_["purchase:first_spend"])
    assert f"Customers with first_spend one unit higher buy {ratio:.3g} times as often" in page
    assert "Customers with month Jan buy " in page
    assert "as those with month Feb while active (95 % interval" in page
    assert "Likelihood-ratio test against the same model without covariates" in page
    assert "describe a reference customer (first_spend 0, month Feb)" in page
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["purchase_covariates"] == settings["dropout_covariates"] == "first_spend,month"
    if takes_saving(model):
        assert (out / "bgnbd.json").exists()
    else:  # model files do not hold covariates yet: said in the report, score refuses
        assert not (out / "bgnbd.json").exists()
        assert "The purchase model was not saved" in page
        result = cli(
            "score", "out", "log.csv", "--covariates", "cov.csv", "--out", "s.csv", cwd=files
        )
        assert result.returncode == 2
        assert result.stderr.startswith("clvmodels: error: out: the run saved no purchase model")


def takes_saving(model) -> bool:
    try:
        model.to_dict()
    except NotImplementedError:
        return False
    return True


def test_columns_per_process_and_an_equal_effect(files, early_days_log, covariates, cli):
    options = ["--purchase-covariates", "first_spend,month", "--dropout-covariates", "first_spend"]
    result = cli(
        "fit", "log.csv", *BASE, "--covariates", "cov.csv", *options, "--equal-effects",
        "first_spend", "--covariate-penalty", "0.5", "--out", "out", "-q", cwd=files,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    model, _ = _library_fit(
        early_days_log,
        covariates,
        purchase_covariates=["first_spend", "month"],
        dropout_covariates=["first_spend"],
        equal_effects=["first_spend"],
        covariate_penalty=0.5,
    )
    ours = _parameters(files / "out")
    assert list(ours.index) == [
        "r", "alpha", "a", "b", "purchase:month[Jan]", "purchase:month[Mar]",
        "purchase:month[later]", "both:first_spend",
    ]  # fmt: skip
    np.testing.assert_allclose(ours.to_numpy(), list(model.params_.values()), rtol=1e-6)
    page = (files / "out" / "report.html").read_text(encoding="utf-8")
    assert page.count("(one effect on both processes, as constrained)") == 2


def test_a_european_csv_and_parquet_give_the_same_fit(files, covariates, cli, reference_run):
    covariates.to_csv(files / "eu.csv", index=False, sep=";", decimal=",")
    covariates.to_parquet(files / "cov.parquet")
    for name in ("eu.csv", "cov.parquet"):
        result = cli(
            "fit", "log.csv", *BASE, "--covariates", name, "--out", name[:2], "-q", cwd=files
        )
        assert result.returncode == 0, result.stderr
        reference = _parameters(reference_run[0] / "out")
        pd.testing.assert_series_equal(_parameters(files / name[:2]), reference)


def test_ids_written_as_numbers_join_with_id_type_number(files, covariates, cli):
    padded = covariates.assign(customer=covariates["customer"].map(lambda i: f"{i:05d}"))
    padded.to_csv(files / "padded.csv", index=False)
    result = cli("fit", "log.csv", *BASE, "--covariates", "padded.csv", "--out", "o", cwd=files)
    assert result.returncode == 3
    assert result.stderr.startswith(
        "clvmodels: error: --covariates padded.csv: the covariate frame has 1437 customer id(s) "
        "not in the summary, e.g. '00001'"
    )
    result = cli(
        "fit", "log.csv", *BASE, "--covariates", "padded.csv", "--id-type", "number",
        "--out", "o", "-q", cwd=files,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_backtest_compares_the_model_with_and_without_covariates(files, cli):
    result = cli(
        "fit", "log.csv", *BASE, "--covariates", "cov.csv", "--holdout-start", "1997-10-01",
        "--out", "out", "-q", cwd=files,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    metrics = pd.read_csv(files / "out" / "table_backtest_purchases_metrics.csv", index_col=0)
    assert list(metrics.index[:2]) == [
        "BG/NBD with covariates + Gamma-Gamma",
        "BG/NBD + Gamma-Gamma",
    ]
    page = html.unescape((files / "out" / "report.html").read_text(encoding="utf-8"))
    shown = metrics["total_relative_error"]
    assert (
        f"the model's forecast of purchases was {abs(shown.iloc[0]) * 100:.0f} % "
        f"{'high' if shown.iloc[0] > 0 else 'low'}; without covariates, "
        f"{abs(shown.iloc[1]) * 100:.0f} %"
    ) in page


def _broken(frame: pd.DataFrame, how: str) -> pd.DataFrame:
    if how == "missing value":
        return frame.assign(first_spend=frame["first_spend"].where(frame.index != 4))
    if how == "constant":
        return frame.assign(month="Jan")
    if how == "collinear":
        return frame.assign(double=2 * frame["first_spend"])
    if how == "extra id":
        extra = pd.DataFrame({"customer": [999_999], "first_spend": [1.0], "month": ["Jan"]})
        return pd.concat([frame, extra])
    if how == "lacking id":
        return frame.iloc[1:]
    if how == "duplicated id":
        return pd.concat([frame, frame.iloc[[2]]])
    raise AssertionError(how)


BAD = "--covariates bad.csv: "


@pytest.mark.parametrize(
    "how,message",
    [
        ("missing value", "covariate column 'first_spend' has 1 missing value(s), e.g. customer '"),
        ("constant", "covariate column 'month' is constant ('Jan' for every customer)"),
        (
            "collinear",
            "covariate 'double' is perfectly collinear with the intercept and ['first_spend'",
        ),
        ("extra id", "the covariate frame has 1 customer id(s) not in the summary, e.g. '999999'"),
        ("lacking id", "1 summary customer(s) have no covariates, e.g. '"),
        ("duplicated id", "the customer '"),
    ],
)
def test_bad_covariates_are_one_line_naming_the_file_and_the_rule(
    files, covariates, cli, how, message
):
    _broken(covariates, how).to_csv(files / "bad.csv", index=False)
    result = cli("fit", "log.csv", *BASE, "--covariates", "bad.csv", "--out", "out", cwd=files)
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"clvmodels: error: {BAD}{message}"), line
    assert result.stdout == "" and not (files / "out").exists()


@pytest.mark.parametrize(
    "arguments,message",
    [
        (
            ["--covariates", "noid.csv"],
            "--customer-col 'customer' is not a column of --covariates noid.csv",
        ),
        (
            ["--covariates", "cov.csv", "--purchase-covariates", "first_spnd"],
            "--purchase-covariates column 'first_spnd' is not a column of --covariates cov.csv "
            "(did you mean 'first_spend'?",
        ),
        (["--purchase-covariates", "month"], "--purchase-covariates needs --covariates FILE"),
        (
            [
                "--covariates",
                "cov.csv",
                "--purchase-covariates",
                "month",
                "--equal-effects",
                "month",
            ],
            "--equal-effects month: the column must act on both processes",
        ),
        (
            ["--covariates", "weekly.csv", "--model", "mbgnbd"],
            "--covariates weekly.csv has a period_start column: time-varying covariates (one "
            "row per customer and period), which --model mbgnbd does not take; models that "
            "do: bgnbd, pareto",
        ),
        (
            ["--covariates", "cov.csv", "--covariates", "cov.csv"],
            "--covariates cov.csv and cov.csv are both one row per customer",
        ),
        (["--covariates", "nothere.csv"], "nothere.csv: no such file"),
        (
            ["--covariates", "cov.csv", "--purchase-covariates", "", "--dropout-covariates", ","],
            "--purchase-covariates and --dropout-covariates choose no column",
        ),
    ],
)
def test_wrong_covariate_options_are_usage_errors(files, covariates, cli, arguments, message):
    covariates.drop(columns="customer").to_csv(files / "noid.csv", index=False)
    weekly = covariates.merge(
        pd.DataFrame({"period_start": ["1997-01-06", "1997-01-13"]}), how="cross"
    )
    weekly.to_csv(files / "weekly.csv", index=False)
    result = cli("fit", "log.csv", *BASE, *arguments, "--out", "out", cwd=files)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0].startswith(f"clvmodels: error: {message}")
    assert not (files / "out").exists()


def test_a_model_without_covariates_is_named(files, cli):
    models = purchase_models()
    without = [k for k, c in models.items() if not takes_covariates(c)]
    able = ", ".join(sorted(k for k, c in models.items() if takes_covariates(c)))
    if not without:
        pytest.skip("every --model takes covariates in this version")
    result = cli(
        "fit", "log.csv", *BASE, "--covariates", "cov.csv", "--model", without[0], cwd=files
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"clvmodels: error: --model {without[0]} does not take covariates in this version of "
        f"clvmodels; models that do: {able}"
    )


def test_bayes_fits_the_bayesian_bg_nbd_with_the_same_covariates(files, monkeypatch, capsys):
    """--bayes with --covariates: the Bayesian BG/NBD gets the MLE's covariate keywords
    (not the L2 penalty, which its prior replaces) and the summary with the covariate
    columns; stand-ins with the Bayesian models' fit/summary contract record both."""
    seen: dict = {}

    class Posterior:
        def __init__(self, **keywords):
            seen.setdefault("keywords", []).append(keywords)

        def fit(self, summary):
            seen.setdefault("columns", []).append(set(summary.columns))
            return self

        def summary(self):
            return pd.DataFrame({"mean": [0.5]}, index=pd.Index(["r"], name="param"))

    monkeypatch.setattr(clv, "BayesianBetaGeoModel", Posterior, raising=False)
    monkeypatch.setattr(clv, "BayesianGammaGammaModel", Posterior, raising=False)
    monkeypatch.chdir(files)
    arguments = ["fit", "log.csv", *BASE, "--covariates", "cov.csv", "--covariate-penalty"]
    assert main([*arguments, "0.1", "--bayes", "--out", "out", "-q"]) == 0
    bg_nbd, gamma_gamma = seen["keywords"]
    assert set(bg_nbd["purchase_covariates"]) == {"first_spend", "month"}
    assert set(bg_nbd["dropout_covariates"]) == {"first_spend", "month"}
    assert "covariate_penalty" not in bg_nbd
    assert gamma_gamma == {}
    assert {"first_spend", "month"} <= seen["columns"][0]
    report = html.unescape((files / "out" / "report.html").read_text())
    assert "The Bayesian BG/NBD (--bayes) takes the same covariates" in report
