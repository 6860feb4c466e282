"""``python -m clvmodels.cli``: the ``clvmodels`` command."""

import sys

from clvmodels.cli.app import main

sys.exit(main())
