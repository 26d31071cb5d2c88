"""``python -m edge``: run the edge with settings from the environment."""

from __future__ import annotations

import sys

from edge.app import create_app
from edge.settings import EdgeSettings
from shared.serve import serve

if __name__ == "__main__":
    sys.exit(serve("edge", EdgeSettings.from_env, create_app))
