"""What fitted parameters mean, in sentences a manager can read.

Each function takes a model's ``params_`` (name -> value) and returns sentences;
the arithmetic is the models' textbook moments (the mean of a gamma or beta
distribution), stated next to the numbers so a reader can check them.
"""

from __future__ import annotations

from collections.abc import Mapping

from clvmodels.models.beta_geo import SPEC as BETA_GEO
from clvmodels.models.gamma_gamma import SPEC as GAMMA_GAMMA
from clvmodels.models.shifted_beta_geo import SPEC as SHIFTED_BETA_GEO

__all__ = ["parameter_words"]


_WORDS = {
    "BetaGeoModel": BETA_GEO.words,
    "GammaGammaModel": GAMMA_GAMMA.words,
    "ShiftedBetaGeoModel": SHIFTED_BETA_GEO.words,
}


def parameter_words(model_class: str, params: Mapping[str, float], unit: str) -> list[str]:
    """Sentences on what a fitted model's parameters mean.

    Parameters
    ----------
    model_class
        The class name, e.g. ``"BetaGeoModel"``.
    params
        Its ``params_``.
    unit
        The time unit in words, singular (``"week"``).

    Returns
    -------
    list of str
        Empty for a model without a description here.

    Examples
    --------
    >>> words = parameter_words("BetaGeoModel", {"r": 0.243, "alpha": 4.41, "a": 0.793,
    ...                                          "b": 2.43}, "week")
    >>> words[1][:70]
    'After each purchase a customer stops buying for good with probability '
    >>> "24.6%" in words[1]
    True
    """
    describe = _WORDS.get(model_class)
    return describe(params, unit) if describe else []
