"""get_params / set_params / clone (scikit-learn's contract) and declared capabilities."""

import hashlib

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.estimation.params import clone
from clvmodels.estimation.protocols import capabilities
from clvmodels.estimation.rows import weighted_rows


def test_get_params_returns_the_constructor_arguments():
    assert clv.BetaGeoModel(penalizer_coef=0.25).get_params() == {
        "penalizer_coef": 0.25,
        "purchase_covariates": [],
        "dropout_covariates": [],
        "covariate_penalty": None,
        "equal_effects": [],
    }
    # the Gamma-Gamma's spend covariates (issue 22) and q_constraint (issue 25) are
    # constructor settings too
    assert clv.GammaGammaModel().get_params() == {
        "penalizer_coef": 0.0,
        "spend_covariates": [],
        "covariate_penalty": None,
        "q_constraint": False,
    }


def test_clone_is_unfitted_with_the_same_settings_and_refits_to_the_same_estimate(
    cdnow_summary,
):
    fitted = clv.BetaGeoModel(penalizer_coef=0.001).fit(cdnow_summary)
    copy = clone(fitted)
    assert type(copy) is clv.BetaGeoModel and copy is not fitted
    assert copy.get_params() == fitted.get_params()
    assert copy.get_params()["penalizer_coef"] == 0.001
    assert not hasattr(copy, "params_")
    copy.fit(cdnow_summary)
    for name, value in fitted.params_.items():
        assert copy.params_[name] == pytest.approx(value, rel=1e-6)


def test_clone_deep_copies_mutable_settings():
    from clvmodels.bayes import BayesianShiftedBetaGeoModel

    model = BayesianShiftedBetaGeoModel(priors={"alpha": (0.0, 1.0)}, hierarchical=False)
    copy = clone(model)
    assert copy.get_params() == {"priors": {"alpha": (0.0, 1.0)}, "hierarchical": False}
    copy.priors["beta"] = (1.0, 1.0)
    assert "beta" not in model.priors


def test_clone_of_an_object_without_get_params_is_a_deep_copy():
    class Mine:
        def __init__(self):
            self.state = [1, 2]

    mine = Mine()
    copy = clone(mine)
    assert copy.state == [1, 2] and copy.state is not mine.state


def test_set_params_changes_settings_and_names_the_valid_ones():
    model = clv.ParetoNBDModel()
    assert model.set_params(penalizer_coef=0.5) is model
    assert model.penalizer_coef == 0.5
    with pytest.raises(ValueError, match=r"\['penalty'\] are not settings.*penalizer_coef"):
        model.set_params(penalty=1.0)


def test_set_params_runs_the_constructors_checks():
    from clvmodels.bayes import BayesianBetaGeoModel

    model = BayesianBetaGeoModel()
    with pytest.raises(ValueError, match="unknown parameter"):
        model.set_params(priors={"gamma": (0.0, 1.0)})
    assert model.priors == {}


def test_backtest_clones_and_leaves_the_candidate_unfitted():
    candidate = clv.BetaGeoModel()
    log = clv.datasets.load_cdnow_transactions()
    # positional columns: their keyword names are being renamed on another branch
    clv.backtest(log, "customer_id", "date", "1997-09-30", models={"bg": (candidate, None)})
    assert not hasattr(candidate, "params_")


def test_capabilities_are_declared_and_default_to_the_plain_protocol():
    from clvmodels.bayes import BayesianBetaGeoModel, BayesianParetoNBDModel

    assert capabilities(clv.BetaGeoModel()).many_horizons
    assert not capabilities(clv.BetaGeoModel()).sums_weighted_horizons
    assert capabilities(BayesianBetaGeoModel()).sums_weighted_horizons
    assert not capabilities(BayesianParetoNBDModel()).sums_weighted_horizons
    assert capabilities(clv.BetaGeoBetaBinomModel()).many_horizons

    class Plain:
        def conditional_expected_purchases(self, t, summary):
            return 0.0

    assert capabilities(Plain()) == capabilities(Plain())
    assert not capabilities(Plain()).many_horizons


def test_a_capability_that_is_not_a_bool_is_named():
    class Confused:
        accepts_many_horizons = "yes"

    with pytest.raises(TypeError, match="accepts_many_horizons must be True or False"):
        capabilities(Confused())


def _groupby_fingerprint(data, columns, weights):
    """The Bayesian models' former compression (a pandas groupby) and its fingerprint."""
    frame = pd.DataFrame({name: data[name].to_numpy(np.float64) for name in columns})
    frame["_w"] = 1.0 if weights is None else np.asarray(weights, dtype=np.float64)
    grouped = frame.groupby(list(columns), sort=True)["_w"].sum()
    grouped = grouped[grouped > 0]
    digest = hashlib.sha256()
    for name in sorted(columns):
        digest.update(name.encode())
        digest.update(grouped.index.get_level_values(name).to_numpy(np.float64).tobytes())
    digest.update(grouped.to_numpy(np.float64).tobytes())
    return digest.hexdigest()[:16]


@pytest.mark.parametrize("with_weights", [False, True])
def test_one_rows_type_keeps_the_saved_bayesian_fingerprints(cdnow_summary, with_weights):
    """Saved Bayesian models hold the fingerprint of the old groupby rows: it must not move."""
    rng = np.random.default_rng(3)
    weights = rng.integers(0, 4, len(cdnow_summary)) if with_weights else None
    columns = ("frequency", "recency", "T")
    rows = weighted_rows(cdnow_summary, columns, weights)
    assert np.all(rows.weights > 0)
    assert rows.fingerprint() == _groupby_fingerprint(cdnow_summary, columns, weights)
