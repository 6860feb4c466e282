"""Customer-lifetime value: probabilistic (from fitted models) and deterministic (textbook)."""

from clvmodels.value import deterministic

__all__ = ["deterministic"]
