"""The lifetimes views shared by the (x, t_x, T) purchase models, against lifetimes 0.11.3.

lifetimes is an independent implementation of the three models' formulas: its fitters are
given our parameters, so these tests compare the grids and paths, not the fits.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.models.rfm_predictions import frequency_recency_grid, purchase_history

lifetimes = pytest.importorskip("lifetimes")

# (our class, lifetimes' class)
MODELS = {
    "BG/NBD": (clv.BetaGeoModel, lifetimes.BetaGeoFitter),
    "MBG/NBD": (clv.ModifiedBetaGeoModel, lifetimes.ModifiedBetaGeoFitter),
    "Pareto/NBD": (clv.ParetoNBDModel, lifetimes.ParetoNBDFitter),
}


@pytest.fixture(scope="module", params=list(MODELS))
def pair(request, cdnow_summary):
    ours_class, theirs_class = MODELS[request.param]
    ours = ours_class().fit(cdnow_summary)
    theirs = theirs_class()
    theirs.params_ = pd.Series(ours.params_)
    return ours, theirs


def test_probability_alive_matrix_is_lifetimes_matrix_transposed(pair):
    ours, theirs = pair
    matrix = ours.probability_alive_matrix(max_frequency=20, T=39.0)
    reference = theirs.conditional_probability_alive_matrix(max_frequency=20, max_recency=39).T
    assert matrix.shape == reference.shape == (21, 40)
    valid = matrix.notna().to_numpy()
    # the impossible cells: recency 0 exactly when frequency 0
    assert not valid[0, 1:].any() and not valid[1:, 0].any() and valid[0, 0]
    np.testing.assert_allclose(matrix.to_numpy()[valid], reference[valid], rtol=1e-9)


def test_expected_purchases_matrix_is_lifetimes_grid(pair):
    ours, theirs = pair
    matrix = ours.expected_purchases_matrix(10.0, max_frequency=15, T=30.0)
    x, t_x = np.meshgrid(np.arange(16.0), np.arange(31.0), indexing="ij")
    valid = matrix.notna().to_numpy()
    reference = theirs.conditional_expected_number_of_purchases_up_to_time(
        10.0, x[valid], t_x[valid], np.full(valid.sum(), 30.0)
    )
    np.testing.assert_allclose(matrix.to_numpy()[valid], reference, rtol=1e-9)
    assert list(matrix.columns) == list(np.arange(31.0))


def _path_by_hand(days, ages):
    """(x, t_x, T) at each age, by walking the days one by one."""
    first = min(days)
    rows = []
    for age in ages:
        seen = sorted({d - first for d in days if d - first <= age})
        rows.append((len(seen) - 1, seen[-1], age))
    return np.array(rows, dtype=float).T


def test_probability_alive_path_follows_lifetimes_formula(pair, cdnow_transactions):
    """lifetimes' calculate_alive_path fails on pandas 3 (fillna(method=)); its definition
    (the summary as of each day, P(alive) of lifetimes' model) is rebuilt here by hand."""
    ours, theirs = pair
    customer = cdnow_transactions.loc[cdnow_transactions["customer_id"] == 1025, "date"]
    days = (customer - customer.min()).dt.days.tolist()
    ages_in_days = np.arange(0, 7 * 60)
    x, t_x, T = _path_by_hand(days, ages_in_days)
    reference = theirs.conditional_probability_alive(x, t_x / 7, T / 7)
    path = ours.probability_alive_path(customer, ages_in_days / 7, freq="D")
    np.testing.assert_allclose(path.to_numpy(), reference, rtol=1e-9)
    # the same path from times in weeks
    by_times = ours.probability_alive_path(np.array(days) / 7 + 3.0, ages_in_days / 7)
    np.testing.assert_allclose(by_times.to_numpy(), path.to_numpy(), rtol=1e-12)
    assert path.iloc[0] == pytest.approx(ours.functions.probability_alive(ours.params_, 0, 0, 0))


def test_purchase_history_counts_repeats_as_of_each_age():
    history = purchase_history([5.0, 5.0, 7.5, 12.0], [0.0, 2.5, 3.0, 7.0, 20.0])
    assert history["frequency"].tolist() == [0, 1, 1, 2, 2]
    assert history["recency"].tolist() == [0.0, 2.5, 2.5, 7.0, 7.0]
    with pytest.raises(ValueError, match="ages must be"):
        purchase_history([1.0], [-1.0])
    with pytest.raises(ValueError, match="purchases must be"):
        purchase_history([], [1.0])


def test_grid_arguments_are_checked(bgnbd_cdnow):
    cells, frequency, recency, valid = frequency_recency_grid(3, 4.5, n_recency=10)
    assert len(recency) == 10 and recency[-1] == 4.5 and valid.sum() == len(cells)
    with pytest.raises(ValueError, match="max_frequency"):
        bgnbd_cdnow.probability_alive_matrix(-1, 10.0)
    with pytest.raises(ValueError, match="T must be positive"):
        bgnbd_cdnow.expected_purchases_matrix(1.0, 5, 0.0)
