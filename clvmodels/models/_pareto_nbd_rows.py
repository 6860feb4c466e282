"""Moved to :mod:`clvmodels.models.pareto_nbd._kernel`; the old module path keeps working.

This module *is* the new one (``sys.modules`` points here to it).
"""

import sys

from clvmodels.models.pareto_nbd import _kernel as moved

sys.modules[__name__] = moved
