r"""Deterministic baselines that offer the prediction protocol of the probabilistic models.

Each baseline turns a textbook formula of :mod:`clvmodels.value.deterministic` into a
"model" with ``fit(summary)``, ``conditional_expected_purchases(t, summary)`` and
``expected_spend(summary)``, so that :func:`clvmodels.evaluation.backtest.backtest` can
score it next to the BG/NBD. Nothing is estimated beyond what the formulas need, and
everything comes from the calibration summary:

- :class:`RunRateBaseline`: each customer keeps buying at her calibration rate
  ``frequency / T`` (repeat purchases per unit of time): the run-rate CLV
  :math:`(R - C) \times n` with :math:`R` the rate, :math:`C = 0` and :math:`n = t`;
- :class:`RetentionBaseline`: the same rate, but every customer survives each period with
  one retention rate :math:`r = 1 - c`, :math:`c` estimated from lapsed repeat buyers
  (:func:`clvmodels.value.compare.lapse_churn_rate`); expected purchases in the next
  :math:`t` periods are :math:`R \sum_{k=1}^{t} r^k`, the undiscounted retention formula
  (:func:`~clvmodels.value.deterministic.retention_clv` with :math:`d = 0`) cut at the
  horizon;
- :class:`LastPeriodBaseline`: "the next period repeats the last one": the repeat
  purchases of the last ``recent_window`` time units of calibration, scaled to the
  horizon. It reads the columns ``recent_frequency`` and ``recent_window`` that
  :func:`~clvmodels.evaluation.baselines.recent_repeats` adds to a summary.

The spend per purchase of every baseline is the customer's own mean repeat spend
(``monetary_value``), or the mean over repeat buyers for customers without a repeat
purchase (whose ``monetary_value`` is 0).

References
----------
Gupta, S. & Lehmann, D. R. (2003). Customers as assets. *Journal of Interactive
Marketing*, 17(1), 9-24 (constant-retention CLV).

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy
way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284 (the
models these baselines are compared with).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

import numpy as np
import pandas as pd

from clvmodels.checks import finite_scalar
from clvmodels.data.summary import rfm_summary
from clvmodels.data.units import check_same_unit, days_per_unit, time_unit_of
from clvmodels.data.validation import check_summary
from clvmodels.deprecation import renamed_column_arguments
from clvmodels.exceptions import DataValidationError
from clvmodels.value.compare import lapse_churn_rate
from clvmodels.value.deterministic import retention_clv, run_rate_clv

__all__ = [
    "LastPeriodBaseline",
    "RetentionBaseline",
    "RunRateBaseline",
    "recent_repeats",
    "same_forecasts",
]


class _Baseline:
    """Fitted state shared by the baselines: the time unit and the population spend."""

    def fit(self, summary: pd.DataFrame) -> Self:
        """Remember the summary's time unit and the mean spend of repeat buyers."""
        check_summary(summary)
        self.time_unit_ = time_unit_of(summary)
        if "monetary_value" in summary:
            spend = summary["monetary_value"].to_numpy(np.float64)
            repeat = (summary["frequency"].to_numpy() > 0) & (spend > 0)
            self.population_mean_spend_ = float(spend[repeat].mean()) if repeat.any() else 0.0
        else:
            self.population_mean_spend_ = float("nan")
        self._fit_more(summary)
        return self

    def _fit_more(self, summary: pd.DataFrame) -> None:
        """Extra fitted state of a baseline (none by default)."""

    def _checked(self, summary: pd.DataFrame) -> pd.DataFrame:
        if not hasattr(self, "time_unit_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted; call fit(summary) first")
        check_summary(summary)
        check_same_unit(self.time_unit_, time_unit_of(summary), "the summary")
        return summary

    def _rate(self, summary: pd.DataFrame) -> np.ndarray:
        """Calibration repeat purchases per unit of time (0 for a customer with T = 0)."""
        x = summary["frequency"].to_numpy(np.float64)
        T = summary["T"].to_numpy(np.float64)
        return np.divide(x, T, out=np.zeros_like(x), where=T > 0)

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """The customer's mean repeat spend, or the repeat buyers' mean when she has none."""
        self._checked(summary)
        if "monetary_value" not in summary:
            raise DataValidationError(
                "expected_spend needs the column 'monetary_value' (mean repeat spend); "
                "summarise the log with monetary_value_col='spend'"
            )
        spend = summary["monetary_value"].to_numpy(np.float64)
        own = (summary["frequency"].to_numpy() > 0) & (spend > 0)
        values = np.where(own, spend, self.population_mean_spend_)
        return pd.Series(values, index=summary.index, name="expected_spend")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _horizon(t: float) -> float:
    return finite_scalar(t, "t", at_least=0)


class RunRateBaseline(_Baseline):
    """Each customer keeps her calibration purchase rate: ``frequency / T * t``.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"frequency": [0, 3], "recency": [0.0, 20.0],
    ...                         "T": [30.0, 30.0]})
    >>> RunRateBaseline().fit(summary).conditional_expected_purchases(10, summary).tolist()
    [0.0, 1.0]
    """

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Run-rate purchases in the next ``t`` time units, per customer."""
        self._checked(summary)
        values = run_rate_clv(self._rate(summary), 0.0, _horizon(t))
        return pd.Series(values, index=summary.index, name="expected_purchases")


class RetentionBaseline(_Baseline):
    """The calibration purchase rate, with one retention rate for everybody.

    Parameters
    ----------
    lapse, lapse_unit
        Inactivity after which a calibration customer counts as churned (see
        :func:`clvmodels.value.compare.lapse_churn_rate`); default six months.
    among
        Whose lapses estimate the churn: ``"repeat"`` (default) the customers with a
        repeat purchase (as :func:`clvmodels.compare_clv` does by default), ``"all"``
        every customer.

    Notes
    -----
    The churn multiplies each customer's repeat-purchase rate, which is 0 for customers
    without a repeat purchase whatever the churn. Counting those customers' lapses as
    well (``among="all"``) counts their inactivity twice: once in their zero rate, and
    again as churn of everybody else, each with no exposure (a one-time buyer lapses at
    her first purchase). On CDNOW (39 weeks) that gives 6.5% churn a week instead of
    0.9% and a holdout forecast 46% below what happened.

    Attributes
    ----------
    churn_per_period_
        The churn probability per time unit of the summary, estimated by ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 10.0],
    ...                         "T": [30.0, 12.0]})
    >>> summary.attrs["time_unit"] = "W"
    >>> model = RetentionBaseline(lapse=8, lapse_unit="W", among="all").fit(summary)
    >>> round(model.churn_per_period_, 4)
    0.08
    >>> model.conditional_expected_purchases(2, summary).round(4).tolist()
    [0.0, 0.2944]
    """

    def __init__(self, lapse: float = 6.0, lapse_unit: str = "M", among: str = "repeat") -> None:
        self.lapse = lapse
        self.lapse_unit = lapse_unit
        self.among = among

    def _fit_more(self, summary: pd.DataFrame) -> None:
        unit = self.time_unit_
        if unit is None:
            raise DataValidationError(
                "RetentionBaseline needs the summary's time unit to turn the lapse into "
                "periods; state it with clvmodels.with_time_unit(summary, 'W')"
            )
        self.churn_per_period_ = lapse_churn_rate(
            summary, self.lapse, self.lapse_unit, period_unit=unit, time_unit=unit, among=self.among
        )

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Purchases in the next ``t`` time units at the customer's rate, with retention."""
        self._checked(summary)
        t = _horizon(t)
        rate = self._rate(summary)
        retention = 1.0 - self.churn_per_period_
        if retention >= 1.0:
            periods = t
        else:
            # sum_{k=1}^{t} r^k = (sum to infinity) * (1 - r^t), d = 0.
            periods = float(retention_clv(1.0, retention, 0.0, include_first_period=False))
            periods *= float(-np.expm1(t * np.log(retention))) if retention > 0 else 1.0
        return pd.Series(rate * periods, index=summary.index, name="expected_purchases")

    def __repr__(self) -> str:
        return (
            f"RetentionBaseline(lapse={self.lapse!r}, lapse_unit={self.lapse_unit!r}, "
            f"among={self.among!r})"
        )


class LastPeriodBaseline(_Baseline):
    """The next ``t`` time units repeat the last ``recent_window`` of calibration.

    The summary must carry ``recent_frequency`` (repeat purchases in the last
    ``recent_window`` time units before the calibration end) and ``recent_window``; see
    :func:`clvmodels.evaluation.baselines.recent_repeats`.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"frequency": [4, 1], "recency": [30.0, 5.0],
    ...                         "T": [40.0, 40.0], "recent_frequency": [2, 0],
    ...                         "recent_window": [10.0, 10.0]})
    >>> LastPeriodBaseline().fit(summary).conditional_expected_purchases(5, summary).tolist()
    [1.0, 0.0]
    """

    def _fit_more(self, summary: pd.DataFrame) -> None:
        self._recent(summary)

    def _recent(self, summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        missing = [c for c in ("recent_frequency", "recent_window") if c not in summary]
        if missing:
            raise DataValidationError(
                f"LastPeriodBaseline needs the column(s) {missing} (repeat purchases in the "
                "last window of calibration); add them with "
                "clvmodels.evaluation.baselines.recent_repeats(...)"
            )
        recent = summary["recent_frequency"].to_numpy(np.float64)
        window = summary["recent_window"].to_numpy(np.float64)
        if not (np.all(np.isfinite(window)) and np.all(window > 0)):
            raise DataValidationError("column 'recent_window' must be finite and > 0")
        return recent, window

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """The recent repeat purchases scaled from the window to ``t`` time units."""
        self._checked(summary)
        recent, window = self._recent(summary)
        values = recent * _horizon(t) / window
        return pd.Series(values, index=summary.index, name="expected_purchases")


@renamed_column_arguments
def recent_repeats(
    summary: pd.DataFrame,
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    window: float,
) -> pd.DataFrame:
    """Add the repeat purchases of the last ``window`` time units before the summary's end.

    Adds ``recent_frequency`` (repeat purchases, counted at the summary's ``freq``, in
    the ``window`` before ``attrs["observation_period_end"]``, or
    ``attrs["calibration_period_end"]`` for a split) and ``recent_window`` (the window,
    cut to the longest customer age ``T``) to a copy of ``summary``: the data of
    :class:`LastPeriodBaseline`.
    """
    end = summary.attrs.get("calibration_period_end", summary.attrs.get("observation_period_end"))
    unit, freq = time_unit_of(summary), summary.clv.freq
    if end is None or unit is None or freq is None:
        raise DataValidationError(
            "recent_repeats needs a summary made by clvmodels.rfm_summary or "
            "calibration_holdout_split (attrs with time_unit, freq and the end date)"
        )
    window = min(float(window), float(summary["T"].max()))
    out = summary.copy()
    out["recent_frequency"] = out["frequency"]
    out["recent_window"] = window if window > 0 else 1.0
    start = pd.Timestamp(end) - pd.Timedelta(days=window * days_per_unit(unit))
    dates = pd.to_datetime(transactions[datetime_col])
    if dates.dt.tz is not None:  # compared in UTC, as rfm_summary does
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    if window > 0 and (dates.dt.normalize() <= start.normalize()).any():
        before = rfm_summary(
            transactions,
            customer_id_col,
            datetime_col,
            observation_period_end=start.normalize(),
            freq=freq,
            time_unit=unit,
        )
        earlier = before["frequency"].reindex(out.index).fillna(-1).to_numpy()
        # A customer who bought before the window: her repeats since then; else all of them.
        recent = np.where(earlier >= 0, out["frequency"] - earlier, out["frequency"])
        out["recent_frequency"] = np.maximum(recent, 0)
    return out


def _why_same(duplicate: Any, original: Any, summary: pd.DataFrame | None) -> str:
    """Why two baselines forecast alike, when it follows from their definitions."""
    kinds = {type(duplicate), type(original)}
    if kinds == {RetentionBaseline, RunRateBaseline}:
        retention = duplicate if isinstance(duplicate, RetentionBaseline) else original
        if getattr(retention, "churn_per_period_", None) == 0:
            return (
                "no repeat buyer lapsed in the calibration period, so the retention "
                "formula's churn is 0 and it keeps the run rate"
            )
    if kinds == {LastPeriodBaseline, RunRateBaseline} and summary is not None:
        if "recent_window" in summary and summary["recent_window"].min() >= summary["T"].max():
            return (
                "the holdout is at least as long as the calibration period, so the "
                '"last period" is the whole calibration period: the run rate'
            )
    return "the two give the same forecast for every customer here"


def same_forecasts(result: Any, names: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
    """Models of a backtest whose forecasts repeat an earlier model's, customer by customer.

    Two baselines can coincide on some data: "last period" is the run rate when the
    holdout is at least as long as the calibration period (all customers the same
    age), and the retention formula is the run rate when nobody lapsed in calibration
    (churn 0). A report then shows identical rows, and one plot line hides the other.

    Parameters
    ----------
    result
        A :class:`~clvmodels.evaluation.BacktestResult`.
    names
        The models to compare, in order (default: the baselines of this module, in the
        result's order); a model repeats the first earlier one with the same forecasts.

    Returns
    -------
    dict
        Repeating model -> (the model it repeats, why, in words).
    """
    rows = result.per_customer
    fitted = next(iter(result.fitted.values()), {})
    if names is None:
        names = [n for n, (model, _) in fitted.items() if isinstance(model, _Baseline)]
    order = list(names)
    columns = [c for c in ("predicted_purchases", "predicted_value") if c in rows]
    forecasts = {
        name: rows.loc[rows["model"] == name, columns].to_numpy(np.float64) for name in order
    }
    summaries = list(result.summaries.values())
    summary = summaries[0] if len(summaries) == 1 else None  # the reasons need one cut-off
    repeats: dict[str, tuple[str, str]] = {}
    for i, name in enumerate(order):
        for earlier in order[:i]:
            if earlier in repeats or forecasts[earlier].shape != forecasts[name].shape:
                continue
            same = np.allclose(
                forecasts[earlier], forecasts[name], rtol=1e-9, atol=1e-12, equal_nan=True
            )
            if same:
                why = _why_same(fitted[name][0], fitted[earlier][0], summary)
                repeats[name] = (earlier, why)
                break
    return repeats
