"""``python -m core.cli``: the ``aegis`` command."""

import sys

from core.cli.main import main

sys.exit(main())
