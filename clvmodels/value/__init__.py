"""Customer-lifetime value: probabilistic (from fitted models) and deterministic (textbook).

:func:`value_customers` is the one valuation step (P(alive), expected purchases, expected
spend and discounted CLV per customer) that the command line, the backtest and the
engines call; :func:`value_spark` runs it where a Spark summary lives.
"""

from clvmodels.value import compare, contractual, deterministic, probabilistic, valuation
from clvmodels.value.compare import CLVComparison, compare_clv, lapse_churn_rate
from clvmodels.value.contractual import compare_contractual, expected_residual_value
from clvmodels.value.probabilistic import (
    DiscountSchedule,
    customer_equity_summary,
    customer_lifetime_value,
    discount_schedule,
    discounted_expected_transactions,
)
from clvmodels.value.valuation import value_customers, value_spark

__all__ = [
    "CLVComparison",
    "DiscountSchedule",
    "compare",
    "compare_clv",
    "compare_contractual",
    "contractual",
    "customer_equity_summary",
    "customer_lifetime_value",
    "deterministic",
    "discount_schedule",
    "discounted_expected_transactions",
    "expected_residual_value",
    "lapse_churn_rate",
    "probabilistic",
    "valuation",
    "value_customers",
    "value_spark",
]
