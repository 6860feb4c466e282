"""The RFM summary as a pandas DataFrame that keeps its meaning through pandas work.

A summary's numbers mean something only with three facts beside them: the unit its
``recency`` and ``T`` are in (``time_unit``), the resolution its purchases were counted at
(``freq``) and the day it was taken as of (``observation_period_end``; for a split also
``calibration_period_end``). They ride in ``DataFrame.attrs`` under the keys of
:data:`SUMMARY_KEYS`, and are read through the ``clv`` accessor::

    summary = clv.rfm_summary(log, "customer_id", "date", freq="D", time_unit="W")
    summary.clv.time_unit               # 'W'
    summary.clv.freq                    # 'D'
    summary.clv.observation_period_end  # Timestamp('1998-06-30 00:00:00')

What survives what
------------------
- pandas itself keeps ``attrs`` through ``copy``, slicing (``iloc``, ``loc``, ``head``),
  boolean filters and ``query``, column selection, ``assign``, sorting, ``reset_index``,
  groupby reductions (``groupby(...).mean()``, ``.sum()``, ``.agg({column: func})``,
  ``.apply``) and a Parquet round trip (pandas writes ``attrs`` into the file). Named
  aggregations (``.agg(n=("T", "size"))``) and lists of functions build a new plain
  frame: restore its facts with ``table.clv.like(summary)``.
- pandas drops them when frames are combined (``join``, ``merge``, ``concat``) unless
  every input carries the *same* ``attrs``, which a table of covariates never does. The
  summaries clvmodels returns are therefore :class:`RFMSummary` frames, a DataFrame
  subclass whose only change is that rule: when frames are combined, each summary fact
  on which every input summary agrees is kept. ``summary.join(static)``,
  ``summary.merge(...)`` and ``pd.concat([summary, other], axis=1)`` keep the unit, as
  does ``pd.concat([weekly_a, weekly_b])``; concatenating a weekly and a daily summary
  keeps no unit (there is none that is right for every row). pandas builds a combined
  frame with the type of its *first* (left) input, so keep the summary first, or restore
  the facts afterwards with ``combined.clv.like(summary)``.
- A CSV file keeps only the values (columns and index). Restore the facts when reading
  it back: ``pd.read_csv(path, index_col=0).clv.state(time_unit="W", freq="D",
  observation_period_end="1998-06-30")`` (or :func:`clvmodels.with_time_unit` for the
  unit alone). Prefer Parquet, which keeps them.

Every model and valuation reads the unit with :func:`clvmodels.data.units.time_unit_of`
(the accessor's ``time_unit`` is that function), so a summary that lost its facts is
refused where a unit is required instead of predicting in the wrong one.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvmodels.data.units import (
    FREQ_ATTR,
    TIME_UNIT_ATTR,
    canonical_unit,
    period_alias,
    time_unit_of,
)
from clvmodels.exceptions import UnitMismatchError

__all__ = ["SUMMARY_KEYS", "RFMSummary", "SummaryAccessor", "as_summary", "summary_facts"]

#: The ``attrs`` keys that describe a summary (and travel with it through combinations).
SUMMARY_KEYS = (
    TIME_UNIT_ATTR,
    FREQ_ATTR,
    "observation_period_end",
    "calibration_period_end",
    "transactions_after_end",
    "time_zone",
    "include_first_transaction",
)


def summary_facts(frame: object) -> dict[str, Any]:
    """The summary facts (the :data:`SUMMARY_KEYS` present) that ``frame`` states."""
    attrs = getattr(frame, "attrs", None) or {}
    return {key: attrs[key] for key in SUMMARY_KEYS if key in attrs}


def _agreed_facts(inputs: list[object]) -> dict[str, Any]:
    """The facts on which every input that states a time unit agrees."""
    stated = [summary_facts(obj) for obj in inputs]
    stated = [facts for facts in stated if TIME_UNIT_ATTR in facts]
    if not stated:
        return {}
    agreed = {}
    for key, value in stated[0].items():
        if all(key in facts and facts[key] == value for facts in stated[1:]):
            agreed[key] = value
    return agreed


class RFMSummary(pd.DataFrame):
    """A pandas DataFrame holding an RFM summary; its facts survive join, merge and concat.

    It is a DataFrame in every respect (models, ``to_parquet``, ``assert_frame_equal``
    with it on the left); the one difference is how ``attrs`` pass through combinations
    (see the module notes). Build one with :func:`as_summary`.
    """

    @property
    def _constructor(self) -> type[RFMSummary]:
        return RFMSummary

    def __finalize__(self, other: Any, method: str | None = None, **kwargs: Any) -> RFMSummary:
        """pandas' propagation, then the summary facts every combined summary agrees on."""
        super().__finalize__(other, method=method, **kwargs)
        inputs = getattr(other, "input_objs", None)
        if inputs is not None and TIME_UNIT_ATTR not in self.attrs:
            self.attrs.update(_agreed_facts(list(inputs)))
        return self


def as_summary(frame: pd.DataFrame, **facts: Any) -> RFMSummary:
    """``frame`` as an :class:`RFMSummary` (no data copied), stating ``facts`` in ``attrs``.

    Parameters
    ----------
    frame
        A summary frame (its own ``attrs`` are kept).
    **facts
        Summary facts to state, keys of :data:`SUMMARY_KEYS`; ``None`` values are skipped.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        For a key that is not a summary fact.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"summary must be a pandas DataFrame, got {type(frame).__name__}")
    unknown = sorted(set(facts) - set(SUMMARY_KEYS))
    if unknown:
        raise ValueError(f"unknown summary facts {unknown}; the facts are {list(SUMMARY_KEYS)}")
    out = RFMSummary(frame, copy=False)
    out.attrs = dict(frame.attrs)
    out.attrs.update({key: value for key, value in facts.items() if value is not None})
    return out


def _day(value: Any) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


@pd.api.extensions.register_dataframe_accessor("clv")
class SummaryAccessor:
    """``frame.clv``: the facts of a summary (see :mod:`clvmodels.data.summary_frame`).

    Examples
    --------
    >>> import pandas as pd
    >>> import clvmodels as clv
    >>> bare = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]})
    >>> stated = bare.clv.state(time_unit="W", freq="D", observation_period_end="1997-09-30")
    >>> stated.clv.time_unit, stated.clv.freq, str(stated.clv.observation_period_end.date())
    ('W', 'D', '1997-09-30')
    >>> static = pd.DataFrame({"age": [41]})
    >>> stated.join(static).clv.time_unit
    'W'
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    @property
    def time_unit(self) -> str | None:
        """The unit of ``recency`` and ``T`` (``"D"``, ``"W"``, ...), or None if not stated."""
        return time_unit_of(self._frame)

    @property
    def freq(self) -> str | None:
        """The resolution purchases were counted at (a period alias), or None."""
        return self._frame.attrs.get(FREQ_ATTR)

    @property
    def observation_period_end(self) -> pd.Timestamp | None:
        """The last day the summary covers, or None."""
        return _day(self._frame.attrs.get("observation_period_end"))

    @property
    def calibration_period_end(self) -> pd.Timestamp | None:
        """The calibration end of a calibration/holdout split, or None."""
        return _day(self._frame.attrs.get("calibration_period_end"))

    @property
    def facts(self) -> dict[str, Any]:
        """All summary facts the frame states (a plain dict, e.g. to save beside a CSV)."""
        return summary_facts(self._frame)

    def state(
        self,
        time_unit: str | None = None,
        freq: str | None = None,
        observation_period_end: object = None,
        calibration_period_end: object = None,
    ) -> RFMSummary:
        """A copy (no data copied) that states the given facts; e.g. after ``read_csv``.

        It states, it does not convert: a fact the frame already states differently is
        refused (:class:`~clvmodels.exceptions.UnitMismatchError`).
        """
        given = {
            TIME_UNIT_ATTR: None if time_unit is None else canonical_unit(time_unit, "time_unit"),
            FREQ_ATTR: None if freq is None else period_alias(freq, "freq"),
            "observation_period_end": _iso_day(observation_period_end),
            "calibration_period_end": _iso_day(calibration_period_end),
        }
        given = {key: value for key, value in given.items() if value is not None}
        stated = self.facts
        for key, value in given.items():
            old = stated.get(key)
            if key == TIME_UNIT_ATTR and old is not None:
                old = canonical_unit(old)
            if old is not None and old != value:
                raise UnitMismatchError(
                    f"the summary already states {key}={stated[key]!r}, not {value!r}; "
                    "state() states facts, it does not convert: recompute the summary"
                )
        return as_summary(self._frame, **given)

    def like(self, summary: pd.DataFrame) -> RFMSummary:
        """A copy (no data copied) stating the facts of ``summary``.

        For a frame built with the summary *not* first (``static.join(summary)``), whose
        facts pandas dropped.
        """
        return as_summary(self._frame, **summary_facts(summary))


def _iso_day(value: object) -> str | None:
    """A day as the summaries record it (``"1998-06-30"``), or None."""
    return None if value is None else str(pd.Timestamp(value).date())
