"""The BG/NBD bracket on a (draw x horizon x (x, T)) grid, as the Bayesian predictions use it.

Reference: Fader, Hardie & Lee (2005), eq. 10, in mpmath (``bgnbd_reference``), and the
row-by-row certified evaluation, which the grid must reproduce exactly (same series, same
quadrature, same refusals).
"""

import numpy as np
import pytest

from clvmodels.exceptions import NumericalPrecisionError
from clvmodels.models import beta_geo
from clvmodels.models._special import beta_geometric_nbd_mean, beta_geometric_nbd_mean_grid

from . import bgnbd_reference as ref


def _draws(n, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "r": 0.243 * np.exp(0.3 * rng.standard_normal(n)),
        "alpha": 4.414 * np.exp(0.3 * rng.standard_normal(n)),
        "a": 0.793 * np.exp(0.5 * rng.standard_normal(n)),
        "b": 2.426 * np.exp(0.5 * rng.standard_normal(n)),
    }


def test_grid_is_the_row_by_row_evaluation_exactly():
    # series (small x, T), quadrature (x in the hundreds, long horizons) and t = 0
    p = _draws(5)
    p["r"][0], p["alpha"][0] = 40.0, 0.05  # forces the quadrature for every pair
    x = np.array([0.0, 1.0, 3.0, 3.0, 40.0, 300.0, 1000.0])
    T = np.array([1.0, 30.0, 30.0, 70.0, 500.0, 900.0, 5000.0])
    t = np.array([0.0, 0.5, 4.35, 52.0, 1e3, 1e4])
    grid = beta_geometric_nbd_mean_grid(p["r"], p["alpha"], p["a"], p["b"], x, T, t)
    assert grid.shape == (5, 6, 7)
    rows = beta_geometric_nbd_mean(
        p["r"][:, None, None] + x,
        p["alpha"][:, None, None] + T,
        p["a"][:, None, None],
        p["b"][:, None, None] + x,
        t[:, None],
    )
    np.testing.assert_array_equal(grid, rows)


@pytest.mark.parametrize(
    ("params", "x", "T", "t"),
    [
        ({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, 2, 38.0, 52.0),
        ({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, 0, 77.0, 4.35),
        ({"r": 3.0, "alpha": 0.5, "a": 1.0, "b": 0.2}, 150, 600.0, 300.0),
        ({"r": 0.01, "alpha": 100.0, "a": 50.0, "b": 5000.0}, 7, 20.0, 1e4),
    ],
)
def test_grid_matches_eq_10_in_mpmath(params, x, T, t):
    grid = beta_geometric_nbd_mean_grid(
        *(np.array([params[k]]) for k in "r alpha a b".split()),
        np.array([float(x)]),
        np.array([T]),
        np.array([t]),
    )
    # eq. 10 divided by P(alive) is the bracket (t_x = T, or 0 when x = 0)
    t_x = T if x else 0.0
    expected = ref.conditional_expected_purchases(params, t, x, t_x, T) / ref.probability_alive(
        params, x, t_x, T
    )
    assert grid[0, 0, 0] == pytest.approx(expected, rel=1e-8)


def test_grid_refuses_what_it_cannot_certify(monkeypatch):
    from clvmodels.models import _special

    monkeypatch.setattr(_special, "RELATIVE_TOLERANCE", 1e-30)
    p = _draws(1)
    with pytest.raises(NumericalPrecisionError, match="cannot be certified"):
        beta_geometric_nbd_mean_grid(
            p["r"] * 400,
            p["alpha"],
            p["a"],
            p["b"],
            np.array([900.0]),
            np.array([10.0]),
            np.array([1e4]),
        )


def test_conditional_expectations_over_draws_and_horizons_are_the_per_draw_values():
    p = _draws(4, seed=1)
    rng = np.random.default_rng(2)
    x = rng.integers(0, 20, 300).astype(float)
    T = rng.integers(26, 79, 300).astype(float)
    t_x = np.where(x > 0, np.floor(T * rng.uniform(size=300)), 0.0)
    horizons = np.array([4.35, 8.7, 13.0])
    draws = {k: v[:, None, None] for k, v in p.items()}
    grid = beta_geo.conditional_expected_purchases(draws, horizons[:, None], x, t_x, T)
    assert grid.shape == (4, 3, 300)
    weights = np.array([0.5, -0.25, 2.0])
    summed = beta_geo.conditional_expected_purchases(
        {k: v[:, None] for k, v in p.items()}, horizons, x, t_x, T, weights=weights
    )
    assert summed.shape == (4, 300)
    for d in range(4):
        one = {k: v[d] for k, v in p.items()}
        for h, t in enumerate(horizons):
            rows = zip(x, t_x, T, strict=True)
            single = [beta_geo.conditional_expected_purchases(one, t, *row) for row in rows]
            np.testing.assert_allclose(grid[d, h], single, rtol=1e-14)
        expected = sum(w * grid[d, h] for h, w in enumerate(weights))
        np.testing.assert_allclose(summed[d], expected, rtol=1e-12)
    # per-customer horizons (t paired with the rows) keep their meaning
    paired = beta_geo.conditional_expected_purchases(
        {k: v[0] for k, v in p.items()}, T / 10, x, t_x, T
    )
    single = [
        beta_geo.conditional_expected_purchases({k: v[0] for k, v in p.items()}, T_ / 10, *row)
        for row, T_ in zip(zip(x, t_x, T, strict=True), T, strict=True)
    ]
    np.testing.assert_allclose(paired, single, rtol=1e-14)


def test_weights_must_match_the_horizons():
    p = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    with pytest.raises(ValueError, match="weights must be finite, one per horizon"):
        beta_geo.conditional_expected_purchases(p, [1.0, 2.0], [1.0], [1.0], [2.0], weights=[1.0])
