"""Moved to :mod:`clvmodels.estimation.intervals`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import intervals as moved

become(globals(), moved)
