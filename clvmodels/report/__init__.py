"""The HTML report: one self-contained page of tables and figures, tables also as CSV.

:func:`render_report` lays out a :class:`ReportContent` (which the ``clvmodels``
command fills from the library's results) as HTML; :func:`write_report` writes the
page and its tables as CSV into a folder. Sections without content (no spend column,
no holdout period, no cohorts) are left out and the page's notes say why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clvmodels.report.content import FittedModel, ReportContent, RetentionContent
from clvmodels.report.page import page_html
from clvmodels.report.sections import SECTIONS

__all__ = [
    "REPORT_FILE",
    "FittedModel",
    "ReportContent",
    "RetentionContent",
    "render_report",
    "write_report",
]

#: The page's file name in the output folder.
REPORT_FILE = "report.html"


def render_report(content: ReportContent) -> tuple[str, dict[str, pd.DataFrame]]:
    """The report page as HTML, and the tables it shows (CSV file name -> frame).

    Parameters
    ----------
    content
        What to show.

    Returns
    -------
    html, tables
        The self-contained page (figures embedded as PNG data) and its tables.
    """
    tables: dict[str, pd.DataFrame] = {}
    sections = [s for make in SECTIONS if (s := make(content, tables)) is not None]
    lead = f"Customer-lifetime-value report on {content.source}, made with clvmodels."
    verdict = content.verdict()
    return page_html(content.title, lead, sections, verdict), tables


def write_report(content: ReportContent, folder: str | Path) -> list[str]:
    """Write ``report.html`` and its tables as CSV into ``folder``; return the file names.

    The folder should be a staging folder (:func:`clvmodels.atomic.atomic_directory`)
    so that a failed run leaves the previous report intact.
    """
    folder = Path(folder)
    page, tables = render_report(content)
    (folder / REPORT_FILE).write_text(page, encoding="utf-8")
    for name, frame in tables.items():
        frame.to_csv(folder / name)
    return [REPORT_FILE, *tables]
