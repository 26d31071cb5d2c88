"""``python -m devstack run|stop|env``: the whole stack on one machine (see ``devstack.stack``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from devstack.services import ServiceError
from devstack.stack import RUN_DIR, RunDir, Stack, StackError, print_env, stop

COMMANDS = {
    "run": "start Redis, PostgreSQL, the development upstream, core and edge; Ctrl-C stops",
    "stop": "stop a running stack (or what a killed one left behind)",
    "env": "print export lines (REDIS_URL, DATABASE_URL, OPENAI_BASE_URL, ...) of a running stack",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument(
        "--run-dir",
        type=Path,
        default=RUN_DIR,
        help="where a run keeps data, logs, pids and the dev key (default: .run)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in COMMANDS.items():
        commands.add_parser(name, help=text, description=text)
    args = parser.parse_args(argv)
    run_dir = RunDir(args.run_dir.resolve())
    try:
        if args.command == "run":
            return Stack(run_dir=run_dir).run()
        if args.command == "stop":
            return stop(run_dir)
        return print_env(run_dir)
    except (StackError, ServiceError, OSError) as exc:
        print(f"devstack: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
