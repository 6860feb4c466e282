"""What the command writes and prints: output files, Rich tables, JSON, progress.

Files go to a staging folder first (:func:`clvmodels.atomic.atomic_directory`), so a
failed run leaves the previous outputs as they were. The terminal gets Rich tables
(nothing with ``--quiet``; one JSON object with ``--json``) on stdout, and progress
spinners on stderr when it is a terminal.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

import clvmodels as clv
from clvmodels.atomic import atomic_open
from clvmodels.report import write_report

__all__ = ["Output", "write_frame", "write_run"]

RUN_FILE = "run.json"
SCORES_FILE = "scores.csv"


def _parquet_engine() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV, or as Parquet for a ``.parquet``/``.pq`` path, atomically."""
    if path.suffix.lower() in (".parquet", ".pq"):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            frame.to_parquet(temporary)
            os.replace(temporary, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return
    with atomic_open(path) as handle:
        frame.to_csv(handle)


def write_run(run: Any, staging: Path, model_file: str) -> list[str]:
    """Write a run's models, scores, settings and report into ``staging``; return the names."""
    files = [model_file]
    run.purchase_model.save(staging / model_file)
    if run.spend_model is not None:
        run.spend_model.save(staging / "gamma_gamma.json")
        files.append("gamma_gamma.json")
    run.scores.to_csv(staging / SCORES_FILE)
    files.append(SCORES_FILE)
    if _parquet_engine():
        run.scores.to_parquet(staging / "scores.parquet")
        files.append("scores.parquet")
    files.extend(write_report(run.content, staging))
    document = {
        "clvmodels_version": clv.__version__,
        "settings": run.settings.to_dict(),
        "purchase_model": model_file,
        "spend_model": "gamma_gamma.json" if run.spend_model is not None else None,
        "input": run.numbers.get("input"),  # how the log was read (file, dialect, ids)
    }
    (staging / RUN_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return [*files, RUN_FILE]


def _cell(value: object, digits: str) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    if isinstance(value, float):
        return format(value, digits)
    return str(value)


class Output:
    """The terminal: tables on stdout unless quiet, JSON for scripts, progress on stderr."""

    def __init__(self, quiet: bool = False, as_json: bool = False) -> None:
        self.quiet = quiet or as_json
        self.as_json = as_json
        self.console = Console(highlight=False, soft_wrap=False)
        if not self.console.is_terminal:
            self.console = Console(highlight=False, width=110, soft_wrap=False)
        self.errors = Console(stderr=True, highlight=False)
        self.started = time.perf_counter()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """A spinner with ``label`` while the block runs (on a terminal, unless quiet)."""
        if self.quiet or not self.errors.is_terminal:
            yield
            return
        started = time.perf_counter()
        with self.errors.status(label):
            yield
        self.errors.print(f"[green]✓[/] {label} [dim]({time.perf_counter() - started:.1f} s)")

    def line(self, text: str) -> None:
        """One line of text, unless quiet."""
        if not self.quiet:
            self.console.print(text, soft_wrap=True)

    def table(self, title: str, frame: pd.DataFrame | pd.Series, digits: str = ",.4g") -> None:
        """A frame as a Rich table, unless quiet."""
        if self.quiet:
            return
        frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
        table = Table(title=title, title_justify="left", title_style="bold")
        table.add_column(str(frame.index.name or ""), style="bold")
        for column in frame.columns:
            table.add_column(str(column), justify="right")
        for label, row in zip(frame.index, frame.itertuples(index=False), strict=True):
            table.add_row(str(label), *(_cell(value, digits) for value in row))
        self.console.print()
        self.console.print(table)

    def finish(self, numbers: dict[str, Any]) -> None:
        """The closing line, or the JSON object with ``--json``."""
        seconds = round(time.perf_counter() - self.started, 2)
        if self.as_json:
            print(json.dumps({**numbers, "seconds": seconds}, default=str))
        else:
            self.line(f"\ndone in {seconds:.1f} s")
