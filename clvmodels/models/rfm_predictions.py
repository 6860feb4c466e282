"""Moved to :mod:`clvmodels.estimation.rfm_predictions`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import rfm_predictions as moved

become(globals(), moved)
