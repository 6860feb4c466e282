"""The report and the terminal as a manager reads them (issue 26, items 8, 10, 11 and 14).

Each test writes a real log into ``tmp_path`` and runs the command in a subprocess:
the one-line backtest verdict (checked against a count of the file's holdout
purchases made here with pandas), headers in words, shares in %, the currency, one
number format, repeated baselines left out with a note, ``--bayes`` results on the
terminal, and the warning on an implausible ``--discount-rate``.
"""

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.evaluation.baselines import same_forecasts

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])}
COLUMNS = ["--customer-col", "customer", "--date-col", "day"]
#: Fader, Hardie & Lee (2005), the BG/NBD on this sample to 1997-09-30, in weeks.
PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _run(*arguments, cwd):
    command = [sys.executable, "-m", "clvmodels.cli", *map(str, arguments)]
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)


@pytest.fixture(scope="module")
def report_run(sample_csv, tmp_path_factory):
    """fit with a holdout and --currency EUR: the folder and the finished process."""
    folder = tmp_path_factory.mktemp("report")
    arguments = [*COLUMNS, "--amount-col", "amount", "--holdout-start", "1997-10-01"]
    done = _run("fit", sample_csv, *arguments, "--currency", "EUR", "--out", "r", cwd=folder)
    return folder / "r", done


# -- item 11: a report for a manager ----------------------------------------------------------
def test_the_verdict_comes_first_and_counts_right(sample_csv, report_run):
    out, done = report_run
    assert done.returncode == 0 and done.stderr == ""
    verdict = done.stdout.splitlines()[0]
    # the holdout purchases counted here: repeat days after 1997-09-30 of the customers
    # who had bought by then (a customer's purchases on one day count once)
    log = pd.read_csv(sample_csv, parse_dates=["day"])
    first = log.groupby("customer")["day"].transform("min")
    holdout = log[(first <= "1997-09-30") & (log["day"] > "1997-09-30")]
    actual = len(holdout.drop_duplicates(["customer", "day"]))
    metrics = pd.read_csv(out / "table_backtest_purchases_metrics.csv", index_col="model")
    assert metrics["actual_total"].eq(actual).all()
    model, *baselines = metrics.index
    share = metrics.loc[model, "predicted_total"] / actual - 1
    best = min(baselines, key=lambda name: abs(metrics.loc[name, "predicted_total"] / actual - 1))
    best_share = metrics.loc[best, "predicted_total"] / actual - 1
    words = ["low" if s < 0 else "high" for s in (share, best_share)]
    assert verdict == (
        "Backtest (holdout 1997-10-01 to 1998-06-30): the model's forecast of purchases was "
        f"{abs(share):.0%} {words[0]}; the best textbook formula ({best}) was "
        f"{abs(best_share):.0%} {words[1]}."
    ).replace("%", " %")
    page = html.unescape((out / "report.html").read_text())
    assert f'<p class="verdict">{verdict}</p>' in page


def test_headers_in_words_shares_in_percent_money_in_the_currency(report_run):
    out, done = report_run
    page = html.unescape((out / "report.html").read_text())
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert [h for h in headers if re.search(r"[a-z]_[a-z]", h)] == []
    assert {"CLV (EUR)", "mean abs. error", "error on total, %", "P(alive)"} <= set(headers)
    # the model's error on the total, as a percentage with one decimal
    metrics = pd.read_csv(out / "table_backtest_purchases_metrics.csv", index_col="model")
    share = metrics["total_relative_error"].iloc[0]
    assert re.search(rf"<td>{share * 100:.1f} %</td>", page)
    assert "-0.1" not in re.findall(r"<td>([^<]*)</td>", page)  # no raw shares
    # the CSV copies keep the raw numbers and names
    assert "total_relative_error" in metrics and abs(share) < 1
    # the terminal: the same words, one number format (no 1.687e+04 beside 19,684)
    assert "CLV (EUR)" in done.stdout and f" {share * 100:.1f} % " in done.stdout
    assert not re.search(r"\d\.?\d*e[+-]\d", done.stdout)
    assert re.search(r"\b\d{1,3}(,\d{3})+\b", done.stdout)  # thousands with separators
    assert sorted(os.listdir(out)) == [
        "bgnbd.json", "gamma_gamma.json", "report.html", "run.json", "scores.csv",
        "scores.parquet", "table_backtest_holdout_totals.csv",
        "table_backtest_purchases_metrics.csv", "table_backtest_value_metrics.csv",
        "table_clv_comparison.csv", "table_overview.csv", "table_parameters_bg_nbd.csv",
        "table_parameters_gamma_gamma.csv", "table_top_customers.csv",
    ]  # fmt: skip


# -- item 8: a baseline that repeats another is left out with a note --------------------------
def write_steady_log(path, n=40, seed=3):
    """Customers who all start on one day and buy every few days for two years."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(n):
        day, gap = pd.Timestamp("2022-01-03"), rng.uniform(4, 12)
        while day <= pd.Timestamp("2023-12-31"):
            rows.append((f"C{customer:02d}", day.date().isoformat(), rng.gamma(4, 10)))
            day += pd.Timedelta(days=int(rng.integers(1, 2 * gap)))
    log = pd.DataFrame(rows, columns=["customer", "day", "amount"]).round(2)
    log.to_csv(path, index=False)
    return log


@pytest.mark.filterwarnings("ignore::clvmodels.ConvergenceWarning")  # nobody stops: said below
def test_repeated_baselines_are_left_out_with_a_note(tmp_path):
    log = write_steady_log(tmp_path / "steady.csv")
    # the premise: with one start day and a holdout as long as the calibration year,
    # "last period" is the run rate, and with nobody silent for 6 months the retention
    # formula's churn is 0, so it is the run rate too
    result = clv.backtest(
        log, "customer", "day", calibration_period_end="2022-12-31", monetary_value_col="amount"
    )
    rows = result.per_customer.set_index("model")["predicted_purchases"]
    np.testing.assert_allclose(rows["last period"], rows["run rate"], rtol=1e-12)
    np.testing.assert_allclose(rows["retention formula"], rows["run rate"], rtol=1e-12)
    assert set(same_forecasts(result)) == {"retention formula", "last period"}

    arguments = [*COLUMNS, "--amount-col", "amount", "--holdout-start", "2023-01-01"]
    done = _run("fit", "steady.csv", *arguments, "--out", "r", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr.splitlines()[0].startswith("clvmodels: warning: BG/NBD: no customer")
    metrics = pd.read_csv(tmp_path / "r" / "table_backtest_purchases_metrics.csv")
    assert metrics["model"].tolist() == ["BG/NBD + Gamma-Gamma", "run rate"]
    totals = pd.read_csv(tmp_path / "r" / "table_backtest_holdout_totals.csv")
    assert totals["model"].tolist() == ["BG/NBD + Gamma-Gamma", "run rate"]
    note = '"last period" is left out: its forecasts are those of "run rate" for every customer'
    page = html.unescape((tmp_path / "r" / "report.html").read_text())
    assert note in page and note in done.stdout
    assert '"retention formula" is left out' in page


def test_baselines_that_differ_are_all_kept(sample_csv):
    log = pd.read_csv(sample_csv)
    result = clv.backtest(log, "customer", "day", calibration_period_end="1997-09-30")
    assert same_forecasts(result) == {}


# -- item 10: --bayes results on the terminal ---------------------------------------------------
def test_bayes_results_are_printed(sample_csv, tmp_path):
    pytest.importorskip("pymc")
    done = _run(
        "fit", sample_csv, *COLUMNS, "--observation-end", "1997-09-30", "--bayes", "--out", "r",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "Bayesian BG/NBD: posterior summary" in line)
    rows = {line.split("│")[1].strip(): line for line in lines[start:] if line.startswith("│")}
    for name, value in PAPER.items():
        mean = float(rows[name].split("│")[2].replace(",", ""))
        assert mean == pytest.approx(value, rel=0.15), name
    assert "table_posterior_bg_nbd.csv" in os.listdir(tmp_path / "r")


# -- item 14: an implausible discount rate ------------------------------------------------------
def test_a_discount_rate_of_10_is_questioned(sample_csv, tmp_path):
    arguments = [*COLUMNS, "--amount-col", "amount", "--discount-rate", "10"]
    done = _run("fit", sample_csv, *arguments, "--out", "r", "-q", "--json", cwd=tmp_path)
    assert done.returncode == 0
    first = done.stderr.splitlines()[0]
    assert first.startswith("clvmodels: warning: ")
    assert "--discount-rate 10 is 1000% per year" in first and "--discount-rate 0.1" in first
    assert json.loads(done.stdout)["warnings"] == [first.removeprefix("clvmodels: warning: ")]
