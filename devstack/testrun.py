"""``make test``: the suite in two parts, so that it takes minutes, not a quarter of an hour.

1. Every test but those marked ``timing``, in parallel (pytest-xdist, one worker more than
   the machine has cores: the suite waits on servers and subprocesses a third of the time;
   ``--dist loadfile`` keeps a module's tests, and its fixtures, on one worker). Each worker
   starts its own Redis and PostgreSQL unless ``REDIS_URL``/``DATABASE_URL`` are given, and
   every session has its own database and every test its own Redis prefix.
2. The ``timing`` tests, which hold a measured time or CPU cost to a bound (a scan's budget,
   a health check answered within 50 ms while core scans), alone on the machine: beside two
   other workers they measured the contention instead (four of them failed so at 3 workers
   on 2 cores).

On the 2-core VM on 2026-12-07 the serial suite took 1,356 s; the two parts took 684 s and
88 s (3 workers; ``make check test`` 13.3 minutes in all). Arguments are passed to pytest in
both parts; given ``-m`` or ``-n`` (a selection or a worker count of the caller's own),
pytest runs once with them as they are. ``TEST_WORKERS`` sets the number of workers.

    python -m devstack.testrun tests/core -x
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

NO_TESTS_COLLECTED = 5


def _workers() -> str:
    given = os.environ.get("TEST_WORKERS", "").strip()
    return given or str(min(8, (os.cpu_count() or 1) + 1))


def _own_selection(args: Sequence[str]) -> bool:
    return "no:xdist" in args or any(arg.startswith(("-m", "-n", "--numprocesses")) for arg in args)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    pytest = [sys.executable, "-m", "pytest"]
    if _own_selection(args):
        return subprocess.call([*pytest, *args])
    parts = (
        ("in parallel", ["-n", _workers(), "--dist", "loadfile", "-m", "not timing"]),
        ("alone: the tests that measure time (marker timing)", ["-m", "timing"]),
    )
    codes = []
    for name, options in parts:
        print(f"== make test: {name} ==", flush=True)
        codes.append(subprocess.call([*pytest, *options, *args]))
    failed = [code for code in codes if code not in (0, NO_TESTS_COLLECTED)]
    if failed:
        return failed[0]
    if all(code == NO_TESTS_COLLECTED for code in codes):
        print("make test: no test was selected", file=sys.stderr)
        return NO_TESTS_COLLECTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
