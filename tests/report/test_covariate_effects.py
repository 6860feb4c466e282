"""The report's covariate sentences: the right words for the sign, and the right numbers.

Customers are drawn from each model's story with known effects (tests/models/
covariate_draws.py, numpy only): channel "online" makes customers buy less often
(purchase effect -0.3) and drop out more (dropout effect +0.6); gender 1 buys more (+0.4)
and drops out less (-0.5). For the Pareto/NBD "drop out more" is a dropout rate multiplied
by e^0.6; for the BG/NBD, whose a and b are both multiplied by e^0.6, it is a dropout
probability as high on average but less spread, so fewer customers stay through many
purchases: the sentence's shares are checked against beta draws of the fitted parameters.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.report.effects import OCCASIONS, covariate_words, effect_kind
from clvmodels.report.words import backtest_verdict
from clvmodels.simulate import simulate_summary
from tests.models.covariate_draws import TRUE_EFFECTS, beta_geo_customers, pareto_nbd_customers

COLUMNS = ["gender", "channel"]
NUMBER = r"([0-9.]+)"


def _fit(cls, draw, truth, seed=11, n=20_000):
    summary = draw(n, truth, TRUE_EFFECTS, seed=seed)
    model = cls(purchase_covariates=COLUMNS, dropout_covariates=COLUMNS).fit(summary)
    return model, summary


@pytest.fixture(scope="module")
def pareto():
    return _fit(
        clv.ParetoNBDModel, pareto_nbd_customers, {"r": 0.6, "alpha": 8, "s": 0.8, "beta": 12}
    )


@pytest.fixture(scope="module")
def beta_geo():
    return _fit(clv.BetaGeoModel, beta_geo_customers, {"r": 0.25, "alpha": 4, "a": 0.8, "b": 2.5})


def _sentence(words, start):
    (found,) = [w for w in words if w.startswith(start)]
    return found


def _interval(sentence):
    low, high = re.search(rf"95 % interval {NUMBER}-{NUMBER}\)", sentence).groups()
    return float(low), float(high)


def _near_truth(model, name, truth):
    """The estimate within 3 standard errors of the simulation's truth (as the recovery tests)."""
    assert abs(model.params_[name] - truth) < 3 * model.standard_errors_[name], name


def test_the_parametrisation_is_read_from_the_model():
    assert effect_kind(clv.ParetoNBDModel(), "purchase") == ("rate", ("alpha",))
    assert effect_kind(clv.ParetoNBDModel(), "dropout") == ("rate", ("beta",))
    assert effect_kind(clv.BetaGeoModel(), "purchase") == ("rate", ("alpha",))
    assert effect_kind(clv.BetaGeoModel(), "dropout") == ("concentration", ("a", "b"))


def test_purchase_effects_in_words_contain_the_true_multipliers(pareto, beta_geo):
    for model, _ in (pareto, beta_geo):
        words = covariate_words(model)
        online = _sentence(words, "Customers with channel online buy ")
        gender = _sentence(words, "Customers with gender one unit higher buy ")
        assert online.endswith(
            f"times as often as those with channel email while active ({online.split('(')[-1]}"
        )
        for sentence, truth, name in (
            (online, -0.3, "purchase:channel[online]"),
            (gender, 0.4, "purchase:gender"),
        ):
            ratio = float(re.search(rf" buy {NUMBER} times", sentence).group(1))
            assert ratio == pytest.approx(math.exp(model.params_[name]), rel=5e-3)
            low, high = _interval(sentence)
            se = model.standard_errors_[name]
            assert low == pytest.approx(math.exp(model.params_[name] - 1.96 * se), rel=5e-3)
            assert high == pytest.approx(math.exp(model.params_[name] + 1.96 * se), rel=5e-3)
            _near_truth(model, name, truth)
        assert float(re.search(rf" buy {NUMBER} times", online).group(1)) < 1


def test_pareto_nbd_dropout_words_follow_the_sign_of_the_truth(pareto):
    model, _ = pareto
    words = covariate_words(model)
    online = _sentence(words, "Customers with channel online drop out at ")
    gender = _sentence(words, "Customers with gender one unit higher drop out at ")
    assert "times the rate of those with channel email, i.e. faster" in online
    assert "i.e. slower" in gender
    assert _interval(online)[0] > 1 and _interval(gender)[1] < 1  # the sign is measured
    _near_truth(model, "dropout:channel[online]", 0.6)
    _near_truth(model, "dropout:gender", -0.5)


def _staying_by_draws(a, b, gamma, rng, n=400_000):
    p = rng.beta(a * math.exp(gamma), b * math.exp(gamma), n)
    return float(np.mean((1.0 - p) ** OCCASIONS))


def test_beta_geo_dropout_words_follow_the_sign_and_the_shares_are_right(beta_geo):
    model, _ = beta_geo
    words = covariate_words(model)
    online = _sentence(words, "Customers with channel online are ")
    gender = _sentence(words, "Customers with gender one unit higher are ")
    assert online.startswith("Customers with channel online are less likely to stay for many")
    assert gender.startswith("Customers with gender one unit higher are more likely to stay")
    rng = np.random.default_rng(3)
    a, b = model.params_["a"], model.params_["b"]
    shares = re.search(
        rf"{NUMBER} % of them would stay through {OCCASIONS} purchase occasions .*against "
        rf"{NUMBER} % of those with channel email",
        online,
    ).groups()
    ours, reference = (float(s) / 100 for s in shares)
    assert ours == pytest.approx(
        _staying_by_draws(a, b, model.params_["dropout:channel[online]"], rng), abs=2e-3
    )
    assert reference == pytest.approx(_staying_by_draws(a, b, 0.0, rng), abs=2e-3)
    # the truth points the same way: with a = 0.8, b = 2.5, e^0.6 concentrates p
    assert _staying_by_draws(0.8, 2.5, 0.6, rng) < _staying_by_draws(0.8, 2.5, 0.0, rng)
    mean = re.search(rf"after a purchase is the same \({NUMBER} %\)", online).group(1)
    assert float(mean) / 100 == pytest.approx(a / (a + b), abs=5e-4)


def test_the_reference_customer_and_the_likelihood_ratio_are_stated(beta_geo):
    model, summary = beta_geo
    plain = clv.BetaGeoModel().fit(summary[["frequency", "recency", "T"]])
    test = clv.evaluation.covariate_likelihood_ratio(model, summary)
    words = covariate_words(model, test)
    assert words[0].startswith(
        "With covariates, r, alpha, a, b (and the sentences above) describe a reference "
        "customer (gender 0, channel email)"
    )
    statistic = 2 * (model.log_likelihood_ - plain.log_likelihood_)
    assert words[-1].startswith(
        "Likelihood-ratio test against the same model without covariates: statistic "
        f"{statistic:.4g} on 6 degrees of freedom, p < 0.001"
    )
    assert words[-1].endswith("leaves to chance.")


def test_a_covariate_without_effect_is_said_to_add_nothing():
    rng = np.random.default_rng(5)
    summary = simulate_summary(3_000, {"r": 0.3, "alpha": 5, "a": 0.8, "b": 2.5}, T=40.0, seed=5)
    summary["noise"] = rng.normal(size=len(summary))
    model = clv.BetaGeoModel(purchase_covariates=["noise"]).fit(summary)
    test = clv.evaluation.covariate_likelihood_ratio(model, summary)
    assert test["p_value"] > 0.05  # seeded: no effect in the data
    words = covariate_words(model, test)
    assert f"p = {test['p_value']:.3f}" in words[-1]
    assert words[-1].endswith("do not improve the fit significantly (at the 5 % level).")
    assert covariate_words(clv.BetaGeoModel().fit(summary)) == []


def test_an_equal_effect_is_said_for_both_processes(pareto):
    _, summary = pareto
    model = clv.ParetoNBDModel(
        purchase_covariates=COLUMNS, dropout_covariates=COLUMNS, equal_effects=["gender"]
    ).fit(summary)
    shared = [w for w in covariate_words(model) if "as constrained" in w]
    assert len(shared) == 2
    assert shared[0].startswith("Customers with gender one unit higher buy")
    assert shared[1].startswith("Customers with gender one unit higher drop out at")


def test_the_verdict_names_the_model_without_covariates_apart():
    metrics = pd.DataFrame(
        {"total_relative_error": [-0.05, -0.12, 0.31]},
        index=["BG/NBD with covariates + Gamma-Gamma", "BG/NBD + Gamma-Gamma", "run rate"],
    )
    text = backtest_verdict({"purchases metrics": metrics}, None, "BG/NBD + Gamma-Gamma")
    assert text == (
        "Backtest: the model's forecast of purchases was 5 % low; without covariates, 12 % "
        "low; the best textbook formula (run rate) was 31 % high."
    )


def test_an_effect_without_a_standard_error_says_its_interval_is_unknown(beta_geo):
    model, _ = beta_geo
    table = model.summary()
    table.loc[["purchase:gender", "dropout:gender"], ["lower_95%", "upper_95%"]] = np.nan

    class Flat(type(model)):  # the same fit, its curvature lost in one direction
        def summary(self, level=0.95):
            return table

    flat = Flat.__new__(Flat)
    flat.__dict__.update(model.__dict__)
    words = covariate_words(flat)
    purchase = _sentence(words, "Customers with gender one unit higher buy ")
    dropout = _sentence(words, "Customers with gender one unit higher are ")
    assert purchase.endswith("(95 % interval unknown: no standard error).")
    assert "(95 % interval unknown: no standard error), against" in dropout
