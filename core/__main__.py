"""``python -m core``: run core with settings from the environment."""

from __future__ import annotations

import sys

from core.app import create_app
from core.settings import CoreSettings
from shared.serve import serve

if __name__ == "__main__":
    sys.exit(serve("core", CoreSettings.from_env, create_app, tls=lambda s: s.server_tls))
