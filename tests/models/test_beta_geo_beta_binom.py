"""BG/BB on the donations data of Fader, Hardie & Shang (2010), lifetimes and mpmath.

Source: Fader, P. S., Hardie, B. G. S. & Shang, J. (2010), "Customer-base analysis in a
discrete-time noncontractual setting", Marketing Science 29(6): 11,104 donors of the 1995
cohort, 6 yearly opportunities; alpha = 1.204, beta = 0.750, gamma = 0.657,
delta = 2.783; P(alive in 2002) = .11, .59, .93 at (x, t_x) = (0, 0), (2, 4), (6, 6);
E[X(n)] for a new donor, n = 1..11.
"""

import mpmath as mp
import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError
from clvmodels.models import beta_geo_beta_binom as bgbb

PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


@pytest.fixture(scope="module")
def donations():
    return clv.datasets.load_donations()


@pytest.fixture(scope="module")
def bgbb_donations(donations):
    return clv.BetaGeoBetaBinomModel().fit(donations, weights=donations["count"])


def test_the_bundled_table_is_the_published_one(donations):
    """FHS (2010), Table 1: 22 (x, t_x) patterns over n = 6, 11,104 donors, 3,464 never again."""
    assert len(donations) == 22
    assert donations["count"].sum() == 11_104
    assert (donations["n_periods"] == 6).all()
    never = donations[(donations["frequency"] == 0)]
    assert never["count"].tolist() == [3464]
    assert donations.attrs["time_unit"] == "Y"


def test_estimates_match_fader_hardie_shang_2010(bgbb_donations):
    for name, value in PUBLISHED.items():
        assert bgbb_donations.params_[name] == pytest.approx(value, abs=5e-4), name
    assert bgbb_donations.n_customers_ == 11_104


@pytest.mark.parametrize(("x", "t_x", "published"), [(0, 0, 0.11), (2, 4, 0.59), (6, 6, 0.93)])
def test_p_alive_matches_fader_hardie_shang_2010(bgbb_donations, x, t_x, published):
    """FHS (2010), eq. 11 and the P(alive) values in sec. 4."""
    p_alive = bgbb.probability_alive(bgbb_donations.params_, x, t_x, 6)
    assert p_alive == pytest.approx(published, abs=0.005)


def test_new_donor_expectations_match_fader_hardie_shang_2010(bgbb_donations):
    """FHS (2010), eq. 7: E[X(n)] for n = 1..11."""
    published = [0.4985, 0.9233, 1.2969, 1.6323, 1.9381, 2.2202, 2.4826, 2.7285, 2.9603,
                 3.1798, 3.3887]  # fmt: skip
    ours = bgbb_donations.expected_purchases(np.arange(1, 12))
    np.testing.assert_allclose(ours, published, atol=6e-5)


def reference_log_likelihood(p, x, t_x, n):
    """FHS (2010) eq. 5, literally, at 40 digits."""
    with mp.workdps(40):
        a, b, g, d = (mp.mpf(p[k]) for k in ("alpha", "beta", "gamma", "delta"))
        total = mp.beta(a + x, b + n - x) / mp.beta(a, b) * mp.beta(g, d + n) / mp.beta(g, d)
        for i in range(n - t_x):
            total += (
                mp.beta(a + x, b + t_x - x + i) / mp.beta(a, b)
                * mp.beta(g + 1, d + t_x + i) / mp.beta(g, d)
            )  # fmt: skip
        return float(mp.log(total))


@pytest.mark.parametrize(
    "p",
    [
        PUBLISHED,
        {"alpha": 1e-4, "beta": 1e4, "gamma": 1e3, "delta": 1e-3},
        {"alpha": 1e4, "beta": 1e-4, "gamma": 1.0, "delta": 1e4},
    ],
)
def test_log_likelihood_matches_mpmath(p):
    x = np.array([0, 1, 3, 6, 0, 40, 200])
    t_x = np.array([0, 1, 5, 6, 0, 80, 200])
    n = np.array([6, 6, 6, 6, 100, 100, 300])
    ours = bgbb.log_likelihood(p, x, t_x, n)
    expected = [reference_log_likelihood(p, *row) for row in zip(x, t_x, n, strict=True)]
    # absolute error in nats = relative error of the likelihood (betaln differences near 0)
    np.testing.assert_allclose(ours, expected, rtol=1e-11, atol=1e-10)


def test_agrees_with_lifetimes(bgbb_donations, donations):
    lifetimes = pytest.importorskip("lifetimes")
    other = lifetimes.BetaGeoBetaBinomFitter()
    other.params_ = pd.Series(bgbb_donations.params_)
    x, t_x, n = (donations[c] for c in ("frequency", "recency", "n_periods"))
    np.testing.assert_allclose(
        bgbb_donations.conditional_expected_purchases(5, donations),
        other.conditional_expected_number_of_purchases_up_to_time(5, x, t_x, n),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        bgbb_donations.probability_alive(donations),
        other.conditional_probability_alive(1, x, t_x, n),
        rtol=1e-10,
    )


def test_dert_is_eq_14_of_fhs_2010(bgbb_donations):
    """FHS (2010) eq. 14 with mpmath's 2F1, at d = 0.1 per year."""
    p = bgbb_donations.params_
    for x, t_x, n in ((0, 0, 6), (2, 4, 6), (6, 6, 6), (10, 30, 40)):
        ours = bgbb.discounted_expected_residual_transactions(p, 0.1, x, t_x, n)
        with mp.workdps(30):
            a, b, g, d = (mp.mpf(p[k]) for k in ("alpha", "beta", "gamma", "delta"))
            lik = mp.exp(reference_log_likelihood(p, x, t_x, n))
            ref = (
                mp.beta(a + x + 1, b + n - x) / mp.beta(a, b)
                * mp.beta(g, d + n + 1) / (mp.mpf("1.1") * mp.beta(g, d))
                * mp.hyp2f1(1, d + n + 1, g + d + n + 1, 1 / mp.mpf("1.1"))
                / lik
            )  # fmt: skip
        assert ours == pytest.approx(float(ref), rel=1e-9)


def test_conditional_expectation_of_a_new_customer_and_gamma_one():
    """At x = t_x = n = 0 it is E[X(n*)]; gamma = 1 (eq. 7's 0/0) is continuous."""
    p = dict(PUBLISHED)
    np.testing.assert_allclose(
        bgbb.conditional_expected_purchases(p, np.arange(1, 6), 0, 0, 0),
        bgbb.expected_purchases(p, np.arange(1, 6)),
        rtol=1e-14,
    )
    at_one = bgbb.expected_purchases(p | {"gamma": 1.0}, 4)
    near = bgbb.expected_purchases(p | {"gamma": 1.0 + 1e-9}, 4)
    assert at_one == pytest.approx(near, rel=1e-8)
    with mp.workdps(30):  # eq. 7 in closed form, gamma away from 1
        a, b, g, d, n = 1.204, 0.750, mp.mpf(0.657), mp.mpf(2.783), 4
        closed = (
            a
            / (a + b)
            * d
            / (g - 1)
            * (1 - mp.gamma(g + d) * mp.gamma(1 + d + n) / (mp.gamma(g + d + n) * mp.gamma(1 + d)))
        )
    assert bgbb.expected_purchases(p, 4) == pytest.approx(float(closed), rel=1e-13)


def test_opportunity_summary_from_a_log_of_periods():
    log = pd.DataFrame(
        {
            "donor": ["a", "a", "a", "a", "b", "c", "c", "c"],
            "year": [0, 2, 2, 5, 0, 0, 1, 6],
        }
    )
    summary = bgbb.opportunity_summary(log, "donor", "year", n_periods=6, time_unit="Y")
    assert summary.to_dict("index") == {
        "a": {"frequency": 2, "recency": 5, "n_periods": 6},
        "b": {"frequency": 0, "recency": 0, "n_periods": 6},
        "c": {"frequency": 2, "recency": 6, "n_periods": 6},
    }
    assert summary.attrs["time_unit"] == "Y"
    with pytest.raises(DataValidationError, match=r"column 'year': 2 of 8 rows.*0\.\.3"):
        bgbb.opportunity_summary(log, "donor", "year", n_periods=3)


def test_invalid_tables_are_named():
    bad = pd.DataFrame({"frequency": [2, 0, 1], "recency": [1, 3, 1], "n_periods": [6, 6, 6]})
    with pytest.raises(DataValidationError) as error:
        clv.BetaGeoBetaBinomModel().fit(bad)
    message = str(error.value)
    assert "frequency <= recency" in message
    assert "recency == 0 exactly when frequency == 0" in message
    with pytest.raises(ValueError, match="discount_rate"):
        bgbb.discounted_expected_residual_transactions(PUBLISHED, 0.0, 1, 1, 6)
    with pytest.raises(ValueError, match="periods_ahead must be whole numbers"):
        bgbb.conditional_expected_purchases(PUBLISHED, 1.5, 1, 1, 6)
