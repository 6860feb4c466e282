"""Moved to :mod:`clvmodels.estimation.bayes`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import bayes as moved

become(globals(), moved)
