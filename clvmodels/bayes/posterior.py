"""Moved to :mod:`clvmodels.estimation.posterior`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import posterior as moved

become(globals(), moved)
