"""The bypass stream consumer against real Redis and PostgreSQL: nothing lost, nothing doubled."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
import pytest
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

from core.bypass.consumer import BypassConsumer
from core.bypass.store import BypassStore
from core.db.pool import DB_ERRORS, Database
from shared.bypass import BYPASS_GROUP, BypassEvent, bypass_stream_name
from shared.hashing import sha256_hex
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


def _raw(request_id: str, **changes: object) -> bytes:
    """An entry as a broken or hostile writer could put it in the stream (no sanitising)."""
    fields: dict[str, Any] = orjson.loads(_event(request_id).encode())
    fields.update(changes)
    return orjson.dumps(fields)


async def _dead_letters(database: Database, stream: str) -> list[dict[str, Any]]:
    pool = await database.wait_pool()
    rows = await pool.fetch(
        "SELECT * FROM bypass_dead_letters WHERE stream = $1 ORDER BY entry_id", stream
    )
    return [dict(row) for row in rows]


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
    """The same event twice in the stream, and again later, is one row; the stream drains."""
    stream = bypass_stream_name(redis_prefix)
    consumer = BypassConsumer(redis, database, prefix=redis_prefix, consumer="c1")
    first, second = _event("req-1"), _event("req-2")
    await redis.xadd(stream, {"event": first.encode()})
    await redis.xadd(stream, {"event": first.encode()})
    await redis.xadd(stream, {"event": second.encode()})
    assert await consumer.step(block_ms=100) == 3
    await redis.xadd(stream, {"event": second.encode()})  # a replayed spool line
    assert await consumer.step(block_ms=100) == 1
    store = BypassStore(await database.wait_pool())
    assert await store.count() == 2
    assert await redis.xlen(stream) == 0
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0
    record = await store.get("req-1")
    assert record is not None
    assert record.edge_findings == ("prompt_injection",)
    assert record.user == "alice"


async def test_events_sharing_a_request_id_are_each_stored(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """Five events with one (forged) request id are five rows: only the event id is unique."""
    stream = bypass_stream_name(redis_prefix)
    consumer = BypassConsumer(redis, database, prefix=redis_prefix, consumer="c1")
    for _ in range(5):
        await redis.xadd(stream, {"event": _event("nginx-forged").encode()})
    assert await consumer.step(block_ms=100) == 5
    pool = await database.wait_pool()
    count = await pool.fetchval(
        "SELECT count(*) FROM bypass_events WHERE request_id = $1", "nginx-forged"
    )
    assert count == 5


async def test_event_from_an_edge_without_event_ids_is_keyed_on_its_request_id(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """An event written before event ids existed is still stored once however often replayed."""
    stream = bypass_stream_name(redis_prefix)
    consumer = BypassConsumer(redis, database, prefix=redis_prefix, consumer="c1")
    legacy = orjson.loads(_event("req-old").encode())
    del legacy["event_id"]
    for _ in range(2):
        await redis.xadd(stream, {"event": orjson.dumps(legacy)})
        await consumer.step(block_ms=100)
    record = await BypassStore(await database.wait_pool()).get("req-old")
    assert record is not None
    assert record.event_id == "request:req-old"
    assert await BypassStore(await database.wait_pool()).count() == 1


async def test_malformed_entry_is_dead_lettered_and_the_rest_stored(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """Entries that are not events are dead-lettered without their content; good ones stored."""
    stream = bypass_stream_name(redis_prefix)
    registry = CollectorRegistry()
    consumer = BypassConsumer(
        redis, database, prefix=redis_prefix, consumer="c1", registry=registry
    )
    await redis.xadd(stream, {"event": b"{not json \x00 secret"})
    await redis.xadd(stream, {"event": _event("req-ok").encode()})
    await redis.xadd(stream, {"event": _raw("req-no-time", occurred_at="soon")})
    await redis.xadd(stream, {"event": _raw("req-bad-findings", edge_findings=7)})
    await redis.xadd(stream, {"other": b"no event field"})
    assert await consumer.step(block_ms=100) == 5
    assert await BypassStore(await database.wait_pool()).count() == 1
    letters = await _dead_letters(database, stream)
    assert [letter["reason"] for letter in letters] == ["malformed"] * 4
    assert letters[0]["entry_sha256"] == sha256_hex(b"{not json \x00 secret")
    assert letters[0]["entry_bytes"] == len(b"{not json \x00 secret")
    assert "secret" not in repr(letters)
    assert [letter["request_id"] for letter in letters[1:3]] == ["req-no-time", "req-bad-findings"]
    assert (
        registry.get_sample_value("aegis_bypass_dead_letters_total", {"reason": "malformed"}) == 4
    )
    assert await redis.xlen(stream) == 0
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0


@pytest.mark.parametrize(
    "poison",
    [
        pytest.param({"model": "aegis-dev-echo\u0000x"}, id="nul-in-model"),
        pytest.param({"edge_findings": ["a\u0000b"]}, id="nul-in-finding"),
        pytest.param({"status": 2**40}, id="status-out-of-int32"),
        pytest.param({"completion_tokens": -(2**40)}, id="tokens-out-of-int32"),
        pytest.param({"event_id": secrets.token_hex(8000)}, id="event-id-past-index-limit"),
    ],
)
async def test_row_postgresql_refuses_is_dead_lettered_and_the_rest_stored(
    redis: aioredis.Redis, database: Database, redis_prefix: str, poison: dict[str, Any]
) -> None:
    """A batch refused for one row's data is stored row by row; that row alone is dead-lettered."""
    stream = bypass_stream_name(redis_prefix)
    registry = CollectorRegistry()
    consumer = BypassConsumer(
        redis, database, prefix=redis_prefix, consumer="c1", registry=registry
    )
    await redis.xadd(stream, {"event": _event("req-before").encode()})
    raw = _raw("req-poison", **poison)
    await redis.xadd(stream, {"event": raw})
    for number in range(6):
        await redis.xadd(stream, {"event": _event(f"req-after-{number}").encode()})
    assert await consumer.step(block_ms=100) == 8
    pool = await database.wait_pool()
    stored = {row["request_id"] for row in await pool.fetch("SELECT request_id FROM bypass_events")}
    assert stored == {"req-before", *(f"req-after-{n}" for n in range(6))}
    [letter] = await _dead_letters(database, stream)
    assert letter["reason"] == "refused"
    assert letter["request_id"] == "req-poison"
    assert letter["entry_sha256"] == sha256_hex(raw)
    assert registry.get_sample_value("aegis_bypass_dead_letters_total", {"reason": "refused"}) == 1
    assert await redis.xlen(stream) == 0
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0
    # Later events are not held up either.
    await redis.xadd(stream, {"event": _event("req-later").encode()})
    assert await consumer.step(block_ms=100) == 1
    assert await BypassStore(pool).count() == 8


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
