"""The loop supervisor: a crashed loop comes back with backoff, reported until it is stable."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from shared.tasks import Supervisor

SECRET = "sk-aegis-do-not-log-me"


class Clock:
    """A clock the test steps (the supervisor's notion of 'stable for a while')."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _metric(registry: CollectorRegistry, name: str, loop: str) -> float | None:
    return registry.get_sample_value(name, {"loop": loop})


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.005)


async def test_a_crashed_loop_is_restarted_counted_and_reported() -> None:
    """A loop that raises is started again; its crash is logged by type and place, never
    by message, counted, and reported as failing until it has run stably."""
    registry = CollectorRegistry()
    clock = Clock()
    loops = Supervisor(registry, first_backoff_s=0.01, max_backoff_s=0.05, stable_s=30.0,
                       clock=clock)  # fmt: skip
    runs = 0
    healthy = asyncio.Event()

    async def refresher() -> None:
        nonlocal runs
        runs += 1
        if runs <= 2:
            raise TypeError(f"cannot read entry {SECRET}")
        healthy.set()
        await asyncio.Event().wait()  # runs until cancelled

    with capture_logs() as logs:
        loops.supervise("keyset-refresh", refresher)
        await asyncio.wait_for(healthy.wait(), 5)
    try:
        assert runs == 3
        crashes = [line for line in logs if line["event"] == "loop_crashed"]
        assert len(crashes) == 2
        assert crashes[0]["loop"] == "keyset-refresh"
        assert crashes[0]["error"] == "TypeError"
        assert crashes[0]["where"].startswith("test_tasks.py:")
        assert crashes[0]["log_level"] == "error"
        assert [line["restart_in_s"] for line in crashes] == [0.01, 0.02]
        assert SECRET not in repr(logs)
        assert _metric(registry, "aegis_loop_restarts_total", "keyset-refresh") == 2
        # Running again, but not yet for long: still reported.
        assert loops.failing() == ["keyset-refresh"]
        assert _metric(registry, "aegis_loop_failing", "keyset-refresh") == 1
        clock.now += 31.0
        assert loops.failing() == []
        assert _metric(registry, "aegis_loop_failing", "keyset-refresh") == 0
    finally:
        await loops.stop()


async def test_a_loop_that_keeps_crashing_stays_failing_with_capped_backoff() -> None:
    """Backoff doubles up to its cap, and a loop that never runs stably is always reported."""
    registry = CollectorRegistry()
    loops = Supervisor(registry, first_backoff_s=0.01, max_backoff_s=0.04, stable_s=30.0)
    started: list[float] = []

    async def broken() -> None:
        started.append(asyncio.get_running_loop().time())
        raise KeyError("policy")

    with capture_logs() as logs:
        loops.supervise("policies-sync", broken)
        await _until(lambda: len(started) >= 6)
        assert loops.failing() == ["policies-sync"]
        await loops.stop()
    waits = [line["restart_in_s"] for line in logs if line["event"] == "loop_crashed"][:5]
    assert waits == [0.01, 0.02, 0.04, 0.04, 0.04]
    gaps = [later - earlier for earlier, later in itertools.pairwise(started)]
    assert all(gap >= wait * 0.9 for gap, wait in zip(gaps, waits, strict=False))


async def test_backoff_starts_again_after_a_stable_run() -> None:
    """A loop that crashes after running stably waits the first backoff again, not the last."""
    registry = CollectorRegistry()
    clock = Clock()
    loops = Supervisor(registry, first_backoff_s=0.01, max_backoff_s=1.0, stable_s=10.0,
                       clock=clock)  # fmt: skip
    runs = 0

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            clock.now += 60.0  # this run lasted a minute before it crashed
        if runs <= 3:
            raise RuntimeError("boom")
        await asyncio.Event().wait()

    with capture_logs() as logs:
        loops.supervise("bypass-replay", flaky)
        await _until(lambda: runs >= 4)
    await loops.stop()
    waits = [line["restart_in_s"] for line in logs if line["event"] == "loop_crashed"]
    assert waits == [0.01, 0.02, 0.01]


async def test_a_loop_that_finishes_is_not_restarted() -> None:
    """A loop whose work is done (a pool connected) ends for good and is not failing."""
    registry = CollectorRegistry()
    loops = Supervisor(registry, first_backoff_s=0.01)
    runs = 0

    async def connect() -> None:
        nonlocal runs
        runs += 1

    task = loops.supervise("database-connect", connect)
    await asyncio.wait_for(task, 5)
    await asyncio.sleep(0.05)
    assert runs == 1
    assert loops.failing() == []
    assert _metric(registry, "aegis_loop_restarts_total", "database-connect") == 0
    await loops.stop()


async def test_stop_ends_a_loop_that_swallows_its_cancellation() -> None:
    """A loop whose client turned the cancellation into its own error is not restarted."""
    registry = CollectorRegistry()
    loops = Supervisor(registry, first_backoff_s=0.01)
    runs = 0

    async def swallowing() -> None:
        nonlocal runs
        runs += 1
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            # As redis-py does: the cancel request withdrawn, an error of its own raised.
            task = asyncio.current_task()
            assert task is not None
            task.uncancel()
            raise ConnectionError("connection closed") from None

    task = loops.supervise("keys-sync", swallowing)
    await asyncio.sleep(0.02)
    await loops.stop(limit_s=2.0)
    assert task.done()
    assert runs == 1


@pytest.mark.parametrize(("first", "most"), [(0.0, 1.0), (2.0, 1.0)])
def test_backoffs_must_be_positive_and_ordered(first: float, most: float) -> None:
    """A zero first backoff would spin on a crashing loop; a first above the cap is a typo."""
    with pytest.raises(ValueError, match="backoffs"):
        Supervisor(CollectorRegistry(), first_backoff_s=first, max_backoff_s=most)
