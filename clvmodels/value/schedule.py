"""The discount schedule of a CLV: the horizon's steps on the summary's time axis and their rates.

A horizon of ``K`` steps of one ``horizon_unit`` each, with a discount rate per
``discount_period``, becomes the step ends ``t_k`` in the summary's time unit and the
discount factor of each step (see :mod:`clvmodels.value.probabilistic` for the formula
that uses them). Every unit is explicit; lengths in days come from
:data:`clvmodels.data.units.DAYS_PER_UNIT`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clvmodels.checks import finite_scalar
from clvmodels.data.units import canonical_unit, check_same_unit, days_per_unit, time_unit_of

__all__ = [
    "PLAUSIBLE_RATE",
    "DiscountSchedule",
    "discount_schedule",
    "summary_time_unit",
    "warn_implausible_rate",
]

#: Two lengths (in steps) closer than this are taken as equal.
_WHOLE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class DiscountSchedule:
    """When future purchases are counted and how they are discounted.

    Attributes
    ----------
    time_unit
        The summary's time unit, in which ``step_length`` and :attr:`times` are given.
    horizon_unit
        The unit of one step.
    discount_period
        The period the given ``discount_rate`` applies to.
    n_steps
        :math:`K`, the number of steps (the horizon in ``horizon_unit``).
    step_length
        :math:`s`, the length of one step in ``time_unit``.
    discount_rate
        The rate as given, per ``discount_period``.
    step_discount_rate
        :math:`d`, the equivalent rate per step.
    """

    time_unit: str
    horizon_unit: str
    discount_period: str
    n_steps: int
    step_length: float
    discount_rate: float
    step_discount_rate: float

    @property
    def times(self) -> np.ndarray:
        """:math:`t_k = k s` for k = 1..K, in the summary's time unit."""
        return self.step_length * np.arange(1, self.n_steps + 1, dtype=np.float64)

    @property
    def discount_factors(self) -> np.ndarray:
        """:math:`(1 + d)^{-k}` for k = 1..K (cash at the end of each step)."""
        steps = np.arange(1, self.n_steps + 1, dtype=np.float64)
        return np.exp(-steps * np.log1p(self.step_discount_rate))


def _whole_steps(horizon: object) -> int:
    h = finite_scalar(horizon, "horizon", at_least=0)
    k = round(h)
    if abs(h - k) > _WHOLE_TOLERANCE * max(1.0, h):
        raise ValueError(
            f"horizon must be a whole number of steps (one step = one horizon_unit), got {h}; "
            "state it in a shorter horizon_unit (e.g. 10 weeks instead of 2.3 months)"
        )
    return int(k)


def summary_time_unit(summary: pd.DataFrame, time_unit: str | None = None) -> str:
    """The time unit of ``summary``: its ``attrs["time_unit"]``, or ``time_unit``.

    Raises
    ------
    ValueError
        If neither states a unit.
    UnitMismatchError
        If both do and they differ.
    """
    stated = time_unit_of(summary)
    given = canonical_unit(time_unit) if time_unit is not None else None
    if stated is None and given is None:
        raise ValueError(
            "the summary states no time unit (summary.attrs['time_unit'] is missing); "
            "pass time_unit='D', 'W', 'M', ... to say in which unit recency and T are measured"
        )
    if stated is not None and given is not None:
        check_same_unit(stated, given, "time_unit")
    return stated if stated is not None else given  # type: ignore[return-value]


#: A discount rate above this per period is almost surely a percentage given as a number.
PLAUSIBLE_RATE = 1.0


def warn_implausible_rate(rate: float, period: str, stacklevel: int = 2) -> None:
    """Warn when ``discount_rate`` is above 1 (100 %) per period: likely meant as a percent.

    ``discount_rate=10`` discounts by 1000 % a period; the user almost surely meant
    10 %, i.e. 0.10. A rate above 1 is not refused (a monthly rate of a very risky
    business may be), only named.
    """
    if rate > PLAUSIBLE_RATE:
        words = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
        period = words.get(period, period)
        warnings.warn(
            f"discount_rate={rate:g} is {rate:.0%} per {period}: rates are fractions, so "
            f"{rate:g} % would be discount_rate={rate / 100:g}; pass that if you meant "
            "a percentage",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


def discount_schedule(
    horizon: float,
    discount_rate: float,
    time_unit: str,
    *,
    horizon_unit: str,
    discount_period: str,
    step_length: float | None = None,
) -> DiscountSchedule:
    r"""Steps and discount factors of a CLV horizon.

    Parameters
    ----------
    horizon
        Number of steps :math:`K` (a whole number >= 0) of one ``horizon_unit`` each.
    discount_rate
        Discount rate per ``discount_period``, > -1.
    time_unit
        The summary's time unit.
    horizon_unit
        Unit of the horizon and length of one step (required: ``horizon=12`` means
        12 weeks or 12 months only once this says which).
    discount_period
        Period of ``discount_rate`` (required, so that an annual rate is never
        reused per week or month by accident). The rate per step is
        :math:`(1 + r)^{\,\ell(\text{horizon\_unit}) / \ell(\text{discount\_period})} - 1`
        with calendar lengths :math:`\ell` in days.
    step_length
        Length of one step in ``time_unit``; default
        ``days_per_unit(horizon_unit) / days_per_unit(time_unit)``. Override it only to
        reproduce a tool with another calendar (``lifetimes`` takes a month as 4.345
        weeks); the step still counts as one ``horizon_unit`` for discounting.

    Returns
    -------
    DiscountSchedule

    Raises
    ------
    ValueError
        On a negative or fractional horizon, ``discount_rate <= -1``, a non-positive
        ``step_length`` or an unknown unit.
    """
    time_unit = canonical_unit(time_unit)
    horizon_unit = canonical_unit(horizon_unit)
    discount_period = canonical_unit(discount_period)
    n_steps = _whole_steps(horizon)
    rate = finite_scalar(discount_rate, "discount_rate", greater_than=-1)
    warn_implausible_rate(rate, discount_period, stacklevel=3)
    if step_length is None:
        length = days_per_unit(horizon_unit) / days_per_unit(time_unit)
    else:
        length = finite_scalar(step_length, "step_length", greater_than=0)
    if horizon_unit == discount_period:
        step_rate = rate
    else:
        periods_per_step = days_per_unit(horizon_unit) / days_per_unit(discount_period)
        step_rate = float(np.expm1(periods_per_step * np.log1p(rate)))
    return DiscountSchedule(
        time_unit=time_unit,
        horizon_unit=horizon_unit,
        discount_period=discount_period,
        n_steps=n_steps,
        step_length=length,
        discount_rate=rate,
        step_discount_rate=step_rate,
    )
