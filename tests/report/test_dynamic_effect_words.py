"""Time-varying covariate effects in words (report/effects.py), checked independently.

The BG/NBD's time-varying dropout raises the chance of staying after a purchase, 1 - p,
to the power e^gamma in the periods where the covariate is one unit higher; the sentence
states the mean chance of dropping out after such a purchase, E[1 - (1 - p)^(e^gamma)]
over p ~ Beta(a, b), which is integrated here numerically (scipy ``quad``) rather than
through the beta-function form the report uses.
"""

from __future__ import annotations

import math
import re

import pytest
from scipy import integrate, stats

import clvmodels as clv
from clvmodels.report.effects import covariate_words
from tests.models.dynamic_draws import draw

TRUTH = {"r": 0.8, "alpha": 6.0, "a": 0.8, "b": 2.5}


@pytest.fixture(scope="module")
def bgnbd():
    summary, frame, log = draw("beta_geo", 300, TRUTH, {"dropout:contact": 0.6}, seed=21)
    return clv.BetaGeoModel(purchase_covariates=["season"], dropout_covariates=["contact"]).fit(
        summary, dynamic_covariates=frame, transactions=log
    )


def _mean_dropout(a: float, b: float, gamma: float) -> float:
    def integrand(p):
        return (1.0 - (1.0 - p) ** math.exp(gamma)) * stats.beta.pdf(p, a, b)

    return integrate.quad(integrand, 0.0, 1.0, limit=200)[0]


def test_time_varying_effects_are_stated_per_period(bgnbd):
    words = covariate_words(bgnbd)
    assert words[0].startswith("With time-varying covariates, r, alpha, a, b")
    (purchase,) = [w for w in words if "buy" in w]
    ratio = math.exp(bgnbd.params_["purchase:season"])
    assert purchase.startswith(
        f"In periods with season one unit higher, customers buy {ratio:.3g} times as often as "
        "in periods one unit lower while active"
    )
    (dropout,) = [w for w in words if "drop out after a purchase" in w]
    a, b, gamma = bgnbd.params_["a"], bgnbd.params_["b"], bgnbd.params_["dropout:contact"]
    shown = [float(v) / 100 for v in re.findall(r"(\d+\.\d) %", dropout)]
    table = bgnbd.summary()
    low, high = (table.at["dropout:contact", c] for c in table.columns[2:4])
    expected = [
        _mean_dropout(a, b, gamma),
        _mean_dropout(a, b, low),
        _mean_dropout(a, b, high),
        _mean_dropout(a, b, 0.0),
    ]
    assert shown == pytest.approx(expected, abs=0.0006)  # one decimal of a percentage
    assert f"raised to the power {math.exp(gamma):.3g}" in dropout
