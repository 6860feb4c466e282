"""What fitted parameters mean, in sentences a manager can read.

Each model's specification (``models/<model>/spec.py``, read here through the registry)
takes its ``params_`` (name -> value) and returns sentences; the arithmetic is the
models' textbook moments (the mean of a gamma or beta distribution), stated next to the
numbers so a reader can check them.
"""

from __future__ import annotations

from collections.abc import Mapping

from clvmodels.models.registry import MODELS

__all__ = ["backtest_verdict", "parameter_words"]


#: Class name -> its specification's sentences (every registered model states its own).
_WORDS = {entry.mle.__name__: entry.spec.describe for entry in MODELS.values()}


def parameter_words(model_class: str, params: Mapping[str, float], unit: str) -> list[str]:
    """Sentences on what a fitted model's parameters mean.

    Parameters
    ----------
    model_class
        The class name, e.g. ``"BetaGeoModel"``.
    params
        Its ``params_``.
    unit
        The time unit in words, singular (``"week"``).

    Returns
    -------
    list of str
        Empty for a model without a description here.

    Examples
    --------
    >>> words = parameter_words("BetaGeoModel", {"r": 0.243, "alpha": 4.41, "a": 0.793,
    ...                                          "b": 2.43}, "week")
    >>> words[1][:70]
    'After each purchase a customer stops buying for good with probability '
    >>> "24.6%" in words[1]
    True
    """
    describe = _WORDS.get(model_class)
    return describe(params, unit) if describe else []


def _signed(share: float) -> str:
    """A relative error as words: ``12 % low``, ``31 % high``, ``on target``."""
    if abs(share) < 0.005:
        return "on target (within 0.5 %)"
    return f"{abs(share) * 100:.0f} % {'high' if share > 0 else 'low'}"


def backtest_verdict(
    backtest: Mapping, period: str | None = None, without_covariates: str | None = None
) -> str | None:
    """One sentence on the backtest: the model's total error and the best baseline's.

    Parameters
    ----------
    backtest
        The report's backtest tables; ``"purchases metrics"`` has one row per model
        (the chosen model first, then the textbook baselines) with
        ``total_relative_error``.
    period
        The holdout period in words, e.g. ``"1997-10-01 to 1998-06-30"``.
    without_covariates
        The row of the same model without covariates, when the model has them: said
        apart, not counted among the textbook formulas.

    Returns
    -------
    str or None
        ``None`` without a backtest.

    Examples
    --------
    >>> import pandas as pd
    >>> metrics = pd.DataFrame({"total_relative_error": [-0.12, 0.31, 0.45]},
    ...                        index=["BG/NBD + Gamma-Gamma", "run rate", "last period"])
    >>> backtest_verdict({"purchases metrics": metrics})
    "Backtest: the model's forecast of purchases was 12 % low; the best textbook formula \
(run rate) was 31 % high."
    """
    metrics = backtest.get("purchases metrics")
    if metrics is None or metrics.empty or "total_relative_error" not in metrics:
        return None
    errors = metrics["total_relative_error"]
    when = f" (holdout {period})" if period else ""
    text = f"Backtest{when}: the model's forecast of purchases was {_signed(errors.iloc[0])}"
    baselines = errors.iloc[1:].dropna()
    if without_covariates is not None and without_covariates in baselines:
        text += f"; without covariates, {_signed(baselines[without_covariates])}"
        baselines = baselines.drop(without_covariates)
    if len(baselines):
        best = baselines.abs().idxmin()
        text += f"; the best textbook formula ({best}) was {_signed(baselines[best])}"
    return text + "."
