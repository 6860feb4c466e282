"""Moved to :mod:`clvmodels.models.pareto_nbd._kernel`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.models.pareto_nbd import _kernel as moved

become(globals(), moved)
