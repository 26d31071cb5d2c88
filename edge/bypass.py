"""Recording edge events: a bounded Redis stream, and a local spool while Redis is down.

Every request the edge sends past core becomes one :class:`shared.bypass.BypassEvent`, and
so does every request it refuses on its own (a prefilter block, a permission denial: kind
``edge_decision``), so that core's audit trail has a row for it; both travel the same way.
:meth:`BypassRecorder.record` appends it to the stream with one script call that refuses to
grow the stream past ``BYPASS_STREAM_MAX_LEN`` entries (core deletes what it has stored, so
the length is the backlog). If Redis cannot be reached in time, or the stream is full, the
event is appended to a spool file on the edge's disk instead (one JSON line, fsynced; lines
written by concurrent requests share one fsync). :meth:`BypassRecorder.run` replays the
spool into the stream once Redis takes events again. Each event carries the id the edge made
for it (``event_id``) and core stores each event id once, so an event replayed twice after a
crash is stored once: nothing is lost or doubled. What is written is the event's storable
form (:meth:`shared.bypass.BypassEvent.encode`: no control characters, bounded texts), so
whatever a client sent, core can store its event.

``record`` never raises: a request's answer must not fail because its audit trail is slow.
:meth:`BypassRecorder.record_soon` does not even wait for it (a refusal is answered at once).
The one loss it cannot prevent, a spool write failing (disk full), is logged as
``bypass_event_lost`` with the request id and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from pathlib import Path
from typing import Final

import redis.asyncio as aioredis
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.exceptions import RedisError

from shared.bypass import BypassEvent, bypass_stream_name

__all__ = ["BypassRecorder"]

_log = structlog.get_logger("aegis.edge.bypass")

REPLAY_INTERVAL_S: Final = 1.0
REPLAY_BATCH: Final = 500

# Appends as many events as the stream has room for; returns how many it added.
_APPEND_SCRIPT: Final = """
local room = tonumber(ARGV[1]) - redis.call('XLEN', KEYS[1])
local added = 0
for i = 2, #ARGV do
  if added >= room then break end
  redis.call('XADD', KEYS[1], '*', 'event', ARGV[i])
  added = added + 1
end
return added
"""


class BypassRecorder:
    """Appends bypass events to Redis, spooling them locally while it cannot."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str,
        instance: str,
        spool_dir: Path,
        max_len: int,
        timeout_s: float,
        registry: CollectorRegistry,
    ) -> None:
        self._redis = redis
        self._stream = bypass_stream_name(prefix)
        self._max_len = max_len
        self._timeout_s = timeout_s
        self._script = redis.register_script(_APPEND_SCRIPT)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", instance)
        self.spool_path = spool_dir / f"bypass-{safe}.jsonl"
        self._replay_path = spool_dir / f"bypass-{safe}.replay.jsonl"
        self._lock = asyncio.Lock()
        self._buffer: list[bytes] = []
        self._pending: set[asyncio.Task[None]] = set()
        self.bypassed = Counter(
            "aegis_edge_bypassed_requests_total",
            "Requests answered past core (fail-open), by reason.",
            ("reason",),
            registry=registry,
        )
        self.recorded = Counter(
            "aegis_edge_bypass_events_total",
            "Edge events (bypasses and edge decisions) recorded, by where they went (redis, "
            "spool) or lost.",
            ("sink",),
            registry=registry,
        )
        self.spool_depth = Gauge(
            "aegis_edge_bypass_spool_depth",
            "Bypass events in the local spool, waiting for Redis.",
            registry=registry,
        )
        self.spool_depth.set(sum(_count_lines(p) for p in (self.spool_path, self._replay_path)))

    @staticmethod
    def prepare(spool_dir: Path) -> None:
        """Create the spool directory and check it is writable (at start-up)."""
        spool_dir.mkdir(parents=True, exist_ok=True)
        probe = spool_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()

    async def record(self, event: BypassEvent) -> None:
        """Store ``event`` in the stream, or in the spool; never raises."""
        if event.is_bypass:
            self.bypassed.labels(event.reason).inc()
        line = event.encode()
        try:
            async with asyncio.timeout(self._timeout_s):
                added = await self._script(keys=[self._stream], args=[self._max_len, line])
            if added:
                self.recorded.labels("redis").inc()
                return
            _log.warning("bypass_stream_full", stream=self._stream, max_len=self._max_len)
        except (RedisError, OSError, TimeoutError) as exc:
            _log.warning("bypass_redis_unavailable", error=type(exc).__name__)
        await self._spool(line, event.request_id)

    def record_soon(self, event: BypassEvent) -> None:
        """:meth:`record` in a task of its own: the caller does not wait (held until it ends;
        :meth:`close` waits for those still running)."""
        task = asyncio.get_running_loop().create_task(self.record(event))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _spool(self, line: bytes, request_id: str) -> None:
        self._buffer.append(line)
        async with self._lock:
            if not self._buffer:
                return  # an earlier holder of the lock wrote this line with its own
            lines, self._buffer = self._buffer, []
            try:
                await asyncio.to_thread(_append, self.spool_path, lines)
            except OSError as exc:
                self.recorded.labels("lost").inc(len(lines))
                _log.error(
                    "bypass_event_lost", request_id=request_id, count=len(lines), error=str(exc)
                )
                return
            self.recorded.labels("spool").inc(len(lines))
            self.spool_depth.inc(len(lines))

    async def run(self) -> None:
        """Replay the spool into the stream whenever there is one and Redis takes it."""
        while True:
            await asyncio.sleep(REPLAY_INTERVAL_S)
            try:
                await self.replay()
            except (RedisError, OSError, TimeoutError) as exc:
                _log.debug("bypass_replay_deferred", error=type(exc).__name__)

    async def replay(self) -> int:
        """Send spooled events to the stream; return how many were sent."""
        async with self._lock:
            if not self._replay_path.exists():
                if not self.spool_path.exists():
                    return 0
                # New events go to a fresh spool file while this one is replayed.
                self.spool_path.rename(self._replay_path)
        lines = await asyncio.to_thread(_read_lines, self._replay_path)
        sent = 0
        for start in range(0, len(lines), REPLAY_BATCH):
            batch = lines[start : start + REPLAY_BATCH]
            async with asyncio.timeout(max(self._timeout_s, 5.0)):
                added = int(await self._script(keys=[self._stream], args=[self._max_len, *batch]))
            sent += added
            if added < len(batch):
                # The stream is full: keep the rest for later (re-sending the sent part
                # is harmless, core stores each event id once).
                _log.warning("bypass_replay_paused", sent=sent, left=len(lines) - sent)
                return sent
        self._replay_path.unlink()
        self.spool_depth.set(_count_lines(self.spool_path))
        _log.info("bypass_spool_replayed", events=sent)
        return sent

    async def close(self) -> None:
        """Wait for events being recorded and spool writes in progress (at shutdown)."""
        if self._pending:
            await asyncio.wait(set(self._pending))
        async with self._lock:
            pass


def _append(path: Path, lines: list[bytes]) -> None:
    with path.open("ab") as spool:
        spool.write(b"".join(line + b"\n" for line in lines))
        spool.flush()
        os.fsync(spool.fileno())


def _read_lines(path: Path) -> list[bytes]:
    # A line cut short by a crash mid-write is dropped here; core would refuse it anyway.
    return [line for line in path.read_bytes().split(b"\n") if line.endswith(b"}")]


def _count_lines(path: Path) -> int:
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes().count(b"\n")
    return 0
