"""Edge decisions through the bypass stream consumer, on real Redis and PostgreSQL: one audit
row each, never a bypass event, however often an entry is delivered."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

from core.audit.record import AuditRecord, sanitize
from core.bypass.consumer import BypassConsumer
from core.bypass.store import BypassStore
from core.db.pool import Database
from shared.bypass import (
    BYPASS_GROUP,
    EDGE_BLOCKED,
    EDGE_DENIED,
    KIND_EDGE_DECISION,
    BypassEvent,
    bypass_stream_name,
)


def _decision(request_id: str, **changes: object) -> BypassEvent:
    fields: dict[str, object] = {
        "kind": KIND_EDGE_DECISION,
        "request_id": request_id,
        "occurred_at": time.time(),
        "edge_instance": "edge-1:8080",
        "route": "/v1/chat/completions",
        "reason": EDGE_BLOCKED,
        "status": 400,
        "key_id": "k1",
        "user": "alice",
        "workspace": "tests",
        "role": "developer",
        "client_ip": "10.0.0.7",
        "model": "m",
        "user_agent": "curl/8",
        "edge_findings": ("en.ignore_previous", "en.reveal_system_prompt"),
    }
    fields.update(changes)
    return BypassEvent(**fields)  # type: ignore[arg-type]


def _raw(request_id: str, **changes: object) -> bytes:
    """An entry as a broken or hostile writer could put it in the stream (no sanitising)."""
    fields: dict[str, Any] = orjson.loads(_decision(request_id).encode())
    fields.update(changes)
    return orjson.dumps(fields)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await db.run()
    pool = await db.wait_pool()
    await pool.execute("TRUNCATE bypass_events, edge_decision_events")
    try:
        yield db
    finally:
        await db.close()


def _consumer(
    redis: aioredis.Redis,
    database: Database,
    prefix: str,
    rows: list[AuditRecord],
    name: str = "c1",
    registry: CollectorRegistry | None = None,
) -> BypassConsumer:
    return BypassConsumer(
        redis, database, prefix=prefix, consumer=name, audit=rows.append, registry=registry
    )


async def test_a_prefilter_block_is_one_audit_row_and_no_bypass_event(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """A prefilter block becomes a ``block`` row with the rule ids (stage edge), not bypassed,
    and nothing in ``bypass_events``."""
    rows: list[AuditRecord] = []
    consumer = _consumer(redis, database, redis_prefix, rows)
    event = _decision("req-blocked")
    await redis.xadd(bypass_stream_name(redis_prefix), {"event": event.encode()})
    assert await consumer.step(block_ms=100) == 1
    [row] = rows
    assert (row.request_id, row.action, row.decision, row.status, row.bypassed) == (
        "req-blocked",
        "chat",
        "block",
        400,
        False,
    )
    assert (row.user_id, row.workspace_id, row.key_id, row.role) == (
        "alice",
        "tests",
        "k1",
        "developer",
    )
    assert (row.model, row.ip_address, row.user_agent) == ("m", "10.0.0.7", "curl/8")
    assert [(f["stage"], f["scanner"], f["type"]) for f in row.findings] == [
        ("edge", "prefilter", "en.ignore_previous"),
        ("edge", "prefilter", "en.reveal_system_prompt"),
    ]
    assert row.instruction_hash is None and row.response_hash is None
    assert await BypassStore(await database.wait_pool()).count() == 0


async def test_a_permission_denial_is_an_error_row_with_status_403(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """A denial is recorded as core records its own: decision ``error``, status 403."""
    rows: list[AuditRecord] = []
    consumer = _consumer(redis, database, redis_prefix, rows)
    denied = _decision(
        "req-denied", reason=EDGE_DENIED, status=403, role="auditor", model=None, edge_findings=()
    )
    await redis.xadd(bypass_stream_name(redis_prefix), {"event": denied.encode()})
    await consumer.step(block_ms=100)
    [row] = rows
    assert (row.action, row.decision, row.status, row.role, row.findings, row.bypassed) == (
        "chat",
        "error",
        403,
        "auditor",
        (),
        False,
    )


async def test_redelivered_replayed_and_pending_entries_are_one_row(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """The same edge decision twice in a batch, replayed later, left pending by a consumer that
    never acknowledged it, and read by a second core is one audit row; the stream drains."""
    stream = bypass_stream_name(redis_prefix)
    rows: list[AuditRecord] = []
    first = _consumer(redis, database, redis_prefix, rows)
    event = _decision("req-once")
    for _ in range(2):
        await redis.xadd(stream, {"event": event.encode()})
    assert await first.step(block_ms=100) == 2
    assert len(rows) == 1
    # A spool replayed after the stream took it once.
    await redis.xadd(stream, {"event": event.encode()})
    assert await first.step(block_ms=100) == 1
    # Delivered to c1 and never acknowledged (a core that died before XACK): read again as
    # c1's pending entry.
    await redis.xadd(stream, {"event": event.encode()})
    await redis.xreadgroup(BYPASS_GROUP, "c1", {stream: ">"}, count=10)
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 1
    assert await first.step(block_ms=100) == 1
    # Another core with its own consumer name.
    await redis.xadd(stream, {"event": event.encode()})
    second = _consumer(redis, database, redis_prefix, rows, name="c2")
    assert await second.step(block_ms=100) == 1
    assert [row.request_id for row in rows] == ["req-once"]
    assert await redis.xlen(stream) == 0
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0
    # A different decision sharing the (client-chosen) request id is a row of its own.
    await redis.xadd(stream, {"event": _decision("req-once").encode()})
    await first.step(block_ms=100)
    assert len(rows) == 2 and rows[0].log_id != rows[1].log_id


async def test_bypasses_and_edge_decisions_in_one_batch_go_each_their_way(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """A batch mixing both kinds stores the bypass in ``bypass_events`` (bypassed row) and the
    decision as an audit row only."""
    stream = bypass_stream_name(redis_prefix)
    rows: list[AuditRecord] = []
    consumer = _consumer(redis, database, redis_prefix, rows)
    bypass = BypassEvent(
        "req-bypass", time.time(), "edge-1", "/v1/chat/completions", "core_unreachable", 200
    )
    await redis.xadd(stream, {"event": bypass.encode()})
    await redis.xadd(stream, {"event": _decision("req-decided").encode()})
    assert await consumer.step(block_ms=100) == 2
    assert {(row.request_id, row.bypassed) for row in rows} == {
        ("req-bypass", True),
        ("req-decided", False),
    }
    store = BypassStore(await database.wait_pool())
    assert [record.request_id for record in await store.list()] == ["req-bypass"]


@pytest.mark.parametrize(
    ("poison", "reason"),
    [
        pytest.param({"event_id": secrets.token_hex(8000)}, "refused", id="event-id-past-index"),
        pytest.param({"event_id": "evt_\u0000x"}, "refused", id="nul-in-event-id"),
        pytest.param({"kind": "edge_verdict"}, "malformed", id="unknown-kind"),
        pytest.param({"status": "four hundred"}, "malformed", id="status-text"),
    ],
)
async def test_poison_edge_decisions_are_dead_lettered_and_the_rest_recorded(
    redis: aioredis.Redis,
    database: Database,
    redis_prefix: str,
    poison: dict[str, Any],
    reason: str,
) -> None:
    """An edge decision PostgreSQL refuses or core cannot read is dead-lettered once, never
    retried; the decisions around it are recorded."""
    stream = bypass_stream_name(redis_prefix)
    rows: list[AuditRecord] = []
    registry = CollectorRegistry()
    consumer = _consumer(redis, database, redis_prefix, rows, registry=registry)
    await redis.xadd(stream, {"event": _decision("req-before").encode()})
    await redis.xadd(stream, {"event": _raw("req-poison", **poison)})
    await redis.xadd(stream, {"event": _decision("req-after").encode()})
    assert await consumer.step(block_ms=100) == 3
    assert sorted(row.request_id for row in rows) == ["req-after", "req-before"]
    assert registry.get_sample_value("aegis_bypass_dead_letters_total", {"reason": reason}) == 1
    pool = await database.wait_pool()
    [letter] = await pool.fetch("SELECT * FROM bypass_dead_letters WHERE stream = $1", stream)
    assert (letter["reason"], letter["request_id"]) == (reason, "req-poison")
    assert await redis.xlen(stream) == 0
    assert (await redis.xpending(stream, BYPASS_GROUP))["pending"] == 0
    assert await consumer.step(block_ms=100) == 0
    assert len(rows) == 2


async def test_a_nul_in_an_edge_decisions_text_is_removed_at_the_audit_door(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """Texts that go only to the audit row (model, user agent) are cleaned there, not refused."""
    rows: list[AuditRecord] = []
    consumer = _consumer(redis, database, redis_prefix, rows)
    raw = _raw("req-nul", model="m\u0000x", user_agent="a\u0000b")
    await redis.xadd(bypass_stream_name(redis_prefix), {"event": raw})
    await consumer.step(block_ms=100)
    [row] = rows
    clean = sanitize(row)
    assert (clean.request_id, clean.model, clean.user_agent) == ("req-nul", "mx", "ab")


async def test_decisions_past_retention_are_not_recorded_and_their_ids_pruned(
    redis: aioredis.Redis, database: Database, redis_prefix: str
) -> None:
    """Seen ids older than the retention are deleted; an event that old arriving late is
    acknowledged without a row (its id may be forgotten, so it could not be recorded once)."""
    stream = bypass_stream_name(redis_prefix)
    pool = await database.wait_pool()
    await pool.execute(
        "INSERT INTO edge_decision_events (event_id, occurred_at) VALUES ($1, $2)",
        "evt_ancient",
        dt.datetime.now(dt.UTC) - dt.timedelta(days=40),
    )
    rows: list[AuditRecord] = []
    consumer = BypassConsumer(
        redis, database, prefix=redis_prefix, consumer="c1", audit=rows.append, retention_days=30
    )
    late = _decision("req-late", occurred_at=time.time() - 31 * 86400)
    await redis.xadd(stream, {"event": late.encode()})
    await redis.xadd(stream, {"event": _decision("req-fresh").encode()})
    assert await consumer.step(block_ms=100) == 2
    assert [row.request_id for row in rows] == ["req-fresh"]
    ids = {row["event_id"] for row in await pool.fetch("SELECT event_id FROM edge_decision_events")}
    assert "evt_ancient" not in ids and late.event_id not in ids
    assert await redis.xlen(stream) == 0
