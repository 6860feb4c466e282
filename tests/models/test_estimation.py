"""The shared maximum-likelihood sequence: failure paths that no real data set reaches."""

import numpy as np
import pytest

import clvmodels as clv
from clvmodels.exceptions import ConvergenceError


class _Broken(clv.BetaGeoModel):
    @staticmethod
    def _loglik_grad(params, columns):
        n = len(columns["T"])
        return np.full(n, np.nan), np.zeros((4, n))


def test_a_likelihood_that_is_never_finite_raises_with_the_optimiser_messages(cdnow_summary):
    with pytest.raises(ConvergenceError, match=r"no finite log-likelihood from 3 starting values"):
        _Broken().fit(cdnow_summary)


def test_summary_intervals_follow_the_requested_level(bgnbd_cdnow):
    wide = bgnbd_cdnow.summary(level=0.99)
    narrow = bgnbd_cdnow.summary(level=0.90)
    assert (wide["lower_99%"] < narrow["lower_90%"]).all()
    assert (wide["upper_99%"] > narrow["upper_90%"]).all()
    assert bgnbd_cdnow.aic_ == pytest.approx(2 * 4 + 2 * 9582.4, abs=0.1)
