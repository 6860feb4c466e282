"""The command's option types and shared options: each bad value is one line.

Each type turns the text of an option into a value or fails with what is wrong
(Click adds the option's name); the shared options are the same on every command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import pandas as pd

from clvmodels.checks import finite_scalar
from clvmodels.data.units import canonical_unit

__all__ = [
    "DateType",
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


class DateType(click.ParamType):
    """A date that pandas parses, e.g. 2024-06-30 (kept as text)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:  # noqa: D102 (Click's)
        try:
            pd.Timestamp(value)
        except (ValueError, TypeError):
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)
        return value


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
    for option in reversed(options):
        command = option(command)
    return command


def time_unit_for(freq: str, time_unit: str | None) -> str:
    """The ``--time-unit`` to use: as given, else W for --freq D, else --freq."""
    if time_unit is not None:
        return time_unit
    return "W" if canonical_unit(freq) == "D" else freq
