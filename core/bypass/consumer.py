"""Moving bypass events from the edges' Redis stream into PostgreSQL, losing none.

Each core reads the stream ``{prefix}bypass`` in the consumer group ``aegis-core`` under a
stable consumer name (``CORE_INSTANCE_ID``, by default host:port). For each batch it:

1. inserts the events into ``bypass_events`` in one statement, idempotent by request id;
2. only after that commit, acknowledges and deletes the entries (``XACK`` + ``XDEL``), so
   the stream's length is the backlog the edges bound it by.

If PostgreSQL fails, nothing is acknowledged: the entries stay pending and are read again
(a consumer starts with its own pending entries, id ``0``). Entries left pending by a core
that never came back are claimed by another after ``CLAIM_IDLE_MS``. Because inserting is
idempotent, a redelivery never doubles a row. A malformed entry is logged (its id only),
moved to ``{stream}:dead`` and acknowledged, so one bad entry cannot stall the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError, ResponseError

from core.bypass.store import BypassStore
from core.db.pool import DB_ERRORS, Database
from shared.bypass import BYPASS_GROUP, BypassEvent, BypassEventError, bypass_stream_name
from shared.tasks import raise_if_cancelling

__all__ = ["BypassConsumer"]

_log = structlog.get_logger("aegis.core.bypass")

BATCH: Final = 500
BLOCK_MS: Final = 1000
CLAIM_IDLE_MS: Final = 60_000
_RETRY_S: Final = (0.2, 0.5, 1.0, 2.0, 5.0)

Entry = tuple[bytes, dict[bytes, bytes]]


class BypassConsumer:
    """Consumes the bypass stream into ``bypass_events`` until cancelled."""

    def __init__(
        self, redis: aioredis.Redis, database: Database, *, prefix: str, consumer: str
    ) -> None:
        self._redis = redis
        self._database = database
        self._stream = bypass_stream_name(prefix)
        self._dead = self._stream + ":dead"
        self._consumer = consumer
        self._group_ready = False
        self.stored = 0

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                await self.step()
                failures = 0
            except (RedisError, OSError, TimeoutError, *DB_ERRORS) as exc:
                raise_if_cancelling()
                wait = _RETRY_S[min(failures, len(_RETRY_S) - 1)]
                failures += 1
                _log.warning("bypass_consume_failed", error=type(exc).__name__, retry_s=wait)
                await asyncio.sleep(wait)

    async def step(self, block_ms: int = BLOCK_MS) -> int:
        """Store one batch: pending entries first, then claimed, then new ones."""
        pool = await self._database.wait_pool()
        await self._ensure_group()
        entries = await self._read("0", block_ms=None)
        if not entries:
            entries = await self._claim()
        if not entries:
            entries = await self._read(">", block_ms=block_ms)
        if not entries:
            return 0
        events: dict[str, BypassEvent] = {}
        dead: list[Entry] = []
        for entry_id, fields in entries:
            try:
                event = BypassEvent.decode(fields.get(b"event", b""))
            except BypassEventError:
                dead.append((entry_id, fields))
                continue
            events.setdefault(event.request_id, event)
        new = await BypassStore(pool).insert(list(events.values()))
        await self._done([entry_id for entry_id, _ in entries], dead)
        self.stored += new
        _log.info("bypass_events_stored", received=len(entries), new=new, malformed=len(dead))
        return len(entries)

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            # From the start of the stream: events written before any core ever ran count too.
            await self._redis.xgroup_create(self._stream, BYPASS_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def _read(self, start: str, *, block_ms: int | None) -> list[Entry]:
        try:
            reply: Any = await self._redis.xreadgroup(
                BYPASS_GROUP, self._consumer, {self._stream: start}, count=BATCH, block=block_ms
            )
        except ResponseError as exc:
            if "NOGROUP" in str(exc):  # the stream was deleted (Redis restarted empty)
                self._group_ready = False
                return []
            raise
        if not reply:
            return []
        return await self._present(reply[0][1])

    async def _claim(self) -> list[Entry]:
        reply: Any = await self._redis.xautoclaim(
            self._stream, BYPASS_GROUP, self._consumer, CLAIM_IDLE_MS, "0-0", count=BATCH
        )
        return await self._present(reply[1])

    async def _present(self, entries: list[tuple[bytes, dict[bytes, bytes] | None]]) -> list[Entry]:
        # A pending entry deleted meanwhile (stored by another core) comes back without
        # fields: acknowledge it so it leaves the pending list.
        gone = [entry_id for entry_id, fields in entries if not fields]
        if gone:
            await self._redis.xack(self._stream, BYPASS_GROUP, *gone)
        return [(entry_id, fields) for entry_id, fields in entries if fields]

    async def _done(self, ids: Sequence[bytes], dead: Sequence[Entry]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for entry_id, fields in dead:
                _log.error("bypass_event_malformed", entry_id=entry_id.decode())
                kept: dict[Any, Any] = dict(fields) or {b"event": b""}
                pipe.xadd(self._dead, kept, maxlen=10_000, approximate=True)
            pipe.xack(self._stream, BYPASS_GROUP, *ids)
            pipe.xdel(self._stream, *ids)
            await pipe.execute()
