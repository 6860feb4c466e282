"""What the command writes and prints: output files, Rich tables, JSON, progress.

Files go to a staging folder first (:func:`clvmodels.atomic.atomic_directory`), so a
failed, interrupted or terminated run leaves the previous outputs as they were, and a
successful one leaves exactly its own files (:func:`check_replaceable` first makes sure
the folder is one that ``clvmodels`` wrote, or empty). The terminal gets Rich tables
(nothing with ``--quiet``; one JSON object with ``--json``) on stdout, and progress
spinners on stderr when it is a terminal. Warnings are one line each on stderr, also
with ``--quiet`` (:mod:`clvmodels.cli.notices`), and listed in the JSON and ``run.json``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

import clvmodels as clv
from clvmodels.atomic import atomic_open, is_staging
from clvmodels.cli.inputs import EXIT_USAGE, InputError
from clvmodels.cli.notices import Notice, in_words, recorded
from clvmodels.report import write_report

__all__ = [
    "Output",
    "Terminated",
    "check_replaceable",
    "earlier_outputs",
    "raise_if_stopped",
    "stop_on_signals",
    "write_frame",
    "write_run",
]

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
            raise_if_stopped()
            os.replace(temporary, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return
    with atomic_open(path) as handle:
        frame.to_csv(handle)
        raise_if_stopped()  # a signal whose exception a finalizer swallowed


class Terminated(BaseException):
    """The process got SIGTERM or SIGHUP: raised so that staging folders are removed.

    A ``BaseException``, as ``KeyboardInterrupt`` is, so that no ``except Exception``
    on the way swallows it.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


#: Signals that :func:`stop_on_signals` turned into exceptions in this process.
_RECEIVED: list[int] = []


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM (and SIGHUP) into :class:`Terminated`, SIGINT into ``KeyboardInterrupt``.

    Python ends on SIGTERM without unwinding, which would leave the staging folder
    behind; raising an exception instead runs every cleanup on the way out. Python
    ignores an exception raised while it runs a finalizer (``__del__``, a weakref
    callback), and a signal can land there; so each signal is also recorded, and
    :func:`raise_if_stopped`, called before the outputs are moved into place, stops
    the run all the same. Only the main thread can set handlers; elsewhere the
    block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, frame: Any) -> None:
        _RECEIVED.append(number)
        raise KeyboardInterrupt if number == signal.SIGINT else Terminated(number)

    numbers = [signal.SIGTERM, signal.SIGINT]
    numbers += [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []
    _RECEIVED.clear()
    previous = {number: signal.signal(number, stop) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _RECEIVED.clear()


def raise_if_stopped() -> None:
    """Raise the exception of a signal that arrived, even if something swallowed it.

    Called as the last step before a run's files are moved into place, so that a
    signal whose exception a finalizer ate still leaves no output.
    """
    if not _RECEIVED:
        return
    number = _RECEIVED[-1]
    raise KeyboardInterrupt if number == signal.SIGINT else Terminated(number)


def check_replaceable(out: Path) -> None:
    """Refuse an ``--out`` folder with files in it that ``clvmodels`` did not write.

    A run replaces the whole folder, so the folder must be new, empty (but for
    leftover staging folders) or an earlier run's output (it has ``run.json``).

    Raises
    ------
    InputError
        Naming the folder, a few of its files and what to do instead.
    """
    if not out.is_dir() or (out / RUN_FILE).is_file():
        return
    entries = sorted(e.name for e in out.iterdir() if not is_staging(e))
    if not entries:
        return
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    raise InputError(
        f"--out {out}: the folder holds files that clvmodels did not write ({shown}; no "
        f"{RUN_FILE}), and a run replaces the whole folder; name a new or empty folder, "
        "e.g. --out clv-results",
        exit_code=EXIT_USAGE,
    )


#: What ``fit`` and ``demo`` write, besides the files an earlier ``run.json`` lists.
_OUTPUT_NAMES = re.compile(
    r"^(report\.html|run\.json|scores\.(csv|parquet)|table_.*\.csv|"
    r"(bgnbd|pareto|mbgnbd|gamma_gamma)\.json)$"
)


def earlier_outputs(out: Path) -> Callable[[str], bool]:
    """Whether a file name in ``out`` is an earlier run's output (to remove on a re-run).

    The files its ``run.json`` lists, or named as clvmodels names its outputs; a file a
    user put into the folder later stays.
    """
    listed: set[str] = set()
    with suppress(OSError, ValueError, TypeError, KeyError):
        listed = set(json.loads((out / RUN_FILE).read_text(encoding="utf-8"))["files"])
    return lambda name: name in listed or bool(_OUTPUT_NAMES.match(name))


def write_run(
    run: Any, staging: Path, model_file: str, warnings: list[str] | None = None
) -> list[str]:
    """Write a run's models, scores, settings and report into ``staging``; return the names.

    ``warnings`` (the run's warnings, one line each) go into ``run.json``. A purchase model
    that cannot be saved in this version (``save`` raises ``NotImplementedError``) is left
    out: ``run.json`` names no purchase model and the report says why. Models with static
    or time-varying covariates are saved (their design, not their data).
    """
    files = [model_file]
    try:
        run.purchase_model.save(staging / model_file)
    except NotImplementedError as error:  # e.g. a model with covariates, in this version
        files, model_file = [], None
        run.content.notes.append(
            f"The purchase model was not saved, so 'clvmodels score' cannot use this folder: "
            f"{error}."
        )
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
        "warnings": list(warnings or []),
        "files": [*files, RUN_FILE],
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
        #: The run's warnings, in the order they came.
        self.notices: list[Notice] = []

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """A spinner with ``label`` while the block runs (on a terminal, unless quiet).

        The block's warnings are recorded and printed after it, one line each.
        """
        with self.warnings_of(label):
            if self.quiet or not self.errors.is_terminal:
                yield
                return
            started = time.perf_counter()
            with self.errors.status(label):
                yield
            self.errors.print(f"[green]✓[/] {label} [dim]({time.perf_counter() - started:.1f} s)")

    @contextmanager
    def warnings_of(self, label: str | None) -> Iterator[None]:
        """Record the block's warnings as notices and print them (also when quiet)."""
        with recorded() as caught:
            yield
        for notice in in_words(caught, label, self.notices):
            if notice not in self.notices:
                self.notices.append(notice)
                print(f"clvmodels: warning: {notice.line()}", file=sys.stderr)

    def warning_lines(self) -> list[str]:
        """The run's warnings as printed, without the ``clvmodels: warning:`` prefix."""
        return [notice.line() for notice in self.notices]

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
            numbers = {**numbers, "warnings": self.warning_lines(), "seconds": seconds}
            print(json.dumps(numbers, default=str))
        else:
            self.line(f"\ndone in {seconds:.1f} s")
