r"""Covariate effects in words: "customers with channel online buy 1.41 times as often".

A model with static covariates scales its mixing distributions by each customer's linear
predictors (CLVTools' parametrisation, Bachmann, Meierer & Naef 2021). What a coefficient
means is read from the model itself, by asking its ``customer_parameters`` what one unit
of a predictor does to the reference customer's parameters:

- **a rate** (a gamma scale divided by :math:`e^{\gamma}`: the purchase rate of every
  model, the Pareto/NBD's dropout rate). Every customer's rate, at every quantile of the
  gamma distribution, is multiplied by :math:`e^{\gamma}`: "buy 1.41 times as often",
  "drop out at 1.82 times the rate". The 95 % interval is
  :math:`e^{\gamma \pm 1.96\,\mathrm{SE}}` (the Wald interval of the model's ``summary()``,
  exponentiated).
- **a concentration** (the BG/NBD's dropout: a and b both multiplied by
  :math:`e^{\gamma}`). The mean chance of dropping out after a purchase, a / (a + b), does
  not move; the chances bunch around it as :math:`\gamma` grows. Fewer customers are then
  nearly loyal, so fewer stay through many purchases: the share that stays through
  :data:`OCCASIONS` purchase occasions, :math:`E[(1-p)^k] = B(a, b + k) / B(a, b)`, falls
  as :math:`\gamma` grows (``(1 - p)^k`` is convex in p, and a beta with the same mean and
  a larger a + b is less spread in the convex order). The sentence gives that share with
  its interval (the share at the coefficient's interval bounds; it is monotone in it).

A parametrisation of another shape gets the plain coefficient with its interval.

A model fitted with **time-varying** covariates states each effect per period ("in
periods with contact one unit higher, customers buy 1.47 times as often"), and reads its
kind from the class's ``dynamic_effects`` (:mod:`clvmodels.estimation.dynamic_covariates`):
a rate as above, or the BG/NBD's **power** on dropout, where after a purchase in a period
the customer stays with probability :math:`(1-p)^{e^{\gamma' x}}`; the sentence gives the
mean chance of dropping out after a purchase, :math:`1 - B(a, b + e^{\gamma}) / B(a, b)`,
with its interval (at the coefficient's bounds; it is monotone in it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import betaln

from clvmodels.report.formats import percent, readable_number

__all__ = ["OCCASIONS", "covariate_words", "effect_kind", "likelihood_ratio_words"]

#: Purchase occasions in the BG/NBD's dropout sentence ("would stay through 10 purchases").
OCCASIONS = 10
_PROCESS_WORDS = {"purchase": "purchase", "dropout": "dropout"}


def effect_kind(model: Any, process: str) -> tuple[str, tuple[str, ...]]:
    """How one unit of ``process``'s linear predictor acts, read from the model.

    Returns
    -------
    kind, names
        ``("rate", (scale,))`` when one gamma scale is divided by e, ``("concentration",
        (a, b))`` when two beta parameters are multiplied by e, else ``("other", ())``.
    """
    base = {name: 1.0 for name in type(model).param_names}
    eta = {"purchase": (1.0, 0.0), "dropout": (0.0, 1.0)}[process]
    moved = type(model).customer_parameters(base, *eta)
    ratios = {k: float(np.asarray(v)) for k, v in moved.items() if float(np.asarray(v)) != 1.0}
    if len(ratios) == 1 and math.isclose(next(iter(ratios.values())), math.exp(-1.0)):
        return "rate", tuple(ratios)
    if len(ratios) == 2 and all(math.isclose(v, math.e) for v in ratios.values()):
        return "concentration", tuple(ratios)
    return "other", ()


def ratio_text(value: float) -> str:
    """A multiplier as the report writes it: three significant digits (``1.41``, ``0.741``)."""
    if not math.isfinite(value):
        return "unknown"
    return readable_number(value) if abs(value) >= 100 else f"{value:.3g}"


def _exp(value: float) -> float:
    """e^value, infinite past the largest float (a coefficient run to the limit)."""
    return math.inf if value > 700 else math.exp(value)


def _capital(text: str) -> str:
    """The sentence's first letter in capitals, the rest as written (levels keep their case)."""
    return text[:1].upper() + text[1:]


def _interval(low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "95 % interval unknown: no standard error"
    return f"95 % interval {ratio_text(low)}-{ratio_text(high)}"


def _groups(model: Any, name: str) -> tuple[str, str]:
    """Who the coefficient ``name`` (``channel[online]``, ``age``) compares, in words."""
    design = model.covariate_design_
    column, _, level = name.partition("[")
    if getattr(model, "has_dynamic_covariates", False):  # periods, not customers
        if level:
            reference = design.levels[column][0]
            return f"in periods with {column} {level[:-1]}", f"periods with {column} {reference}"
        return f"in periods with {name} one unit higher", "periods one unit lower"
    if level:
        reference = design.levels[column][0]
        return f"customers with {column} {level[:-1]}", f"those with {column} {reference}"
    return f"customers with {name} one unit higher", "customers one unit lower"


def _dropping(a: float, b: float, gamma: float) -> float:
    """1 - E[(1 - p)^(e^gamma)], p ~ Beta(a, b): the mean chance of dropping out after buying."""
    return -math.expm1(betaln(a, b + _exp(gamma)) - betaln(a, b))


def _power_sentence(
    names: tuple[str, ...], params: Mapping[str, float], who: str, than: str, row: pd.Series
) -> str:
    a, b = (float(params[n]) for n in names)
    share, reference = _dropping(a, b, row["estimate"]), _dropping(a, b, 0.0)
    if all(math.isfinite(row[c]) for c in ("lower", "upper")):
        low, high = sorted(_dropping(a, b, min(max(row[c], -700), 700)) for c in ("lower", "upper"))
        interval = f"95 % interval {percent(low)}-{percent(high)}"
    else:
        interval = "95 % interval unknown: no standard error"
    return (
        f"{_capital(who)}, customers drop out after a purchase with an average chance of "
        f"{percent(share)} ({interval}), against {percent(reference)} in {than} (the chance "
        f"of staying after a purchase, 1 - p, raised to the power "
        f"{ratio_text(_exp(row['estimate']))})."
    )


def _rate_sentence(
    process: str, who: str, than: str, row: pd.Series, per_period: bool = False
) -> str:
    """A rate's multiplier in words: between customers, or (``per_period``) between periods."""
    ratio, low, high = (_exp(row[c]) for c in ("estimate", "lower", "upper"))
    interval = _interval(low, high)
    subject = f"{_capital(who)}, customers" if per_period else _capital(who)
    if process == "purchase":
        than = f"in {than}" if per_period else than
        return (
            f"{subject} buy {ratio_text(ratio)} times as often as {than} while active ({interval})."
        )
    pace = "faster" if ratio > 1 else "slower"
    return (
        f"{subject} drop out at {ratio_text(ratio)} times the rate of {than}, i.e. {pace} "
        f"({interval})."
    )


def _staying(a: float, b: float, gamma: float) -> float:
    """E[(1 - p)^k], p ~ Beta(a e^gamma, b e^gamma): the share staying through k occasions."""
    scale = math.exp(gamma)
    return math.exp(betaln(a * scale, b * scale + OCCASIONS) - betaln(a * scale, b * scale))


def _concentration_sentence(
    names: tuple[str, ...], params: Mapping[str, float], who: str, than: str, row: pd.Series
) -> str:
    a, b = (float(params[n]) for n in names)
    share = _staying(a, b, row["estimate"])
    reference = _staying(a, b, 0.0)
    bounds = sorted(_staying(a, b, min(max(row[c], -700), 700)) for c in ("lower", "upper"))
    interval = f"95 % interval {percent(bounds[0])}-{percent(bounds[1])}"
    if not all(math.isfinite(row[c]) for c in ("lower", "upper")):
        interval = "95 % interval unknown: no standard error"
    fewer = "less" if share < reference else "more"
    return (
        f"{_capital(who)} are {fewer} likely to stay for many purchases: "
        f"{percent(share)} of them would stay through {OCCASIONS} purchase occasions "
        f"({interval}), against "
        f"{percent(reference)} of {than}. The average chance of dropping out after a "
        f"purchase is the same ({percent(a / (a + b))}); its spread between customers "
        f"differs ({names[0]} and {names[1]} multiplied by "
        f"{ratio_text(_exp(row['estimate']))})."
    )


def _table(model: Any) -> pd.DataFrame:
    table = model.summary()
    low, high = (c for c in table.columns if c.startswith(("lower_", "upper_")))
    table = table.rename(columns={low: "lower", high: "upper"})
    return table.loc[list(model.coefficient_names_)]


def covariate_words(model: Any, likelihood_ratio: pd.Series | None = None) -> list[str]:
    """Sentences on a fitted model's covariate effects, with 95 % intervals.

    Parameters
    ----------
    model
        A fitted maximum-likelihood model with covariates (``has_covariates``).
    likelihood_ratio
        :func:`clvmodels.evaluation.covariate_likelihood_ratio` of the model, or None.

    Returns
    -------
    list of str
        Empty for a model without covariates; else what the base parameters describe,
        one sentence per coefficient and process, and the likelihood-ratio test.
    """
    if not getattr(model, "has_covariates", False):
        return []
    design = model.covariate_design_
    reference = ", ".join(
        f"{c} {design.levels[c][0]}" if c in design.levels else f"{c} 0" for c in design.columns
    )
    base = ", ".join(type(model).param_names)
    dynamic = getattr(model, "has_dynamic_covariates", False)
    words = [
        f"With covariates, {base} (and the sentences above) describe a reference customer "
        f"({reference}); each covariate multiplies that customer's rates as follows (the "
        "coefficients are on the log scale of the rates; an interval is e^(estimate +/- 1.96 "
        "standard errors))."
    ]
    if dynamic:
        words = [
            f"With time-varying covariates, {base} (and the sentences above) describe "
            f"customers in periods where every covariate is at its reference ({reference}); "
            "in each period a covariate acts on the rates as follows (the coefficients are on "
            "the log scale of the rates; an interval is e^(estimate +/- 1.96 standard errors))."
        ]
    params = model.params_
    for name, row in _table(model).iterrows():
        process, _, covariate = str(name).partition(":")
        processes = ("purchase", "dropout") if process == "both" else (process,)
        who, than = _groups(model, covariate)
        for one in processes:
            kind, names = effect_kind(model, one)
            if dynamic:
                kind = type(model).dynamic_effects[one]
            if dynamic and kind == "rate":
                sentence = _rate_sentence(one, who, than, row, per_period=True)
            elif dynamic and kind == "power":
                sentence = _power_sentence(("a", "b"), params, who, than, row)
            elif kind == "rate":
                sentence = _rate_sentence(one, who, than, row)
            elif kind == "concentration" and abs(row["estimate"]) < 700:
                sentence = _concentration_sentence(names, params, who, than, row)
            else:
                sentence = (
                    f"{_capital(_PROCESS_WORDS[one])} coefficient of {covariate}: "
                    f"{readable_number(row['estimate'])} ({_interval(row['lower'], row['upper'])})."
                )
            if process == "both":
                sentence = sentence[:-1] + " (one effect on both processes, as constrained)."
            words.append(sentence)
    if likelihood_ratio is not None:
        words.append(likelihood_ratio_words(likelihood_ratio))
    return words


def likelihood_ratio_words(test: Mapping[str, float]) -> str:
    """The likelihood-ratio test against the model without covariates, in one sentence.

    Examples
    --------
    >>> likelihood_ratio_words({"statistic": 84.31, "df": 6, "p_value": 4e-16,
    ...     "log_likelihood_with": -9540.2, "log_likelihood_without": -9582.4}).split(": ")[1]
    'statistic 84.31 on 6 degrees of freedom, p < 0.001 (log-likelihood -9,540 against -9,582)'
    """
    p = float(test["p_value"])
    shown = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    verdict = (
        "the covariates explain differences between customers that the model without them "
        "leaves to chance"
        if p < 0.05
        else "the covariates do not improve the fit significantly (at the 5 % level)"
    )
    return (
        "Likelihood-ratio test against the same model without covariates: statistic "
        f"{readable_number(float(test['statistic']))} on {int(test['df'])} degrees of freedom, "
        f"{shown} (log-likelihood {readable_number(float(test['log_likelihood_with']))} against "
        f"{readable_number(float(test['log_likelihood_without']))}): {verdict}."
    )
