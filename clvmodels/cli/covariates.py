"""``--covariates FILE``: each customer's covariates, read, checked and joined to the summary.

A covariate file is a CSV or Parquet file read like the log (``--sep``, ``--decimal``,
``--id-type``), keyed by the same customer id column (``--customer-col``):

- **static** (one row per customer, no ``period_start`` column): every other column is
  a covariate; numbers are used as they are, text columns become one 0/1 column per
  level against the first level in sorted order (:mod:`clvmodels.data.covariates`).
  Every customer of the log's summary needs exactly one row, and every row must be a
  customer of the summary;
- **time-varying** (one row per customer and period, with a ``period_start`` column, the
  first day of each period, of one regular length such as weeks): read and kept apart
  (:attr:`CovariateInput.dynamic`) for the models that take them (:func:`takes_time_varying`:
  the Pareto/NBD and the BG/NBD), fitted as ``fit(summary, dynamic_covariates=frame,
  transactions=log)``. Each customer needs every period from her first purchase through
  the end of the scoring horizon (and, with a holdout, through the holdout); the first
  missing one is a named error (:mod:`clvmodels.data.dynamic_covariates`).

``--purchase-covariates`` and ``--dropout-covariates`` choose the columns of each
process (default: every covariate column in both when neither is given; when only one
is given, the other process has none), ``--equal-effects`` constrains a column's effect
to be the same in both, ``--covariate-penalty`` adds an L2 penalty on the coefficients.
Every problem is one line naming the file, the column or the customer and the fix.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import click
import pandas as pd

from clvmodels.cli.columns import ids_as_numbers
from clvmodels.cli.dynamic_covariates import time_varying_inputs
from clvmodels.cli.inputs import EXIT_USAGE, InputError, check_columns, read_log_file
from clvmodels.cli.options import PositiveNumber
from clvmodels.data.covariates import check_covariate_ids, encode_covariates
from clvmodels.data.validation import row_label
from clvmodels.exceptions import DataValidationError

__all__ = [
    "PERIOD_COLUMN",
    "CovariateInput",
    "check_model_takes",
    "scoring_covariates",
    "covariate_options",
    "covariate_settings",
    "join_covariates",
    "model_keywords",
    "read_covariates",
    "takes_covariates",
    "takes_time_varying",
]

#: The column that makes a covariate file time-varying (one row per customer and period).
PERIOD_COLUMN = "period_start"

#: A step runner, as in :mod:`clvmodels.cli.pipeline`.
Steps = Callable[[str], AbstractContextManager]


def _names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(name.strip() for name in value.split(",") if name.strip())


def covariate_options(command):
    """``--covariates`` and the options that say which columns enter which process."""
    options = [
        click.option(
            "--covariates",
            "covariates",
            multiple=True,
            metavar="FILE",
            help="CSV or Parquet file of customer covariates keyed by --customer-col: one "
            "row per customer (static), or one per customer and period with a "
            f"{PERIOD_COLUMN} column (time-varying). Numbers are used as they are; text "
            "columns (write codes such as regions as text) become one 0/1 column per level "
            "against the first in sorted order.",
        ),
        click.option(
            "--purchase-covariates",
            default=None,
            metavar="COLS",
            help="Comma-separated covariate columns that act on the purchase rate. "
            "Default: every covariate column when --dropout-covariates is not given, "
            "else none.",
        ),
        click.option(
            "--dropout-covariates",
            default=None,
            metavar="COLS",
            help="Comma-separated covariate columns that act on dropout. Default: every "
            "covariate column when --purchase-covariates is not given, else none.",
        ),
        click.option(
            "--equal-effects",
            default=None,
            metavar="COLS",
            help="Comma-separated columns whose effect is the same on purchase and "
            "dropout (one coefficient; the column must act on both).",
        ),
        click.option(
            "--covariate-penalty",
            type=PositiveNumber(at_least_zero=True),
            default=None,
            help="L2 penalty on the covariate coefficients, e.g. 0.1 when effects run to "
            "extremes on small data.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass(frozen=True)
class CovariateInput:
    """The covariate files of a run, read.

    Attributes
    ----------
    static
        One row per customer, indexed by customer id (named as ``--customer-col``), or
        None; its file's name in ``static_file``.
    dynamic
        One row per customer and period (the id column, ``period_start``, covariates),
        or None; its file's name in ``dynamic_file``.
    """

    static: pd.DataFrame | None = None
    static_file: str | None = None
    dynamic: pd.DataFrame | None = None
    dynamic_file: str | None = None
    customer_col: str | None = None

    @property
    def columns(self) -> list[str]:
        """Every covariate column, the static file's first."""
        static = [] if self.static is None else list(self.static.columns)
        dynamic = []
        if self.dynamic is not None:
            keys = (self.customer_col, PERIOD_COLUMN)
            dynamic = [c for c in self.dynamic.columns if c not in keys and c not in static]
        return static + dynamic

    @property
    def files(self) -> str:
        """The files' names as the settings show them."""
        return ", ".join(f for f in (self.static_file, self.dynamic_file) if f)


def _index_ids(frame: pd.DataFrame, path: str, customer_col: str, id_type: str) -> pd.DataFrame:
    """``frame`` indexed by its customer ids; a duplicated id is an error naming both lines."""
    ids = frame[customer_col]
    if id_type == "number":
        ids = ids_as_numbers(ids, "--customer-col")
    missing = ids.isna().to_numpy()
    if missing.any():
        where = row_label(frame.index, int(missing.argmax()))
        raise InputError(
            f"--covariates {path}: {where} has no customer id in {customer_col!r}; every "
            "row needs one"
        )
    duplicated = ids.duplicated(keep=False).to_numpy()
    if duplicated.any():
        first = _shown(ids[duplicated].iloc[0])
        lines = [row_label(frame.index, i) for i in range(len(ids)) if ids.iloc[i] == first]
        raise InputError(
            f"--covariates {path}: the customer {first!r} has {len(lines)} rows ("
            f"{' and '.join(lines[:2])}); a file without a {PERIOD_COLUMN} column holds one "
            "row per customer"
        )
    out = frame.drop(columns=customer_col)
    out.index = pd.Index(ids.to_numpy(), name=customer_col)
    return out


def read_covariates(
    paths: Sequence[str], options: Mapping[str, Any], customer_col: str, steps: Steps
) -> CovariateInput | None:
    """The ``--covariates`` files, read and keyed by customer (None when none is given).

    Raises
    ------
    InputError
        A file that cannot be read, has no ``--customer-col`` column (exit 2), has a
        duplicated or missing id, or two files of the same kind.
    """
    if not paths:
        return None
    found: dict[str, tuple[str, pd.DataFrame]] = {}
    for path in paths:
        with steps(f"Reading the covariates in {path}"):
            frame, _ = read_log_file(
                path, [customer_col], options.get("sep"), options.get("decimal")
            )
        check_columns(
            frame,
            {"--customer-col": customer_col},
            f"--covariates {path}",
            "; a covariate file is keyed by the log's customer id column",
        )
        kind = "dynamic" if PERIOD_COLUMN in frame.columns else "static"
        if kind in found:
            raise InputError(
                f"--covariates {found[kind][0]} and {path} are both "
                f"{'time-varying' if kind == 'dynamic' else 'one row per customer'}: "
                "give one file of each kind (merge the columns into one file)",
                exit_code=EXIT_USAGE,
            )
        if kind == "static":
            frame = _index_ids(frame, path, customer_col, options.get("id_type") or "text")
        elif (options.get("id_type") or "text") == "number":
            frame = frame.assign(**{customer_col: ids_as_numbers(frame[customer_col], path)})
        found[kind] = (path, frame)
    static = found.get("static", (None, None))
    dynamic = found.get("dynamic", (None, None))
    return CovariateInput(static[1], static[0], dynamic[1], dynamic[0], customer_col)


def covariate_settings(
    covariates: CovariateInput | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The run's covariate settings from the options, every named column checked.

    Returns
    -------
    dict
        ``covariates`` (the files), ``purchase_covariates``, ``dropout_covariates``,
        ``equal_effects`` (comma-separated, None when empty) and ``covariate_penalty``.

    Raises
    ------
    InputError
        A column option without ``--covariates``, a column not in the files (exit 2), an
        equal effect not in both processes.
    """
    chosen = {
        name: _names(options.get(name))
        for name in ("purchase_covariates", "dropout_covariates", "equal_effects")
    }
    if covariates is None:
        given = [f"--{k.replace('_', '-')}" for k, v in chosen.items() if v is not None]
        if options.get("covariate_penalty") is not None:
            given.append("--covariate-penalty")
        if given:
            raise InputError(
                f"{given[0]} needs --covariates FILE (the customers' covariates)",
                exit_code=EXIT_USAGE,
            )
        return {}
    columns = covariates.columns
    if chosen["purchase_covariates"] is None and chosen["dropout_covariates"] is None:
        chosen["purchase_covariates"] = chosen["dropout_covariates"] = tuple(columns)
    for name, listed in chosen.items():
        check_columns(
            columns,
            {f"--{name.replace('_', '-')} column": c for c in listed or ()},
            f"--covariates {covariates.files}",
        )
    if not (chosen["purchase_covariates"] or chosen["dropout_covariates"]):
        raise InputError(
            "--purchase-covariates and --dropout-covariates choose no column: name at least "
            f"one of {columns}, or leave both out to use every column in both",
            exit_code=EXIT_USAGE,
        )
    for column in chosen["equal_effects"] or ():
        if column not in (chosen["purchase_covariates"] or ()) or column not in (
            chosen["dropout_covariates"] or ()
        ):
            raise InputError(
                f"--equal-effects {column}: the column must act on both processes; add it "
                "to --purchase-covariates and --dropout-covariates",
                exit_code=EXIT_USAGE,
            )
    settings: dict[str, Any] = {"covariates": covariates.files}
    for name, listed in chosen.items():
        settings[name] = ",".join(listed) if listed else None
    settings["covariate_penalty"] = options.get("covariate_penalty")
    return settings


def takes_covariates(model_class: type) -> bool:
    """Whether ``model_class`` takes static covariates (its ``purchase_covariates``)."""
    return "purchase_covariates" in inspect.signature(model_class).parameters


def takes_time_varying(model_class: type) -> bool:
    """Whether ``model_class`` fits time-varying covariates (it has a ``dynamic`` module)."""
    return takes_covariates(model_class) and getattr(model_class, "dynamic", None) is not None


def model_keywords(settings: Any) -> dict[str, Any]:
    """The model's covariate keywords from the run's settings (empty without covariates)."""
    if not getattr(settings, "covariates", None):
        return {}
    keywords: dict[str, Any] = {
        name: list(_names(getattr(settings, name)) or ())
        for name in ("purchase_covariates", "dropout_covariates", "equal_effects")
    }
    if settings.covariate_penalty is not None:
        keywords["covariate_penalty"] = settings.covariate_penalty
    return keywords


def _used(settings: Any) -> list[str]:
    keywords = model_keywords(settings)
    return list(dict.fromkeys(keywords["purchase_covariates"] + keywords["dropout_covariates"]))


def _shown(value: Any) -> Any:
    """An id as a message shows it: a numpy number as a plain one (``7``, not ``np.int64(7)``)."""
    return value.item() if hasattr(value, "item") else value


def join_covariates(
    summary: pd.DataFrame, covariates: CovariateInput, settings: Any
) -> pd.DataFrame:
    """The summary with each customer's static covariates, checked as the fit will use them.

    Raises
    ------
    InputError
        Naming the file and a customer: an id not in the summary, a customer of the
        summary without a row, a covariate column named like a summary column.
    clvmodels.exceptions.DataValidationError
        A missing or non-finite value, a constant or perfectly collinear column (named).
    """
    static, path = covariates.static, covariates.static_file
    if static is None:
        return summary
    clash = [c for c in static.columns if c in summary.columns]
    if clash:
        raise InputError(
            f"--covariates {path}: the column(s) {clash} have the names of summary columns; "
            "rename them",
            exit_code=EXIT_USAGE,
        )
    if pd.api.types.is_numeric_dtype(summary.index) and not pd.api.types.is_numeric_dtype(
        static.index
    ):  # a summary made by DuckDB keeps numeric ids as numbers
        static = static.set_axis(ids_as_numbers(static.index.to_series(), path), axis=0)
    elif pd.api.types.is_integer_dtype(static.index) and not pd.api.types.is_numeric_dtype(
        summary.index
    ):  # whole-number ids of a Parquet file, text ids of the log: compared as text
        static = static.set_axis(static.index.astype(str), axis=0)
    try:  # ids not in the summary, summary customers without a row
        check_covariate_ids(summary, static)
    except DataValidationError as error:
        raise InputError(f"--covariates {path}: {error}") from None
    used = [c for c in _used(settings) if c in static.columns]
    encode_covariates(static.loc[summary.index], used, f"--covariates {path}")
    return summary.join(static[used])


def check_model_takes(
    model: str,
    models: Mapping[str, type],
    covariates: CovariateInput | None,
    bayes: bool = False,
) -> None:
    """Refuse covariates that ``--model`` (or the command) cannot fit in this version.

    Raises
    ------
    InputError
        A model without covariates, or a time-varying covariate file for a model (or
        ``--bayes``) that does not take one (exit 2).
    """
    if covariates is None:
        return
    if not takes_covariates(models[model]):
        able = [key for key, cls in models.items() if takes_covariates(cls)]
        raise InputError(
            f"--model {model} does not take covariates in this version of clvmodels; "
            f"models that do: {', '.join(sorted(able))}",
            exit_code=EXIT_USAGE,
        )
    if covariates.dynamic is not None and not takes_time_varying(models[model]):
        able = [key for key, cls in models.items() if takes_time_varying(cls)]
        raise InputError(
            f"--covariates {covariates.dynamic_file} has a {PERIOD_COLUMN} column: "
            f"time-varying covariates (one row per customer and period), which --model "
            f"{model} does not take; models that do: {', '.join(sorted(able))} (or give one "
            "row per customer: static covariates)",
            exit_code=EXIT_USAGE,
        )
    if covariates.dynamic is not None and bayes:
        raise InputError(
            f"--bayes with --covariates {covariates.dynamic_file}: the Bayesian BG/NBD takes "
            f"static covariates only, not a file with a {PERIOD_COLUMN} column; leave out "
            "--bayes, or give one row per customer",
            exit_code=EXIT_USAGE,
        )


def scoring_covariates(
    summary: pd.DataFrame,
    model_dir: object,
    settings: Any,
    options: Mapping[str, Any],
    steps: Steps,
    purchase_model: Any = None,
    log: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``clvmodels score``: the summary with ``--covariates`` joined, as the models need.

    A time-varying file is attached to a purchase model fitted with one
    (``attach_dynamic_covariates``, with ``log``, the transaction log in memory, for the
    BG/NBD), after checking that it covers every customer through the scoring horizon.

    Raises
    ------
    InputError
        Covariates missing for models fitted with them, or given for models without; a
        time-varying file for a model fitted without one, or the reverse.
    """
    covariates = read_covariates(options["covariates"], options, settings.customer_col, steps)
    if settings.covariates and covariates is None:
        raise InputError(
            f"the models in {model_dir} were fitted with covariates ({settings.covariates}): "
            "give the customers' covariates with --covariates FILE",
            exit_code=EXIT_USAGE,
        )
    if covariates is None:
        return summary
    if not settings.covariates:
        raise InputError(
            f"--covariates: the models in {model_dir} were fitted without covariates; "
            "leave the option out",
            exit_code=EXIT_USAGE,
        )
    time_varying = getattr(purchase_model, "has_dynamic_covariates", False)
    if time_varying != (covariates.dynamic is not None):
        fitted = "with" if time_varying else "without"
        raise InputError(
            f"--covariates {covariates.files}: the purchase model in {model_dir} was fitted "
            f"{fitted} time-varying covariates ({settings.covariates}); give "
            f"{'a' if time_varying else 'no'} file with a {PERIOD_COLUMN} column",
            exit_code=EXIT_USAGE,
        )
    with steps("Joining the covariates to the summary"):
        summary = join_covariates(summary, covariates, settings)
    if not time_varying:
        return summary
    if log is None and type(purchase_model).predictions_need_purchases:
        raise InputError(
            f"{type(purchase_model).__name__} with time-varying covariates reads the "
            "covariates at each repeat purchase: score a transaction log, not a summary",
            exit_code=EXIT_USAGE,
        )
    with steps("Checking the time-varying covariates through the scoring horizon"):
        inputs = time_varying_inputs(summary, covariates, log, settings, _used(settings))
        purchase_model.attach_dynamic_covariates(
            inputs["dynamic_covariates"], log, settings.date_col
        )
    return summary
