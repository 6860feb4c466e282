"""Moved to :mod:`clvmodels.estimation.bayes`; the old module path keeps working.

Importing it gives the new module (``sys.modules`` points here to it), so attributes set
on either name (e.g. by a test's ``monkeypatch``) are seen by both. Its namespace also
holds the new module's names, for a loader that runs this file as a module of its own
(pytest's ``--doctest-modules --import-mode=importlib`` does).
"""

import sys

from clvmodels.estimation import bayes as moved

globals().update({name: value for name, value in vars(moved).items() if name[:2] != "__"})
sys.modules[__name__] = moved
