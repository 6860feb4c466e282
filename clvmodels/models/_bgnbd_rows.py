"""Moved to :mod:`clvmodels.models.beta_geo._kernel`; the old module path keeps working.

This module *is* the new one (``sys.modules`` points here to it).
"""

import sys

from clvmodels.models.beta_geo import _kernel as moved

sys.modules[__name__] = moved
