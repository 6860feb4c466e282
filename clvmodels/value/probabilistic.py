r"""Discounted customer-lifetime value from a fitted purchase model and a spend model.

For customer :math:`i` with history :math:`(x_i, t_{x,i}, T_i)`,

.. math::

    \mathrm{CLV}_i = m \; E[S_i \mid \text{history}] \;
        \sum_{k=1}^{K} \frac{E[X_i(t_k) \mid \text{history}]
                             - E[X_i(t_{k-1}) \mid \text{history}]}{(1 + d)^k},
    \qquad t_k = k\,s,

where :math:`X_i(t)` counts the purchases in :math:`(T_i, T_i + t]`, :math:`S_i`
is the spend per purchase, :math:`m` the margin, :math:`s` the length of one
step and :math:`d` the discount rate per step. The sum is the *discounted
expected transactions* (DET) of Fader, Hardie & Lee (2005), in discrete time:
the purchases expected in step :math:`k` are valued as if they all happened at
its end, which is what ``lifetimes`` computes.

Units
-----
Three units meet here, and each is explicit (the last two are required
arguments, never defaults):

* the summary's time unit (``summary.attrs["time_unit"]``, e.g. ``"W"``), in
  which the purchase model measures ``t``;
* the horizon's unit (``horizon_unit``): the horizon is ``K = horizon`` steps
  of one ``horizon_unit`` each (12 with ``"M"``: twelve monthly steps);
* the discount rate's period (``discount_period``): a rate per year is turned
  into the rate per step as :math:`(1 + d_Y)^{\,\text{step days} / 365.25} - 1`,
  never reused per step as it is.

Lengths in days come from :data:`clvmodels.data.units.DAYS_PER_UNIT` (a month
is 365.25 / 12 days, so 4.348 weeks); ``step_length`` overrides the length of a
step on the summary's time axis, e.g. 4.345 weeks to reproduce ``lifetimes``.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
curves for customer base analysis. *Journal of Marketing Research*, 42(4),
415-430.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clvmodels.checks import finite_scalar, per_customer_values
from clvmodels.data.units import (
    canonical_unit,
    check_same_unit,
    days_per_unit,
    time_unit_of,
    with_time_unit,
)
from clvmodels.data.validation import require_frame
from clvmodels.estimation.protocols import (
    PosteriorModel,
    PurchaseModel,
    SpendModel,
    capabilities,
)
from clvmodels.value.deterministic import customer_equity

__all__ = [
    "DiscountSchedule",
    "PosteriorCLV",
    "PurchaseModel",
    "SpendModel",
    "customer_equity_summary",
    "customer_lifetime_value",
    "discount_schedule",
    "discounted_expected_transactions",
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


def _check_model_unit(model: object, time_unit: str, what: str) -> None:
    check_same_unit(getattr(model, "time_unit_", None), time_unit, f"the summary given to {what}")


def discounted_expected_transactions(
    purchase_model: PurchaseModel,
    summary: pd.DataFrame,
    schedule: DiscountSchedule,
) -> pd.Series:
    r"""Discounted expected number of future purchases, per customer.

    .. math::

        \mathrm{DET}_i = \sum_{k=1}^{K}
            \frac{E[X_i(t_k) \mid \cdot] - E[X_i(t_{k-1}) \mid \cdot]}{(1 + d)^k},
        \qquad t_0 = 0

    A model that ``accepts_many_horizons`` gets all K horizons in one call and
    returns a (customers x K) frame, sharing work between horizons (BG/NBD
    evaluates P(alive) once and the 2F1 once per distinct (x, T) and horizon);
    any other model is called once per step with a scalar horizon.

    Parameters
    ----------
    purchase_model
        Any object with ``conditional_expected_purchases(t, summary)``.
    summary
        One row per customer, in ``schedule.time_unit``.
    schedule
        From :func:`discount_schedule`.

    Returns
    -------
    pandas.Series
        Indexed like ``summary``, named ``"det"``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
    curves for customer base analysis. *Journal of Marketing Research*, 42(4),
    415-430 (DET there in continuous time, for the Pareto/NBD).
    """
    require_frame(summary, "summary", [])
    _check_model_unit(purchase_model, schedule.time_unit, "the purchase model")
    what = "purchase_model.conditional_expected_purchases"
    times = np.asarray(schedule.times, dtype=np.float64)
    if len(times) == 0:
        return pd.Series(0.0, index=summary.index, name="det")
    if capabilities(purchase_model).many_horizons:
        path = purchase_model.conditional_expected_purchases(times, summary)
        if not isinstance(path, pd.DataFrame) or path.shape != (len(summary), len(times)):
            raise ValueError(
                f"{what} must return a (customers x horizons) DataFrame of shape "
                f"{(len(summary), len(times))} when given {len(times)} horizons"
            )
        steps = (path.iloc[:, k] for k in range(len(times)))
    else:
        steps = (purchase_model.conditional_expected_purchases(float(t), summary) for t in times)
    total = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for values, factor in zip(steps, schedule.discount_factors, strict=True):
        cumulative = per_customer_values(values, summary.index, what)
        total += (cumulative - previous) * factor
        previous = cumulative
    return pd.Series(total, index=summary.index, name="det")


def customer_lifetime_value(
    purchase_model: PurchaseModel,
    spend_model: SpendModel,
    summary: pd.DataFrame,
    horizon: float,
    discount_rate: float,
    margin: float = 1.0,
    *,
    time_unit: str | None = None,
    horizon_unit: str,
    discount_period: str,
    step_length: float | None = None,
    hdi: float = 0.94,
    n_draws: int | None = None,
) -> pd.Series | PosteriorCLV:
    r"""Discounted CLV over a finite horizon, per customer.

    .. math::

        \mathrm{CLV}_i = m \, E[S_i \mid \cdot] \sum_{k=1}^{K}
            \frac{E[X_i(k s) \mid \cdot] - E[X_i((k-1) s) \mid \cdot]}{(1 + d)^k}

    with :math:`K` = ``horizon`` steps of length :math:`s` (one ``horizon_unit``,
    in the summary's unit), :math:`d` the discount rate per step, :math:`m` the
    margin and :math:`E[S_i]` the spend model's expected spend per purchase. Purchases
    expected during step k are discounted as if made at its end (k = 1 is discounted
    once). With ``discount_rate=0`` the value is
    :math:`m\,E[S_i]\,E[X_i(K s) \mid \cdot]`.

    Parameters
    ----------
    purchase_model
        Fitted model with ``conditional_expected_purchases(t, summary)`` returning one
        value per customer (e.g. :class:`~clvmodels.BetaGeoModel`; Bayesian models
        return posterior means). Its ``time_unit_``, if any, must be the summary's.
    spend_model
        Fitted model with ``expected_spend(summary)`` (e.g.
        :class:`~clvmodels.GammaGammaModel`).
    summary
        One row per customer (the columns the two models need).
    horizon
        Number of steps K, a whole number >= 0, in ``horizon_unit``.
    discount_rate
        Discount rate per ``discount_period``, > -1.
    margin
        Share of spend that is profit (1.0: value revenue), any finite number.
    time_unit
        The summary's time unit, required when ``summary.attrs`` states none.
    horizon_unit
        Unit of the horizon and of one step (``"D"``, ``"W"``, ``"M"``, ``"Q"``,
        ``"Y"``); required. ``lifetimes`` uses months.
    discount_period
        Period of ``discount_rate``; required (``lifetimes``: a rate per month).
        An annual rate with monthly steps becomes
        :math:`(1 + d_Y)^{1/12} - 1` per step.
    step_length
        Override of the length of one step in the summary's unit (default: calendar
        conversion, 365.25 / 12 / 7 = 4.348 weeks per month); see
        :func:`discount_schedule`.
    hdi
        With a Bayesian model: probability of the per-customer and base-total intervals.
    n_draws
        With a Bayesian model: use this many evenly spaced draws per chain (faster,
        noisier); ``None`` uses them all.

    Returns
    -------
    pandas.Series or PosteriorCLV
        Indexed like ``summary``, named ``"clv"``. When either model is Bayesian (has
        posterior draws, a mixed MLE/Bayesian pair included), a :class:`PosteriorCLV`:
        per-customer posterior mean and HDI, and the draws of the base's total value.

    Raises
    ------
    UnitMismatchError
        If the summary's unit differs from ``time_unit`` or the purchase model's.
    ValueError
        If no time unit is known, ``horizon`` is negative or fractional,
        ``discount_rate <= -1``, ``margin`` is not finite, or a model returns
        non-finite or misaligned values.

    Notes
    -----
    ``lifetimes.GammaGammaFitter.customer_lifetime_value(bgf, x, t_x, T, m, time=12,
    discount_rate=0.01, freq="W")`` is ``horizon=12, horizon_unit="M",
    discount_period="M", step_length=4.345`` here; with the default calendar step
    (4.348 weeks) values differ by under 0.1 % (0.07 % at most on CDNOW).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
    curves for customer base analysis. *Journal of Marketing Research*, 42(4),
    415-430.

    Examples
    --------
    >>> import clvmodels as clv
    >>> from clvmodels.value.probabilistic import customer_lifetime_value
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> bg = clv.BetaGeoModel().fit(summary)
    >>> gg = clv.GammaGammaModel().fit(summary)
    >>> value = customer_lifetime_value(bg, gg, summary, 12, 0.1, horizon_unit="M",
    ...                                 discount_period="Y")
    >>> value.name, len(value)
    ('clv', 2357)
    """
    require_frame(summary, "summary", [])
    unit = summary_time_unit(summary, time_unit)
    summary = with_time_unit(summary, unit)
    margin = finite_scalar(margin, "margin")
    schedule = discount_schedule(
        horizon,
        discount_rate,
        unit,
        horizon_unit=horizon_unit,
        discount_period=discount_period,
        step_length=step_length,
    )
    _check_model_unit(purchase_model, unit, "the purchase model")
    if isinstance(purchase_model, PosteriorModel) or isinstance(spend_model, PosteriorModel):
        return _posterior_clv(
            purchase_model, spend_model, summary, schedule, margin, hdi=hdi, n_draws=n_draws
        )
    spend = per_customer_values(
        spend_model.expected_spend(summary), summary.index, "spend_model.expected_spend"
    )
    det = discounted_expected_transactions(purchase_model, summary, schedule).to_numpy()
    return pd.Series(margin * spend * det, index=summary.index, name="clv")


@dataclass(frozen=True)
class PosteriorCLV:
    """CLV from Bayesian models: per customer and for the whole base, with uncertainty.

    Attributes
    ----------
    per_customer
        Indexed like the summary: the posterior ``mean`` CLV and its HDI bounds
        (``hdi_3%``, ``hdi_97%`` for 0.94).
    base_total
        Draws ``(chain, draw)`` of the total value of the base (the sum over customers),
        the quantity a finance team asks about.
    hdi
        The interval probability.
    """

    per_customer: pd.DataFrame
    base_total: np.ndarray
    hdi: float

    def base_total_summary(self) -> pd.Series:
        """Mean, sd and HDI of the base's total value."""
        from clvmodels.estimation.intervals import hdi, interval_names

        draws = self.base_total.reshape(-1)
        lower, upper = interval_names(self.hdi)
        bounds = hdi(draws, self.hdi)
        return pd.Series(
            {
                "mean": draws.mean(),
                "sd": draws.std(ddof=1) if draws.size > 1 else 0.0,
                lower: bounds[0],
                upper: bounds[1],
            },
            name="base_total",
        )


#: Values (draws x customers x steps) evaluated at once in a posterior CLV.
POSTERIOR_CHUNK_ELEMENTS = 4_000_000


def _sample_shape(model: object) -> tuple[int, int] | None:
    if not isinstance(model, PosteriorModel):
        return None
    first = next(iter(model.posterior_params().values()))
    return (int(first.shape[0]), int(first.shape[1]))


def _posterior_clv(
    purchase_model: PurchaseModel,
    spend_model: SpendModel,
    summary: pd.DataFrame,
    schedule: DiscountSchedule,
    margin: float,
    *,
    hdi: float,
    n_draws: int | None,
) -> PosteriorCLV:
    """CLV draws per customer, reduced to mean and HDI, chunk by chunk of purchase histories.

    The draws of the two models are paired index by index (their posteriors are
    independent); an MLE model contributes its point prediction to every draw. The
    discounted expected transactions depend on a customer only through the purchase
    columns (x, t_x, T): they are evaluated once per distinct history (ordered by (x, T)
    so that a chunk shares its 2F1 brackets) and draw. With a point spend model the
    customer's value is that times a constant ``margin * spend``, so its mean and HDI are
    the history's, scaled. A posterior spend model gives a customer her own draws, which
    depend on her only through her numeric columns: they are reduced once per distinct
    (history, spend) row, e.g. once for all the customers of a history with no repeat
    purchase, and chunk by chunk of those rows within a chunk of histories.
    """
    from clvmodels.estimation.intervals import check_probability, interval_names
    from clvmodels.estimation.intervals import hdi as interval

    hdi = check_probability(hdi)
    if n_draws is not None:
        purchase_model, spend_model = (
            m.thinned(n_draws) if isinstance(m, PosteriorModel) else m
            for m in (purchase_model, spend_model)
        )
    shapes = {s for s in map(_sample_shape, (purchase_model, spend_model)) if s is not None}
    if len(shapes) != 1:
        raise ValueError(
            f"the purchase and spend posteriors must have the same (chain, draw) shape to be "
            f"paired draw by draw; got {sorted(shapes)}. Fit both with the same chains and "
            "draws, or pass n_draws to thin both to the same number."
        )
    (sample_shape,) = shapes
    n_samples = sample_shape[0] * sample_shape[1]
    histories, inverse = _purchase_histories(summary)
    n_rows = len(histories)
    counts = np.bincount(inverse, minlength=n_rows)
    # customers grouped by history: those of rows [i, j) are by_row[first[i]:first[j]]
    by_row = np.argsort(inverse, kind="stable")
    first = np.concatenate([[0], np.cumsum(counts)])
    distinct = with_time_unit(histories, schedule.time_unit)
    times = np.asarray(schedule.times, dtype=np.float64)
    factors = schedule.discount_factors
    point_spend = not isinstance(spend_model, PosteriorModel)
    if point_spend:
        spend = per_customer_values(
            spend_model.expected_spend(summary), summary.index, "spend_model.expected_spend"
        )
        scale = margin * spend
        weights = np.bincount(inverse, weights=scale, minlength=n_rows)
        mean = np.empty(len(summary))
        band = np.empty((len(summary), 2))
    else:
        rows, row_of, row_counts = _spend_rows(summary, histories, inverse)
        # the (history, spend) rows of histories [i, j) are rows [row_first[i], row_first[j])
        row_first = np.searchsorted(rows.history, np.arange(n_rows + 1))
        mean = np.empty(len(rows.history))
        band = np.empty((len(rows.history), 2))
    total = np.zeros(sample_shape)
    budget = max(1, POSTERIOR_CHUNK_ELEMENTS // n_samples)
    step = max(1, budget // max(1, len(times)))
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        det = _det_draws(purchase_model, distinct.iloc[start:stop], times, factors)
        det = np.broadcast_to(det, (*sample_shape, stop - start)).reshape(n_samples, -1)
        if point_spend:
            customers = by_row[first[start] : first[stop]]
            total += (det @ weights[start:stop]).reshape(sample_shape)
            row_mean = det.mean(axis=0)
            row_band = interval(det, hdi, axis=0)
            local = inverse[customers] - start
            c = scale[customers]
            mean[customers] = c * row_mean[local]
            # c * X has the interval of X scaled, its ends swapped where c < 0
            ends = np.where(c[:, None] >= 0, row_band[local], row_band[local][:, ::-1])
            band[customers] = c[:, None] * ends
            continue
        for low in range(row_first[start], row_first[stop], budget):
            part = slice(low, min(row_first[stop], low + budget))
            spend_draws = spend_model.expected_spend(rows.frame.iloc[part], draws=True)
            # (row, sample): a row's draws are contiguous, which numpy sorts faster
            value = np.empty((part.stop - part.start, n_samples))
            np.multiply(np.asarray(spend_draws).reshape(n_samples, -1).T, margin, out=value)
            value *= det[:, rows.history[part] - start].T
            # einsum's own loop: BLAS's threads would spin for this one product
            total += np.einsum("r,rs->s", row_counts[part], value).reshape(sample_shape)
            mean[part] = value.mean(axis=1)
            band[part] = interval(value, hdi, axis=1)
    if not point_spend:
        mean, band = mean[row_of], band[row_of]
    lower, upper = interval_names(hdi)
    per_customer = pd.DataFrame(
        {"mean": mean, lower: band[:, 0], upper: band[:, 1]}, index=summary.index
    )
    per_customer.attrs["quantity"] = "clv"
    return PosteriorCLV(per_customer=per_customer, base_total=total, hdi=hdi)


def _purchase_histories(summary: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct purchase histories and each customer's.

    Every numeric column but the spend, ordered by (frequency, T, recency) so that
    neighbouring histories share (x, T).
    """
    preferred = [c for c in ("frequency", "T", "recency") if c in summary]
    others = [
        c
        for c in summary.columns
        if c not in preferred
        and c != "monetary_value"
        and pd.api.types.is_numeric_dtype(summary[c])
    ]
    from clvmodels.estimation.posterior import distinct_rows

    columns = preferred + others
    values, inverse = distinct_rows(*(summary[c].to_numpy(np.float64) for c in columns))
    return pd.DataFrame(values, columns=columns), inverse


@dataclass(frozen=True)
class _SpendRows:
    """Distinct (history, spend) rows: a frame for the spend model and each row's history."""

    frame: pd.DataFrame
    history: np.ndarray


def _spend_rows(
    summary: pd.DataFrame, histories: pd.DataFrame, inverse: np.ndarray
) -> tuple[_SpendRows, np.ndarray, np.ndarray]:
    """The distinct (history, ``monetary_value``) rows, sorted by history.

    Also each customer's row and how many customers each row has.
    """
    from clvmodels.estimation.posterior import distinct_rows

    keys = [inverse.astype(np.float64)]
    spend_columns = [c for c in ("monetary_value",) if c in summary]
    keys += [summary[c].to_numpy(np.float64) for c in spend_columns]
    values, row_of = distinct_rows(*keys)
    history = values[:, 0].astype(np.int64)
    frame = histories.iloc[history].reset_index(drop=True)
    for j, column in enumerate(spend_columns, start=1):
        frame[column] = values[:, j]
    frame.attrs.update(summary.attrs)
    counts = np.bincount(row_of, minlength=len(values)).astype(np.float64)
    return _SpendRows(frame, history), row_of, counts


def _det_draws(
    purchase_model: PurchaseModel, part: pd.DataFrame, times: np.ndarray, factors: np.ndarray
) -> np.ndarray:
    """Discounted expected transactions, ``(chain, draw, rows)`` or ``(rows,)`` for an MLE."""
    if len(times) == 0:
        return np.zeros(len(part))
    what = "purchase_model.conditional_expected_purchases"
    if isinstance(purchase_model, PosteriorModel):
        # sum_k f_k (E_k - E_{k-1}) = sum_k (f_k - f_{k+1}) E_k with f_{K+1} = 0: the model
        # sums its path with these weights before expanding it to rows and draws
        weights = factors - np.append(factors[1:], 0.0)
        return np.asarray(
            purchase_model.conditional_expected_purchases(
                times, part, draws=True, weights=weights
            ).values
        )
    if capabilities(purchase_model).many_horizons:
        path = purchase_model.conditional_expected_purchases(times, part).to_numpy(np.float64)
    else:
        path = np.stack(
            [
                per_customer_values(
                    purchase_model.conditional_expected_purchases(float(t), part), part.index, what
                )
                for t in times
            ],
            axis=-1,
        )
    increments = np.diff(path, axis=-1, prepend=0.0)
    return (increments * factors).sum(axis=-1)


def customer_equity_summary(clv_values: pd.Series | pd.DataFrame) -> pd.DataFrame:
    r"""Customer equity and per-customer statistics of one or more CLV columns.

    .. math:: CE = \sum_{i=1}^{N} \mathrm{CLV}_i

    Parameters
    ----------
    clv_values
        Per-customer values: a Series (one row out, labelled by its name, ``"clv"``
        when unnamed) or a DataFrame (one row per column).

    Returns
    -------
    pandas.DataFrame
        Indexed by value name, columns ``customer_equity`` (the sum, as
        :func:`clvmodels.value.deterministic.customer_equity`), ``n_customers``,
        ``mean`` and ``median``.

    Raises
    ------
    TypeError
        If ``clv_values`` is not a Series or DataFrame.
    DataValidationError
        On NaN or infinite values.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV. *Journal of
    Marketing Research*, 42(4), 415-430.
    """
    if isinstance(clv_values, pd.Series):
        frame = clv_values.to_frame(clv_values.name if clv_values.name is not None else "clv")
    elif isinstance(clv_values, pd.DataFrame):
        frame = clv_values
    else:
        raise TypeError(
            f"clv_values must be a pandas Series or DataFrame, got {type(clv_values).__name__}"
        )
    rows = {}
    for name in frame.columns:
        column = frame[name]
        rows[name] = {
            "customer_equity": customer_equity(column),
            "n_customers": len(column),
            "mean": float(column.mean()) if len(column) else 0.0,
            "median": float(column.median()) if len(column) else 0.0,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table
