"""compare_models: LL, k, AIC, BIC and likelihood-ratio tests, checked by hand.

The restricted model for the likelihood-ratio test is the NBD (Ehrenberg 1959), the BG/NBD's
limit b -> inf: LL = sum ln[Gamma(r+x) / Gamma(r) alpha^r / (alpha+T)^(r+x)]. Fader, Hardie
& Lee (2005, Marketing Science, sec. 5) report its CDNOW log-likelihood as -9763.7.
"""

import math

import numpy as np
import pytest
from scipy import special, stats

import clvmodels as clv
from clvmodels.evaluation import compare_models
from clvmodels.models._mle import MaximumLikelihoodModel, SufficientStatistics, compress


class NBDModel(MaximumLikelihoodModel):
    """The NBD on (x, T): two parameters, nested in the BG/NBD as b -> inf."""

    param_names = ("r", "alpha")

    def _sufficient_statistics(self, data, weights):
        columns = {"frequency": data["frequency"].to_numpy(float), "T": data["T"].to_numpy(float)}
        unique, counts = compress(columns, weights)
        return SufficientStatistics(unique, counts, data.attrs.get("time_unit"))

    def _starting_values(self, stats):
        return [np.array([1.0, 10.0])]

    @staticmethod
    def _loglik_grad(params, columns):
        r, alpha = params
        x, T = columns["frequency"], columns["T"]
        ll = (
            special.gammaln(r + x)
            - special.gammaln(r)
            + r * np.log(alpha)
            - (r + x) * np.log(alpha + T)
        )
        grad = np.vstack(
            [
                special.digamma(r + x) - special.digamma(r) + np.log(alpha) - np.log(alpha + T),
                r / alpha - (r + x) / (alpha + T),
            ]
        )
        return ll, grad


@pytest.fixture(scope="module")
def comparison(cdnow_summary, bgnbd_cdnow):
    return compare_models(
        cdnow_summary,
        {"NBD": NBDModel(), "BG/NBD": bgnbd_cdnow, "Pareto/NBD": clv.ParetoNBDModel()},
        nested=[("NBD", "BG/NBD"), ("NBD", "Pareto/NBD")],
    )


def test_table_by_hand(comparison, bgnbd_cdnow):
    table = comparison.models
    assert list(table.index) == ["NBD", "BG/NBD", "Pareto/NBD"]
    assert table["n_params"].tolist() == [2, 4, 4]
    # Fader, Hardie & Lee (2005): NBD -9763.7, BG/NBD -9582.4, Pareto/NBD -9595.0
    np.testing.assert_allclose(table["log_likelihood"], [-9763.7, -9582.4, -9595.0], atol=0.05)
    ll, k, n = bgnbd_cdnow.log_likelihood_, 4, 2357
    assert table.at["BG/NBD", "aic"] == pytest.approx(2 * k - 2 * ll, rel=1e-14)
    assert table.at["BG/NBD", "bic"] == pytest.approx(k * math.log(n) - 2 * ll, rel=1e-14)
    assert table.at["BG/NBD", "aic"] == pytest.approx(bgnbd_cdnow.aic_, rel=1e-14)
    assert table.at["BG/NBD", "delta_aic"] == 0.0
    assert table["aic_weight"].sum() == pytest.approx(1.0, rel=1e-14)
    assert table.attrs["n_customers"] == 2357


def test_likelihood_ratio_tests(comparison):
    lr = comparison.likelihood_ratio_tests
    row = lr.loc[("NBD", "BG/NBD")]
    statistic = 2 * (
        comparison.models.at["BG/NBD", "log_likelihood"]
        - comparison.models.at["NBD", "log_likelihood"]
    )
    assert row["statistic"] == pytest.approx(statistic, rel=1e-14)
    assert row["statistic"] == pytest.approx(2 * (9763.7 - 9582.4), abs=0.2)
    assert row["df"] == 2
    assert row["p_value"] == pytest.approx(stats.chi2.sf(statistic, 2), rel=1e-12)
    assert row["p_value"] < 1e-60
    assert len(lr) == 2
    assert "likelihood-ratio tests" in repr(comparison)


def test_models_fitted_on_other_data_or_wrongly_paired_are_refused(cdnow_summary, bgnbd_cdnow):
    other = cdnow_summary.iloc[:1000]
    with pytest.raises(ValueError, match="fitted on 2357 customers, the summary has 1000"):
        compare_models(other, {"bg": bgnbd_cdnow})
    shuffled = cdnow_summary.assign(T=cdnow_summary["T"] + 1.0)
    with pytest.raises(ValueError, match=r"models\['bg'\]: the data given do not match"):
        compare_models(shuffled, {"bg": bgnbd_cdnow})
    with pytest.raises(ValueError, match="must have fewer parameters"):
        compare_models(cdnow_summary, {"bg": bgnbd_cdnow, "bg2": bgnbd_cdnow},
                       nested=[("bg", "bg2")])  # fmt: skip
    with pytest.raises(ValueError, match="no model named 'nbd'"):
        compare_models(cdnow_summary, {"bg": bgnbd_cdnow}, nested=[("nbd", "bg")])
    with pytest.raises(ValueError, match="both named 'BetaGeoModel'"):
        compare_models(cdnow_summary, [bgnbd_cdnow, bgnbd_cdnow])
    with pytest.raises(TypeError, match="must be a maximum-likelihood model"):
        compare_models(cdnow_summary, {"x": object()})


def test_weighted_tables():
    donations = clv.datasets.load_donations()
    result = compare_models(
        donations, [clv.BetaGeoBetaBinomModel()], weights=donations["count"]
    ).models
    assert result.attrs["n_customers"] == 11_104
    assert result["bic"].iloc[0] == pytest.approx(
        4 * math.log(11_104) - 2 * result["log_likelihood"].iloc[0], rel=1e-14
    )
