"""Deterministic (textbook) customer-lifetime-value formulas.

Every function here is a closed-form formula from the marketing literature or
from introductory marketing texts, written as a pure vectorised function.  No
model is fitted and nothing is random: the inputs (spend, margins, retention,
discount rate, ...) are taken as known.

Conventions shared by all functions
-----------------------------------
* **Vectorisation.**  Arguments accept Python scalars, sequences, numpy arrays
  or pandas Series, one value per customer, and are combined with numpy
  broadcasting.  All-scalar input returns a ``float``; otherwise an
  ``ndarray`` is returned, or a ``pandas.Series`` carrying the input index
  when a Series came in.  Series arguments must share one index: they are
  never aligned silently.
* **Validation.**  Invalid input raises
  :class:`~clvmodels.exceptions.DataValidationError` (a ``ValueError``) whose
  message names the argument, the rule and an offending value with its
  position, e.g. ``churn_rate must lie in [0, 1]; got 1.3 at position 4``.
  NaN and infinite values are always rejected, so no function returns NaN.
* **Rules.**  Churn, retention and share-of-wallet values must lie in
  ``[0, 1]``; discount rates (and the cost of capital) must exceed ``-1``;
  counts, frequencies, horizons and capacities must be non-negative; money
  amounts (revenue, margin, cost) only need to be finite, since cash flows
  may be negative.
* **Timing.**  Rates are per period (usually per year).  Discounted cash flows
  arrive at the *end* of each period unless stated otherwise, so the first
  period is discounted once; a payment at "time 0" (initial purchase,
  acquisition cost) is not discounted.

Modules
-------
* :mod:`~clvmodels.value.deterministic.simple`: undiscounted rules of thumb
  (:func:`simple_clv`, :func:`time_weighted_clv`, :func:`run_rate_clv`).
* :mod:`~clvmodels.value.deterministic.cash_flow`: discounted cash flows
  (:func:`discounted_cash_flow_clv`) and the loyal-customer lifetime values
  (:func:`loyal_customer_lifetime_value` and its revenue-, profit- and
  contribution-based variants).
* :mod:`~clvmodels.value.deterministic.retention`: retention-based CLV and lifetime
  arithmetic (:func:`retention_clv`, :func:`expected_lifetime`,
  :func:`customer_base_lifetime`, :func:`replacement_customers_needed`).
* :mod:`~clvmodels.value.deterministic.markov`: brand-switching Markov chains
  (:func:`markov_shares`, :func:`markov_brand_clv`).
* :mod:`~clvmodels.value.deterministic.components`: value components and customer
  equity (:func:`customer_purchase_value`, :func:`word_of_mouth_value`,
  :func:`total_customer_value`, :func:`customer_equity`).
* :mod:`~clvmodels.value.deterministic.cohort`: the cohort lifetime-value table
  (:func:`cohort_value_table`).

Every public function is re-exported here, so import from this package, e.g.
``from clvmodels.value.deterministic import retention_clv``.
"""

from __future__ import annotations

from clvmodels.value.deterministic._checks import ArrayLike as ArrayLike
from clvmodels.value.deterministic._checks import Result as Result
from clvmodels.value.deterministic.cash_flow import (
    contribution_based_lifetime_value,
    discounted_cash_flow_clv,
    loyal_customer_lifetime_value,
    profit_based_lifetime_value,
    revenue_based_lifetime_value,
)
from clvmodels.value.deterministic.cohort import cohort_value_table
from clvmodels.value.deterministic.components import (
    customer_equity,
    customer_purchase_value,
    total_customer_value,
    word_of_mouth_value,
)
from clvmodels.value.deterministic.markov import markov_brand_clv, markov_shares
from clvmodels.value.deterministic.retention import (
    customer_base_lifetime,
    expected_lifetime,
    replacement_customers_needed,
    retention_clv,
)
from clvmodels.value.deterministic.simple import run_rate_clv, simple_clv, time_weighted_clv

__all__ = [
    "cohort_value_table",
    "contribution_based_lifetime_value",
    "customer_base_lifetime",
    "customer_equity",
    "customer_purchase_value",
    "discounted_cash_flow_clv",
    "expected_lifetime",
    "loyal_customer_lifetime_value",
    "markov_brand_clv",
    "markov_shares",
    "profit_based_lifetime_value",
    "replacement_customers_needed",
    "retention_clv",
    "revenue_based_lifetime_value",
    "run_rate_clv",
    "simple_clv",
    "time_weighted_clv",
    "total_customer_value",
    "word_of_mouth_value",
]
