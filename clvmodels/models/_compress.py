"""Moved to :mod:`clvmodels.estimation.rows`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import rows as moved

become(globals(), moved)
