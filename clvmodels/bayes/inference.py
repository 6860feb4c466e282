"""Moved to :mod:`clvmodels.estimation.inference`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import inference as moved

become(globals(), moved)
