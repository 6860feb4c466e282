"""``interval=`` on Bayesian models: the HDI path under the keyword every fit takes.

The posteriors are known draws (no sampling); the base total's HDI is checked against
arviz's ``hdi`` of the summed draws (an independent implementation).
"""

import numpy as np
import pytest

import clvmodels as clv
from clvmodels.bayes import BayesianBetaGeoModel, BayesianGammaGammaModel

from .conftest import known_posterior

array_stats = pytest.importorskip("arviz_stats.base").array_stats

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}
ARGS = dict(horizon=6, discount_rate=0.1, horizon_unit="M", discount_period="Y")


def _draws(centre, seed):
    rng = np.random.default_rng(seed)
    return {k: v * np.exp(0.05 * rng.standard_normal((2, 150))) for k, v in centre.items()}


@pytest.fixture(scope="module")
def bbg(cdnow_summary):
    return known_posterior(BayesianBetaGeoModel, cdnow_summary, None, _draws(PAPER, 1))


@pytest.fixture(scope="module")
def bgg(cdnow_summary):
    return known_posterior(BayesianGammaGammaModel, cdnow_summary, None, _draws(SPEND, 2))


def _arviz_hdi(values, prob):
    return array_stats.hdi(np.asarray(values).ravel(), prob=prob, axis=-1, method="nearest")


@pytest.mark.parametrize("quantity", ["purchases", "p_alive", "spend"])
def test_interval_is_the_hdi_path_with_the_base_total(bbg, bgg, cdnow_summary, quantity):
    some = cdnow_summary.iloc[::5]
    ask = {
        "purchases": lambda **k: bbg.conditional_expected_purchases(10.0, some, **k),
        "p_alive": lambda **k: bbg.probability_alive(some, **k),
        "spend": lambda **k: bgg.expected_spend(some, **k),
    }[quantity]
    by_interval, by_hdi = ask(interval=0.9), ask(hdi=0.9)
    assert list(by_interval.columns) == ["mean", "hdi_5%", "hdi_95%"]
    np.testing.assert_array_equal(by_interval.to_numpy(), by_hdi.to_numpy())
    assert by_interval.attrs == by_hdi.attrs
    assert by_interval.attrs["method"] == "posterior" and by_interval.attrs["interval"] == 0.9
    every = ask(draws=True).sum("customer_id").values
    total = by_interval.attrs["base_total"]
    assert total["mean"] == pytest.approx(by_interval["mean"].sum(), rel=1e-10)
    np.testing.assert_allclose(
        [total["hdi_5%"], total["hdi_95%"]], _arviz_hdi(every, 0.9), rtol=1e-10
    )


def test_clv_interval_is_a_frame_for_bayesian_models_too(bbg, bgg, cdnow_summary):
    some = cdnow_summary.iloc[:300]
    frame = clv.customer_lifetime_value(bbg, bgg, some, interval=0.9, **ARGS)
    posterior = clv.customer_lifetime_value(bbg, bgg, some, hdi=0.9, **ARGS)
    assert list(frame.columns) == ["mean", "hdi_5%", "hdi_95%"]
    np.testing.assert_array_equal(frame.to_numpy(), posterior.per_customer.to_numpy())
    total = frame.attrs["base_total"]
    assert total["mean"] == pytest.approx(posterior.base_total.mean(), rel=1e-12)
    np.testing.assert_allclose(
        [total["hdi_5%"], total["hdi_95%"]], _arviz_hdi(posterior.base_total, 0.9), rtol=1e-10
    )
    assert frame.attrs["method"] == "posterior"


def test_hdi_and_interval_must_agree_and_interval_is_checked(bbg, cdnow_summary):
    with pytest.raises(ValueError, match="give hdi= or interval="):
        bbg.probability_alive(cdnow_summary, hdi=0.9, interval=0.8)
    for bad in (1.5, 0.0, True):
        with pytest.raises(ValueError, match=r"interval must be a probability in \(0, 1\)"):
            bbg.probability_alive(cdnow_summary, interval=bad)
    same = bbg.probability_alive(cdnow_summary, hdi=0.8, interval=0.8)
    assert list(same.columns) == ["mean", "hdi_10%", "hdi_90%"]
