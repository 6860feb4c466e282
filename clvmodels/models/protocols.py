"""What a purchase, spend or retention model offers, whichever way it was fitted.

The maximum-likelihood estimators (``models/``) and the Bayesian models (``bayes/``)
both satisfy these protocols, so the CLV formulas (``value/``) take either. A Bayesian
model returns the posterior mean by default and also satisfies :class:`PosteriorModel`,
through which the CLV layer asks for draws.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["PosteriorModel", "PurchaseModel", "RetentionModel", "SpendModel"]


@runtime_checkable
class PurchaseModel(Protocol):
    """A model of purchase counts (e.g. :class:`~clvmodels.BetaGeoModel`).

    ``conditional_expected_purchases(t, summary)`` with a scalar ``t`` returns one value per
    customer; a model whose class sets ``accepts_many_horizons = True`` also takes a 1-D
    array of horizons and returns a (customers x horizons) frame.
    """

    def conditional_expected_purchases(self, t: Any, summary: pd.DataFrame) -> Any:
        """Expected purchases in the next ``t`` time units, per customer."""

    def probability_alive(self, summary: pd.DataFrame) -> Any:
        """P(alive) at the end of observation, per customer."""


@runtime_checkable
class SpendModel(Protocol):
    """A model of spend per purchase (e.g. :class:`~clvmodels.GammaGammaModel`)."""

    def expected_spend(self, summary: pd.DataFrame) -> Any:
        """Expected spend per purchase, per customer of ``summary``."""


@runtime_checkable
class RetentionModel(Protocol):
    """A contractual retention model (e.g. :class:`~clvmodels.ShiftedBetaGeoModel`)."""

    def survival(self, t: Any) -> Any:
        """Share of a new cohort still a customer at t."""

    def retention_rate(self, t: Any) -> Any:
        """Probability that a customer alive at t - 1 renews at t."""

    def discounted_expected_lifetime(self, discount_rate: Any) -> Any:
        """Discounted expected lifetime of a new customer, in periods."""


@runtime_checkable
class PosteriorModel(Protocol):
    """A Bayesian model: its predictions also come as draws ``(chain, draw, customer_id)``.

    Prediction methods take ``draws=True`` (every draw, an ``xarray.DataArray``) and
    ``hdi=prob`` (posterior mean and interval) besides returning the posterior mean. A
    purchase model's ``conditional_expected_purchases(times, summary, draws=True,
    weights=w)`` also takes one weight per horizon of a 1-D ``times`` and returns the
    weighted sum over the horizons per draw and customer (the CLV's discounted
    transactions), so that no (draws x customers x horizons) array is needed.
    """

    idata_: Any

    def posterior_params(self) -> dict[str, np.ndarray]:
        """Parameter name -> draws of shape ``(chain, draw)``."""
