"""Library calls a careful user wants to hear about (issue 26, items 12 and 14).

An implausible discount rate warns, naming the argument and the likely intent; the sBG
refuses one period of data, which identifies only alpha / (alpha + beta); the quick
Bayesian fits call PyMC's ``find_MAP`` the supported way (no FutureWarning).
"""

import warnings

import numpy as np
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError
from clvmodels.value.probabilistic import customer_lifetime_value


@pytest.fixture(scope="module")
def fitted():
    summary = clv.datasets.load_cdnow_summary()
    return clv.BetaGeoModel().fit(summary), clv.GammaGammaModel().fit(summary), summary


def _value(fitted, rate):
    bg, gg, summary = fitted
    return customer_lifetime_value(bg, gg, summary, 12, rate, horizon_unit="M", discount_period="Y")


def test_a_discount_rate_above_one_warns_with_the_likely_intent(fitted):
    with pytest.warns(UserWarning, match=r"discount_rate=10 is 1000% per year") as caught:
        high = _value(fitted, 10)
    (warning,) = [w for w in caught if "discount_rate" in str(w.message)]
    assert "discount_rate=0.1" in str(warning.message)
    assert warning.filename == __file__  # it points at the caller's line
    # it warns only: the value at 1000 % a year is computed, far below the 10 % one
    assert high.sum() < 0.8 * _value(fitted, 0.10).sum()


def test_plausible_rates_do_not_warn(fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for rate in (0.0, 0.10, 0.5, 1.0):
            _value(fitted, rate)


def test_the_sbg_refuses_one_period():
    with pytest.raises(DataValidationError, match=r"at least 2 periods") as info:
        clv.ShiftedBetaGeoModel().fit([1000, 600])
    assert "alpha / (alpha + beta) = 0.4" in str(info.value)

    # why (Fader & Hardie 2007): with one period the likelihood is
    # P(T = 1)^400 S(1)^600 with P(T = 1) = alpha / (alpha + beta): the ratio alone
    def one_period(alpha, beta):
        churn = alpha / (alpha + beta)
        return 400 * np.log(churn) + 600 * np.log1p(-churn)

    same = [one_period(a, 1.5 * a) for a in (0.1, 1.0, 10.0)]
    np.testing.assert_allclose(same, same[0], rtol=1e-12)
    two = clv.ShiftedBetaGeoModel().fit([1000, 600, 450])  # two periods: fitted
    assert two.params_["alpha"] > 0


def test_quick_bayesian_fits_raise_no_future_warning(fitted):
    pytest.importorskip("pymc")
    from clvmodels.bayes import BayesianBetaGeoModel

    _, _, summary = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        mode = BayesianBetaGeoModel().fit(summary, method="map").posterior_mean_params()
    # the mode under weak priors lands on Fader, Hardie & Lee's (2005) MLE
    for name, value in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert mode[name] == pytest.approx(value, rel=0.03), name
