"""Tests for clvmodels.value.deterministic.

Expected numbers come from the worked examples in the issue (textbook examples) or from
hand computations written out in the test with plain arithmetic, never from the function
under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clvmodels.exceptions import DataValidationError
from clvmodels.value.deterministic import (
    cohort_value_table,
    contribution_based_lifetime_value,
    customer_base_lifetime,
    customer_equity,
    customer_purchase_value,
    discounted_cash_flow_clv,
    expected_lifetime,
    loyal_customer_lifetime_value,
    markov_brand_clv,
    markov_shares,
    profit_based_lifetime_value,
    replacement_customers_needed,
    retention_clv,
    revenue_based_lifetime_value,
    run_rate_clv,
    simple_clv,
    time_weighted_clv,
    total_customer_value,
    word_of_mouth_value,
)

# Brand-switching example from the issue (textbook spend-share Markov model).
P_EXAMPLE = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]
S0_EXAMPLE = [0.6, 0.3, 0.1]

rates = st.floats(min_value=-0.5, max_value=1.0, allow_nan=False)
money = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


# ---------------------------------------------------------------------------
# simple_clv / time_weighted_clv
# ---------------------------------------------------------------------------


def test_simple_clv_hand_computation():
    # 50 per purchase, 4 purchases, 25 % churn: 50 * 4 * 0.75 = 150
    result = simple_clv(50.0, 4.0, 0.25)
    assert isinstance(result, float)
    assert result == pytest.approx(50 * 4 * 0.75)


def test_simple_clv_vectorised_array():
    result = simple_clv(np.array([10.0, 20.0]), 2.0, np.array([0.0, 0.5]))
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [10 * 2 * 1.0, 20 * 2 * 0.5])


def test_simple_clv_series_keeps_index():
    spend = pd.Series([10.0, 20.0, 30.0], index=["a", "b", "c"])
    churn = pd.Series([0.1, 0.2, 0.3], index=["a", "b", "c"])
    result = simple_clv(spend, 1.0, churn)
    assert isinstance(result, pd.Series)
    assert list(result.index) == ["a", "b", "c"]
    np.testing.assert_allclose(result.to_numpy(), [10 * 0.9, 20 * 0.8, 30 * 0.7])


def test_simple_clv_series_and_array_mix():
    spend = pd.Series([10.0, 20.0], index=[101, 202])
    result = simple_clv(spend, np.array([1.0, 3.0]), 0.5)
    assert isinstance(result, pd.Series)
    assert list(result.index) == [101, 202]
    np.testing.assert_allclose(result.to_numpy(), [5.0, 30.0])


def test_simple_clv_rejects_churn_outside_unit_interval_with_position():
    with pytest.raises(DataValidationError, match=r"churn_rate must lie in \[0, 1\]; got 1\.3 "):
        simple_clv(10.0, 1.0, [0.1, 0.2, 0.3, 0.4, 1.3])
    with pytest.raises(DataValidationError, match=r"got 1\.3 at position 4"):
        simple_clv(10.0, 1.0, [0.1, 0.2, 0.3, 0.4, 1.3])


def test_simple_clv_rejects_negative_churn_scalar():
    with pytest.raises(DataValidationError, match=r"churn_rate must lie in \[0, 1\]; got -0\.1$"):
        simple_clv(10.0, 1.0, -0.1)


def test_error_message_names_series_label():
    churn = pd.Series([0.1, 2.0], index=["alice", "bob"])
    with pytest.raises(DataValidationError, match=r"at position 1 \(index label 'bob'\)"):
        simple_clv(10.0, 1.0, churn)


def test_simple_clv_rejects_nan():
    with pytest.raises(DataValidationError, match=r"average_spend must be finite.*got nan at pos"):
        simple_clv([1.0, np.nan], 1.0, 0.1)


def test_simple_clv_rejects_nan_in_series():
    with pytest.raises(DataValidationError, match=r"purchase_frequency must be finite"):
        simple_clv(1.0, pd.Series([1.0, None]), 0.1)


def test_simple_clv_rejects_infinity():
    with pytest.raises(DataValidationError, match=r"average_spend must be finite.*got inf"):
        simple_clv(np.inf, 1.0, 0.1)


def test_simple_clv_rejects_negative_frequency():
    with pytest.raises(DataValidationError, match=r"purchase_frequency must be non-negative"):
        simple_clv(1.0, [1.0, -2.0], 0.1)


def test_simple_clv_rejects_non_numeric():
    # A wrong type is a TypeError, as in clvmodels.checks (it was DataValidationError).
    with pytest.raises(TypeError, match=r"average_spend must be numeric; got 'lots'"):
        simple_clv("lots", 1.0, 0.1)
    with pytest.raises(TypeError, match=r"churn_rate must be numeric; got None"):
        simple_clv(1.0, 1.0, None)


def test_simple_clv_rejects_shape_mismatch():
    with pytest.raises(
        DataValidationError, match=r"shape mismatch: average_spend has shape \(3,\).*\(2,\)"
    ):
        simple_clv([1.0, 2.0, 3.0], 1.0, [0.1, 0.2])


def test_simple_clv_rejects_series_with_different_indexes():
    spend = pd.Series([1.0, 2.0], index=["a", "b"])
    churn = pd.Series([0.1, 0.2], index=["b", "a"])
    with pytest.raises(DataValidationError, match=r"same index; average_spend and churn_rate"):
        simple_clv(spend, 1.0, churn)


def test_time_weighted_clv_multiplies_not_discounts():
    # simple = 50 * 4 * 0.75 = 150; textbook "time-weighted" = 150 * (1 + 0.1) = 165
    assert time_weighted_clv(50.0, 4.0, 0.25, 0.1) == pytest.approx(150 * 1.1)
    # higher cost of capital -> higher value (no discounting happens)
    assert time_weighted_clv(50.0, 4.0, 0.25, 0.2) > time_weighted_clv(50.0, 4.0, 0.25, 0.1)


def test_time_weighted_clv_series():
    spend = pd.Series([10.0, 20.0], index=["x", "y"])
    result = time_weighted_clv(spend, 1.0, 0.0, 0.5)
    assert list(result.index) == ["x", "y"]
    np.testing.assert_allclose(result.to_numpy(), [15.0, 30.0])


def test_time_weighted_clv_rejects_cost_of_capital_at_minus_one():
    with pytest.raises(DataValidationError, match=r"cost_of_capital must be greater than -1"):
        time_weighted_clv(1.0, 1.0, 0.1, -1.0)


# ---------------------------------------------------------------------------
# run_rate_clv
# ---------------------------------------------------------------------------


def test_run_rate_clv_worked_example():
    # Issue worked example: 10 years x 100 a year - 80 acquisition = 920
    assert run_rate_clv(100.0, 0.0, 10, acquisition_cost=80.0) == pytest.approx(920.0)


def test_run_rate_clv_with_costs_vectorised():
    # (100 - 30) * 2 - 10 = 130 ; (100 - 30) * 0.5 - 10 = 25
    result = run_rate_clv(100.0, 30.0, np.array([2.0, 0.5]), acquisition_cost=10.0)
    np.testing.assert_allclose(result, [130.0, 25.0])


def test_run_rate_clv_rejects_negative_years():
    with pytest.raises(DataValidationError, match=r"expected_years must be non-negative; got -1"):
        run_rate_clv(100.0, 0.0, -1.0)


# ---------------------------------------------------------------------------
# discounted_cash_flow_clv
# ---------------------------------------------------------------------------


def test_dcf_hand_computation_one_customer():
    # revenue 100, 200, 300; margin 50 %; cost 10 a period; r = 10 %; acquisition 20
    expected = (50 - 10) / 1.1 + (100 - 10) / 1.1**2 + (150 - 10) / 1.1**3 - 20
    result = discounted_cash_flow_clv(
        [100.0, 200.0, 300.0], 0.1, margins=0.5, costs=10.0, acquisition_cost=20.0
    )
    assert isinstance(result, float)
    assert result == pytest.approx(expected)


def test_dcf_first_period_zero_does_not_discount_first_flow():
    # flows 100, 100 at the start of periods 0 and 1: 100 + 100 / 1.1
    assert discounted_cash_flow_clv([100.0, 100.0], 0.1, first_period=0) == pytest.approx(
        100 + 100 / 1.1
    )


def test_dcf_two_dimensional_per_customer():
    revenues = np.array([[110.0, 121.0], [0.0, 121.0]])
    # row 0: 110 / 1.1 + 121 / 1.21 = 200 ; row 1: 121 / 1.21 = 100
    result = discounted_cash_flow_clv(revenues, 0.1)
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [200.0, 100.0])


def test_dcf_per_period_margins_and_per_customer_rates():
    revenues = np.array([[100.0, 100.0], [100.0, 100.0]])
    margins = np.array([0.5, 0.2])  # per period
    rates_ = np.array([0.0, 1.0])  # per customer
    # customer 0: 50 + 20 = 70 ; customer 1: 50 / 2 + 20 / 4 = 30
    result = discounted_cash_flow_clv(revenues, rates_, margins=margins, acquisition_cost=[5, 0])
    np.testing.assert_allclose(result, [65.0, 30.0])


def test_dcf_dataframe_keeps_customer_index():
    revenues = pd.DataFrame([[110.0, 121.0], [220.0, 0.0]], index=["c1", "c2"])
    result = discounted_cash_flow_clv(revenues, 0.1)
    assert isinstance(result, pd.Series)
    assert list(result.index) == ["c1", "c2"]
    np.testing.assert_allclose(result.to_numpy(), [200.0, 200.0])


@settings(max_examples=60, deadline=None)
@given(
    flow=money,
    rate=st.floats(min_value=-0.5, max_value=1.0).filter(lambda r: abs(r) > 1e-6),
    n=st.integers(min_value=1, max_value=40),
)
def test_dcf_constant_flows_equal_annuity(flow, rate, n):
    annuity = flow * (1 - (1 + rate) ** -n) / rate
    result = discounted_cash_flow_clv(np.full(n, flow), rate)
    assert result == pytest.approx(annuity, rel=1e-9, abs=1e-6)


def test_dcf_rejects_discount_rate_at_or_below_minus_one():
    with pytest.raises(DataValidationError, match=r"discount_rate must be greater than -1; got -1"):
        discounted_cash_flow_clv([1.0, 2.0], -1.0)


def test_dcf_rejects_bad_revenue_dimensions():
    with pytest.raises(DataValidationError, match=r"revenues must be 1-D .* got 0-D"):
        discounted_cash_flow_clv(5.0, 0.1)
    with pytest.raises(DataValidationError, match=r"revenues must be 1-D .* got 3-D"):
        discounted_cash_flow_clv(np.ones((2, 2, 2)), 0.1)
    with pytest.raises(DataValidationError, match=r"at least one period"):
        discounted_cash_flow_clv(np.ones((2, 0)), 0.1)


def test_dcf_rejects_nan_revenue():
    with pytest.raises(DataValidationError, match=r"revenues must be finite.*position \(1, 0\)"):
        discounted_cash_flow_clv([[1.0, 2.0], [np.nan, 1.0]], 0.1)


def test_dcf_rejects_margins_of_wrong_shape():
    with pytest.raises(DataValidationError, match=r"margins has shape \(3,\).*revenues of shape"):
        discounted_cash_flow_clv(np.ones((2, 2)), 0.1, margins=[0.1, 0.2, 0.3])
    with pytest.raises(DataValidationError, match=r"costs has shape \(2, 3\)"):
        discounted_cash_flow_clv(np.ones((2, 2)), 0.1, costs=np.ones((2, 3)))


def test_dcf_rejects_per_customer_rate_for_one_customer():
    with pytest.raises(TypeError, match=r"discount_rate must be a single number"):
        discounted_cash_flow_clv([1.0, 2.0], [0.1, 0.2])


def test_dcf_rejects_per_customer_argument_of_wrong_length():
    with pytest.raises(DataValidationError, match=r"acquisition_cost must be a scalar or hold"):
        discounted_cash_flow_clv(np.ones((2, 3)), 0.1, acquisition_cost=[1.0, 2.0, 3.0])


def test_dcf_rejects_bad_first_period():
    # Single-number arguments follow clvmodels.checks: ValueError (was DataValidationError).
    with pytest.raises(ValueError, match=r"first_period must be a non-negative whole.*got -1$"):
        discounted_cash_flow_clv([1.0], 0.1, first_period=-1)
    with pytest.raises(ValueError, match=r"first_period must be a non-negative whole.*got 1\.5$"):
        discounted_cash_flow_clv([1.0], 0.1, first_period=1.5)
    with pytest.raises(TypeError, match=r"first_period must be a real number; got '1'"):
        discounted_cash_flow_clv([1.0], 0.1, first_period="1")


# ---------------------------------------------------------------------------
# loyal-customer models (revenue / profit / contribution based)
# ---------------------------------------------------------------------------


def _annuity_5y_9pct() -> float:
    # sum_{t=1}^{5} 1.09^-t written out
    return 1 / 1.09 + 1 / 1.09**2 + 1 / 1.09**3 + 1 / 1.09**4 + 1 / 1.09**5


def test_loyal_worked_example_customer_a():
    # Issue worked example (textbook): n = 5, r = 9 %, I = 500, Cs = 200
    # -> revenue model 1944.8, contribution model 1166.9
    assert revenue_based_lifetime_value(500.0, 5, 0.09) == pytest.approx(1944.8, abs=0.05)
    assert contribution_based_lifetime_value(500.0, 200.0, 5, 0.09) == pytest.approx(
        1166.9, abs=0.05
    )


def test_loyal_worked_example_customer_b():
    # Issue worked example (textbook): I = 450, Cs = 100 -> revenue 1750.3, contribution 1361.4
    assert revenue_based_lifetime_value(450.0, 5, 0.09) == pytest.approx(1750.3, abs=0.05)
    assert contribution_based_lifetime_value(450.0, 100.0, 5, 0.09) == pytest.approx(
        1361.4, abs=0.05
    )


def test_loyal_worked_example_with_initial_purchase():
    # Issue worked example (textbook): P0 = 2000, C0 = 400, I = 500, Cs = 10, n = 5, r = 9 %
    # -> contribution model 3505.9, revenue model 3544.8 (some printings show 3975: a slip)
    contribution = contribution_based_lifetime_value(
        500.0, 10.0, 5, 0.09, initial_purchase=2000.0, acquisition_cost=400.0
    )
    revenue = revenue_based_lifetime_value(
        500.0, 5, 0.09, initial_purchase=2000.0, acquisition_cost=400.0
    )
    assert contribution == pytest.approx(3505.9, abs=0.05)
    assert revenue == pytest.approx(3544.8, abs=0.05)
    # and against the formula written out by hand
    assert contribution == pytest.approx(2000 - 400 + 490 * _annuity_5y_9pct())


def test_profit_based_uses_full_cost():
    # I = 500, full cost 350 -> (500 - 350) * annuity
    result = profit_based_lifetime_value(500.0, 350.0, 5, 0.09)
    assert result == pytest.approx(150 * _annuity_5y_9pct())


def test_loyal_zero_discount_rate_is_plain_sum():
    # r = 0: 3 years of (100 - 40) = 180, plus P0 - C0 = 50 - 20
    assert loyal_customer_lifetime_value(
        100.0, 3, 0.0, annual_cost=40.0, initial_purchase=50.0, acquisition_cost=20.0
    ) == pytest.approx(180.0 + 30.0)


def test_loyal_zero_years_leaves_time_zero_terms():
    assert loyal_customer_lifetime_value(
        100.0, 0, 0.1, initial_purchase=50.0, acquisition_cost=20.0
    ) == pytest.approx(30.0)


def test_loyal_vectorised_over_customers():
    income = pd.Series([500.0, 450.0], index=["A", "B"])
    cost = pd.Series([200.0, 100.0], index=["A", "B"])
    result = contribution_based_lifetime_value(income, cost, 5, 0.09)
    assert isinstance(result, pd.Series)
    assert list(result.index) == ["A", "B"]
    np.testing.assert_allclose(result.to_numpy(), [1166.9, 1361.4], atol=0.05)


@settings(max_examples=60, deadline=None)
@given(income=money, cost=money, years=st.integers(min_value=0, max_value=30), rate=rates)
def test_loyal_matches_explicit_sum(income, cost, years, rate):
    explicit = 0.0
    for t in range(1, years + 1):
        explicit += (income - cost) / (1 + rate) ** t
    result = loyal_customer_lifetime_value(income, years, rate, annual_cost=cost)
    assert result == pytest.approx(explicit, rel=1e-9, abs=1e-6)


def test_loyal_rejects_fractional_years():
    with pytest.raises(DataValidationError, match=r"years must be a non-negative whole number"):
        loyal_customer_lifetime_value(100.0, 2.5, 0.1)


def test_loyal_rejects_negative_years():
    with pytest.raises(DataValidationError, match=r"years must be a non-negative whole.*got -1"):
        loyal_customer_lifetime_value(100.0, [3, -1], 0.1)


def test_loyal_rejects_discount_rate_below_minus_one():
    with pytest.raises(DataValidationError, match=r"discount_rate must be greater than -1"):
        revenue_based_lifetime_value(100.0, 3, -1.5)


# ---------------------------------------------------------------------------
# retention-based formulas
# ---------------------------------------------------------------------------


def test_retention_clv_hand_computation():
    # m = 100, r = 0.8, d = 0.1: 100 * 1.1 / 0.3 and 100 * 0.8 / 0.3
    assert retention_clv(100.0, 0.8, 0.1) == pytest.approx(100 * 1.1 / 0.3)
    assert retention_clv(100.0, 0.8, 0.1, include_first_period=False) == pytest.approx(
        100 * 0.8 / 0.3
    )


def test_retention_clv_fader_hardie_heterogeneity_example():
    # Fader-Hardie heterogeneity example (as given in the issue): d = 10 %,
    # year-1 retention 0.631 -> (1 + d) / (1 + d - r) = 2.345; retention 0.869 -> 4.762
    assert retention_clv(1.0, 0.631, 0.10) == pytest.approx(2.345, abs=1e-3)
    assert retention_clv(1.0, 0.869, 0.10) == pytest.approx(4.762, abs=1e-3)


def test_retention_clv_series():
    retention = pd.Series([0.5, 0.9], index=["low", "high"])
    result = retention_clv(10.0, retention, 0.1)
    assert list(result.index) == ["low", "high"]
    np.testing.assert_allclose(result.to_numpy(), [10 * 1.1 / 0.6, 10 * 1.1 / 0.2])


@settings(max_examples=80, deadline=None)
@given(margin=money, retention=probabilities, rate=st.floats(min_value=0.01, max_value=1.0))
def test_retention_clv_variants_differ_by_one_margin(margin, retention, rate):
    with_first = retention_clv(margin, retention, rate)
    without_first = retention_clv(margin, retention, rate, include_first_period=False)
    assert without_first == pytest.approx(with_first - margin, rel=1e-9, abs=1e-6)


def test_retention_clv_matches_truncated_series():
    # sum_{t=0}^{199} 100 * 0.7^t / 1.1^t, computed by hand loop
    total = 0.0
    for t in range(200):
        total += 100 * 0.7**t / 1.1**t
    assert retention_clv(100.0, 0.7, 0.1) == pytest.approx(total, rel=1e-9)


def test_retention_clv_rejects_retention_outside_unit_interval():
    with pytest.raises(DataValidationError, match=r"retention_rate must lie in \[0, 1\]; got 1\.2"):
        retention_clv(10.0, 1.2, 0.1)


def test_retention_clv_rejects_divergent_series():
    with pytest.raises(
        DataValidationError,
        match=r"retention_rate must be below 1 \+ discount_rate.*got retention_rate 0\.9 "
        r"with discount_rate -0\.5 at position 1",
    ):
        retention_clv(10.0, [0.1, 0.9], -0.5)


def test_retention_clv_rejects_full_retention_without_discounting():
    with pytest.raises(DataValidationError, match=r"below 1 \+ discount_rate"):
        retention_clv(10.0, 1.0, 0.0)


def test_expected_lifetime():
    # 1 / 0.2 = 5 years; 1 / 0.5 = 2 years
    assert expected_lifetime(0.2) == pytest.approx(5.0)
    np.testing.assert_allclose(expected_lifetime(np.array([0.2, 0.5])), [5.0, 2.0])


def test_expected_lifetime_rejects_zero_and_out_of_range():
    with pytest.raises(DataValidationError, match=r"churn_rate must be positive.*; got 0 at pos"):
        expected_lifetime([0.5, 0.0])
    with pytest.raises(DataValidationError, match=r"churn_rate must lie in \[0, 1\]; got 1\.5"):
        expected_lifetime(1.5)


def test_customer_base_lifetime_and_replacements_worked_example():
    # Issue worked example (textbook): 100 customers, 20 lost a year -> 5 years,
    # so 20 new customers a year are needed to hold the base.
    assert customer_base_lifetime(100, 20) == pytest.approx(5.0)
    assert replacement_customers_needed(100, 5) == pytest.approx(20.0)


def test_customer_base_lifetime_vectorised():
    n = pd.Series([100.0, 300.0], index=["north", "south"])
    result = customer_base_lifetime(n, 20)
    assert list(result.index) == ["north", "south"]
    np.testing.assert_allclose(result.to_numpy(), [5.0, 15.0])


def test_customer_base_lifetime_rejects_bad_counts():
    with pytest.raises(DataValidationError, match=r"lost_per_year must be positive; got 0$"):
        customer_base_lifetime(100, 0)
    with pytest.raises(DataValidationError, match=r"n_customers must be non-negative; got -5"):
        customer_base_lifetime(-5, 1)


def test_replacement_customers_rejects_non_positive_lifetime():
    with pytest.raises(DataValidationError, match=r"lifetime_years must be positive"):
        replacement_customers_needed(100, [5.0, 0.0])


# ---------------------------------------------------------------------------
# brand-switching Markov model
# ---------------------------------------------------------------------------


def test_markov_shares_worked_example():
    # Issue worked example (textbook): S1 = (0.475, 0.375, 0.15), S2 = (0.4075, 0.4175, 0.175)
    path = markov_shares(S0_EXAMPLE, P_EXAMPLE, 2)
    assert isinstance(path, np.ndarray)
    assert path.shape == (3, 3)
    np.testing.assert_allclose(path[0], S0_EXAMPLE)
    np.testing.assert_allclose(path[1], [0.475, 0.375, 0.15], atol=1e-12)
    np.testing.assert_allclose(path[2], [0.4075, 0.4175, 0.175], atol=1e-12)


def test_markov_shares_hand_computation_of_first_step():
    # S1_A = 0.6 * 0.7 + 0.3 * 0.1 + 0.1 * 0.25 = 0.475 (column A of P, weighted by S0)
    path = markov_shares(S0_EXAMPLE, P_EXAMPLE, 1)
    assert path[1, 0] == pytest.approx(0.6 * 0.7 + 0.3 * 0.1 + 0.1 * 0.25)


def test_markov_shares_improved_retention_worked_example():
    # Issue worked example: raising brand A's retention (row A = [0.8, 0.1, 0.1])
    improved = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]
    path = markov_shares(S0_EXAMPLE, improved, 1)
    np.testing.assert_allclose(path[1], [0.535, 0.315, 0.15], atol=1e-12)


def test_markov_brand_clv_worked_example():
    # Issue worked example (textbook): R = 500, F = 1, r = 9 %, T = 2 -> (689.4, 497.7, 192.5)
    result = markov_brand_clv(S0_EXAMPLE, P_EXAMPLE, 500.0, 0.09, 2)
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [689.4, 497.7, 192.5], atol=0.05)
    # brand A by hand: 500 * (0.6 + 0.475 / 1.09 + 0.4075 / 1.09**2)
    assert result[0] == pytest.approx(500 * (0.6 + 0.475 / 1.09 + 0.4075 / 1.09**2))


def test_markov_brand_clv_per_period_revenue_and_frequency():
    # identity P keeps shares fixed: brand A = 0.6 * (1*100 + 2*200/1.09 + 1*300/1.09**2)
    identity = np.eye(3)
    result = markov_brand_clv(
        S0_EXAMPLE, identity, [100.0, 200.0, 300.0], 0.09, 2, purchase_frequency=[1, 2, 1]
    )
    assert result[0] == pytest.approx(0.6 * (100 + 400 / 1.09 + 300 / 1.09**2))


def test_markov_with_dataframe_labels():
    brands = ["A", "B", "C"]
    p = pd.DataFrame(P_EXAMPLE, index=brands, columns=brands)
    s0 = pd.Series([0.1, 0.6, 0.3], index=["C", "A", "B"])  # reordered on purpose
    path = markov_shares(s0, p, 2)
    assert isinstance(path, pd.DataFrame)
    assert list(path.columns) == brands
    assert list(path.index) == [0, 1, 2]
    np.testing.assert_allclose(path.loc[2].to_numpy(), [0.4075, 0.4175, 0.175], atol=1e-12)
    clv = markov_brand_clv(s0, p, 500.0, 0.09, 2)
    assert isinstance(clv, pd.Series)
    assert list(clv.index) == brands
    assert clv["B"] == pytest.approx(497.7, abs=0.05)


def test_markov_shares_zero_periods():
    path = markov_shares(S0_EXAMPLE, P_EXAMPLE, 0)
    np.testing.assert_allclose(path, [S0_EXAMPLE])


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=3, max_size=3),
        min_size=3,
        max_size=3,
    ),
    n=st.integers(min_value=0, max_value=20),
)
def test_markov_shares_stay_a_distribution(rows, n):
    p = np.array(rows)
    p = p / p.sum(axis=1, keepdims=True)
    path = markov_shares([0.2, 0.3, 0.5], p, n)
    assert np.all(path >= 0)
    np.testing.assert_allclose(path.sum(axis=1), 1.0, atol=1e-9)


def test_markov_rejects_row_that_does_not_sum_to_one():
    bad = [[0.7, 0.2, 0.1], [0.5, 0.5, 0.2], [0.25, 0.15, 0.6]]
    with pytest.raises(
        DataValidationError,
        match=r"sum to 1 \(within 1e-09\); got a sum of 1\.2 for row 1$",
    ):
        markov_shares(S0_EXAMPLE, bad, 2)


def test_markov_rejects_negative_entry():
    bad = [[1.1, -0.1], [0.5, 0.5]]
    with pytest.raises(
        DataValidationError,
        match=r"transition_matrix entries must be non-negative; got -0\.1 at position \(0, 1\)",
    ):
        markov_shares([0.5, 0.5], bad, 1)


def test_markov_rejects_non_square_matrix():
    with pytest.raises(DataValidationError, match=r"square 2-D matrix; got shape \(2, 3\)"):
        markov_shares([0.5, 0.5], [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]], 1)


def test_markov_rejects_mismatched_dataframe_labels():
    p = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["A", "B"], columns=["B", "A"])
    with pytest.raises(DataValidationError, match=r"same brand labels"):
        markov_shares([0.5, 0.5], p, 1)


def test_markov_rejects_bad_initial_shares():
    with pytest.raises(DataValidationError, match=r"initial_shares must sum to 1.*got a sum of"):
        markov_shares([0.6, 0.3, 0.2], P_EXAMPLE, 1)
    with pytest.raises(DataValidationError, match=r"initial_shares must be non-negative"):
        markov_shares([1.2, -0.1, -0.1], P_EXAMPLE, 1)
    with pytest.raises(DataValidationError, match=r"one share per brand \(shape \(3,\)\)"):
        markov_shares([0.5, 0.5], P_EXAMPLE, 1)
    with pytest.raises(DataValidationError, match=r"initial_shares must be finite"):
        markov_shares([np.nan, 0.5, 0.5], P_EXAMPLE, 1)


def test_markov_rejects_mislabelled_initial_shares():
    p = pd.DataFrame(P_EXAMPLE, index=list("ABC"), columns=list("ABC"))
    s0 = pd.Series(S0_EXAMPLE, index=list("ABD"))
    with pytest.raises(DataValidationError, match=r"labelled with the transition_matrix brands"):
        markov_shares(s0, p, 1)


def test_markov_rejects_negative_periods():
    with pytest.raises(ValueError, match=r"n_periods must be a non-negative whole"):
        markov_shares(S0_EXAMPLE, P_EXAMPLE, -1)


def test_markov_brand_clv_rejects_bad_inputs():
    with pytest.raises(DataValidationError, match=r"revenue must be a scalar or hold one value"):
        markov_brand_clv(S0_EXAMPLE, P_EXAMPLE, [1.0, 2.0], 0.09, 2)
    with pytest.raises(TypeError, match=r"discount_rate must be a single number"):
        markov_brand_clv(S0_EXAMPLE, P_EXAMPLE, 500.0, [0.09, 0.1], 2)
    with pytest.raises(ValueError, match=r"discount_rate must be greater than -1; got -1$"):
        markov_brand_clv(S0_EXAMPLE, P_EXAMPLE, 500.0, -1.0, 2)
    with pytest.raises(DataValidationError, match=r"purchase_frequency must be non-negative"):
        markov_brand_clv(S0_EXAMPLE, P_EXAMPLE, 500.0, 0.09, 1, purchase_frequency=[1, -1])


# ---------------------------------------------------------------------------
# value components
# ---------------------------------------------------------------------------


def test_customer_purchase_value():
    # 1000 capacity * 50 % share * 20 % margin = 100
    assert customer_purchase_value(1000.0, 0.5, 0.2) == pytest.approx(1000 * 0.5 * 0.2)
    result = customer_purchase_value(pd.Series([1000.0, 500.0], index=["a", "b"]), 0.5, 0.2)
    assert list(result.index) == ["a", "b"]
    np.testing.assert_allclose(result.to_numpy(), [100.0, 50.0])


def test_word_of_mouth_value():
    # 10 % influence * 50 people * 40 per purchase = 200
    assert word_of_mouth_value(0.1, 50, 40.0) == pytest.approx(0.1 * 50 * 40)
    np.testing.assert_allclose(word_of_mouth_value([0.1, 0.2], 10, 5.0), [5.0, 10.0])


def test_total_customer_value():
    # 100 + 20 + 0 + 5 + 3 = 128
    assert total_customer_value(
        100.0, word_of_mouth_value=20.0, knowledge_value=5.0, transaction_value=3.0
    ) == pytest.approx(128.0)
    result = total_customer_value(np.array([100.0, 50.0]), information_value=[1.0, 2.0])
    np.testing.assert_allclose(result, [101.0, 52.0])


def test_customer_equity():
    # 100 + 250 - 20 = 330
    assert customer_equity([100.0, 250.0, -20.0]) == pytest.approx(330.0)
    assert customer_equity(pd.Series([1.0, 2.0])) == pytest.approx(3.0)
    assert customer_equity([]) == 0.0
    assert isinstance(customer_equity(np.array([1.0])), float)


def test_value_component_validation():
    with pytest.raises(
        DataValidationError, match=r"share_of_wallet must lie in \[0, 1\]; got 1\.2"
    ):
        customer_purchase_value(100.0, 1.2, 0.2)
    with pytest.raises(DataValidationError, match=r"spending_capacity must be non-negative"):
        customer_purchase_value(-100.0, 0.5, 0.2)
    with pytest.raises(DataValidationError, match=r"reach must be non-negative; got -3"):
        word_of_mouth_value(0.1, -3, 10.0)
    with pytest.raises(DataValidationError, match=r"influence must be non-negative"):
        word_of_mouth_value(-0.1, 3, 10.0)
    with pytest.raises(DataValidationError, match=r"knowledge_value must be finite"):
        total_customer_value(1.0, knowledge_value=np.nan)
    with pytest.raises(DataValidationError, match=r"clv must be finite.*position 1"):
        customer_equity([1.0, np.nan])


# ---------------------------------------------------------------------------
# cohort value table
# ---------------------------------------------------------------------------


def test_cohort_value_table_hand_computation():
    # N = 100, retention 50 %, revenue 10 and cost 4 per active customer,
    # acquisition 5 per customer, d = 10 %, 3 years.  By hand:
    # year 0: 100 active, revenue 0, costs 100*5 = 500, profit -500, factor 1
    # year 1: 100 active, revenue 1000, costs 400, profit 600, factor 1/1.1
    # year 2:  50 active, revenue  500, costs 200, profit 300, factor 1/1.21
    # year 3:  25 active, revenue  250, costs 100, profit 150, factor 1/1.331
    table = cohort_value_table(100, 0.5, 10.0, 0.1, 3, cost_per_customer=4.0, acquisition_cost=5.0)
    assert list(table.index) == [0, 1, 2, 3]
    assert table.index.name == "year"
    assert list(table.columns) == [
        "active_customers",
        "revenue",
        "costs",
        "profit",
        "discount_factor",
        "discounted_profit",
        "cumulative_npv",
        "ltv_per_customer",
    ]
    np.testing.assert_allclose(table["active_customers"], [100, 100, 50, 25])
    np.testing.assert_allclose(table["revenue"], [0, 1000, 500, 250])
    np.testing.assert_allclose(table["costs"], [500, 400, 200, 100])
    np.testing.assert_allclose(table["profit"], [-500, 600, 300, 150])
    np.testing.assert_allclose(table["discount_factor"], [1, 1 / 1.1, 1 / 1.21, 1 / 1.331])
    discounted = [-500, 600 / 1.1, 300 / 1.21, 150 / 1.331]
    np.testing.assert_allclose(table["discounted_profit"], discounted)
    cumulative = [
        -500,
        -500 + 600 / 1.1,
        -500 + 600 / 1.1 + 300 / 1.21,
        -500 + 600 / 1.1 + 300 / 1.21 + 150 / 1.331,
    ]
    np.testing.assert_allclose(table["cumulative_npv"], cumulative)
    np.testing.assert_allclose(table["ltv_per_customer"], [c / 100 for c in cumulative])
    assert table["ltv_per_customer"].iloc[-1] == pytest.approx(4.0608565, abs=1e-6)


def test_cohort_value_table_cost_ratio_and_per_year_inputs():
    # N = 10, retention 0.8 then 0.5, revenue 100 then 200 then 300, costs 25 % of revenue,
    # d = 0.  year 1: 10 active, 1000 revenue, 250 costs; year 2: 8, 1600, 400;
    # year 3: 4, 1200, 300.  NPV = 750 + 1200 + 900 = 2850, LTV = 285.
    table = cohort_value_table(10, [0.8, 0.5], [100.0, 200.0, 300.0], 0.0, 3, cost_ratio=0.25)
    np.testing.assert_allclose(table["active_customers"], [10, 10, 8, 4])
    np.testing.assert_allclose(table["revenue"], [0, 1000, 1600, 1200])
    np.testing.assert_allclose(table["costs"], [0, 250, 400, 300])
    assert table["ltv_per_customer"].iloc[-1] == pytest.approx(285.0)
    # a per-year retention sequence of length n_years gives the same table (last value unused)
    same = cohort_value_table(10, [0.8, 0.5, 0.1], [100.0, 200.0, 300.0], 0.0, 3, cost_ratio=0.25)
    pd.testing.assert_frame_equal(table, same)


@settings(max_examples=50, deadline=None)
@given(
    n=st.floats(min_value=1.0, max_value=1e5),
    retention=st.lists(probabilities, min_size=1, max_size=10),
    revenue=st.floats(min_value=0.0, max_value=1e3),
    rate=rates,
    acquisition=st.floats(min_value=0.0, max_value=1e3),
)
def test_cohort_value_table_invariants(n, retention, revenue, rate, acquisition):
    years = len(retention)
    table = cohort_value_table(n, retention, revenue, rate, years, acquisition_cost=acquisition)
    active = table["active_customers"].to_numpy()
    assert np.all(np.diff(active) <= 1e-9 * n)
    assert active[0] == active[1] == pytest.approx(n)
    npv = table["cumulative_npv"].iloc[-1]
    assert table["ltv_per_customer"].iloc[-1] == pytest.approx(npv / n)
    assert table["ltv_per_customer"].iloc[0] == pytest.approx(-acquisition)
    assert npv == pytest.approx(table["discounted_profit"].sum())


def test_cohort_value_table_zero_years():
    table = cohort_value_table(50, 0.9, 10.0, 0.1, 0, acquisition_cost=2.0)
    assert list(table.index) == [0]
    assert table["ltv_per_customer"].iloc[0] == pytest.approx(-2.0)


def test_cohort_value_table_validation():
    with pytest.raises(ValueError, match=r"n_customers must be positive; got 0"):
        cohort_value_table(0, 0.5, 10.0, 0.1, 3)
    with pytest.raises(DataValidationError, match=r"retention_rate must lie in \[0, 1\]; got 1\.1"):
        cohort_value_table(10, [0.5, 1.1], 10.0, 0.1, 3)
    with pytest.raises(DataValidationError, match=r"retention_rate must be a scalar or hold"):
        cohort_value_table(10, [0.5, 0.5, 0.5, 0.5], 10.0, 0.1, 3)
    with pytest.raises(DataValidationError, match=r"revenue_per_customer must be a scalar or hold"):
        cohort_value_table(10, 0.5, [10.0, 20.0], 0.1, 3)
    with pytest.raises(DataValidationError, match=r"at most one of cost_per_customer and cost_ra"):
        cohort_value_table(10, 0.5, 10.0, 0.1, 3, cost_per_customer=1.0, cost_ratio=0.1)
    with pytest.raises(ValueError, match=r"n_years must be a non-negative whole"):
        cohort_value_table(10, 0.5, 10.0, 0.1, -1)
    with pytest.raises(ValueError, match=r"discount_rate must be greater than -1"):
        cohort_value_table(10, 0.5, 10.0, -1.0, 3)
    with pytest.raises(DataValidationError, match=r"revenue_per_customer must be finite"):
        cohort_value_table(10, 0.5, [10.0, np.nan, 1.0], 0.1, 3)


def test_no_function_returns_nan_for_valid_edge_inputs():
    # zero churn, zero retention, zero years: all finite
    values = [
        simple_clv(0.0, 0.0, 0.0),
        retention_clv(5.0, 0.0, 0.0),
        loyal_customer_lifetime_value(1.0, 0, 0.0),
        discounted_cash_flow_clv([0.0], 0.0),
    ]
    assert all(math.isfinite(v) for v in values)


def test_per_step_arguments_of_the_wrong_length_name_the_steps():
    with pytest.raises(
        DataValidationError,
        match=r"revenue_per_customer must be a scalar or hold one value per year 1\.\.3 "
        r"\(shape \(3,\)\); got shape \(2,\)",
    ):
        cohort_value_table(100, 0.8, [100.0, 90.0], 0.1, 3)
    with pytest.raises(
        DataValidationError,
        match=r"revenue must be a scalar or hold one value per period 0\.\.T "
        r"\(shape \(3,\)\); got shape \(2,\)",
    ):
        markov_brand_clv([0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [500.0, 400.0], 0.09, 2)
