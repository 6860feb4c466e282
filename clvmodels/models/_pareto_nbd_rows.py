"""Moved to :mod:`clvmodels.models.pareto_nbd._kernel`; the old module path keeps working.

Importing it gives the new module (``sys.modules`` points here to it). Its namespace also
holds the new module's names, for a loader that runs this file as a module of its own.
"""

import sys

from clvmodels.models.pareto_nbd import _kernel as moved

globals().update({name: value for name, value in vars(moved).items() if name[:2] != "__"})
sys.modules[__name__] = moved
