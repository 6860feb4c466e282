"""The registry: one entry per model folder, read by the CLI, the report and these tests."""

import numpy as np
import pytest

import clvmodels as clv
from clvmodels.models import registry


@pytest.mark.parametrize("key", list(registry.MODELS))
def test_each_entry_is_consistent_with_its_estimators(key):
    entry = registry.by_key(key)
    assert entry.spec.key == key
    assert entry.mle.param_names == entry.spec.parameters
    assert entry.mle.spec is entry.spec
    if entry.bayes is not None:
        assert entry.bayes.param_names == entry.spec.parameters
    assert registry.by_class(entry.mle()) is entry


def test_an_unknown_key_names_the_registered_ones():
    with pytest.raises(KeyError, match="bgnbd"):
        registry.by_key("nbd")


def test_bgnbd_spec_starts_fits_and_words_agree_with_the_paper(cdnow_summary):
    """Fader, Hardie & Lee (2005), CDNOW: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426."""
    spec = registry.by_key("bgnbd").spec
    fitted = clv.BetaGeoModel().fit(cdnow_summary)
    np.testing.assert_allclose(
        [fitted.params_[n] for n in spec.parameters], [0.243, 4.414, 0.793, 2.426], atol=1e-3
    )
    words = spec.describe(fitted.params_, "week")
    # r / alpha = 0.0550 purchases a week; a / (a + b) = 24.6 % dropout per purchase
    assert "0.055 times per week" in words[0] and "24.6%" in words[1]
    assert spec.limits(fitted.params_) == []
    assert spec.limits({"r": 0.2, "alpha": 4.0, "a": 0.5, "b": 1e6})[0].startswith(
        "no evidence of dropout"
    )


def test_bayesian_default_priors_come_from_the_spec(cdnow_summary):
    from clvmodels.bayes import BayesianBetaGeoModel

    model = BayesianBetaGeoModel()
    rows = model._statistics(cdnow_summary)
    priors = model.priors_for(rows)
    mean_T = float(cdnow_summary["T"].mean())
    assert priors["alpha"].mu == pytest.approx(np.log(mean_T), rel=1e-12)
    assert priors["alpha"].sigma == 2.5 and priors["r"].sigma == 2.0
