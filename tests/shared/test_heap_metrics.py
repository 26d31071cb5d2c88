"""The allocators' figures on /metrics move by what the process keeps, and back when it lets
go (what ``tests/e2e/test_memory.py`` relies on to see a leak that resident memory hides)."""

from __future__ import annotations

import os

from shared.metrics import HttpMetrics


def _sample(metrics: HttpMetrics, name: str) -> float:
    value = metrics.registry.get_sample_value(name)
    assert value is not None, f"{name} not exported (the heap figure needs glibc 2.33+)"
    return value


def test_heap_in_use_follows_what_is_kept_in_kilobyte_pieces() -> None:
    metrics = HttpMetrics("core")
    before = _sample(metrics, "aegis_heap_in_use_bytes")
    kept = [os.urandom(1024) for _ in range(2048)]  # 2 MB, each piece past Python's allocator
    held = _sample(metrics, "aegis_heap_in_use_bytes")
    del kept
    after = _sample(metrics, "aegis_heap_in_use_bytes")
    assert held - before >= 2 << 20
    assert held - after >= 2 << 20


def test_python_blocks_follow_small_objects_kept() -> None:
    metrics = HttpMetrics("core")
    before = _sample(metrics, "aegis_python_allocated_blocks")
    kept = [os.urandom(16) for _ in range(20_000)]  # each a block of Python's allocator
    held = _sample(metrics, "aegis_python_allocated_blocks")
    del kept
    after = _sample(metrics, "aegis_python_allocated_blocks")
    # Within a few dozen blocks: reading the registry allocates and frees some itself.
    assert held - before >= 19_900
    assert held - after >= 19_900
