"""Old module paths that keep working: the old name becomes the new module."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


def become(namespace: dict[str, Any], moved: ModuleType) -> None:
    """Make the module whose globals are ``namespace`` an alias of ``moved``.

    Importing the old path then gives ``moved`` itself (``sys.modules`` points there), so
    attributes set on either name (e.g. by a test's ``monkeypatch``) are seen by both. The
    old module's namespace also receives ``moved``'s names, for a loader that runs the old
    file as a module of its own (pytest's ``--doctest-modules --import-mode=importlib``).
    """
    namespace.update({name: value for name, value in vars(moved).items() if name[:2] != "__"})
    sys.modules[namespace["__name__"]] = moved
