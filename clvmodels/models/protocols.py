"""Moved to :mod:`clvmodels.estimation.protocols`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import protocols as moved

become(globals(), moved)
