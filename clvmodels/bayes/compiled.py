"""Moved to :mod:`clvmodels.estimation.compiled`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import compiled as moved

become(globals(), moved)
