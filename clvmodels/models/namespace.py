"""Array namespaces: one likelihood formula, evaluated by numpy or by PyTensor.

A model's log-likelihood is written once as ``log_likelihood(params, data, xp=NUMPY)``
using only the functions below (``xp.log``, ``xp.gammaln``, ``xp.where`` ...). The maximum
likelihood estimators call it with :data:`NUMPY`; the Bayesian models call it with
:func:`pytensor_namespace` so that PyMC samples exactly the same function.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from scipy import special

__all__ = ["NUMPY", "pytensor_namespace"]

#: numpy + scipy.special.
NUMPY = SimpleNamespace(
    name="numpy",
    asarray=np.asarray,
    log=np.log,
    log1p=np.log1p,
    exp=np.exp,
    expm1=np.expm1,
    sqrt=np.sqrt,
    gammaln=special.gammaln,
    betaln=special.betaln,
    digamma=special.digamma,
    logaddexp=np.logaddexp,
    where=np.where,
    maximum=np.maximum,
    minimum=np.minimum,
    sum=np.sum,
    take=lambda values, index: values[..., index],
)


def pytensor_namespace() -> SimpleNamespace:
    """The same functions over ``pytensor.tensor`` (imported on first use)."""
    import pytensor.tensor as pt
    from pytensor.tensor.special import betaln

    # PyTensor's betaln is gammaln(a) + gammaln(b) - gammaln(a + b): exact to a few ulp of
    # the largest gammaln term (about 1e-11 absolute at 1e4, 1e-8 at 1e7), where scipy's
    # stays exact. An accurate Stirling-series form was tried and made PyMC's graph
    # rewriting 5-20x slower, so the difference is documented and tested instead
    # (tests/models/test_shared_likelihood.py).
    return SimpleNamespace(
        name="pytensor",
        asarray=pt.as_tensor_variable,
        log=pt.log,
        log1p=pt.log1p,
        exp=pt.exp,
        expm1=pt.expm1,
        sqrt=pt.sqrt,
        gammaln=pt.gammaln,
        betaln=betaln,
        digamma=pt.digamma,
        logaddexp=pt.logaddexp,
        where=pt.switch,
        maximum=pt.maximum,
        minimum=pt.minimum,
        sum=pt.sum,
        # a vector indexed by an integer array is AdvancedSubtensor1, which has C code (and a
        # C gradient); the general `[..., index]` form runs in Python, 20x slower in NUTS
        take=lambda values, index: values[index] if values.ndim == 1 else values[..., index],
    )
