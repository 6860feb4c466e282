"""The estimators' count distributions: ``probability_of_purchases(t, n, summary)`` (issue 25).

With a summary the method is conditional on each customer's history: a Series for one n, a
customer x n frame for a sequence, ``at_least=True`` for the tail; without one it is
today's new-customer answer. Covariate models use each customer's own parameters (checked
against the model's functions at ``customer_parameters``); bad arguments are named errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.models.beta_geo import counts as bg_counts
from clvmodels.models.beta_geo import math as bg_math
from clvmodels.models.beta_geo_beta_binom import counts as bb_counts
from clvmodels.models.pareto_nbd import counts as pnbd_counts
from tests.models.covariate_draws import (
    TRUE_EFFECTS,
    beta_geo_customers,
    predictors,
)

COUNTS = [0, 1, 2, 3]


def _history(summary: pd.DataFrame, columns=("frequency", "recency", "T")) -> tuple:
    return tuple(summary[c].to_numpy(np.float64) for c in columns)


@pytest.mark.parametrize(
    ("cls", "counts"),
    [(clv.BetaGeoModel, bg_counts), (clv.ParetoNBDModel, pnbd_counts)],
    ids=["bgnbd", "pnbd"],
)
def test_conditional_counts_per_customer(cdnow_summary, cls, counts):
    model = cls().fit(cdnow_summary)
    history = _history(cdnow_summary)
    table = model.probability_of_purchases(39.0, COUNTS, cdnow_summary)
    assert table.shape == (len(cdnow_summary), 4)
    assert table.columns.name == "n" and table.index.equals(cdnow_summary.index)
    want = counts.conditional_probability_of_purchases(
        model.params_, 39.0, np.array(COUNTS, float)[:, None], *history
    )
    np.testing.assert_allclose(table.to_numpy(), want.T, rtol=1e-12)
    # above 2000 customers the functions evaluate each distinct history once: the same values
    few = counts.conditional_probability_of_purchases(
        model.params_, 39.0, np.array(COUNTS, float)[:, None], *(h[:100] for h in history)
    )
    np.testing.assert_allclose(table.to_numpy()[:100], few.T, rtol=1e-14)
    one = model.probability_of_purchases(39.0, 2, cdnow_summary)
    assert isinstance(one, pd.Series) and one.name == "probability_of_purchases"
    np.testing.assert_allclose(one.to_numpy(), table[2].to_numpy(), rtol=1e-12)
    # the tail: P(>= 0) = 1 and P(>= 4) = 1 - P(< 4)
    tail = model.probability_of_purchases(39.0, [0, 4], cdnow_summary, at_least=True)
    np.testing.assert_allclose(tail[0], 1.0)
    np.testing.assert_allclose(tail[4] + table.sum(axis=1), 1.0, atol=1e-9)
    # the mean over enough counts is the conditional expectation
    wide = model.probability_of_purchases(39.0, np.arange(300), cdnow_summary.iloc[:50])
    mean = wide.to_numpy() @ np.arange(300)
    expected = model.conditional_expected_purchases(39.0, cdnow_summary.iloc[:50])
    np.testing.assert_allclose(mean, expected.to_numpy(), rtol=1e-7)
    # without a summary: today's new customer
    np.testing.assert_allclose(
        model.probability_of_purchases(39.0, COUNTS),
        model.functions.probability_of_purchases(model.params_, 39.0, COUNTS),
    )


def test_covariate_model_uses_each_customers_parameters():
    base = {"r": 0.6, "alpha": 4.0, "a": 0.8, "b": 2.5}
    summary = beta_geo_customers(300, base, TRUE_EFFECTS, seed=3)
    model = clv.BetaGeoModel(
        purchase_covariates=["gender", "channel"], dropout_covariates=["gender", "channel"]
    )
    model._sufficient_statistics(summary, None)  # lays out the design and coefficient names
    model.params_ = base | {name: TRUE_EFFECTS.get(name, 0.0) for name in model.param_names[4:]}
    model.time_unit_ = None
    table = model.probability_of_purchases(20.0, COUNTS, summary)
    eta_p, eta_d = predictors(summary, TRUE_EFFECTS)
    own = bg_math.customer_parameters(base, eta_p, eta_d)
    want = bg_counts.conditional_probability_of_purchases(
        own, 20.0, np.array(COUNTS, float)[:, None], *_history(summary)
    )
    np.testing.assert_allclose(table.to_numpy(), want.T, rtol=1e-12)
    plain = bg_counts.conditional_probability_of_purchases(base, 20.0, 0, *_history(summary))
    assert np.max(np.abs(table[0].to_numpy() - plain)) > 1e-3  # the covariates matter
    later = model.probability_alive(summary, at=10.0)
    want = bg_counts.probability_alive_after(own, 10.0, *_history(summary))
    np.testing.assert_allclose(later.to_numpy(), want, rtol=1e-12)


def test_bgbb_counts_per_customer_and_new():
    table = clv.datasets.load_donations()
    model = clv.BetaGeoBetaBinomModel().fit(table, weights=table["count"])
    columns = ("frequency", "recency", "n_periods")
    got = model.probability_of_purchases(4, COUNTS, table)
    want = bb_counts.conditional_probability_of_purchases(
        model.params_, 4, np.array(COUNTS, float)[:, None], *_history(table, columns)
    )
    np.testing.assert_allclose(got.to_numpy(), want.T, rtol=1e-12)
    new = model.probability_of_purchases(6, np.arange(7))
    assert new.sum() == pytest.approx(1.0, abs=1e-11)
    assert new @ np.arange(7) == pytest.approx(model.expected_purchases(6), rel=1e-12)
    assert model.probability_of_purchases(6, 2, at_least=True) == pytest.approx(new[2:].sum())


def test_bad_arguments_are_named(bgnbd_cdnow, cdnow_summary):
    with pytest.raises(ValueError, match=r"n must be whole numbers >= 0, e.g. n=\[0, 1, 2\]"):
        bgnbd_cdnow.probability_of_purchases(10.0, 1.5, cdnow_summary)
    with pytest.raises(ValueError, match="t must be one finite number >= 0"):
        bgnbd_cdnow.probability_of_purchases(-1.0, 1, cdnow_summary)
    with pytest.raises(ValueError, match="n must be a whole number or a 1-D sequence"):
        bgnbd_cdnow.probability_of_purchases(10.0, [[1]], cdnow_summary)


def test_covariates_as_the_third_argument_still_work_with_a_warning(bgnbd_cdnow):
    """Before summaries were taken, the third positional argument was covariates=."""
    frame = pd.DataFrame({"channel": ["a", "b"]})
    with pytest.warns(
        DeprecationWarning, match=r"use probability_of_purchases\(t, n, covariates=frame\)"
    ):
        old = bgnbd_cdnow.probability_of_purchases(10.0, 2, frame)
    new = bgnbd_cdnow.probability_of_purchases(10.0, 2, covariates=frame)
    pd.testing.assert_series_equal(old, new)
