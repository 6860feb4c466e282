"""The HTML page around the report's sections: style, tables, figures, escaping.

One self-contained file: the style is inline and figures are ``data:`` URIs, so the
page can be mailed or opened from anywhere without its folder.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from clvmodels.report.formats import readable_number

__all__ = [
    "Section",
    "figure_html",
    "key_values_html",
    "page_html",
    "paragraph",
    "readable_number",
    "table_html",
]

_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 2px solid #1f5f99; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.lead { color: #555; margin-top: 0; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; text-align: right;
         vertical-align: bottom; }
th { background: #f2f5f8; font-weight: 600; }
td { white-space: nowrap; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; max-width: 100%; }
td:first-child, th:first-child { text-align: left; white-space: normal; }
figure { margin: 0.5em 0 1.2em; min-width: 0; }
figure img { max-width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: 0.9em; }
.note { background: #fff8e6; border-left: 3px solid #d9822b; padding: 0.4em 0.8em; }
.warn { background: #fdecea; border-left-color: #c0392b; color: #5a1a14; }
.verdict { font-size: 1.1em; font-weight: 600; background: #eef4fa;
           border-left: 4px solid #1f5f99; padding: 0.6em 0.9em; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5em; }
.csv { font-size: 0.85em; }
@media (max-width: 760px) {
  body { margin: 1em auto; padding: 0 0.8em; font-size: 14px; }
  .grid { grid-template-columns: minmax(0, 1fr); }
  table { font-size: 0.8em; }
  th, td { padding: 0.2em 0.3em; }
  nav a { display: inline-block; }
}
@media print {
  body { max-width: none; margin: 0; }
  figure, table { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scroll { overflow: visible; }
}
"""


@dataclass(frozen=True)
class Section:
    """A titled part of the page; ``body`` is HTML."""

    anchor: str
    title: str
    body: str


def table_html(frame: pd.DataFrame, float_format: str | None = None, csv: str | None = None) -> str:
    """A DataFrame as an HTML table, with a link to its CSV copy.

    Floats use ``float_format`` (e.g. ``"{:,.2f}"``), else :func:`readable_number`.
    """
    if frame.index.name is not None and frame.columns.name is None:  # one header row
        frame = frame.rename_axis(index=None, columns=frame.index.name)
    formatter = float_format.format if float_format else readable_number
    formatters = {
        column: formatter for column in frame.columns if pd.api.types.is_float_dtype(frame[column])
    }
    table = frame.to_html(formatters=formatters, border=0, classes="data", na_rep="", escape=True)
    link = f'<div class="csv"><a href="{html.escape(csv)}">{html.escape(csv)}</a></div>'
    return f'<div class="scroll">{table}</div>' + (link if csv else "")


def key_values_html(items: dict[str, str]) -> str:
    """Label -> text pairs as a two-column table."""
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in items.items()
    )
    return f'<table class="data">{rows}</table>'


def figure_html(uri: str, caption: str) -> str:
    """An embedded figure with its caption (``uri`` is a ``data:`` URI)."""
    return (
        f'<figure><img src="{uri}" alt="{html.escape(caption)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def paragraph(text: str, css: str | None = None) -> str:
    """Escaped text in a paragraph."""
    attribute = f' class="{css}"' if css else ""
    return f"<p{attribute}>{html.escape(text)}</p>"


def page_html(title: str, lead: str, sections: list[Section], verdict: str | None = None) -> str:
    """The whole page: title, the one-line verdict, a table of contents and the sections."""
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{s.anchor}"><h2>{html.escape(s.title)}</h2>{s.body}</section>'
        for s in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="lead">{html.escape(lead)}</p>'
        + (paragraph(verdict, "verdict") if verdict else "")
        + f"<nav>{nav}</nav>{body}</body></html>\n"
    )
