"""What a purchase, spend or retention model offers, whichever way it was fitted.

The maximum-likelihood estimators and the Bayesian models both satisfy these protocols,
so the CLV formulas (``value/``) take either. A Bayesian model returns the posterior mean
by default and also satisfies :class:`PosteriorModel`, through which the CLV layer asks
for draws.

Capabilities beyond the protocol's methods are *declared*, as class attributes of
:class:`PurchaseCapabilities` (which every purchase model of the package inherits), and
read through :func:`capabilities`, the one place that knows their defaults: a model of
the user's own that declares nothing gets the plain protocol (one horizon per call).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = [
    "Capabilities",
    "PosteriorModel",
    "PurchaseCapabilities",
    "PurchaseModel",
    "RetentionModel",
    "SpendModel",
    "capabilities",
]


@runtime_checkable
class PurchaseModel(Protocol):
    """A model of purchase counts (e.g. :class:`~clvmodels.BetaGeoModel`).

    ``conditional_expected_purchases(t, summary)`` with a scalar ``t`` returns one value per
    customer; a model that declares ``accepts_many_horizons = True``
    (:class:`PurchaseCapabilities`) also takes a 1-D array of horizons and returns a
    (customers x horizons) frame.
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


class PurchaseCapabilities:
    """The capabilities a purchase model declares, with their defaults.

    Every purchase model of the package inherits this class and overrides what it offers;
    :func:`capabilities` reads the declaration.
    """

    #: ``conditional_expected_purchases`` takes a 1-D array of horizons in one call and
    #: returns a (customers x horizons) frame.
    accepts_many_horizons: ClassVar[bool] = False
    #: ``conditional_expected_purchases(times, summary, draws=True, weights=w)`` sums the
    #: weighted horizons inside the model's own function (per distinct history, before the
    #: rows) instead of building the (draw x customer x horizon) path first.
    sums_weighted_horizons: ClassVar[bool] = False


@dataclass(frozen=True)
class Capabilities:
    """What a purchase model declared (see :class:`PurchaseCapabilities`)."""

    many_horizons: bool
    sums_weighted_horizons: bool


def capabilities(model: Any) -> Capabilities:
    """The declared capabilities of ``model``; the defaults where it declares none.

    Raises
    ------
    TypeError
        If a declaration is not a bool (e.g. ``accepts_many_horizons = "yes"``).
    """
    declared = {}
    for name, default in (
        ("accepts_many_horizons", PurchaseCapabilities.accepts_many_horizons),
        ("sums_weighted_horizons", PurchaseCapabilities.sums_weighted_horizons),
    ):
        value = getattr(model, name, default)
        if not isinstance(value, bool | np.bool_):
            raise TypeError(
                f"{type(model).__name__}.{name} must be True or False (a declared "
                f"capability, see clvmodels.estimation.protocols); got {value!r}"
            )
        declared[name] = bool(value)
    return Capabilities(declared["accepts_many_horizons"], declared["sums_weighted_horizons"])
