"""The HDI against arviz's (``arviz_stats``, method "nearest"), an independent implementation.

Both take the narrowest window of ``floor(prob * n) + 1`` sorted draws.
"""

import numpy as np
import pytest

from clvmodels.bayes.intervals import hdi

array_stats = pytest.importorskip("arviz_stats.base").array_stats


def _samples(rng, n, m):
    """Columns of every kind: normal, skewed, bimodal, many ties, constant, a few outliers."""
    columns = [
        rng.normal(size=(n, m)),
        rng.gamma(0.5, 2.0, size=(n, m)),
        np.where(rng.random((n, m)) < 0.3, rng.normal(-4, 0.5, (n, m)), rng.normal(3, 1, (n, m))),
        rng.integers(0, 4, size=(n, m)).astype(float),  # ties everywhere
        np.full((n, m), 2.5),
        rng.standard_cauchy(size=(n, m)),
    ]
    return np.concatenate(columns, axis=1)


def _arviz(samples, prob):
    return array_stats.hdi(samples.T, prob=prob, axis=-1, method="nearest")


@pytest.mark.parametrize("n", [7, 100, 997, 1000])
@pytest.mark.parametrize("prob", [0.5, 0.89, 0.94, 0.99])
def test_hdi_is_arvizs_narrowest_window(n, prob):
    samples = _samples(np.random.default_rng(n), n, 40)
    ours = hdi(samples, prob, axis=0)
    assert ours.shape == (samples.shape[1], 2)
    np.testing.assert_array_equal(ours, _arviz(samples, prob))


def test_where_prob_times_n_is_whole_the_window_has_one_draw_more_as_arvizs():
    draws = np.arange(100.0)
    np.testing.assert_array_equal(hdi(draws, 0.9), [0.0, 90.0])  # 91 draws
    np.testing.assert_array_equal(_arviz(draws[:, None], 0.9)[0], [0.0, 90.0])


def test_hdi_takes_any_sample_axis_and_ties_pick_the_lowest_window():
    rng = np.random.default_rng(5)
    samples = rng.gamma(2.0, size=(3, 500, 4))
    moved = hdi(samples, 0.8, axis=1)
    assert moved.shape == (3, 4, 2)
    np.testing.assert_array_equal(moved, hdi(np.moveaxis(samples, 1, 0), 0.8, axis=0))
    # two equally narrow windows of 2 draws, [0, 1] and [5, 6]: the first (numpy's argmin)
    np.testing.assert_array_equal(hdi(np.array([0.0, 1.0, 5.0, 6.0]), 0.4), [0.0, 1.0])
    with pytest.raises(ValueError, match="hdi must be a probability in \\(0, 1\\)"):
        hdi(samples, 1.0)
    with pytest.raises(ValueError, match="at least one draw"):
        hdi(np.zeros((0, 3)), 0.9)
