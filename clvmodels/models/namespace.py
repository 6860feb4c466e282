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
)


def pytensor_namespace() -> SimpleNamespace:
    """The same functions over ``pytensor.tensor`` (imported on first use)."""
    import pytensor.tensor as pt

    return SimpleNamespace(
        name="pytensor",
        asarray=pt.as_tensor_variable,
        log=pt.log,
        log1p=pt.log1p,
        exp=pt.exp,
        expm1=pt.expm1,
        sqrt=pt.sqrt,
        gammaln=pt.gammaln,
        betaln=lambda a, b: pt.gammaln(a) + pt.gammaln(b) - pt.gammaln(a + b),
        digamma=pt.digamma,
        logaddexp=pt.logaddexp,
        where=pt.switch,
        maximum=pt.maximum,
        minimum=pt.minimum,
        sum=pt.sum,
    )
