"""Moved to :mod:`clvmodels.estimation.purchase_predictions`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import purchase_predictions as moved

become(globals(), moved)
