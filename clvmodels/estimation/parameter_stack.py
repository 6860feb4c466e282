r"""The request for a parameter-uncertainty interval, and the parameter vectors it needs.

:func:`interval_request` checks the keywords every maximum-likelihood prediction takes
(``interval``, ``method``, ``draws``, ``seed``); :class:`ParameterStack` holds the vectors,
on the optimiser's working scale (the positive parameters' logarithms, then any covariate
coefficients), at which a prediction is evaluated: for the delta method the estimate and
each parameter moved up and down, for the parametric bootstrap draws from the estimates'
asymptotic normal :math:`N(\hat w, \hat\Sigma)` (``log_covariance_``). How they are
reduced to intervals: :mod:`clvmodels.estimation.prediction_intervals`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clvmodels.estimation.intervals import interval_names

__all__ = [
    "DELTA_STEP",
    "INTERVAL_METHODS",
    "IntervalRequest",
    "ParameterStack",
    "interval_request",
    "model_uncertainty",
    "requested_interval",
]

#: The methods of :func:`interval_request`.
INTERVAL_METHODS = ("delta", "bootstrap")

#: Central-difference step on the working scale (log-parameters) of the delta method.
DELTA_STEP = 1e-4


@dataclass(frozen=True)
class IntervalRequest:
    """A checked request for a parameter-uncertainty interval (:func:`interval_request`)."""

    prob: float
    method: str
    draws: int
    seed: Any

    @property
    def names(self) -> tuple[str, str]:
        """The lower and upper column names (``hdi_5%``, ``hdi_95%`` for 0.9)."""
        return interval_names(self.prob)


def interval_request(
    interval: object, method: object = "delta", draws: object = 200, seed: Any = None
) -> IntervalRequest:
    """Check the interval keywords of a maximum-likelihood prediction.

    Parameters
    ----------
    interval
        Probability of the interval, in (0, 1), e.g. 0.9.
    method
        ``"delta"`` or ``"bootstrap"``.
    draws
        Parameter draws of the bootstrap, a whole number >= 2 (unused by the delta method).
    seed
        Seed (or ``numpy.random.Generator``) of the bootstrap's draws.

    Raises
    ------
    ValueError
        Naming the argument, the rule and an example.
    """
    try:
        prob = float(interval)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        prob = math.nan
    if isinstance(interval, bool) or not 0.0 < prob < 1.0:
        raise ValueError(
            f"interval must be a probability in (0, 1), e.g. interval=0.9; got {interval!r}"
        )
    if method not in INTERVAL_METHODS:
        raise ValueError(
            f"method must be one of {list(INTERVAL_METHODS)}, e.g. method='bootstrap'; "
            f"got {method!r}"
        )
    whole = isinstance(draws, int | np.integer) and not isinstance(draws, bool | np.bool_)
    if not whole or int(draws) < 2:  # type: ignore[call-overload]
        raise ValueError(
            "draws must be a whole number >= 2 (the bootstrap's parameter draws), e.g. "
            f"draws=200; got {draws!r}"
        )
    return IntervalRequest(prob, str(method), int(draws), seed)  # type: ignore[call-overload]


def requested_interval(interval: object, how: dict[str, Any]) -> IntervalRequest | None:
    """The request of a prediction's ``interval=`` and ``**how`` keywords; None without one.

    ``how`` may hold ``method``, ``draws`` and ``seed`` (:func:`interval_request`), and only
    with ``interval``.

    Raises
    ------
    TypeError
        On another keyword, naming it and the ones taken.
    ValueError
        On ``method``, ``draws`` or ``seed`` without ``interval``, or a bad value.
    """
    unknown = sorted(set(how) - {"method", "draws", "seed"})
    if unknown:
        raise TypeError(
            f"unexpected keyword(s) {unknown}; with interval= a prediction takes method=, "
            "draws= and seed=, e.g. interval=0.9, method='bootstrap', draws=200, seed=1"
        )
    if interval is None:
        if how:
            raise ValueError(
                f"{sorted(how)} go with interval=, e.g. interval=0.9, method='bootstrap'; "
                "without interval= the prediction is the point estimate"
            )
        return None
    return interval_request(interval, **how)


@dataclass(frozen=True)
class ParameterStack:
    """Parameter vectors at which a prediction is evaluated, on the working scale.

    Row 0 is the estimate. For the delta method, rows ``1 + 2j`` and ``2 + 2j`` move
    parameter j up and down by ``step``; for the bootstrap, rows 1.. are the draws.
    """

    working: np.ndarray
    covariance: np.ndarray
    method: str
    step: float = DELTA_STEP

    @classmethod
    def build(
        cls, estimate: np.ndarray, covariance: np.ndarray, request: IntervalRequest
    ) -> ParameterStack:
        """The stack of ``request.method`` around ``estimate`` (working scale)."""
        estimate = np.asarray(estimate, dtype=np.float64)
        covariance = np.asarray(covariance, dtype=np.float64)
        k = len(estimate)
        if request.method == "delta":
            moves = np.zeros((2 * k, k))
            moves[0::2][np.arange(k), np.arange(k)] = DELTA_STEP
            moves[1::2][np.arange(k), np.arange(k)] = -DELTA_STEP
        else:
            rng = np.random.default_rng(request.seed)
            moves = rng.standard_normal((request.draws, k)) @ _square_root(covariance).T
        return cls(np.vstack([estimate, estimate + moves]), covariance, request.method)

    def columns(self, part: slice) -> ParameterStack:
        """The stack of some of the parameters (for one of two independent models)."""
        return ParameterStack(
            self.working[:, part], self.covariance[part, part], self.method, self.step
        )


def _square_root(covariance: np.ndarray) -> np.ndarray:
    """A matrix L with L L' = covariance (Cholesky; eigenvalues clipped at 0 if not PD)."""
    try:
        return np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(0.5 * (covariance + covariance.T))
        return vectors * np.sqrt(np.clip(values, 0.0, None))


def model_uncertainty(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """A fitted maximum-likelihood model's estimate and covariance on the working scale.

    Raises
    ------
    NotImplementedError
        If the model has no covariance of its estimates (``log_covariance_``).
    """
    model._check_fitted()
    covariance = getattr(model, "log_covariance_", None)
    if covariance is None:
        raise NotImplementedError(
            f"{type(model).__name__} has no log_covariance_ (the estimates' covariance on "
            "the optimiser's scale), which parameter-uncertainty intervals need"
        )
    estimate = model._to_working(model._params_array())
    return estimate, np.asarray(covariance, dtype=np.float64)
