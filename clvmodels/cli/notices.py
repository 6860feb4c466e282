"""Warnings raised while the command runs, recorded and said in the command's own words.

The library warns as a library does (``ConvergenceWarning: BetaGeoModel: ... try
penalizer_coef > 0``, with a file path and a source line). The command records the
warnings of each step (:func:`recorded`) and turns each into one :class:`Notice`: which
model, during which step, and one sentence a user can act on, naming the command's
options (``--penalizer``) rather than the library's arguments.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from clvmodels.models.registry import MODELS

__all__ = ["MODEL_WORDS", "Notice", "in_words", "recorded"]

#: Class name -> the model's name on the terminal and in the report (the registry's labels).
MODEL_WORDS = {
    **{entry.mle.__name__: entry.spec.label for entry in MODELS.values()},
    **{
        entry.bayes.__name__: f"Bayesian {entry.spec.label}"
        for entry in MODELS.values()
        if entry.bayes is not None
    },
}
#: The value the messages suggest for ``--penalizer``.
SUGGESTED_PENALIZER = 0.01
_PREFIX = re.compile(r"^(?P<cls>[A-Z][A-Za-z]+Model): ")
#: numpy's warnings about the arithmetic of a result another warning already explains.
_ARITHMETIC = re.compile(r"invalid value encountered|divide by zero|overflow encountered")


@dataclass(frozen=True)
class Notice:
    """One warning in the command's words.

    Attributes
    ----------
    model
        The model it concerns (``"BG/NBD"``), or ``None``.
    step
        The step that raised it (``"Fitting BG/NBD"``), or ``None``.
    text
        One sentence, without the model's name.
    """

    model: str | None
    step: str | None
    text: str

    def line(self) -> str:
        """The notice as printed: ``BG/NBD (fitting BG/NBD): ...``."""
        where = self.model or ""
        if self.step and not (self.model and self.step.startswith(f"Fitting {self.model}")):
            step = self.step[0].lower() + self.step[1:]
            where = f"{where} ({step})" if where else step
        return f"{where}: {self.text}" if where else self.text


@contextmanager
def recorded() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning raised in the block (each once per place), none printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _options(text: str) -> str:
    """The library's argument names in a message replaced by the command's options."""
    text = re.sub(r"(a )?penalizer_coef( > 0)?", f"--penalizer {SUGGESTED_PENALIZER}", text)
    return re.sub(r"\bdiscount_rate=", "--discount-rate ", text)


def _boundary_words(model: str | None, names: str, values: str, to_zero: bool) -> str:
    if model == "Gamma-Gamma":
        return (
            f"{names} ran to infinity ({values}): customers' average spends per purchase "
            "differ no more than chance alone would make them, so the model gives every "
            "customer about the same mean spend, and its standard errors are not defined. "
            "Expected spend is still usable; a --penalizer would pull q below 1, where the "
            "model has no mean."
        )
    if to_zero:
        return (
            f"{names} ran to 0 ({values}): the data do not pin them down and their standard "
            "errors are not defined; a --penalizer cannot help (it pulls towards 0): check "
            "the data, or let the warnings of a fit without --penalizer say more."
        )
    return (
        f"{names} ran to infinity ({values}): the data do not pin them down and their "
        f"standard errors are not defined; --penalizer {SUGGESTED_PENALIZER} keeps the "
        "estimates finite (and pulls every parameter towards 0)."
    )


def _text(message: str, model: str | None) -> str:
    no_dropout = re.match(
        r"no evidence of dropout.*?\((?P<param>\w+) = (?P<value>[^ ]+) -> inf, "
        r"mean dropout probability (?P<formula>[^=]+) = (?P<p>[^)]+)\)",
        message,
    )
    if no_dropout:
        return (
            "no customer in the data seems to stop buying (mean dropout probability "
            f"{no_dropout['formula'].strip()} = {float(no_dropout['p']):.1g}, "
            f"{no_dropout['param']} -> infinity): the model treats every customer as active "
            "for ever, P(alive) is 1 for all, and the dropout parameters have no standard "
            "errors. That is right if your customers do not leave; if they do, the log is "
            "too short to show it: fit a longer one (a --penalizer does not help here, it "
            "pulls a and b to 0 together)."
        )
    edge = re.match(r"\[(?P<names>[^\]]*)\] ran to the edge.*?\((?P<values>\{[^}]*\})\)", message)
    if edge:
        names = re.findall(r"'(\w+)'", edge["names"])
        found = {k: float(v) for k, v in re.findall(r"'(\w+)': ([-\d.e+]+)", edge["values"])}
        values = ", ".join(f"{k} = {v:.3g}" for k, v in found.items())
        to_zero = all(found.get(n, 2.0) < 1 for n in names)
        return _boundary_words(model, ", ".join(names), values, to_zero)
    if message.startswith("the observed information matrix is singular"):
        return (
            "standard errors could not be computed (the likelihood is flat in some "
            "direction); treat the intervals in the report as unknown."
        )
    return _options(" ".join(message.split()))


def in_words(
    caught: list[warnings.WarningMessage], step: str | None, known: list[Notice] = ()
) -> list[Notice]:
    """The recorded warnings of one step as notices, each said once.

    A singular-information warning next to a boundary warning for the same model says
    nothing new (the boundary is why), nor does numpy's arithmetic warning next to any
    other notice of the step or of the run so far (``known``): both are dropped then.
    """
    notices: list[Notice] = []
    arithmetic: list[Notice] = []
    for item in caught:
        message = str(item.message).strip()
        prefix = _PREFIX.match(message)
        model = MODEL_WORDS.get(prefix["cls"], prefix["cls"]) if prefix else None
        if prefix:
            message = message[prefix.end() :]
        if model is None and step and step.startswith("Fitting "):
            model = step.removeprefix("Fitting ").split(" (")[0]
        notice = Notice(model, step, _text(message, model))
        is_arithmetic = issubclass(item.category, RuntimeWarning) and _ARITHMETIC.search(message)
        (arithmetic if is_arithmetic else notices).append(notice)
    boundary = {n.model for n in notices if "standard errors are not defined" in n.text}
    boundary |= {n.model for n in notices if "have no standard errors" in n.text}
    kept = [
        n for n in notices if not (n.model in boundary and n.text.startswith("standard errors"))
    ]
    if not kept and not known:
        kept = [
            Notice(n.model, n.step, f"a calculation gave an undefined number ({n.text})")
            for n in arithmetic[:1]
        ]
    return list(dict.fromkeys(kept))
