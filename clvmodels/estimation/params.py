"""Settings of an estimator: ``get_params``, ``set_params`` and ``clone`` (scikit-learn's sense).

An estimator's settings are the arguments of its constructor, stored under the same
names (``penalizer_coef``, ``priors``, ``hierarchical`` ...); its fitted state lives in
attributes ending in ``_``. :func:`clone` builds a new, unfitted estimator with the same
settings, which is what a backtest or a model comparison needs: the candidate given by
the caller is never fitted or copied with its data.

References
----------
scikit-learn, ``sklearn/base.py`` (``BaseEstimator.get_params``, ``clone``) and
``doc/developers/develop.rst`` (the estimator contract).
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, Self

__all__ = ["Settings", "clone"]


class Settings:
    """``get_params`` / ``set_params`` for a class whose constructor stores its arguments.

    Every estimator base class of the package (maximum likelihood and Bayesian) inherits
    this; the settings are read from the constructor's signature, so a model that adds one
    (e.g. the Bayesian sBG's ``hierarchical``) needs nothing more.
    """

    @classmethod
    def _setting_names(cls) -> tuple[str, ...]:
        """The constructor's argument names (no ``*args``/``**kwargs``)."""
        signature = inspect.signature(cls.__init__)
        names = []
        for name, parameter in signature.parameters.items():
            if name == "self":
                continue
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__}.__init__ takes *{name}: an estimator's settings must be "
                    "named arguments (scikit-learn's contract), e.g. def __init__(self, "
                    "penalizer_coef=0.0)"
                )
            names.append(name)
        return tuple(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The settings, argument name -> value (what the constructor was given).

        ``deep`` is accepted for scikit-learn compatibility; no setting of this package
        is itself an estimator, so it changes nothing.
        """
        return {name: getattr(self, name) for name in self._setting_names()}

    def set_params(self, **params: Any) -> Self:
        """Change settings in place (e.g. ``model.set_params(penalizer_coef=0.1)``); returns self.

        The fitted state, if any, is left as it was: refit for the new settings to act.

        Raises
        ------
        ValueError
            If a name is not a setting of this class, naming the valid ones.
        """
        valid = self._setting_names()
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.set_params: {unknown} are not settings; it has "
                f"{list(valid)} (e.g. set_params({valid[0] if valid else 'name'}=...))"
            )
        # through the constructor, so that its checks run on the new values
        checked = type(self)(**(self.get_params() | params))
        for name in valid:
            setattr(self, name, getattr(checked, name))
        return self


def clone(model: Any) -> Any:
    """A new, unfitted estimator with the settings of ``model`` (deep-copied).

    ``model`` need not be fitted; its fitted state and any data it holds are not
    copied. An object without ``get_params`` (a model of the user's own) is deep-copied
    instead, as scikit-learn's ``clone(safe=False)`` does.
    """
    if not callable(getattr(model, "get_params", None)):
        return copy.deepcopy(model)
    settings = {name: copy.deepcopy(value) for name, value in model.get_params().items()}
    return type(model)(**settings)
