"""The bypass stream consumer against real Redis and PostgreSQL: nothing lost, nothing doubled."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis.asyncio as aioredis

from core.bypass.consumer import BypassConsumer
from core.bypass.store import BypassStore
from core.db.pool import DB_ERRORS, Database
from shared.bypass import BYPASS_GROUP, BypassEvent, bypass_stream_name
from tests.tcpproxy import TcpProxy


def _event(request_id: str, **changes: object) -> BypassEvent:
    fields: dict[str, object] = {
        "request_id": request_id,
        "occurred_at": time.time(),
        "edge_instance": "edge-1:8080",
        "route": "/v1/chat/completions",
        "reason": "core_unreachable",
        "status": 200,
        "key_id": "k1",
        "user": "alice",
        "workspace": "tests",
        "model": "m",
        "prompt_sha256": "ab" * 32,
        "edge_findings": ("prompt_injection",),
    }
    fields.update(changes)
    return BypassEvent(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await db.run()
    pool = await db.wait_pool()
    await pool.execute("TRUNCATE bypass_events")
    try:
        yield db
    finally:
        await db.close()


async def test_redelivered_and_duplicate_events_are_stored_once(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """The same request id twice in the stream, and again later, is one row; the stream drains."""
    stream = bypass_stream_name(redis_prefix)
    consumer = BypassConsumer(redis, database, prefix=redis_prefix, consumer="c1")
    await redis.xadd(stream, {"event": _event("req-1").encode()})
    await redis.xadd(stream, {"event": _event("req-1").encode()})
    await redis.xadd(stream, {"event": _event("req-2").encode()})
    assert await consumer.step(block_ms=100) == 3
    await redis.xadd(stream, {"event": _event("req-2").encode()})  # a replayed spool line
    assert await consumer.step(block_ms=100) == 1
    store = BypassStore(await database.wait_pool())
    assert await store.count() == 2
    assert await redis.xlen(stream) == 0
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0
    record = await store.get("req-1")
    assert record is not None
    assert record.edge_findings == ("prompt_injection",)
    assert record.user == "alice"


async def test_malformed_entry_is_set_aside_and_the_rest_stored(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """One bad entry goes to the dead-letter stream; it never blocks the good ones."""
    stream = bypass_stream_name(redis_prefix)
    consumer = BypassConsumer(redis, database, prefix=redis_prefix, consumer="c1")
    await redis.xadd(stream, {"event": b"{not json"})
    await redis.xadd(stream, {"event": _event("req-ok").encode()})
    await redis.xadd(stream, {"event": _event("", status=200).encode()})  # no request id
    assert await consumer.step(block_ms=100) == 3
    assert await BypassStore(await database.wait_pool()).count() == 1
    assert await redis.xlen(stream + ":dead") == 2
    assert await redis.xlen(stream) == 0


async def test_events_wait_in_redis_while_postgresql_is_down(
    redis: aioredis.Redis, database_url: str, redis_prefix: str
) -> None:
    """Nothing is acknowledged before it is committed: an outage delays events, never drops them."""
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.open()
    via_proxy = urlunsplit(
        parts._replace(
            netloc=parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")
        )
    )
    database = Database(via_proxy)
    await database.run()
    try:
        await (await database.wait_pool()).execute("TRUNCATE bypass_events")
        stream = bypass_stream_name(redis_prefix)
        consumer = BypassConsumer(redis, database, prefix=redis_prefix, consumer="c1")
        proxy.close()
        await redis.xadd(stream, {"event": _event("req-during-outage").encode()})
        with pytest.raises(DB_ERRORS):
            await consumer.step(block_ms=100)
        assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 1
        proxy.open()
        deadline = time.monotonic() + 10
        while True:  # the pool replaces its broken connections on the next tries
            try:
                await consumer.step(block_ms=100)
                break
            except DB_ERRORS:
                assert time.monotonic() < deadline
        connection = await asyncpg.connect(database_url)
        try:
            count = await connection.fetchval(
                "SELECT count(*) FROM bypass_events WHERE request_id = 'req-during-outage'"
            )
        finally:
            await connection.close()
        assert count == 1
        assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0
    finally:
        await database.close()
        proxy.shutdown()
