"""A compiled log-likelihood with its gradient as a PyTensor operation.

The PyMC model of a Bayesian model with covariates (for MAP, ADVI, PyMC's own NUTS and
:meth:`build_model`) adds the same compiled function nutpie samples
(:func:`clvmodels.estimation.density.covariate_log_likelihood`) as a ``pm.Potential``: one
likelihood for every inference path, not a second one written in PyTensor. The operation
evaluates ``f(params) -> (value, gradient)``; its gradient is a second operation that reads
the same evaluation (the last one is kept, as an optimiser asks for the value and the
gradient at the same point).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clvmodels.estimation.density import LogLikelihood

__all__ = ["likelihood_op"]


class _LastEvaluation:
    """``f(params)``, evaluated once per distinct ``params`` in a row."""

    def __init__(self, function: LogLikelihood) -> None:
        self.function = function
        self.key: bytes | None = None
        self.result: tuple[float, np.ndarray] | None = None

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.asarray(params, dtype=np.float64)
        key = params.tobytes()
        if key != self.key or self.result is None:
            self.result = self.function(params)
            self.key = key
        return self.result


def likelihood_op(function: LogLikelihood) -> Any:
    """A PyTensor operation ``vector -> scalar`` of ``function`` with its gradient.

    Parameters
    ----------
    function
        ``params -> (value, gradient)``, e.g. a model's weighted covariate likelihood.

    Returns
    -------
    callable
        ``op(params_vector)`` -> a scalar PyTensor variable, differentiable.
    """
    import pytensor.tensor as pt
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    evaluate = _LastEvaluation(function)

    class Gradient(Op):
        def make_node(self, params: Any) -> Apply:
            params = pt.as_tensor_variable(params)
            return Apply(self, [params], [pt.dvector()])

        def perform(self, node: Any, inputs: list, outputs: list) -> None:
            # a copy: PyTensor may reuse an output's memory in place
            outputs[0][0] = np.array(evaluate(inputs[0])[1], dtype=np.float64)

    class LogLikelihoodOp(Op):
        def make_node(self, params: Any) -> Apply:
            params = pt.as_tensor_variable(params)
            return Apply(self, [params], [pt.dscalar()])

        def perform(self, node: Any, inputs: list, outputs: list) -> None:
            outputs[0][0] = np.asarray(evaluate(inputs[0])[0], dtype=np.float64)

        def pullback(self, inputs: list, outputs: list, cotangents: list) -> list:
            return [cotangents[0] * Gradient()(inputs[0])]

    return LogLikelihoodOp()
