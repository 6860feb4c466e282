"""Gamma-Gompertz/NBD count distributions and future P(alive) (issue 25 on issue 23's model).

References: the Pareto/NBD's (mpmath-tested in ``test_count_distributions.py``), which
is the Gamma-Gompertz/NBD's limit b -> 0 with beta / b fixed (Bemmaor & Glady 2012);
the model's own conditional expectation (CLVTools-tested), which the distribution's mean
must equal; simulated customers with known truth.
"""

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.models.gamma_gompertz_nbd import counts
from clvmodels.models.gamma_gompertz_nbd import math as ggom
from clvmodels.models.pareto_nbd import counts as pnbd_counts

HISTORY = (
    np.array([0.0, 1.0, 4.0, 12.0]),
    np.array([0.0, 3.5, 20.0, 30.0]),
    np.array([10.0, 25.0, 40.0, 31.0]),
)


def test_the_pareto_limit_gives_the_pareto_nbds_counts_and_future_alive():
    b, beta_pareto = 1e-9, 11.67
    params = {"r": 0.55, "alpha": 10.6, "b": b, "s": 0.61, "beta": b * beta_pareto}
    pareto = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": beta_pareto}
    n = np.arange(6)[:, None]
    ours = counts.conditional_probability_of_purchases(params, 26.0, n, *HISTORY)
    theirs = pnbd_counts.conditional_probability_of_purchases(pareto, 26.0, n, *HISTORY)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)
    tail = counts.conditional_probability_of_purchases(params, 26.0, n, *HISTORY, at_least=True)
    their_tail = pnbd_counts.conditional_probability_of_purchases(
        pareto, 26.0, n, *HISTORY, at_least=True
    )
    np.testing.assert_allclose(tail, their_tail, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        counts.probability_alive_after(params, 13.0, *HISTORY),
        pnbd_counts.probability_alive_after(pareto, 13.0, *HISTORY),
        rtol=1e-6,
    )


@pytest.mark.parametrize("b", [0.02, 0.3])
def test_the_distribution_sums_to_one_and_its_mean_is_the_conditional_expectation(b):
    params = {"r": 0.8, "alpha": 6.0, "b": b, "s": 1.5, "beta": 8.0}
    n = np.arange(120)[:, None]
    table = counts.conditional_probability_of_purchases(params, 20.0, n, *HISTORY)
    assert np.all(table >= 0)
    np.testing.assert_allclose(table.sum(axis=0), 1.0, atol=1e-8)
    mean = (n * table).sum(axis=0)
    expected = ggom.conditional_expected_purchases(params, 20.0, *HISTORY)
    np.testing.assert_allclose(mean, expected, rtol=1e-7)
    # at_least is the upper tail of the same distribution
    tail = counts.conditional_probability_of_purchases(
        params, 20.0, np.array([0, 1, 3])[:, None], *HISTORY, at_least=True
    )
    np.testing.assert_allclose(tail[1], 1.0 - table[0], atol=1e-9)
    np.testing.assert_allclose(tail[2], 1.0 - table[:3].sum(axis=0), atol=1e-9)
    # a moment later she is alive no more often than now, and at=0 is P(alive)
    now = ggom.probability_alive(params, *HISTORY)
    np.testing.assert_allclose(counts.probability_alive_after(params, 0.0, *HISTORY), now)
    assert np.all(counts.probability_alive_after(params, 10.0, *HISTORY) < now)


def test_future_alive_matches_simulated_lifetimes():
    # Known truth: customers of age T = 30 all alive at T (x = 0 histories are alive or
    # dead, so simulate the lifetimes directly): P(tau > T + a | tau > T) = S(T + a)/S(T).
    rng = np.random.default_rng(4)
    b, s, beta = 0.1, 1.5, 8.0
    # S(t) = (beta / (beta - 1 + e^{bt}))^s is E[exp(-eta (e^{bt} - 1))] over eta ~
    # Gamma(s, beta): a cumulative hazard eta (e^{bt} - 1) reaching an Exp(1) draw
    eta = rng.gamma(s, 1.0 / beta, 400_000)
    tau = np.log1p(rng.exponential(1.0, eta.size) / eta) / b
    alive = tau > 30.0
    share = (tau[alive] > 40.0).mean()
    params = {"r": 1.0, "alpha": 1.0, "b": b, "s": s, "beta": beta}
    expected = np.exp(ggom.log_survival(params, 40.0) - ggom.log_survival(params, 30.0))
    se = np.sqrt(share * (1 - share) / alive.sum())
    assert abs(share - expected) < 4 * se


def test_the_model_offers_them_by_the_shared_names():
    from tests.models.gamma_gompertz_draws import draw

    summary = draw(1500, seed=3)
    model = clv.GammaGompertzNBDModel().fit(summary)
    table = model.probability_of_purchases(10.0, [0, 1, 2], summary)
    assert isinstance(table, pd.DataFrame) and table.shape == (1500, 3)
    assert np.all((table.to_numpy() >= 0) & (table.to_numpy() <= 1))
    later = model.probability_alive(summary, at=4.0)
    assert (later <= model.probability_alive(summary) + 1e-12).all()
