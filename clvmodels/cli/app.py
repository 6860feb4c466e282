"""The ``clvmodels`` command: demo, fit and score, built with Click and Rich.

``main`` runs the command and turns every failure into one line on stderr and an
exit status (see ``EXIT_STATUS``); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

import clvmodels as clv
from clvmodels.atomic import atomic_directory
from clvmodels.cli import pipeline
from clvmodels.cli.covariates import (
    CovariateInput,
    check_model_takes,
    covariate_options,
    covariate_settings,
    read_covariates,
    scoring_covariates,
)
from clvmodels.cli.distribution import CountRange, distribution_columns
from clvmodels.cli.inputs import (
    EXIT_DATA,
    EXIT_USAGE,
    InputError,
    duckdb_source,
    log_columns,
    read_files,
)
from clvmodels.cli.logfile import is_duckdb, prepare_frame, read_frame, read_log
from clvmodels.cli.options import (
    DateType,
    OutputFile,
    column_options,
    common_options,
    engine_option,
    time_unit_for,
    valuation_options,
)
from clvmodels.cli.outputs import (
    RUN_FILE,
    Output,
    Terminated,
    check_replaceable,
    earlier_outputs,
    raise_if_stopped,
    stop_on_signals,
    write_frame,
    write_run,
)
from clvmodels.cli.terminal import print_run, report_warnings
from clvmodels.data.units import with_time_unit
from clvmodels.exceptions import DataValidationError, ModelFileError, UnitMismatchError
from clvmodels.report.content import drop_repeated_baselines

__all__ = ["EXIT_STATUS", "cli", "main"]

EXIT_STATUS = {
    0: "success",
    1: "an unexpected error while running",
    EXIT_USAGE: "a wrong option, a missing input file or a column name not in the file",
    EXIT_DATA: "input that cannot be used: empty, unparseable dates, invalid values, a bad "
    "model file",
    130: "interrupted (Ctrl-C); nothing was written",
    143: "terminated (SIGTERM; 129 for SIGHUP); nothing was written",
}
DEMO_CALIBRATION_END = "1997-09-30"
DEMO_OBSERVATION_END = "1998-06-30"
_EXIT_HELP = "\b\nExit status:\n" + "\n".join(f"  {k:>3}  {v}" for k, v in EXIT_STATUS.items())


def _examples(*lines: str) -> str:
    """An epilog block that Click prints as written (a backspace line stops rewrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines) + "\n\n"


_CLI_EXAMPLES = _examples(
    "clvmodels demo                       # the bundled CDNOW data, report in clv-report/",
    "clvmodels fit sales.csv --customer-col customer --date-col date \\",
    "    --amount-col amount --holdout-start 2024-01-01 --out results",
    "clvmodels score results new_sales.csv --out scores.csv",
)
_DEMO_EXAMPLES = _examples(
    "clvmodels demo                       # report in clv-report/report.html",
    "clvmodels demo --out /tmp/cdnow --horizon 24",
    "clvmodels demo --json               # key numbers for scripts",
)
_FIT_EXAMPLES = _examples(
    "clvmodels fit sales.csv --customer-col customer --date-col date --out results",
    "clvmodels fit sales.parquet --customer-col id --date-col day --amount-col amount \\",
    "    --holdout-start 2024-07-01 --horizon 24 --out results",
    "clvmodels fit sales.csv --customer-col id --date-col day --freq W --json",
    "clvmodels fit 'logs/*.parquet' --customer-col id --date-col day --out results",
    "    # a glob (quoted) or a folder: summarised inside DuckDB, out of core",
    "clvmodels fit sales.csv --customer-col id --date-col day --covariates customers.csv \\",
    "    --purchase-covariates channel,age --dropout-covariates channel --out results",
    "clvmodels fit sales.csv --customer-col id --date-col day --model pareto \\",
    "    --covariates weekly.csv --horizon 3 --out results   # period_start: time-varying",
)
_SCORE_EXAMPLES = _examples(
    "clvmodels score results new_sales.csv --out scores.csv",
    "clvmodels score results new_sales.csv --out scores.csv --distribution 0..5",
    "clvmodels score results summary.csv --out scores.parquet --observation-end 2024-12-31",
    "clvmodels score results 'logs/*.parquet' --out scores.parquet",
)


# -- the commands --------------------------------------------------------------------------
@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_CLI_EXAMPLES + _EXIT_HELP,
)
@click.version_option(clv.__version__, "--version", prog_name="clvmodels")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def cli(debug: bool) -> None:
    """Customer-lifetime-value models from a transaction log."""


def _bayes_available(bayes: bool) -> None:
    if bayes and not hasattr(clv, "BayesianBetaGeoModel"):
        raise InputError(
            "--bayes needs the Bayesian models (clvmodels.bayes), which this version of "
            "clvmodels does not have",
            exit_code=EXIT_USAGE,
        )


def _run_and_write(
    output: Output,
    out: Path,
    load: Callable[[], pd.DataFrame],
    settings: pipeline.Settings,
    title: str,
    source: str,
    cohorts: pd.DataFrame | None = None,
    reading: dict[str, Any] | None = None,
    covariates: CovariateInput | None = None,
) -> None:
    check_replaceable(out)  # a run replaces the whole folder: only one clvmodels wrote
    # an unwritable --out fails before any work
    replace = earlier_outputs(out)
    with atomic_directory(out, replace=replace) as staging, output.warnings_of(None):
        transactions = load()
        run = pipeline.run_pipeline(transactions, settings, output.step, title, source, covariates)
        if reading is not None:  # how the file was read: in --json and run.json
            run.numbers["input"] = reading
        if cohorts is not None:
            run.content.retention = pipeline.retention_content(
                cohorts, settings.discount_rate, output.step
            )
        run.content.currency = settings.currency
        drop_repeated_baselines(run.content)
        run.content.warnings = report_warnings(output.notices)
        with output.step("Writing the report"):
            files = write_run(run, staging, f"{settings.model}.json", output.warning_lines())
        raise_if_stopped()  # a signal whose exception a finalizer swallowed
    print_run(output, run)
    output.line(f"\nwrote {out / 'report.html'} and {len(files) - 1} other files in {out}")
    output.finish(
        {
            "command": "demo" if cohorts is not None else "fit",
            "out": str(out),
            "files": files,
            **run.numbers,
        }
    )


@cli.command(
    short_help="The main job on the bundled CDNOW data.", epilog=_DEMO_EXAMPLES + _EXIT_HELP
)
@valuation_options
@common_options
def demo(**options: Any) -> None:
    """Fit, check and value the models on the bundled CDNOW data; write the report.

    The main job on the CDNOW master log (23,570 customers, 1997-01 to 1998-06):
    RFM summary, BG/NBD + Gamma-Gamma, CLV against the textbook formulas, the
    39/39-week calibration/holdout check, and the sBG retention model on the
    bundled contractual cohorts.
    """
    output = Output(options["quiet"], options["as_json"])
    _bayes_available(options["bayes"])
    settings = pipeline.Settings(
        customer_col="customer_id",
        date_col="date",
        amount_col="spend",
        freq=options["freq"],
        time_unit=time_unit_for(options["freq"], options["time_unit"]),
        observation_end=DEMO_OBSERVATION_END,
        holdout_start=str((pd.Timestamp(DEMO_CALIBRATION_END) + pd.Timedelta(days=1)).date()),
        horizon=options["horizon"],
        horizon_unit=options["horizon_unit"],
        discount_rate=options["discount_rate"],
        bayes=options["bayes"],
        penalizer=options["penalizer"],
        currency=options["currency"],
    )

    def load() -> pd.DataFrame:
        with output.step("Loading the CDNOW master log"):
            return clv.datasets.load_cdnow_transactions()

    _run_and_write(
        output,
        options["out"],
        load,
        settings,
        "Customer value: CDNOW",
        "the CDNOW master log (bundled)",
        cohorts=clv.datasets.load_retention_cohorts(),
    )


@cli.command(
    short_help="Fit, score and report on your CSV/Parquet log.", epilog=_FIT_EXAMPLES + _EXIT_HELP
)
@click.argument("transactions", metavar="TRANSACTIONS")
@column_options(required=True)
@click.option(
    "--observation-end",
    type=DateType(),
    default=None,
    help="Last day observed (default: last date).",
)
@click.option(
    "--holdout-start",
    type=DateType(),
    default=None,
    help="First day of a holdout period: also fit on the days before and check the "
    "predictions against it.",
)
@engine_option
@click.option(
    "--model",
    type=click.Choice(sorted(pipeline.purchase_models())),
    default="bgnbd",
    show_default=True,
    help="Purchase model.",
)
@covariate_options
@valuation_options
@common_options
def fit(transactions: str, **options: Any) -> None:
    """Fit the models to your transaction log (CSV or Parquet); score customers; report.

    TRANSACTIONS has one row per purchase: a CSV or Parquet file, a folder of them or a
    glob such as 'logs/*.parquet' (quoted; folders and globs are summarised inside
    DuckDB, so they may be larger than memory). The output folder gets the fitted models
    (JSON), scores.csv (and scores.parquet with pyarrow) with frequency, recency, T,
    P(alive), expected purchases, expected spend and CLV per customer, run.json (for
    'clvmodels score') and report.html with its tables as CSV.

    With --covariates, the purchase model's rates depend on each customer's covariates
    (one row per customer, keyed by --customer-col); the report states each effect in
    words with its 95 % interval and tests the covariates against the model without.
    A file with a period_start column holds time-varying covariates (one row per
    customer and period, e.g. weekly; --model pareto or bgnbd), covering each customer
    from her first purchase through the end of the scoring horizon.
    """
    output = Output(options["quiet"], options["as_json"])
    _bayes_available(options["bayes"])
    covariates = read_covariates(
        options["covariates"], options, options["customer_col"], output.step
    )
    check_model_takes(options["model"], pipeline.purchase_models(), covariates, options["bayes"])
    settings = pipeline.Settings(
        customer_col=options["customer_col"],
        date_col=options["date_col"],
        amount_col=options["amount_col"],
        freq=options["freq"],
        time_unit=time_unit_for(options["freq"], options["time_unit"]),
        observation_end=options["observation_end"],
        holdout_start=options["holdout_start"],
        date_format=options["date_format"],
        model=options["model"],
        horizon=options["horizon"],
        horizon_unit=options["horizon_unit"],
        discount_rate=options["discount_rate"],
        bayes=options["bayes"],
        penalizer=options["penalizer"],
        currency=options["currency"],
        **covariate_settings(covariates, options),
    )
    wanted = {
        "--customer-col": settings.customer_col,
        "--date-col": settings.date_col,
        "--amount-col": settings.amount_col,
    }
    log, reading = read_log(transactions, options, settings, wanted, output.step)
    _run_and_write(
        output,
        options["out"],
        lambda: log,
        settings,
        f"Customer value: {transactions}",
        transactions,
        reading=reading,
        covariates=covariates,
    )


def _load_run(model_dir: Path) -> tuple[pipeline.Settings, Any, Any]:
    run_file = model_dir / RUN_FILE
    if not model_dir.is_dir():
        raise InputError(f"{model_dir}: no such folder", exit_code=EXIT_USAGE)
    if not run_file.exists():
        raise InputError(
            f"{model_dir} has no {RUN_FILE}: name a folder written by 'clvmodels fit'",
            exit_code=EXIT_USAGE,
        )
    try:
        document = json.loads(run_file.read_text(encoding="utf-8"))
        settings = pipeline.Settings(**document["settings"])
        model_class = pipeline.purchase_models()[settings.model]
    except (ValueError, KeyError, TypeError) as error:
        raise ModelFileError(f"{run_file}: not a valid run file ({error!r})") from None
    if not document.get("purchase_model"):
        raise InputError(
            f"{model_dir}: the run saved no purchase model (a model with covariates cannot "
            "be saved by this version of clvmodels); score with 'clvmodels fit' on the new "
            "data instead",
            exit_code=EXIT_USAGE,
        )
    purchase = model_class.load(model_dir / document["purchase_model"])
    spend = None
    if document.get("spend_model"):
        spend = clv.GammaGammaModel.load(model_dir / document["spend_model"])
    return settings, purchase, spend


@cli.command(short_help="Score new data with saved models.", epilog=_SCORE_EXAMPLES + _EXIT_HELP)
@click.argument("model_dir", metavar="MODEL_DIR", type=click.Path(path_type=Path))
@click.argument("data", metavar="DATA")
@click.option("--out", "-o", "out", type=OutputFile(), required=True, help="CSV or .parquet.")
@column_options(required=False)
@click.option(
    "--observation-end",
    type=DateType(),
    default=None,
    help="Score as of this day (default: the last date in DATA).",
)
@engine_option
@click.option(
    "--covariates",
    "covariates",
    multiple=True,
    metavar="FILE",
    help="The customers' covariates (one row per customer, keyed by --customer-col, or "
    "one per customer and period with a period_start column, covering each customer "
    "through the scoring horizon), needed when the models were fitted with covariates.",
)
@click.option(
    "--distribution",
    type=CountRange(),
    default=None,
    help="Add each customer's chances of FIRST..LAST purchases over the horizon: columns "
    "P(X=FIRST) .. P(X=LAST-1) and P(X>=LAST), e.g. --distribution 0..5.",
)
@common_options
def score(model_dir: Path, data: str, **options: Any) -> None:
    """Score customers with the models saved by 'clvmodels fit', without refitting.

    DATA is a transaction log, or a summary with frequency, recency and T (and
    monetary_value) per customer in the models' time unit. Its columns, date layout
    and ids are read as when the models were fitted unless the column options say
    otherwise. A folder or a glob of log files is summarised inside DuckDB.
    """
    output = Output(options["quiet"], options["as_json"])
    settings, purchase, spend = _load_run(model_dir)
    given = {k: options[k] for k in ("customer_col", "date_col", "amount_col", "date_format")}
    settings = dataclasses.replace(settings, **{k: v for k, v in given.items() if v is not None})
    summary, log = _scoring_summary(data, options, settings, output)
    summary = scoring_covariates(summary, model_dir, settings, options, output.step, purchase, log)
    if spend is not None and "monetary_value" not in summary:
        output.line(f"{data} has no monetary_value column: expected spend and CLV are left out")
        spend = None
    with output.step("Scoring customers"):
        scores, _ = pipeline.score_summary(summary, purchase, spend, settings)
        if options["distribution"] is not None:
            extra = distribution_columns(
                purchase, summary, options["distribution"], settings.horizon_in_units()
            )
            scores = scores.join(extra)
    write_frame(scores, options["out"])
    output.line(f"scored {len(scores):,} customers; wrote {options['out']}")
    output.finish({"command": "score", "out": str(options["out"]), "customers": len(scores)})


def _scoring_summary(
    data: str, options: dict[str, Any], settings: pipeline.Settings, output: Output
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The summary to score: DATA as given if it is one, else DATA summarised.

    A glob of summaries (frequency, recency, T columns) is small enough to read in.
    Returns the summary and, when DATA is a log and time-varying covariates are given,
    the log in memory (for the BG/NBD's covariates at the repeat purchases).
    """
    wanted = {
        "--customer-col": settings.customer_col,
        "--date-col": settings.date_col,
        "--amount-col": settings.amount_col,
    }
    advice = ""
    if any(options[k] is None for k in ("customer_col", "date_col", "amount_col")):
        advice = (
            "; the columns named when the models were fitted: name this file's with "
            "--customer-col, --date-col and --amount-col"
        )
    if is_duckdb(data, options):
        source = duckdb_source(data)
        if {"frequency", "recency", "T"} <= set(log_columns(source, None)):
            return _summary_as_given(read_files(source), settings), None
        log, _ = read_log(data, options, settings, wanted, output.step, advice)
    else:
        frame, dialect = read_frame(data, options, settings, output.step)
        if {"frequency", "recency", "T"} <= set(frame.columns):
            return _summary_as_given(frame, settings), None
        log, _ = prepare_frame(frame, dialect, data, options, settings, wanted, advice)
    with output.step("Summarising the transaction log"):
        summary = pipeline.summarise(log, settings, options["observation_end"])
    return summary, pipeline.in_memory(log, settings) if options["covariates"] else None


def _summary_as_given(frame: pd.DataFrame, settings: pipeline.Settings) -> pd.DataFrame:
    index = settings.customer_col if settings.customer_col in frame else frame.columns[0]
    return with_time_unit(frame.set_index(index), settings.time_unit)


# -- running it: one line per failure ------------------------------------------------------
def _one_line(error: BaseException) -> str:
    """An exception as one line: its message's lines joined, OS errors made readable."""
    if isinstance(error, OSError) and error.strerror:
        where = f" {error.filename}" if error.filename else ""
        return f"cannot write{where}: {error.strerror}"
    lines = (re.sub(r"^\s*-\s+", "", line).strip() for line in str(error).splitlines())
    text = "; ".join(line for line in lines if line).replace(":; ", ": ")
    return text or type(error).__name__


def _status(error: Exception) -> int:
    if isinstance(error, InputError):
        return error.exit_code
    if isinstance(error, DataValidationError | ModelFileError | UnitMismatchError):
        return EXIT_DATA
    return 1


#: Click >= 8.2 raises this for a bare command that has subcommands (8.1 prints the help).
_NO_ARGUMENTS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clvmodels`` command; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    try:
        with stop_on_signals():
            status = cli.main(args=arguments, prog_name="clvmodels", standalone_mode=False)
        return status if isinstance(status, int) else 0
    except _NO_ARGUMENTS as error:  # bare 'clvmodels': the help, as a usage error
        print(error.format_message(), file=sys.stderr)
        return EXIT_USAGE
    except click.UsageError as error:
        if debug:
            raise
        where = error.ctx.command_path if error.ctx else "clvmodels"
        message = _one_line(Exception(error.format_message()))
        print(f"{where}: error: {message} (see '{where} --help')", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, click.Abort):
        if debug:
            raise
        print("clvmodels: interrupted; no output was written", file=sys.stderr)
        return 130
    except Terminated as stopped:
        print(f"clvmodels: stopped by {stopped}; no output was written", file=sys.stderr)
        return 128 + stopped.signal_number
    except Exception as error:
        if debug:
            raise
        status = _status(error)  # the traceback helps only with an unexpected error
        hint = " (run with --debug for the traceback)" if status == 1 else ""
        print(f"clvmodels: error: {_one_line(error)}{hint}", file=sys.stderr)
        return status
