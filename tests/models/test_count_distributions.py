"""Purchase-count distributions of every purchase model (issue 25).

P(X(t) = k) of a new customer and P(Y(t) = k | x, t_x, T) of a customer with a history,
with the tails P(. >= k), for the BG/NBD, MBG/NBD, Pareto/NBD and BG/BB: against 30-digit
mpmath references that mix the models' stories numerically (``count_references``), as
distributions (non-negative, the pmf below K plus the tail at K is 1, the mean is the
model's expectation), and at the two Pareto/NBD points of the issue that used to raise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clvmodels.models import beta_geo, modified_beta_geo, pareto_nbd
from clvmodels.models.beta_geo import counts as bg_counts
from clvmodels.models.beta_geo_beta_binom import counts as bb_counts
from clvmodels.models.beta_geo_beta_binom import math as bb_math
from clvmodels.models.modified_beta_geo import counts as mbg_counts
from clvmodels.models.pareto_nbd import counts as pnbd_counts

sys.path.insert(0, str(Path(__file__).parent))
import count_references as ref  # noqa: E402

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # CDNOW, FHL 2005
PNBD = {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}
BB = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}  # donations, FHS 2010


def close(got: float, want, rel: float = 1e-8, absolute: float = 1e-13) -> bool:
    return abs(got - float(want)) <= rel * abs(float(want)) + absolute


# -- the issue's two points -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "t", "n", "issue_value"),
    [
        ({"r": 0.154, "alpha": 0.00255, "s": 1.24, "beta": 0.00885}, 126.8, 2, 0.0325),
        ({"r": 5.74, "alpha": 42.7, "s": 479.0, "beta": 0.00177}, 151.0, 0, 0.9999995),
    ],
)
def test_pareto_points_that_used_to_raise_are_computed(params, t, n, issue_value):
    got = float(pareto_nbd.probability_of_purchases(params, t, n))
    want = ref.pareto_pmf(*params.values(), t, n)
    assert close(got, want, rel=1e-9)
    # the issue's values, to the digits it gives
    assert got == pytest.approx(issue_value, abs=5e-5 if n else 5e-7)


# -- new customers against mpmath -----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "t", "k"),
    [(BG, 39.0, 3), ({"r": 3.1, "alpha": 0.4, "a": 0.35, "b": 12.0}, 5.0, 20)],
)
def test_bgnbd_new_customer_pmf_and_tail_match_mpmath(params, t, k):
    want = ref.bgnbd_pmf(*params.values(), t, k)
    assert close(float(beta_geo.probability_of_purchases(params, t, k)), want)
    # the tail by its own formula: P(X >= k) = P(X = k) + P(X >= k + 1)
    tail_k, tail_next = bg_counts.probability_at_least(params, t, [k, k + 1])
    assert close(tail_k - tail_next, want, absolute=1e-14)


@pytest.mark.parametrize(("params", "t", "k"), [(BG, 30.0, 0), (BG, 30.0, 2)])
def test_mbgnbd_new_customer_pmf_and_tail_match_mpmath(params, t, k):
    want = ref.bgnbd_pmf(*params.values(), t, k, flips_before=0)
    assert close(float(modified_beta_geo.probability_of_purchases(params, t, k)), want)
    tail_k, tail_next = mbg_counts.probability_at_least(params, t, [k, k + 1])
    assert close(tail_k - tail_next, want, absolute=1e-14)


def test_pareto_new_customer_pmf_and_tail_match_mpmath():
    params = {"r": 2.5, "alpha": 300.0, "s": 0.05, "beta": 0.2}
    want = ref.pareto_pmf(*params.values(), 80.0, 1)
    assert close(float(pareto_nbd.probability_of_purchases(params, 80.0, 1)), want, rel=1e-9)
    tail = pnbd_counts.probability_at_least(params, 80.0, [1, 2])
    assert close(tail[0] - tail[1], want, rel=1e-9, absolute=1e-14)


@pytest.mark.parametrize(("n", "x"), [(6, 0), (6, 2), (6, 6), (11, 4)])
def test_bgbb_new_customer_pmf_matches_mpmath(n, x):
    want = ref.bgbb_pmf(*BB.values(), n, x)
    assert close(float(bb_counts.probability_of_purchases(BB, n, x)), want, rel=1e-10)
    assert float(bb_counts.probability_of_purchases(BB, n, n + 1)) == 0.0


# -- customers with a history against mpmath ------------------------------------------------


def test_conditional_pmfs_match_mpmath():
    x, t_x, T, t = 4, 20.0, 39.0, 26.0
    # BG/NBD: alive with the posterior parameters, or dead (then no purchase)
    p_a = ref.bgnbd_alive(*BG.values(), x, t_x, T)
    posterior = (BG["r"] + x, BG["alpha"] + T, BG["a"], BG["b"] + x)
    for k in (0, 2):
        want = p_a * ref.bgnbd_pmf(*posterior, t, k) + (1 - p_a) * (k == 0)
        got = bg_counts.conditional_probability_of_purchases(BG, t, k, x, t_x, T)
        assert close(float(got), want)
    # MBG/NBD: one more survived flip, and no customer is alive for sure
    p_a = ref.bgnbd_alive(*BG.values(), 0, 0.0, T, modified=True)
    want = p_a * ref.bgnbd_pmf(BG["r"], BG["alpha"] + T, BG["a"], BG["b"] + 1, t, 0)
    got = mbg_counts.conditional_probability_of_purchases(BG, t, 0, 0, 0.0, T)
    assert close(float(got), want + (1 - p_a))
    # Pareto/NBD
    p_a = ref.pareto_alive(*PNBD.values(), x, t_x, T)
    posterior = (PNBD["r"] + x, PNBD["alpha"] + T, PNBD["s"], PNBD["beta"] + T)
    want = p_a * ref.pareto_pmf(*posterior, t, 1)
    got = pnbd_counts.conditional_probability_of_purchases(PNBD, t, 1, x, t_x, T)
    assert close(float(got), want, rel=1e-9)


def test_bgbb_conditional_pmf_matches_mpmath():
    x, t_x, n, ahead = 3, 4, 6, 5
    a, b, g, d = (mp.mpf(v) for v in BB.values())
    alive = mp.beta(a + x, b + n - x) / mp.beta(a, b) * mp.beta(g, d + n) / mp.beta(g, d)
    died = sum(
        mp.beta(a + x, b + t_x - x + i)
        / mp.beta(a, b)
        * mp.beta(g + 1, d + t_x + i)
        / mp.beta(g, d)
        for i in range(n - t_x)
    )
    p_a = alive / (alive + died)  # FHS 2010 eq. 5 and 11, at m = 0
    for k in (0, 1, 5):
        future = ref.bgbb_pmf(a + x, b + n - x, g, d + n, ahead, k)
        want = p_a * future + (1 - p_a) * (k == 0)
        got = bb_counts.conditional_probability_of_purchases(BB, ahead, k, x, t_x, n)
        assert close(float(got), want, rel=1e-10)


# -- distributions over the box (hypothesis) ------------------------------------------------


def log_uniform(low: float, high: float):
    return st.floats(np.log(low), np.log(high)).map(np.exp)


HISTORY = (
    np.array([0.0, 1.0, 3.0, 12.0, 40.0]),
    np.array([0.0, 2.5, 30.0, 50.0, 60.0]),
    np.array([10.0, 40.0, 52.0, 60.0, 60.0]),
)
COUNTS = np.arange(8.0)
BOX = settings(max_examples=40, deadline=None, derandomize=True, database=None)


def check_distribution(pmf: np.ndarray, tail: np.ndarray) -> None:
    """(counts x customers) pmf over 0..7 and tail P(>= 0..7): a distribution, both ways."""
    assert np.all(np.isfinite(pmf)) and np.all(pmf >= 0) and np.all(tail <= 1 + 1e-12)
    np.testing.assert_allclose(tail[0], 1.0, rtol=0, atol=1e-12)
    # P(X < 7) + P(X >= 7) = 1: the pmf and the tail are separate formulas
    np.testing.assert_allclose(pmf[:7].sum(axis=0) + tail[7], 1.0, rtol=0, atol=1e-9)
    assert np.all(np.diff(tail, axis=0) <= 1e-15)


@given(
    r=log_uniform(1e-2, 1e2),
    alpha=log_uniform(1e-2, 1e3),
    a=log_uniform(1e-2, 1e2),
    b=log_uniform(1e-2, 1e2),
    t=log_uniform(0.1, 500.0),
)
@BOX
def test_bgnbd_family_conditional_is_a_distribution(r, alpha, a, b, t):
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    for counts in (bg_counts, mbg_counts):
        pmf = counts.conditional_probability_of_purchases(params, t, COUNTS[:, None], *HISTORY)
        tail = counts.conditional_probability_of_purchases(
            params, t, COUNTS[:, None], *HISTORY, at_least=True
        )
        check_distribution(pmf, tail)
        at_zero = counts.conditional_probability_of_purchases(
            params, 0.0, COUNTS[:, None], *HISTORY
        )
        np.testing.assert_allclose(at_zero, (COUNTS[:, None] == 0) * np.ones(5), atol=1e-15)


@given(
    r=log_uniform(1e-2, 1e2),
    alpha=log_uniform(1e-3, 1e3),
    s=log_uniform(1e-2, 5e2),
    beta=log_uniform(1e-3, 1e3),
    t=log_uniform(0.1, 1000.0),
)
@BOX
def test_pareto_new_and_conditional_are_distributions(r, alpha, s, beta, t):
    """Over the box of the issue's sample: no NumericalPrecisionError, and distributions."""
    params = {"r": r, "alpha": alpha, "s": s, "beta": beta}
    pmf = pareto_nbd.probability_of_purchases(params, t, COUNTS)
    tail = pnbd_counts.probability_at_least(params, t, COUNTS)
    check_distribution(pmf[:, None], tail[:, None])
    pmf = pnbd_counts.conditional_probability_of_purchases(params, t, COUNTS[:, None], *HISTORY)
    tail = pnbd_counts.conditional_probability_of_purchases(
        params, t, COUNTS[:, None], *HISTORY, at_least=True
    )
    check_distribution(pmf, tail)


@given(
    alpha=log_uniform(1e-2, 1e2),
    beta=log_uniform(1e-2, 1e2),
    gamma=log_uniform(1e-2, 1e2),
    delta=log_uniform(1e-2, 1e2),
    ahead=st.integers(0, 12),
)
@BOX
def test_bgbb_conditional_is_a_distribution(alpha, beta, gamma, delta, ahead):
    params = {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}
    history = (np.array([0.0, 1, 3, 6]), np.array([0.0, 1, 5, 6]), np.array([6.0, 6, 6, 6]))
    pmf = bb_counts.conditional_probability_of_purchases(params, ahead, COUNTS[:, None], *history)
    tail = bb_counts.conditional_probability_of_purchases(
        params, ahead, COUNTS[:, None], *history, at_least=True
    )
    check_distribution(pmf, tail)
    mean = (pmf * COUNTS[:, None]).sum(axis=0)
    if ahead < 8:  # the whole support is in 0..7: the mean is the model's expectation
        want = bb_math.conditional_expected_purchases(params, ahead, *history)
        np.testing.assert_allclose(mean, want, rtol=1e-9, atol=1e-14)


def test_means_are_the_models_expectations():
    x, t_x, T = HISTORY
    counts = np.arange(400.0)[:, None]
    for math, counts_module, params in (
        (beta_geo, bg_counts, BG),
        (modified_beta_geo, mbg_counts, BG),
        (pareto_nbd, pnbd_counts, PNBD),
    ):
        pmf = counts_module.conditional_probability_of_purchases(params, 39.0, counts, x, t_x, T)
        mean = (pmf * counts).sum(axis=0)
        want = math.conditional_expected_purchases(params, 39.0, x, t_x, T)
        np.testing.assert_allclose(mean, want, rtol=1e-8)
