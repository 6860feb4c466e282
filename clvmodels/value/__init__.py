"""Customer-lifetime value: probabilistic (from fitted models) and deterministic (textbook)."""

from clvmodels.value import compare, contractual, deterministic, probabilistic
from clvmodels.value.compare import CLVComparison, compare_clv, lapse_churn_rate
from clvmodels.value.contractual import compare_contractual, expected_residual_value
from clvmodels.value.probabilistic import (
    DiscountSchedule,
    customer_equity_summary,
    customer_lifetime_value,
    discount_schedule,
    discounted_expected_transactions,
)

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
]
