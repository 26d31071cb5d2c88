"""What ``shared.serve`` does to a process before it serves: its start-up is frozen out of the
garbage collector's walks (``freeze_start_up``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Builds core's app as ``python -m core`` does (models, Presidio, spaCy), then times a full
# collection before and after ``freeze_start_up``.
_MEASURE = """
import gc, json, time
from core.app import create_app
from core.settings import CoreSettings
from shared.serve import freeze_start_up

app = create_app(CoreSettings.from_env({}))

def full_collection():
    started = time.thread_time()
    gc.collect()
    return time.thread_time() - started

before = min(full_collection() for _ in range(3))
freeze_start_up()
garbage = [[] for _ in range(1000)]  # what requests make: still collected
for item in garbage:
    item.append(item)
del garbage
after = min(full_collection() for _ in range(3))
print(json.dumps({"before": before, "after": after, "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.timing
def test_core_start_up_is_out_of_the_collectors_walk() -> None:
    """A full collection in a started core walked its models' ~117,000 objects (~150 ms of
    CPU on the 2-core VM, inside some request); after ``freeze_start_up`` it costs what the
    requests made."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE], capture_output=True, text=True, timeout=120, check=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["frozen"] > 50_000, figures
    assert figures["before"] > 0.02, figures  # what the freeze is for
    assert figures["after"] < min(0.01, figures["before"] / 10), figures
