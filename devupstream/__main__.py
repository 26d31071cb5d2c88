"""``python -m devupstream``: the development stand-in for vLLM on ``PORT`` (8001)."""

from __future__ import annotations

import os
import sys

import uvicorn

from devupstream.app import UpstreamKnobs, create_app


def main() -> int:
    try:
        port = int(os.environ.get("PORT", "8001"))
        knobs = UpstreamKnobs.from_env()
    except ValueError as exc:
        print(f"devupstream: bad setting: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        create_app(knobs),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
