r"""The quadrature rules of the Gamma-Gompertz/NBD's lifetime integrals (see :mod:`.math`).

Every quantity of the model that has no closed form is an integral over the customer's
death time :math:`\tau` of a positive integrand. The compiled loops (:mod:`._kernel`)
take one of two variables, chosen so that the integrand is *decreasing and log-convex* in
it, and put Gauss-Legendre nodes on a logarithmic grid from the scale on which the
integrand first falls to the point where it has fallen by :math:`e^{-50}`
(:data:`CUT`):

- :math:`\beta \ge 1`: the cumulative hazard of the Gamma/Gompertz lifetime since the
  start of the interval, :math:`v = s \ln\frac{E(\tau)}{E(t_0)}` with
  :math:`E(\tau) = \beta - 1 + e^{b\tau}`, whose inverse is explicit; the lifetime
  density becomes :math:`e^{-v}\,dv` and the hazard's rise (the Gompertz "flat, then
  falling" survival) is absorbed into the variable;
- :math:`\beta < 1`: the time since the start, :math:`\tau - t_0` (the integrands are then
  already log-convex: the hazard falls from :math:`sb/\beta` to :math:`sb`).

This is the form in which the Pareto/NBD's integral is taken
(:mod:`clvmodels.models.pareto_nbd.quadrature`): on a log-convex decreasing integrand the
log-spaced nodes resolve every scale from the first to the last, and no term overflows.
``tests/models/test_gamma_gompertz_nbd.py`` pins the rules to 30-digit mpmath
integration (in tau, without the substitution) over the parameter box.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CUT", "FAST_NODES", "FAST_WEIGHTS", "NODES", "WEIGHTS", "gauss_legendre_01"]


def gauss_legendre_01(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights of ``n`` points on [0, 1]."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return (nodes + 1.0) / 2.0, weights / 2.0


#: The rule of the log-likelihood and the predictions: within 1e-8 (relative) of 30-digit
#: mpmath over the box of the tests (x to 300, T to 200, b 1e-5 to 3, beta 1e-6 to 1e6),
#: and to ~1e-12 at the points checked one by one.
NODES, WEIGHTS = gauss_legendre_01(64)

#: The rule the fit optimises with (1e-14 to 1e-10 nats per row on apparel, CDNOW and the
#: simulated data of the tests; 16 points give 3e-8 on the last); every row is checked
#: against :data:`NODES` at the estimate (:meth:`GammaGompertzNBDModel._fit_statistics`).
FAST_NODES, FAST_WEIGHTS = gauss_legendre_01(20)

#: Beyond this, the integrand has fallen by e^-50 ~ 2e-22 from its start: the integral is cut.
CUT = 50.0
