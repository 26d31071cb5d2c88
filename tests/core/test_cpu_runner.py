"""Where scanners' work runs: small requests inline, others on a worker thread, heavy ones
on their own threads behind a cap, and a busy core refuses rather than queueing forever."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from core.scanning.base import CpuRunner, ScanRequest
from shared.errors import CoreBusyError

HEAVY = ScanRequest.of_text("x" * 70_000)
LIGHT = ScanRequest.of_text("x" * 10_000)
TINY = ScanRequest.of_text("hello")


async def test_each_size_runs_where_it_should() -> None:
    """A tiny request runs on the event loop's thread, others on worker threads, heavy ones
    on the heavy-scan threads."""
    runner = CpuRunner(heavy_chars=65_536)
    try:
        names = [
            await runner.run(request, lambda: threading.current_thread().name)
            for request in (TINY, LIGHT, HEAVY)
        ]
    finally:
        runner.close()
    assert names[0] == threading.current_thread().name
    assert names[1].startswith("aegis-scan_")
    assert names[2].startswith("aegis-scan-heavy")


async def test_heavy_scans_beyond_the_cap_wait_then_get_core_busy() -> None:
    """With the one slot taken by another request, a heavy request waits ``heavy_wait_s`` and
    is refused as 503 core_busy with Retry-After; once the slot is free, it is admitted."""
    runner = CpuRunner(heavy_scans=1, heavy_wait_s=0.05)
    release = threading.Event()
    try:
        other = asyncio.create_task(runner.run(HEAVY, lambda: release.wait(5)))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(CoreBusyError) as refused:
            async with runner.admit(HEAVY):
                pass
        assert time.monotonic() - started >= 0.05
        assert refused.value.status == 503 and refused.value.code == "core_busy"
        assert refused.value.headers == {"retry-after": "1"}
        release.set()
        await other
        async with runner.admit(HEAVY):
            pass
    finally:
        runner.close()


@pytest.mark.timing
async def test_light_requests_never_wait_behind_heavy_ones() -> None:
    """While every heavy slot is busy with slow work, a light request is run at once."""
    runner = CpuRunner(heavy_scans=1, heavy_wait_s=5)
    release = threading.Event()
    try:
        heavy = asyncio.create_task(runner.run(HEAVY, lambda: release.wait(5)))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        assert await runner.run(LIGHT, lambda: "light") == "light"
        assert time.monotonic() - started < 0.5
        release.set()
        assert await heavy is True
    finally:
        runner.close()


async def test_a_pipeline_holds_one_slot_for_all_its_scanners() -> None:
    """Inside an admission, the same task's heavy runs reuse its slot (one slot suffices)."""
    runner = CpuRunner(heavy_scans=1, heavy_wait_s=0.05)
    try:
        async with runner.admit(HEAVY):
            assert await runner.run(HEAVY, lambda: 1) == 1
            assert await runner.run(HEAVY, lambda: 2) == 2
    finally:
        runner.close()


async def test_a_cancelled_request_keeps_its_slot_until_its_work_ends() -> None:
    """A client gone mid-scan cannot stop the thread: the slot is freed when the work ends,
    not before, so the cap still counts it."""
    runner = CpuRunner(heavy_scans=1, heavy_wait_s=0.05)
    release = threading.Event()
    try:
        task = asyncio.create_task(runner.run(HEAVY, lambda: release.wait(5)))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(CoreBusyError):
            async with runner.admit(HEAVY):
                pass
        release.set()
        await asyncio.sleep(0.05)
        async with runner.admit(HEAVY):
            pass
    finally:
        runner.close()


async def test_work_that_is_slow_whatever_the_size_can_be_kept_off_the_loop() -> None:
    """``inline=False``: a tiny request's work runs on the worker thread (the classifier's
    encoder tier, 15-25 ms for a short prompt)."""
    runner = CpuRunner()
    try:
        name = await runner.run(TINY, lambda: threading.current_thread().name, inline=False)
        heavy = await runner.run(HEAVY, lambda: threading.current_thread().name, inline=False)
    finally:
        runner.close()
    assert name.startswith("aegis-scan_")
    assert heavy.startswith("aegis-scan-heavy")
