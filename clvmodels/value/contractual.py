"""Customer value in a contractual setting, from the shifted-beta-geometric model.

Two uses of a fitted sBG (:mod:`clvmodels.models.shifted_beta_geo`): the
expected residual value of an existing customer base, and the comparison of
the sBG value of a new customer with the textbook retention-rate formula,
which ignores heterogeneity and so undervalues the cohort.

Discount rates are per period of the cohort data (per year for the bundled
yearly cohorts); margins are per period and paid at the start of each period a
customer is active.

References
----------
Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual
setting: the perils of ignoring heterogeneity. *Marketing Science*, 29(1),
85-93.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels.checks import finite_scalar
from clvmodels.data.units import time_unit_of
from clvmodels.exceptions import DataValidationError
from clvmodels.models.shifted_beta_geo import (
    PARAM_NAMES,
    ShiftedBetaGeoModel,
    cohort_counts,
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
)
from clvmodels.value.deterministic import retention_clv

__all__ = ["compare_contractual", "expected_residual_value"]


def _params_of(params_or_model: Mapping[str, ArrayLike] | ShiftedBetaGeoModel) -> Mapping:
    if isinstance(params_or_model, ShiftedBetaGeoModel):
        params_or_model._check_fitted()
        return params_or_model.params_
    if isinstance(params_or_model, Mapping) and all(k in params_or_model for k in PARAM_NAMES):
        return params_or_model
    raise TypeError(
        "params_or_model must be a fitted ShiftedBetaGeoModel or a mapping with keys "
        f"{list(PARAM_NAMES)}; got {type(params_or_model).__name__}"
    )


def _tenure_table(tenure_counts: pd.Series | Mapping[int, float]) -> tuple[np.ndarray, ...]:
    """Validated (n_renewals, n_customers) arrays from a tenure table."""
    if isinstance(tenure_counts, Mapping):
        tenure_counts = pd.Series(dict(tenure_counts), dtype=np.float64)
    if not isinstance(tenure_counts, pd.Series):
        raise TypeError(
            "tenure_counts must be a pandas Series (index = renewals made, values = number of "
            f"customers) or a mapping; got {type(tenure_counts).__name__}"
        )
    if len(tenure_counts) == 0:
        raise DataValidationError("tenure_counts is empty: no customers to value")
    try:
        renewals = tenure_counts.index.to_numpy(dtype=np.float64)
        customers = tenure_counts.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise DataValidationError(
            "tenure_counts must have numeric renewals as index and numeric counts as values"
        ) from None
    problems = []
    bad = ~np.isfinite(renewals) | (renewals < 0) | (renewals != np.round(renewals))
    if bad.any():
        problems.append(
            f"the index (renewals made) must hold whole numbers >= 0; {int(bad.sum())} do not, "
            f"e.g. {tenure_counts.index[int(np.flatnonzero(bad)[0])]!r}"
        )
    bad = ~np.isfinite(customers) | (customers < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        problems.append(
            f"the values (numbers of customers) must be finite and >= 0; {int(bad.sum())} are "
            f"not, e.g. {customers[first]:g} at renewals {tenure_counts.index[first]!r}"
        )
    if problems:
        raise DataValidationError("invalid tenure_counts:\n  - " + "\n  - ".join(problems))
    return renewals, customers


def expected_residual_value(
    params_or_model: Mapping[str, ArrayLike] | ShiftedBetaGeoModel,
    tenure_counts: pd.Series | Mapping[int, float],
    margin: float,
    discount_rate: float,
) -> np.ndarray | float:
    r"""Expected residual value of an existing customer base under the sBG.

    .. math::

        E[\mathrm{RLV}] = m \sum_{n} N_n\, \mathrm{DERL}(d \mid n)

    where :math:`N_n` customers have made n renewals (Fader & Hardie 2010).
    Each customer is valued at the end of her current period,
    just before her next renewal decision: the payments already made are not
    counted, the next one (paid if she renews) is not discounted (see
    :func:`~clvmodels.models.shifted_beta_geo.discounted_expected_residual_lifetime`).

    Parameters
    ----------
    params_or_model
        A fitted :class:`~clvmodels.models.shifted_beta_geo.ShiftedBetaGeoModel`
        or a mapping with ``alpha`` and ``beta`` (scalars, or arrays of one
        shape such as posterior draws ``(chain, draw)``).
    tenure_counts
        Number of active customers (values) by number of renewals made (index,
        whole numbers >= 0), as a Series or a mapping.
    margin
        Margin per customer per period, m.
    discount_rate
        d per period of the data the model was fitted on; >= 0.

    Returns
    -------
    float or numpy.ndarray
        The value of the base, a float for scalar parameters, else an array
        with the parameters' shape (the tenure axis is summed).

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: the perils of ignoring heterogeneity. *Marketing
    Science*, 29(1), 85-93.
    """
    params = _params_of(params_or_model)
    renewals, customers = _tenure_table(tenure_counts)
    m = finite_scalar(margin, "margin")
    d = finite_scalar(discount_rate, "discount_rate", at_least=0)
    alpha, beta = (np.asarray(params[name], dtype=np.float64)[..., None] for name in PARAM_NAMES)
    derl = discounted_expected_residual_lifetime({"alpha": alpha, "beta": beta}, d, renewals)
    value = m * np.sum(customers * derl, axis=-1)
    return float(value) if value.ndim == 0 else value


def compare_contractual(
    cohorts: pd.DataFrame, discount_rate: float, margin: float = 1.0
) -> pd.DataFrame:
    r"""sBG value of a new customer against the textbook retention-rate formula, per cohort.

    For each cohort (column) the inputs are derived as follows:

    * ``alpha``, ``beta``, ``log_likelihood``: an sBG fitted by maximum
      likelihood to that cohort alone (all its periods);
    * ``retention_rate``: the observed first-period retention rate
      r = alive[1] / alive[0];
    * ``sbg_clv``: margin x DEL(d), the sBG discounted expected lifetime in
      closed form, :math:`{}_2F_1(1, \beta; \alpha+\beta; 1/(1+d))`;
    * ``deterministic_clv``: margin x (1 + d) / (1 + d - r), the formula
      that treats r as every customer's constant retention rate
      (:func:`clvmodels.value.deterministic.retention_clv`);
    * ``difference``: ``sbg_clv - deterministic_clv``;
    * ``ratio``: ``sbg_clv / deterministic_clv``.

    Both values count the first payment, at acquisition, undiscounted and
    the payment at time t discounted by :math:`(1+d)^{-t}`, so they differ
    only in how retention evolves: under heterogeneity the retention rate
    rises with tenure, and the constant-rate formula undervalues the cohort
    (Fader & Hardie 2010).

    Parameters
    ----------
    cohorts
        Customers alive at t = 0..n, one column per cohort (trailing NaN
        where a cohort has fewer periods), e.g.
        :func:`clvmodels.datasets.load_retention_cohorts`.
    discount_rate
        d per period of the cohort data (yearly for the bundled cohorts), >= 0
        (at d = 0 DEL is infinite when alpha <= 1).
    margin
        Margin per customer per period.

    Returns
    -------
    pandas.DataFrame
        One row per cohort (index ``cohort``) with the columns above;
        ``attrs`` holds ``discount_rate``, ``margin`` and ``time_unit``.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: the perils of ignoring heterogeneity. *Marketing
    Science*, 29(1), 85-93.

    Examples
    --------
    >>> import clvmodels as clv
    >>> table = compare_contractual(clv.datasets.load_retention_cohorts(), 0.10)
    >>> table[["sbg_clv", "deterministic_clv"]].round(3).loc["regular"].tolist()
    [3.695, 2.345]
    """
    if not isinstance(cohorts, pd.DataFrame):
        raise TypeError(
            f"cohorts must be a DataFrame with one column per cohort; got {type(cohorts).__name__}"
        )
    m = finite_scalar(margin, "margin")
    d = finite_scalar(discount_rate, "discount_rate", at_least=0)
    rows = {}
    for name, counts in cohort_counts(cohorts, "cohorts").items():
        model = ShiftedBetaGeoModel().fit(counts)
        retention = counts[1] / counts[0]
        sbg = m * float(discounted_expected_lifetime(model.params_, d))
        deterministic = m * float(retention_clv(1.0, retention, d))
        rows[name] = {
            "alpha": model.params_["alpha"],
            "beta": model.params_["beta"],
            "log_likelihood": model.log_likelihood_,
            "retention_rate": retention,
            "sbg_clv": sbg,
            "deterministic_clv": deterministic,
            "difference": sbg - deterministic,
            "ratio": sbg / deterministic,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "cohort"
    table.attrs.update(discount_rate=d, margin=m, time_unit=time_unit_of(cohorts))
    return table
