r"""Priors on the coefficients of static covariates, for the Bayesian RFM models.

Each coefficient (``purchase:NAME``, ``dropout:NAME``, ``both:NAME``, as the
maximum-likelihood model names them) gets a Normal prior centred on 0 whose scale is shared
by its process: the hierarchical (shrinkage) prior

.. math::

    \gamma_j \sim \mathcal N(0,\ \tau_{g(j)}\, c_j), \qquad
    \tau_g \sim \text{HalfNormal}(s), \quad g \in \{\text{purchase}, \text{dropout},
    \text{both}\},

or, with ``hierarchical=False``, a fixed scale :math:`\tau_g = s` (``s`` large: nearly
flat, the posterior mode is then the maximum-likelihood estimate).

The factor :math:`c_j` puts every coefficient on a comparable scale without changing the
data: 1 for a dummy of a categorical column (its coefficient is a log rate ratio against
the reference level) and :math:`1 / (2\,\mathrm{sd}(z_j))` for a numeric column, so that
the prior speaks of a change of two standard deviations of the covariate, which is a 0/1
switch for a balanced binary column (Gelman, Jakulin, Pittau & Su 2008). A covariate in
thousands is then shrunk as much as the same covariate in units.

Why a Normal-HalfNormal hierarchy and not a regularised horseshoe (Piironen & Vehtari
2017): a base of customers has a handful of covariates per process and thousands of
customers informing each, so the coefficients are pinned by the data and the prior's job
is to pull an effect the data do not support towards 0 and to share one scale per process.
The horseshoe's gain, picking a few signals among many coefficients, needs many
coefficients; its funnel-shaped geometry costs the sampler longer trajectories, and each
step is a pass over every distinct customer row. A user who wants other scales passes
:class:`CoefficientPrior` (e.g. ``CoefficientPrior(scale=0.5)`` for stronger shrinkage).

References
----------
Gelman, A. (2006). Prior distributions for variance parameters in hierarchical models.
*Bayesian Analysis*, 1(3), 515-534.

Gelman, A., Jakulin, A., Pittau, M. G. & Su, Y.-S. (2008). A weakly informative default
prior distribution for logistic and other regression models. *Annals of Applied
Statistics*, 2(4), 1360-1383.

Piironen, J. & Vehtari, A. (2017). Sparsity information and regularization in the
horseshoe and other shrinkage priors. *Electronic Journal of Statistics*, 11(2),
5018-5051.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clvmodels.data.covariates import CovariateDesign

__all__ = ["GROUPS", "CoefficientBlock", "CoefficientPrior", "prior_factors"]

#: The coefficient groups, each with its own scale: the name's prefix.
GROUPS = ("purchase", "dropout", "both")

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@dataclass(frozen=True)
class CoefficientPrior:
    """The prior on the covariates' coefficients (see the module docstring).

    Parameters
    ----------
    scale
        ``s``: the HalfNormal scale of each process's ``tau`` (hierarchical), or the fixed
        prior standard deviation ``tau`` itself; finite and > 0. The default 1 says an effect
        of a factor e^2 ~ 7 on a rate per dummy (or two standard deviations) is unlikely.
    hierarchical
        Whether each process's scale ``tau`` is estimated (shrinkage), or fixed at ``scale``.

    Examples
    --------
    >>> CoefficientPrior()
    CoefficientPrior(scale=1.0, hierarchical=True)
    >>> CoefficientPrior(scale=10.0, hierarchical=False)  # nearly flat: the mode is the MLE
    CoefficientPrior(scale=10.0, hierarchical=False)
    """

    scale: float = 1.0
    hierarchical: bool = True

    def __post_init__(self) -> None:
        scale = self.scale
        if isinstance(scale, bool) or not isinstance(scale, int | float | np.floating):
            raise ValueError(
                f"CoefficientPrior: scale must be a number > 0, e.g. 1.0; got {scale!r}"
            )
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(
                f"CoefficientPrior: scale must be finite and > 0, e.g. scale=1.0; got {scale}"
            )
        if not isinstance(self.hierarchical, bool):
            raise ValueError(
                "CoefficientPrior: hierarchical must be True (a scale per process, estimated) "
                f"or False (the scale fixed); got {self.hierarchical!r}"
            )
        object.__setattr__(self, "scale", float(scale))


def prior_factors(
    design: CovariateDesign, matrix: np.ndarray, weights: np.ndarray | None = None
) -> dict[str, float]:
    """Design column -> ``c_j``: 1 for a dummy, ``1 / (2 sd)`` for a numeric column.

    ``sd`` is the standard deviation of the column over the customers (``weights``: the
    customers per row of ``matrix``, when it holds aggregated rows).
    """
    w = np.ones(len(matrix)) if weights is None else np.asarray(weights, dtype=np.float64)
    factors = {}
    for j, name in enumerate(design.names):
        if name not in design.columns:  # a dummy COLUMN[LEVEL]
            factors[name] = 1.0
            continue
        column = matrix[:, j]
        mean = np.average(column, weights=w)
        sd = math.sqrt(float(np.average((column - mean) ** 2, weights=w)))
        factors[name] = 1.0 / (2.0 * sd)
    return factors


@dataclass(frozen=True)
class CoefficientBlock:
    """The coefficients of a fit, their groups and prior scales: the density's extra block.

    Attributes
    ----------
    names
        Coefficient names, in the likelihood's order (after the base parameters).
    factors
        ``c_j`` per coefficient.
    prior
        The :class:`CoefficientPrior`.
    """

    names: tuple[str, ...]
    factors: np.ndarray
    prior: CoefficientPrior

    @classmethod
    def of(
        cls, names: Sequence[str], factors: dict[str, float], prior: CoefficientPrior
    ) -> CoefficientBlock:
        """The block of coefficients ``names`` (``process:COLUMN``) with design ``factors``."""
        values = np.array([factors[name.split(":", 1)[1]] for name in names], dtype=np.float64)
        return cls(tuple(names), values, prior)

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups that have coefficients, in :data:`GROUPS` order."""
        present = {name.split(":", 1)[0] for name in self.names}
        return tuple(g for g in GROUPS if g in present)

    @property
    def group_index(self) -> np.ndarray:
        """Each coefficient's position in :attr:`groups`."""
        groups = self.groups
        return np.array([groups.index(n.split(":", 1)[0]) for n in self.names], dtype=np.intp)

    @property
    def scale_names(self) -> tuple[str, ...]:
        """``tau_<group>`` per group when hierarchical, else none."""
        return tuple(f"tau_{g}" for g in self.groups) if self.prior.hierarchical else ()

    @property
    def size(self) -> int:
        """Unconstrained values the block adds: the coefficients and the log scales."""
        return len(self.names) + len(self.scale_names)

    def log_density(self, gamma: np.ndarray, log_tau: np.ndarray) -> tuple[float, np.ndarray]:
        """Log prior density of the block and its gradient in ``(gamma, log_tau)``.

        As PyMC computes it (:meth:`pymc_coefficients`): the Normal densities of the
        coefficients, the HalfNormal densities of the scales and the log-Jacobian
        ``ln tau`` of sampling ``ln tau``; constants included.
        """
        scale = self.prior.scale
        if self.prior.hierarchical:
            tau = np.exp(log_tau)
            sd = tau[self.group_index] * self.factors
        else:
            sd = scale * self.factors
        z = gamma / sd
        value = float(np.sum(-_LOG_SQRT_2PI - np.log(sd) - 0.5 * z**2))
        d_gamma = -z / sd
        if not self.prior.hierarchical:
            return value, d_gamma
        u = tau / scale
        value += float(
            np.sum(math.log(2.0) - _LOG_SQRT_2PI - math.log(scale) - 0.5 * u**2 + log_tau)
        )
        d_log_tau = np.bincount(self.group_index, weights=z**2 - 1.0, minlength=len(tau))
        return value, np.concatenate([d_gamma, d_log_tau + 1.0 - u**2])

    def pymc_coefficients(self) -> list:
        """Inside a ``pm.Model``: the scales and coefficients as PyMC variables, in order."""
        import pymc as pm

        scale = self.prior.scale
        if self.prior.hierarchical:
            taus = [pm.HalfNormal(name, sigma=scale) for name in self.scale_names]
            sds = [taus[g] * c for g, c in zip(self.group_index, self.factors, strict=True)]
        else:
            sds = [scale * c for c in self.factors]
        return [pm.Normal(name, mu=0.0, sigma=sd) for name, sd in zip(self.names, sds, strict=True)]
