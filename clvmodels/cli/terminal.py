"""What a run prints on the terminal: its tables, in one number format, and its verdict.

The same headers in words (:func:`clvmodels.report.words.column_words`), shares as
percentages and money with the run's currency as the report uses; numbers are
:func:`clvmodels.report.page.readable_number` (``19,684``, ``0.7855``), never
``1.687e+04``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvmodels.cli.notices import Notice
from clvmodels.report.formats import readable_frame

__all__ = ["print_run", "report_warnings"]


def report_warnings(notices: list[Notice]) -> dict[str, list[str]]:
    """The run's notices for the report: ``model name -> sentences``.

    Notices from the backtest go under ``"backtest"`` and those without a model
    under ``""`` (shown with the data overview).
    """
    grouped: dict[str, list[str]] = {}
    for notice in notices:
        if notice.step and notice.step.startswith("Backtest"):
            key = "backtest"
            text = f"{notice.model}: {notice.text}" if notice.model else notice.text
        else:
            key, text = notice.model or "", notice.text
        grouped.setdefault(key, []).append(text)
    return grouped


def print_run(output: Any, run: Any) -> None:
    """The run's key tables on ``output`` (an :class:`~clvmodels.cli.outputs.Output`)."""
    content = run.content
    currency = run.settings.currency
    verdict = content.verdict()
    if verdict:
        output.line(verdict)
    output.table("Data", pd.Series(content.overview, name="").rename_axis(""))
    for model in content.models:
        output.table(
            f"{model.name} (times in {content.time_unit}s)", readable_frame(model.table, currency)
        )
    if content.backtest:
        metrics = content.backtest["purchases metrics"]
        shown = ["mae", "rmse", "correlation", "predicted_total", "actual_total"]
        shown += ["total_relative_error"]
        output.table(
            f"Backtest: holdout purchases after {run.numbers['holdout']['calibration end']}",
            readable_frame(metrics[[c for c in shown if c in metrics]], currency),
        )
        for note in content.backtest_notes:
            output.line(note)
    value = "clv" if "clv" in run.scores else "expected_purchases"
    shown = ["frequency", "recency", "T", "p_alive", "expected_purchases", value]
    top = run.scores.sort_values(value, ascending=False).head(10)[list(dict.fromkeys(shown))]
    what = "CLV" if value == "clv" else "expected purchases"
    output.table(
        f"Top 10 customers by {what} ({content.horizon})", readable_frame(top, currency, 2)
    )
    if content.comparison is not None:
        output.table(
            f"Customer equity over {content.horizon}: probabilistic vs textbook formulas",
            readable_frame(content.comparison, currency, 2),
        )
    for name, table in content.bayes.items():
        output.table(f"Bayesian {name}: posterior summary", readable_frame(table, currency))
    if content.retention is not None:
        lifetimes = content.retention.lifetimes
        shown = ["alpha", "beta", "retention_rate", "sbg_clv", "deterministic_clv"]
        output.table(
            f"Contractual cohorts: sBG value of a new customer vs the retention formula "
            f"(discount {content.retention.discount_rate:.0%} per {content.retention.period})",
            readable_frame(
                lifetimes[shown + [c for c in lifetimes if c.startswith("DERL")]], currency
            ),
        )
