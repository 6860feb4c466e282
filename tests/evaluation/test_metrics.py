"""Metrics against hand computations, brute force over tie orders and a classic Gini."""

import itertools

import numpy as np
import pandas as pd
import pytest

from clvmodels.evaluation import metrics
from clvmodels.exceptions import DataValidationError


def test_error_metrics_by_hand():
    actual, predicted = [0.0, 2.0, 4.0, 1.0], [1.0, 2.0, 1.0, 3.0]
    # errors: +1, 0, -3, +2
    assert metrics.mean_absolute_error(actual, predicted) == pytest.approx(6 / 4)
    assert metrics.root_mean_squared_error(actual, predicted) == pytest.approx(np.sqrt(14 / 4))
    assert metrics.bias(actual, predicted) == pytest.approx(0.0)


def test_correlations_match_pandas():
    rng = np.random.default_rng(7)
    actual = rng.poisson(1.0, 200).astype(float)  # many ties
    predicted = actual + rng.normal(0, 1, 200)
    a, p = pd.Series(actual), pd.Series(predicted)
    assert metrics.pearson_correlation(actual, predicted) == pytest.approx(a.corr(p))
    assert metrics.spearman_correlation(actual, predicted) == pytest.approx(
        a.corr(p, method="spearman")
    )
    assert np.isnan(metrics.pearson_correlation(actual, np.ones(200)))


def _brute_capture(actual, predicted, k):
    """Mean top-k share over every order of tied predictions (exhaustive)."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    shares = []
    for order in itertools.permutations(range(len(actual))):
        ranked = sorted(order, key=lambda i: -predicted[i])  # stable: ties keep `order`
        shares.append(actual[ranked[:k]].sum() / actual.sum())
    return np.mean(shares)


@pytest.mark.parametrize("predicted", [[3, 1, 1, 2, 1, 0], [1, 1, 1, 1, 1, 1], [0, 5, 5, 2, 2, 9]])
def test_capture_curve_is_the_mean_over_tie_orders(predicted):
    actual = [4.0, 0.0, 1.0, 2.0, 0.0, 3.0]
    curve = metrics.capture_curve(actual, predicted)
    for k in range(len(actual) + 1):
        expected = 0.0 if k == 0 else _brute_capture(actual, predicted, k)
        assert curve[k] == pytest.approx(expected)


def test_top_share_and_lift():
    actual = np.r_[np.full(9, 1.0), 11.0]  # total 20, one customer holds 11
    predicted = np.r_[np.arange(9.0), 100.0]
    assert metrics.top_share_captured(actual, predicted, 0.1) == pytest.approx(11 / 20)
    assert metrics.top_share_captured(actual, predicted, 0.2) == pytest.approx(12 / 20)
    # 15% of 10 customers: halfway between the top 1 and the top 2.
    assert metrics.top_share_captured(actual, predicted, 0.15) == pytest.approx(11.5 / 20)
    assert metrics.lift(actual, predicted, 0.1) == pytest.approx(5.5)
    with pytest.raises(ValueError, match="share must lie in"):
        metrics.top_share_captured(actual, predicted, 0.0)


def _classic_gini(actual, predicted):
    """The normalised Gini of the Kaggle 'Porto Seguro' kernels (no ties)."""

    def raw(a, p):
        order = np.argsort(-np.asarray(p), kind="stable")
        a = np.asarray(a, float)[order]
        n = len(a)
        return (np.cumsum(a).sum() / a.sum() - (n + 1) / 2.0) / n

    return raw(actual, predicted) / raw(actual, actual)


def test_gini_against_the_classic_formula():
    rng = np.random.default_rng(3)
    actual = rng.gamma(0.5, 10.0, 300)
    predicted = actual * rng.lognormal(0, 1, 300)  # continuous: no ties
    assert metrics.gini(actual, predicted) == pytest.approx(_classic_gini(actual, predicted))
    assert metrics.gini(actual, actual) == pytest.approx(1.0)
    assert metrics.gini(actual, -actual) < -0.9
    assert metrics.gini(actual, np.zeros(300)) == pytest.approx(0.0)


def test_prediction_metrics_row():
    row = metrics.prediction_metrics([0.0, 1.0, 3.0], [0.5, 0.5, 2.0])
    assert row["actual_total"] == 4.0 and row["predicted_total"] == 3.0
    assert row["total_error"] == -1.0 and row["total_relative_error"] == -0.25
    assert row["mae"] == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    zero = metrics.prediction_metrics([0.0, 0.0], [1.0, 2.0])
    assert np.isnan(zero["gini"]) and np.isnan(zero["total_relative_error"])


def test_bad_input_is_named():
    with pytest.raises(DataValidationError, match=r"predicted must be finite.*position 1"):
        metrics.mean_absolute_error([1, 2], [1, np.nan])
    with pytest.raises(DataValidationError, match="one value per customer; got 2 and 3"):
        metrics.bias([1, 2], [1, 2, 3])
    with pytest.raises(DataValidationError, match="empty"):
        metrics.bias([], [])
    with pytest.raises(DataValidationError, match="sums to 0"):
        metrics.capture_curve([0, 0], [1, 2])
