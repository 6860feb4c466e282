"""Moved to :mod:`clvmodels.models.gamma_gamma._kernel`; the old module path keeps working.

This module *is* the new one (``sys.modules`` points here to it).
"""

import sys

from clvmodels.models.gamma_gamma import _kernel as moved

sys.modules[__name__] = moved
