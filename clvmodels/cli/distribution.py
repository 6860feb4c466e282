"""``clvmodels score --distribution FIRST..LAST``: each customer's purchase-count distribution.

The option adds one column per count, P(X=FIRST) .. P(X=LAST-1), and the tail P(X>=LAST),
the probabilities of that many purchases over the run's horizon given each customer's
history (the purchase model's ``probability_of_purchases(t, n, summary)``).
"""

from __future__ import annotations

import re
from typing import Any

import click
import numpy as np
import pandas as pd

__all__ = ["MAX_COUNT", "CountRange", "distribution_columns"]

#: The largest LAST the option takes (one column per count).
MAX_COUNT = 100

_RANGE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")


class CountRange(click.ParamType):
    """FIRST..LAST: whole numbers 0 <= FIRST < LAST <= :data:`MAX_COUNT`, e.g. 0..5."""

    name = "FIRST..LAST"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[int, int]:  # noqa: D102
        if isinstance(value, tuple):
            return value
        match = _RANGE.match(str(value))
        rule = (
            f"a range of purchase counts FIRST..LAST, whole numbers with 0 <= FIRST < LAST <= "
            f"{MAX_COUNT}, e.g. 0..5 (columns P(X=0) .. P(X=4) and P(X>=5)); got {value!r}"
        )
        if match is None:
            self.fail(f"must be {rule}", param, ctx)
        first, last = int(match.group(1)), int(match.group(2))
        if not first < last <= MAX_COUNT:
            self.fail(f"must be {rule}", param, ctx)
        return first, last


def distribution_columns(
    purchase_model: Any, summary: pd.DataFrame, counts: tuple[int, int], t: float
) -> pd.DataFrame:
    """P(X=FIRST) .. P(X=LAST-1) and P(X>=LAST) in the next ``t`` (the summary's unit).

    One row per customer of ``summary``, given her history.
    """
    first, last = counts
    exact = purchase_model.probability_of_purchases(t, np.arange(first, last), summary)
    tail = purchase_model.probability_of_purchases(t, last, summary, at_least=True)
    frame = pd.DataFrame(
        exact.to_numpy(),
        index=summary.index,
        columns=[f"P(X={k})" for k in range(first, last)],
    )
    frame[f"P(X>={last})"] = tail.to_numpy()
    return frame
