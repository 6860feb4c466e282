"""The report's sections, one function each, from a :class:`ReportContent`.

Each function returns a :class:`~clvmodels.report.page.Section` (or ``None`` when the
content has nothing for it) and records every table it shows in ``tables``
(file name -> frame), which the report also writes as CSV next to the page.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from clvmodels.report import figures
from clvmodels.report.content import FittedModel, ReportContent
from clvmodels.report.formats import readable_frame, readable_number
from clvmodels.report.page import Section, figure_html, key_values_html, paragraph, table_html

__all__ = ["SECTIONS"]

Tables = dict[str, pd.DataFrame]
TOP_N = 20
#: The top customers' columns on the page (the CSV and scores.csv have all).
TOP_COLUMNS = [
    "frequency",
    "monetary_value",
    "p_alive",
    "expected_purchases",
    "clv",
    "clv_lower",
    "clv_upper",
]
_BACKTEST_TITLES = {
    "purchases metrics": "Holdout purchases per customer: how close each forecast came",
    "value metrics": "Holdout revenue per customer: how close each forecast came",
    "holdout totals": "Holdout totals: the whole customer base",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _table(
    tables: Tables,
    name: str,
    frame: pd.DataFrame,
    currency: str | None = None,
    decimals: int | None = None,
    transpose: bool = False,
    money_table: bool = False,
    columns: list[str] | None = None,
) -> str:
    """The table in words on the page; its CSV copy keeps the raw numbers and names.

    ``transpose`` shows one column per row (for wide tables with few rows);
    ``columns`` the page shows (the CSV has all).
    """
    file = f"table_{_slug(name)}.csv"
    tables[file] = frame
    shown = frame if columns is None else frame[[c for c in columns if c in frame]]
    shown = readable_frame(shown, currency, decimals, money_table=money_table)
    if transpose:
        shown = shown.T.rename_axis(None)
    return table_html(shown, csv=file)


def _warnings_html(content: ReportContent, key: str) -> str:
    """The run's warnings about ``key`` (a model's name) as visible notes."""
    return "".join(
        paragraph(f"Warning: {text}", "note warn") for text in content.warnings.get(key, [])
    )


def _setting_words(name: str) -> str:
    """``customer_col`` -> ``customer column``."""
    return re.sub(r"_col$", " column", name).replace("_", " ")


def overview(content: ReportContent, tables: Tables) -> Section:
    """Data overview, the run's settings and what was left out."""
    tables["table_overview.csv"] = pd.DataFrame(
        {"value": list(content.overview.values())},
        index=pd.Index(list(content.overview), name="item"),
    )
    body = (
        key_values_html(content.overview)
        + "<h3>Settings</h3>"
        + key_values_html({_setting_words(k): v for k, v in content.settings.items()})
        + "".join(paragraph(note, "note") for note in content.notes)
        + _warnings_html(content, "")
    )
    return Section("overview", "Data overview", body)


def _model_html(model: FittedModel, tables: Tables, content: ReportContent) -> str:
    words = "".join(paragraph(sentence) for sentence in model.words)
    facts = ", ".join(f"{k} {v}" for k, v in model.fit.items())
    return (
        f"<h3>{html.escape(model.name)}</h3>"
        + _warnings_html(content, model.name)
        + words
        + _table(tables, f"parameters {model.name}", model.table)
        + (paragraph(facts) if facts else "")
    )


def parameters(content: ReportContent, tables: Tables) -> Section:
    """Fitted parameters with standard errors and what they mean."""
    intro = paragraph(
        "Maximum-likelihood estimates with standard errors and 95% confidence intervals "
        f"(delta method on the log scale). Times are in {content.time_unit}s."
    )
    body = intro + "".join(_model_html(model, tables, content) for model in content.models)
    return Section("parameters", "Fitted models", body)


def customers(content: ReportContent, tables: Tables) -> Section:
    """P(alive) and CLV distributions, and the top customers."""
    scores = content.scores
    images = [
        figure_html(
            figures.histogram(
                scores["p_alive"], "Probability a customer is still active", "P(alive)"
            ),
            "P(alive): near 1 for recent buyers, low for customers silent for long. Under "
            "BG/NBD a customer without repeat purchases has P(alive) = 1 (dropout happens "
            "only after a purchase): that is the bar at 1.",
        )
    ]
    value = "clv" if "clv" in scores else "expected_purchases"
    if value == "clv":
        caption = (
            f"Discounted CLV over {content.horizon} (log scale). Customers without repeat "
            "purchases and acquired at about the same time get about the same value: the tall bar."
        )
        images.append(
            figure_html(figures.histogram(scores["clv"], "CLV per customer", "CLV", True), caption)
        )
        from clvmodels.plotting import plot_lorenz_curve

        images.append(
            figure_html(
                figures.drawn(plot_lorenz_curve, scores["clv"]),
                "How concentrated value is: the share of total CLV held by the lowest-valued "
                "customers (the further below the diagonal, the more the top customers matter).",
            )
        )
    else:
        caption = f"Expected purchases over {content.horizon}."
        images.append(
            figure_html(
                figures.histogram(scores[value], "Expected purchases", "purchases"), caption
            )
        )
    top = scores.sort_values(value, ascending=False).head(TOP_N)
    body = (
        f'<div class="grid">{"".join(images)}</div>'
        + f"<h3>Top {TOP_N} customers by {'CLV' if value == 'clv' else 'expected purchases'} "
        f"({content.horizon})</h3>"
        + _table(tables, "top customers", top, content.currency, 2, columns=TOP_COLUMNS)
        + _clv_interval_html(scores.attrs.get("clv_interval"), content)
        + paragraph(
            f"All {len(scores):,} customers' scores are in scores.csv (frequency, recency, T, "
            "P(alive), expected purchases and, with spend, expected spend and CLV); the top "
            "customers' recency and T are in the table's CSV."
        )
    )
    return Section("customers", "Customers", body)


def _clv_interval_html(interval: dict | None, content: ReportContent) -> str:
    """The base total's CLV interval in words (or why there is none)."""
    if not interval:
        return ""
    if "missing" in interval:
        return paragraph(f"No CLV intervals for this model: {interval['missing']}", "note")
    share = f"{100 * interval['interval']:g} %"
    money = f" {content.currency}" if content.currency else ""
    return paragraph(
        f"Customer equity (the sum of CLV) over {content.horizon}: "
        f"{readable_number(interval['total'], 0)}{money}, {share} interval "
        f"{readable_number(interval['lower'], 0)} to {readable_number(interval['upper'], 0)}"
        f"{money} (the {interval['method']} method). The intervals, per customer in the "
        "table above and in scores.csv, cover the uncertainty of the fitted parameters "
        "only; one customer's actual value varies far more (her purchases are random)."
    )


def holdout(content: ReportContent, tables: Tables) -> Section | None:
    """The backtest: metrics per model, totals, tracking and calibration plots."""
    if not content.backtest:
        return None
    body = _warnings_html(content, "backtest") + paragraph(
        "Every model fitted on the calibration period only, predicting what each customer "
        "did in the holdout period, next to the textbook baselines fed with the same "
        "calibration data (run rate, retention formula, last period; see "
        "clvmodels.evaluation). MAE rewards forecasts that are too low when most customers "
        "buy nothing: read it with the error on the total."
    )
    result = content.backtest_result
    if result is not None:
        from clvmodels.plotting import plot_calibration_vs_holdout, plot_tracking

        images = [
            figure_html(
                figures.drawn(plot_tracking, result, dates=True),
                f"Cumulative repeat purchases per {content.time_unit}, actual vs each model; "
                "the dashed line ends the calibration period.",
            ),
            figure_html(
                figures.drawn(plot_calibration_vs_holdout, result),
                "Mean holdout purchases by number of repeat purchases in the calibration "
                "period, actual vs each model.",
            ),
        ]
        body += f'<div class="grid">{"".join(images)}</div>'
    body += "".join(paragraph(note, "note") for note in content.backtest_notes)
    for name, table in content.backtest.items():
        body += f"<h3>{html.escape(_BACKTEST_TITLES.get(name, name.capitalize()))}</h3>"
        body += _table(
            tables,
            f"backtest {name}",
            table,
            content.currency,
            transpose=True,
            money_table=name.startswith("value"),
        )
    return Section("backtest", "Did the predictions come true?", body)


def comparison(content: ReportContent, tables: Tables) -> Section | None:
    """Probabilistic CLV against the textbook formulas on the same customers."""
    if content.comparison is None:
        return None
    aggregate = content.comparison
    churn = content.churn_per_period
    chart = figures.bar_chart(
        aggregate["customer_equity"],
        f"Customer equity over {content.horizon}",
        f"sum of CLV ({content.currency})" if content.currency else "sum of CLV",
    )
    body = (
        paragraph(
            "The same customers valued four ways over the same horizon and discount rate: "
            "the probabilistic CLV (the models above), the simple formula (spend x purchase "
            "rate x horizon), the retention formula and a discounted cash flow without "
            f"churn. The textbook formulas use each customer's observed purchase rate and one "
            f"churn rate for everyone ({churn:.1%} per {content.horizon.split()[-1].rstrip('s')}, "
            "customers silent for 6 months counted as lost, per month of tenure at risk)."
        )
        + figure_html(chart, "Customer equity (sum of CLV) by method.")
        + _table(tables, "clv comparison", aggregate, content.currency, transpose=True)
    )
    return Section("comparison", "Probabilistic vs textbook CLV", body)


def retention(content: ReportContent, tables: Tables) -> Section | None:
    """Contractual cohorts: sBG retention curves, DEL and DERL."""
    if content.retention is None:
        return None
    r = content.retention
    curves = figures.retention_curves(r.curves, r.period)
    body = paragraph(
        "Contractual customers (renewals): the shifted-beta-geometric model fitted to each "
        f"cohort's customers alive per {r.period}, projected 5 {r.period}s ahead. DEL is "
        f"the discounted expected lifetime of a new customer, DERL that of a customer who "
        f"has renewed n times (discount rate {r.discount_rate:.0%} per {r.period}); the "
        "retention formula assumes every customer keeps the first-period retention rate."
    ) + figure_html(curves, "Customers alive: observed (dots), sBG fit and projection.")
    body += _warnings_html(content, "sBG")
    body += _table(tables, "retention lifetimes", r.lifetimes, transpose=True)
    for name, frame in r.curves.items():
        tables[f"table_retention_curve_{_slug(name)}.csv"] = frame
    body += "".join(_model_html(model, tables, content) for model in r.models)
    return Section("retention", "Retention and lifetime (contractual cohorts)", body)


def bayes(content: ReportContent, tables: Tables) -> Section | None:
    """Posterior summaries of Bayesian fits, when requested."""
    if not content.bayes:
        return None
    body = "".join(
        f"<h3>{html.escape(name)}</h3>"
        + _warnings_html(content, f"Bayesian {name}")
        + _table(tables, f"posterior {name}", table)
        for name, table in content.bayes.items()
    )
    return Section("bayes", "Bayesian fits", body)


SECTIONS = (overview, parameters, customers, holdout, comparison, retention, bayes)
