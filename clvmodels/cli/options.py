"""The command's option types and shared options: each bad value is one line.

Each type turns the text of an option into a value or fails with what is wrong
(Click adds the option's name); the shared options are the same on every command.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import click
import pandas as pd

from clvmodels.checks import finite_scalar
from clvmodels.data.dates import day_month_ambiguity
from clvmodels.data.units import canonical_unit
from clvmodels.exceptions import DataValidationError

__all__ = [
    "DateType",
    "SeparatorType",
    "check_holdout",
    "column_options",
    "in_option_words",
    "OutputFile",
    "OutputFolder",
    "PositiveNumber",
    "UnitType",
    "common_options",
    "engine_option",
    "time_unit_for",
    "valuation_options",
]


class UnitType(click.ParamType):
    """A time unit such as D, W, M, Q, Y (checked by ``canonical_unit``)."""

    name = "UNIT"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:  # noqa: D102 (Click's)
        try:
            canonical_unit(value, f"--{param.name.replace('_', '-')}" if param else "unit")
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return value


class PositiveNumber(click.ParamType):
    """A finite number > 0 (>= 0 with ``at_least_zero``; a whole one with ``whole``)."""

    name = "NUMBER"

    def __init__(self, at_least_zero: bool = False, whole: bool = False) -> None:
        self.at_least_zero = at_least_zero
        self.whole = whole

    def convert(self, value: Any, param: Any, ctx: Any) -> float:  # noqa: D102 (Click's)
        try:
            number = float(value)
        except ValueError:
            self.fail(f"value must be a number; got {value!r}", param, ctx)
        try:
            if self.at_least_zero:
                return finite_scalar(number, "value", at_least=0)
            number = finite_scalar(number, "value", greater_than=0)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        if self.whole and not number.is_integer():
            self.fail(
                f"value must be a whole number of --horizon-unit; got {value} (use a shorter "
                "unit, e.g. --horizon 10 --horizon-unit W)",
                param,
                ctx,
            )
        return number


def _iso(stamp: pd.Timestamp) -> str:
    return (
        str(stamp.date())
        if stamp == stamp.normalize() and stamp.tzinfo is None
        else (stamp.isoformat())
    )


class DateType(click.ParamType):
    """A day such as 2024-06-30, returned as ISO 8601 text.

    ISO 8601 is always read as such. Another layout is read with ``--date-format``
    when the command has it (the option is processed first), else as pandas reads it,
    but never when day and month could be either way round (``09/10/2005``).
    """

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:  # noqa: D102 (Click's)
        text = str(value).strip()
        stamp = pd.to_datetime(text, format="ISO8601", errors="coerce")
        if stamp is not pd.NaT:
            return text
        layout = ctx.params.get("date_format") if ctx is not None else None
        if layout:
            stamp = pd.to_datetime(text, format=layout, errors="coerce")
            if stamp is not pd.NaT:
                return _iso(stamp)
        ambiguous = day_month_ambiguity([text])
        if ambiguous is not None:
            day = pd.to_datetime(text, format=ambiguous.day_first)
            month = pd.to_datetime(text, format=ambiguous.month_first)
            self.fail(
                f"{text!r} could be {day:%d %B %Y} (day first) or {month:%d %B %Y} (month "
                f"first); dates are not guessed: write it as YYYY-MM-DD, e.g. {day.date()}",
                param,
                ctx,
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                stamp = pd.Timestamp(text)
        except (ValueError, TypeError):
            stamp = pd.NaT
        if stamp is pd.NaT:
            self.fail(f"{text!r} is not a date; write it as YYYY-MM-DD", param, ctx)
        return _iso(stamp)


class SeparatorType(click.ParamType):
    """A CSV separator: one character, or ``tab``."""

    name = "SEP"
    _NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

    def convert(self, value: Any, param: Any, ctx: Any) -> str:  # noqa: D102 (Click's)
        sep = self._NAMES.get(str(value).lower(), str(value))
        if len(sep) != 1 or sep in '"\r\n' or sep.isalnum():
            self.fail(
                f"{value!r} is not a separator; give one character such as ';' or '|', or 'tab'",
                param,
                ctx,
            )
        return sep


class OutputFolder(click.ParamType):
    """A folder that is, or can be created, writable (checked before any work)."""

    name = "DIR"

    def convert(self, value: Any, param: Any, ctx: Any) -> Path:  # noqa: D102 (Click's)
        path = Path(value)
        if path.exists() and not path.is_dir():
            self.fail(f"{value} is a file, not a folder", param, ctx)
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            self.fail(f"{value}: {existing} is a file, not a folder", param, ctx)
        if not os.access(existing, os.W_OK | os.X_OK):
            self.fail(f"{value}: the folder {existing} is not writable", param, ctx)
        return path


class OutputFile(click.ParamType):
    """A file to write, in an existing writable folder."""

    name = "FILE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Path:  # noqa: D102 (Click's)
        path = Path(value)
        if path.is_dir():
            self.fail(f"{value} is a folder; name a file such as scores.csv", param, ctx)
        if not path.parent.is_dir():
            self.fail(f"{value}: the folder {path.parent} does not exist", param, ctx)
        if not os.access(path.parent, os.W_OK | os.X_OK):
            self.fail(f"{value}: the folder {path.parent} is not writable", param, ctx)
        return path


def common_options(command):
    """--quiet, --json and --debug, on every command."""
    command = click.option("--debug", is_flag=True, help="Show the full traceback of an error.")(
        command
    )
    command = click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object (for scripts)."
    )(command)
    return click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")(command)


def column_options(required: bool):
    """How the log's file is read: its columns, date layout, ids, separator, decimal mark.

    ``fit`` needs the id and date columns (``required``); on ``score`` every option
    defaults to what the models were fitted with (``run.json``).
    """
    default = " Default: the column named when the models were fitted." if not required else ""

    def decorate(command):
        options = [
            click.option(
                "--customer-col", required=required, help="Column with the customer id." + default
            ),
            click.option(
                "--date-col", required=required, help="Column with the transaction date." + default
            ),
            click.option(
                "--amount-col",
                default=None,
                help="Column with the spend (enables CLV)." + default,
            ),
            click.option(
                "--date-format",
                default=None,
                is_eager=True,  # read before the date options, which may be in this layout
                help="Layout of the dates in strftime codes, e.g. %d/%m/%Y. Needed when day "
                "and month could be either way round (09/10/2005): dates are not guessed. "
                "ISO dates (2024-06-30) need none.",
            ),
            click.option(
                "--id-type",
                type=click.Choice(["text", "number"]),
                default="text",
                show_default=True,
                help="Read customer ids as text ('02' and '2' are two customers; a warning "
                "names ids that differ only so) or as numbers ('2', '2.0', '02' are one).",
            ),
            click.option(
                "--sep",
                type=SeparatorType(),
                default=None,
                help="CSV separator: , ; | or tab. Default: detected from the file.",
            ),
            click.option(
                "--decimal",
                type=click.Choice([".", ","]),
                default=None,
                help="Decimal mark of the amounts in a CSV file; with ',' a '.' groups "
                "thousands (1.234,50). Default: detected from the file.",
            ),
        ]
        return _with_options(command, options)

    return decorate


def engine_option(command):
    """--engine: how a log is read (pandas in memory, or DuckDB out of core), fit and score."""
    return click.option(
        "--engine",
        type=click.Choice(["auto", "pandas", "duckdb"]),
        default="auto",
        show_default=True,
        help="How the log is read: into memory with pandas, or out of core with DuckDB "
        "(pip install 'clvmodels[duckdb]'). auto: DuckDB for a folder or a glob, pandas "
        "for one file.",
    )(command)


def valuation_options(command):
    """Units, horizon and discount rate, shared by demo and fit."""
    options = [
        click.option(
            "--freq",
            type=UnitType(),
            default="D",
            show_default=True,
            help="Count purchases per distinct D (day), W (week), M (month)...",
        ),
        click.option(
            "--time-unit",
            type=UnitType(),
            default=None,
            help="Unit of recency and T. Default: W with --freq D (days counted, time "
            "in weeks, as in Fader, Hardie & Lee 2005), else --freq.",
        ),
        click.option(
            "--horizon",
            type=PositiveNumber(whole=True),
            default=12.0,
            show_default=True,
            help="Prediction and CLV horizon, a whole number of --horizon-unit.",
        ),
        click.option("--horizon-unit", type=UnitType(), default="M", show_default=True),
        click.option(
            "--discount-rate",
            type=PositiveNumber(at_least_zero=True),
            default=0.10,
            show_default=True,
            help="Annual discount rate for CLV.",
        ),
        click.option(
            "--bayes", is_flag=True, help="Also fit the Bayesian models (needs clvmodels.bayes)."
        ),
        click.option(
            "--penalizer",
            type=PositiveNumber(at_least_zero=True),
            default=0.0,
            show_default=True,
            help="L2 penalty on the fitted parameters (the models' penalizer_coef, as in "
            "lifetimes), e.g. 0.01 when a warning says parameters ran to infinity; it pulls "
            "every parameter towards 0.",
        ),
        click.option(
            "--currency",
            default=None,
            help="Currency of the amounts, shown in the money columns, e.g. EUR or $.",
        ),
        click.option(
            "--out",
            "--output",
            "-o",
            "out",
            type=OutputFolder(),
            default="clv-report",
            show_default=True,
            help="Folder for the models, scores.csv and report.html (replaced only when "
            "the run succeeds).",
        ),
    ]
    return _with_options(command, options)


def _with_options(command, options: list):
    """``command`` with ``options``, listed in ``--help`` in the order given."""
    for option in reversed(options):
        command = option(command)
    return command


def time_unit_for(freq: str, time_unit: str | None) -> str:
    """The ``--time-unit`` to use: as given, else W for --freq D, else --freq."""
    if time_unit is not None:
        return time_unit
    return "W" if canonical_unit(freq) == "D" else freq


#: The library's argument names in messages -> the command's option words.
_OPTION_WORDS = {
    "calibration_period_end": "the calibration end (the day before --holdout-start)",
    "observation_period_end": "--observation-end",
}


def in_option_words(message: str) -> str:
    """A library message with its argument names replaced by the command's options."""
    for name, words in _OPTION_WORDS.items():
        message = message.replace(name, words)
    return message


def check_holdout(holdout_start: str, first: pd.Timestamp, end: object, end_given: bool) -> None:
    """Refuse a ``--holdout-start`` that leaves nothing to fit on or nothing to check.

    ``first`` is the log's first date, ``end`` the last day observed (``--observation-end``
    when ``end_given``, else the last transaction).

    Raises
    ------
    DataValidationError
        Naming the option, the log's first or last day and what to choose.
    """
    start = pd.Timestamp(holdout_start).date()
    last = pd.Timestamp(end).date()
    option = f"--holdout-start {holdout_start}"
    if start > last:
        through = "--observation-end" if end_given else "the last transaction"
        raise DataValidationError(
            f"{option} is after the last day of the data ({last}, {through}): the holdout "
            f"period would be empty; choose a day on or before {last}"
        )
    if start <= first.date():
        raise DataValidationError(
            f"{option} is on or before the first transaction ({first.date()}): there is "
            "nothing to fit on before it; choose a later day"
        )
