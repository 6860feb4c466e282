"""CLV from Bayesian models: per-customer mean and HDI, and the base's total value."""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.value import posterior_clv as posterior_module
from clvmodels.value import probabilistic
from clvmodels.value.probabilistic import PosteriorCLV

ARGS = dict(horizon=3, discount_rate=0.1, horizon_unit="M", discount_period="Y")


@pytest.fixture(scope="module")
def posterior_clv(bbg_cdnow, bgg_cdnow, cdnow_summary):
    return clv.customer_lifetime_value(bbg_cdnow, bgg_cdnow, cdnow_summary, n_draws=60, **ARGS)


def test_per_customer_mean_and_hdi_bracket_the_mle_value(
    posterior_clv, bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary
):
    assert isinstance(posterior_clv, PosteriorCLV)
    frame = posterior_clv.per_customer
    assert list(frame.columns) == ["mean", "hdi_3%", "hdi_97%"]
    assert frame.index.equals(cdnow_summary.index)
    mle = clv.customer_lifetime_value(bgnbd_cdnow, gamma_gamma_cdnow, cdnow_summary, **ARGS)
    assert isinstance(mle, pd.Series)  # two MLE models: unchanged
    np.testing.assert_allclose(frame["mean"], mle, rtol=0.1, atol=0.05)
    inside = (frame["hdi_3%"] <= mle + 1e-9) & (mle <= frame["hdi_97%"] + 1e-9)
    assert inside.mean() > 0.9


def test_the_base_total_is_the_sum_of_the_customers(posterior_clv, bgnbd_cdnow, cdnow_summary):
    total = posterior_clv.base_total
    assert total.shape == (2, 60)
    # linearity: the mean of the total is the total of the means
    assert total.mean() == pytest.approx(posterior_clv.per_customer["mean"].sum(), rel=1e-9)
    table = posterior_clv.base_total_summary()
    assert table["hdi_3%"] < table["mean"] < table["hdi_97%"] and table["sd"] > 0


def test_a_mixed_pair_uses_the_point_model_in_every_draw(
    bgnbd_cdnow, bgg_cdnow, gamma_gamma_cdnow, cdnow_summary
):
    some = cdnow_summary.iloc[:200]
    mixed = clv.customer_lifetime_value(bgnbd_cdnow, bgg_cdnow, some, n_draws=40, **ARGS)
    spend = bgg_cdnow.thinned(40).expected_spend(some, draws=True)
    purchases = clv.customer_lifetime_value(
        bgnbd_cdnow, gamma_gamma_cdnow, some, **ARGS
    ) / gamma_gamma_cdnow.expected_spend(some)
    expected = (spend * purchases.to_numpy()).mean(("chain", "draw")).values
    np.testing.assert_allclose(mixed.per_customer["mean"], expected, rtol=1e-10)


def test_chunks_and_unpaired_draws(bbg_cdnow, bgg_cdnow, cdnow_summary, monkeypatch):
    some = cdnow_summary.iloc[:300]
    whole = clv.customer_lifetime_value(bbg_cdnow, bgg_cdnow, some, n_draws=20, **ARGS)
    monkeypatch.setattr(posterior_module, "POSTERIOR_CHUNK_ELEMENTS", 1_000)
    chunked = clv.customer_lifetime_value(bbg_cdnow, bgg_cdnow, some, n_draws=20, **ARGS)
    pd.testing.assert_frame_equal(chunked.per_customer, whole.per_customer)
    np.testing.assert_allclose(chunked.base_total, whole.base_total, rtol=1e-12)
    with pytest.raises(ValueError, match="same \\(chain, draw\\) shape"):
        clv.customer_lifetime_value(bbg_cdnow.thinned(10), bgg_cdnow.thinned(20), some, **ARGS)


@pytest.mark.parametrize("margin", [0.3, -0.5])
def test_a_point_spend_model_scales_the_purchase_draws(
    bbg_cdnow, gamma_gamma_cdnow, cdnow_summary, margin
):
    # value = margin * spend * DET per draw; DET from the posterior path of E[X(t_k)] as
    # sum_k f_k (E_k - E_{k-1}), its mean and HDI taken over every customer's own draws
    from clvmodels.bayes.intervals import hdi

    some = cdnow_summary.iloc[:250]
    value = clv.customer_lifetime_value(
        bbg_cdnow, gamma_gamma_cdnow, some, margin=margin, n_draws=30, **ARGS
    )
    schedule = probabilistic.discount_schedule(3, 0.1, "W", horizon_unit="M", discount_period="Y")
    path = bbg_cdnow.thinned(30).conditional_expected_purchases(schedule.times, some, draws=True)
    increments = np.diff(path.values, axis=-1, prepend=0.0)
    det = (increments * schedule.discount_factors).sum(axis=-1)
    draws = margin * gamma_gamma_cdnow.expected_spend(some).to_numpy() * det
    frame = value.per_customer
    np.testing.assert_allclose(frame["mean"], draws.mean(axis=(0, 1)), rtol=1e-12)
    band = hdi(draws.reshape(-1, len(some)), 0.94, axis=0)
    np.testing.assert_allclose(frame[["hdi_3%", "hdi_97%"]], band, rtol=1e-12)
    np.testing.assert_allclose(value.base_total, draws.sum(axis=-1), rtol=1e-12)


def test_a_posterior_spend_model_pairs_its_draws_with_the_purchase_draws(
    bbg_cdnow, bgg_cdnow, cdnow_summary, monkeypatch
):
    """Customer by customer: value draws = margin * spend draws * DET draws, their mean and
    HDI; customers who share history and spend (here every non-buyer of a T, and copies)
    are reduced once, in chunks of any size."""
    from clvmodels.bayes.intervals import hdi

    some = pd.concat([cdnow_summary.iloc[:150], cdnow_summary.iloc[:40]], ignore_index=True)
    some = clv.with_time_unit(some.rename_axis("customer_id"), "W")
    schedule = probabilistic.discount_schedule(3, 0.1, "W", horizon_unit="M", discount_period="Y")
    purchases, spend = bbg_cdnow.thinned(25), bgg_cdnow.thinned(25)
    path = purchases.conditional_expected_purchases(schedule.times, some, draws=True)
    det = (np.diff(path.values, axis=-1, prepend=0.0) * schedule.discount_factors).sum(axis=-1)
    draws = 0.3 * spend.expected_spend(some, draws=True).values * det
    flat = draws.reshape(-1, len(some))
    whole = clv.customer_lifetime_value(purchases, spend, some, margin=0.3, **ARGS)
    frame = whole.per_customer
    np.testing.assert_allclose(frame["mean"], flat.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(frame[["hdi_3%", "hdi_97%"]], hdi(flat, 0.94), rtol=1e-12)
    np.testing.assert_allclose(whole.base_total, draws.sum(axis=-1), rtol=1e-12)
    for budget in (50 * 7, 50 * 40):  # 7 or 40 values per draw at once
        monkeypatch.setattr(posterior_module, "POSTERIOR_CHUNK_ELEMENTS", budget)
        chunked = clv.customer_lifetime_value(purchases, spend, some, margin=0.3, **ARGS)
        pd.testing.assert_frame_equal(chunked.per_customer, frame, rtol=1e-12)
        np.testing.assert_allclose(chunked.base_total, whole.base_total, rtol=1e-12)


def test_distinct_rows_are_numpys_unique_rows():
    from clvmodels.bayes.posterior import distinct_rows

    rng = np.random.default_rng(3)
    for n in (0, 1, 7, 500):
        columns = [rng.integers(0, 4, n) * 0.5, rng.integers(0, 3, n) - 1.0, rng.random(n) < 0.5]
        columns = [np.asarray(c, dtype=float) for c in columns]
        if n > 2:
            columns[1][:2] = [-0.0, 0.0]  # one value, as for np.unique
        stacked = np.column_stack(columns) if n else np.zeros((0, 3))
        unique, inverse = distinct_rows(*columns)
        expected, expected_inverse = np.unique(stacked, axis=0, return_inverse=True)
        np.testing.assert_array_equal(unique, expected)
        np.testing.assert_array_equal(inverse, expected_inverse.reshape(-1))
