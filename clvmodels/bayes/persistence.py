"""Moved to :mod:`clvmodels.estimation.posterior_files`; the old module path keeps working.

Importing it gives the new module (:func:`clvmodels.compat.become`).
"""

from clvmodels.compat import become
from clvmodels.estimation import posterior_files as moved

become(globals(), moved)
