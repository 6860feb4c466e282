"""The ``clvmodels`` command: ``demo``, ``fit`` and ``score``.

``clvmodels demo`` runs the main job on the bundled CDNOW data; ``clvmodels fit``
runs it on the user's CSV or Parquet log; ``clvmodels score`` scores new data with
saved models. Each writes its outputs whole or not at all and reports a bad input
as one line with a non-zero exit status (``--debug`` shows the traceback). See
``clvmodels --help``.
"""

from clvmodels.cli.app import EXIT_STATUS, cli, main

__all__ = ["EXIT_STATUS", "cli", "main"]
