"""Moved to :mod:`clvmodels.estimation.inference`; the old module path keeps working.

This module *is* the new one (``sys.modules`` points here to it), so attributes set on
either name (e.g. by a test's ``monkeypatch``) are seen by both.
"""

import sys

from clvmodels.estimation import inference as moved

sys.modules[__name__] = moved
