"""``python -m devstack run|stop|env``: the whole stack on one machine (see ``devstack.stack``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from devstack.services import ServiceError
from devstack.stack import Stack, StackError, print_env, stop

COMMANDS = {
    "run": "start Redis, PostgreSQL, the development upstream, core and edge; Ctrl-C stops",
    "stop": "stop a running stack (or what a killed one left behind)",
    "env": "print export lines (REDIS_URL, DATABASE_URL, OPENAI_BASE_URL, ...) of a running stack",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in COMMANDS.items():
        commands.add_parser(name, help=text, description=text)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return Stack().run()
        if args.command == "stop":
            return stop()
        return print_env()
    except (StackError, ServiceError, OSError) as exc:
        print(f"devstack: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
