"""The audit writer, spool, chain verify and prune against a real PostgreSQL: no row lost,
doubled or silently changed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
import pytest
from prometheus_client import CollectorRegistry

from core.audit import store
from core.audit.record import AuditRecord, Chain, canonical, row_hash
from core.audit.spool import Spool
from core.audit.verify import _codecs, verify
from core.audit.verify import _record as stored_record
from core.audit.writer import COPY_SLICE, AuditWriter, _sliced_values, row_values
from core.db.pool import Database
from core.lifecycle.exchange import Exchange
from core.scanning.base import MANY_FINDINGS, Decision, Verdict
from shared.findings import Finding
from tests.tcpproxy import TcpProxy

_TABLES = "audit_logs, audit_chain_heads, audit_dead_letters"


def _record(number: int, **changes: Any) -> AuditRecord:
    fields: dict[str, Any] = {
        "log_id": str(uuid.uuid4()),
        "timestamp_us": int(time.time() * 1_000_000),
        "request_id": f"req-{number}",
        "tokens_used": number,
    }
    fields.update(changes)
    return AuditRecord.example(**fields)


def _writer(database: Database, spool_dir: Path, **options: Any) -> AuditWriter:
    registry = CollectorRegistry()
    writer = AuditWriter(
        database, Spool(spool_dir, "core-test"), instance="core-test", registry=registry, **options
    )
    writer.registry = registry  # type: ignore[attr-defined]
    return writer


async def _rows(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    return [dict(r) for r in await pool.fetch("SELECT * FROM audit_logs ORDER BY writer_id, seq")]


_URL: list[str] = []


async def _verify(pool: asyncpg.Pool, since: dt.datetime | None = None) -> Any:
    # Verify sets type codecs on its connection: one of its own, as the CLI does.
    connection = await asyncpg.connect(_URL[0])
    try:
        return await verify(connection, since)
    finally:
        await connection.close()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    _URL[:] = [database_url]
    db = Database(database_url)
    await db.run()
    pool = await db.wait_pool()
    await pool.execute(f"TRUNCATE {_TABLES}")
    try:
        yield db
    finally:
        await pool.execute(f"TRUNCATE {_TABLES}")
        await db.close()


async def test_rows_are_stored_in_order_and_the_chain_verifies(
    database: Database, tmp_path: Path
) -> None:
    """250 records written in batches of 100 are 250 rows, seq 1..250, each linked to the last."""
    writer = _writer(database, tmp_path, batch_max=100)
    for number in range(250):
        writer.submit(_record(number))
    await writer.flush()
    pool = await database.wait_pool()
    rows = await _rows(pool)
    assert [row["seq"] for row in rows] == list(range(1, 251))
    assert [row["request_id"] for row in rows] == [f"req-{n}" for n in range(250)]
    assert all(rows[i]["prev_hash"] == rows[i - 1]["row_hash"] for i in range(1, 250))
    assert rows[0]["prev_hash"] == bytes(32)
    report = await _verify(pool)
    assert report.ok, report.problems
    assert (report.rows, report.writers) == (250, 1)
    head = await pool.fetchrow("SELECT seq, row_hash FROM audit_chain_heads")
    assert head is not None
    assert (head["seq"], head["row_hash"]) == (250, rows[-1]["row_hash"])
    # The hash covers the stored values: recomputed from a row read back, it is the same.
    first = rows[0]
    assert str(first["ip_address"]) == "10.0.0.7"
    assert orjson.loads(first["findings"])[0]["type"] == "KR_RRN"


async def test_a_row_is_built_at_the_sink_and_a_batch_yields_while_it_is_copied(
    database: Database, tmp_path: Path
) -> None:
    """The sink builds and chains the request's row at once (the background task only
    stores: a batch built there held the event loop for milliseconds while requests were in
    flight). The COPY yields to the event loop every COPY_SLICE rows, so a request runs
    while a large batch is encoded; a shutdown then (the step cancelled) loses no row: they
    are spooled, and the next start stores them, in order, once each."""
    writer = _writer(database, tmp_path)
    exchange = Exchange("req-sink", "/v1/chat/completions")
    exchange.status = 200
    writer(exchange)
    assert writer.chain.seq == 1  # chained by the sink, before any step
    count = COPY_SLICE * 3 + 5
    for number in range(1, count):
        writer.submit(_record(number))
    ran: list[bool] = []
    step = asyncio.create_task(writer.step())

    async def request() -> None:  # what the loop runs while the writer copies
        for _ in range(50):
            await asyncio.sleep(0)
            if writer.queued == 0 and not step.done():
                ran.append(True)
                return

    await request()
    assert ran, "no request ran while the batch was copied"
    step.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await step
    await writer.close()
    restarted = _writer(database, tmp_path)
    await restarted.flush()
    pool = await database.wait_pool()
    rows = await _rows(pool)
    assert [row["request_id"] for row in rows] == ["req-sink"] + [
        f"req-{n}" for n in range(1, count)
    ]
    assert [row["seq"] for row in rows] == list(range(1, count + 1))
    report = await _verify(pool)
    assert report.ok, report.problems


async def test_a_row_with_thousands_of_findings_is_built_on_the_next_turn(
    database: Database, tmp_path: Path
) -> None:
    """1 MB of hostile text has thousands of findings; summarising them takes milliseconds,
    so that request's row is built one turn of the event loop after its response, not in the
    same step; an ordinary request's row at once. Both are stored, in the order built."""
    writer = _writer(database, tmp_path)
    heavy = Exchange("req-heavy", "/api/v1/inspect")
    heavy.status = 200
    found = tuple(
        Finding("pii", "PERSON", 0.85, start=i, end=i + 1) for i in range(MANY_FINDINGS + 1)
    )
    heavy.input_verdict = Verdict(Decision.BLOCK, 1.0, found, blocking=found)
    writer(heavy)
    assert writer.queued == 0
    await asyncio.sleep(0)
    assert writer.queued == 1
    light = Exchange("req-light", "/v1/chat/completions")
    light.status = 200
    writer(light)
    assert writer.queued == 2
    await writer.flush()
    pool = await database.wait_pool()
    rows = await _rows(pool)
    assert [row["request_id"] for row in rows] == ["req-heavy", "req-light"]
    assert orjson.loads(rows[0]["findings"]) == [
        {
            "stage": "input",
            "scanner": "pii",
            "type": "PERSON",
            "score": 0.85,
            "count": MANY_FINDINGS + 1,
        }
    ]


async def test_the_copy_values_yield_to_the_event_loop_every_slice() -> None:
    """asyncpg encodes a COPY's records in one go unless they come from an asynchronous
    iterable; ours gives the event loop a turn every COPY_SLICE rows, so a 90-row batch
    (about 1.6 ms of encoding) does not hold back the requests in flight."""
    chain = Chain(str(uuid.uuid4()))
    rows = [chain.link(_record(number)) for number in range(100)]
    turns = 0

    async def request() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    other = asyncio.create_task(request())
    await asyncio.sleep(0)
    turns = 0
    values = [value async for value in _sliced_values(rows)]
    other.cancel()
    assert values == [row_values(row) for row in rows]
    assert turns >= 3  # at least every 33 rows


async def test_rows_queued_while_a_batch_is_stored_wait_for_the_next_batch(
    database: Database, tmp_path: Path
) -> None:
    """Under steady traffic the writer stores one batch per wake-up: rows that arrive while
    a batch is in PostgreSQL wait for the next interval instead of making a transaction of
    one or two rows each (which cost core ~5% of its CPU per request at 400 requests/s and
    PostgreSQL a commit per request). A whole batch waiting is written at once."""
    writer = _writer(database, tmp_path, batch_max=10)
    for number in range(4):
        writer.submit(_record(number))
    step = asyncio.create_task(writer.step())
    await asyncio.sleep(0)  # the step took the four rows and waits on PostgreSQL
    for number in range(4, 7):
        writer.submit(_record(number))
    assert await step == 4
    assert writer.queued == 3
    assert await writer.step() == 3
    # A full batch queued meanwhile is not held back.
    for number in range(7, 9):
        writer.submit(_record(number))
    step = asyncio.create_task(writer.step())
    await asyncio.sleep(0)
    for number in range(9, 30):
        writer.submit(_record(number))
    assert await step == 2 + 20  # its own rows, then two whole batches; one row waits
    assert writer.queued == 1
    await writer.flush()
    pool = await database.wait_pool()
    rows = await _rows(pool)
    assert [row["request_id"] for row in rows] == [f"req-{n}" for n in range(30)]


async def _tamper(pool: asyncpg.Pool, how: str) -> dict[str, Any]:
    rows = await _rows(pool)
    target = rows[9]  # seq 10
    if how == "changed":
        await pool.execute(
            "UPDATE audit_logs SET decision = 'allow' WHERE log_id = $1", target["log_id"]
        )
    elif how == "changed-and-rehashed":
        # Someone who also recomputes the row's own hash: the next row still names the old one.
        await pool.execute(
            "UPDATE audit_logs SET user_id = 'mallory' WHERE log_id = $1", target["log_id"]
        )
        # Its row_hash recomputed from the stored values, as an attacker with the code would.
        connection = await asyncpg.connect(_URL[0])
        try:
            await _codecs(connection)
            stored = await connection.fetchrow(
                "SELECT * FROM audit_logs WHERE log_id = $1", str(target["log_id"])
            )
            assert stored is not None
            payload = canonical(stored_record(stored), str(stored["writer_id"]), stored["seq"])
        finally:
            await connection.close()
        await pool.execute(
            "UPDATE audit_logs SET row_hash = $2 WHERE log_id = $1",
            target["log_id"],
            row_hash(target["prev_hash"], payload),
        )
    elif how == "inserted":
        copy = dict(target, log_id=uuid.uuid4(), request_id="forged")
        columns = list(copy)
        await pool.execute(
            f"INSERT INTO audit_logs ({', '.join(columns)}) VALUES"  # noqa: S608
            f" ({', '.join(f'${i + 1}' for i in range(len(columns)))})",
            *copy.values(),
        )
    elif how == "deleted":
        await pool.execute("DELETE FROM audit_logs WHERE log_id = $1", target["log_id"])
    elif how == "deleted-newest":
        await pool.execute("DELETE FROM audit_logs WHERE log_id = $1", rows[-1]["log_id"])
        return rows[-1]
    return target


@pytest.mark.parametrize(
    ("how", "kind"),
    [
        pytest.param("changed", "changed", id="changed-row"),
        pytest.param("changed-and-rehashed", "changed", id="changed-row-with-its-hash"),
        pytest.param("inserted", "inserted", id="inserted-row"),
        pytest.param("deleted", "deleted", id="deleted-row"),
        pytest.param("deleted-newest", "deleted", id="deleted-newest-row"),
    ],
)
async def test_verify_names_the_first_changed_inserted_or_deleted_row(
    database: Database, tmp_path: Path, how: str, kind: str
) -> None:
    """A change, an insertion or a deletion anywhere in a chain is reported, naming the row."""
    writer = _writer(database, tmp_path)
    for number in range(20):
        writer.submit(_record(number))
    await writer.flush()
    pool = await database.wait_pool()
    assert (await _verify(pool)).ok
    target = await _tamper(pool, how)
    report = await _verify(pool)
    assert not report.ok
    first = report.problems[0]
    assert first.kind == kind
    assert first.seq == target["seq"]
    if kind == "changed":
        assert first.log_id == str(target["log_id"])
    if how == "deleted-newest":
        assert "head" in first.detail


async def test_poison_rows_are_cleaned_or_dead_lettered_and_never_stall_the_queue(
    database: Database, tmp_path: Path
) -> None:
    """Values PostgreSQL cannot store are cleaned at the door; a row it refuses anyway goes to
    the dead letters, the rows after it are stored, and the chain still verifies."""
    pool = await database.wait_pool()
    writer = _writer(database, tmp_path)
    writer.submit(
        _record(
            0,
            user_agent="evil\x00agent\ud800",
            model="m" * 100_000,
            tokens_used=10**30,
            latency_ms=float("nan"),
            ip_address="not-an-ip",
            findings=({"stage": "input", "scanner": "x\x00", "type": "t", "score": float("inf")},),
        )
    )
    await writer.flush()
    rows = await _rows(pool)
    assert rows[0]["user_agent"] == "evilagent"
    assert len(rows[0]["model"]) == 256
    assert rows[0]["tokens_used"] == 2**31 - 1
    assert rows[0]["latency_ms"] is None
    assert rows[0]["ip_address"] is None
    # A rule the door does not know: PostgreSQL refuses the row for its data.
    await pool.execute(
        "ALTER TABLE audit_logs ADD CONSTRAINT audit_test_poison CHECK (model <> 'poison')"
    )
    try:
        for number in range(1, 6):
            writer.submit(_record(number, model="poison" if number == 3 else "m"))
        started = time.monotonic()
        await writer.flush()
        assert time.monotonic() - started < 5
    finally:
        await pool.execute("ALTER TABLE audit_logs DROP CONSTRAINT audit_test_poison")
    rows = await _rows(pool)
    assert [row["request_id"] for row in rows] == ["req-0", "req-1", "req-2", "req-4", "req-5"]
    letters = await pool.fetch("SELECT seq, error FROM audit_dead_letters")
    assert [(r["seq"], r["error"]) for r in letters] == [(4, "CheckViolationError")]
    registry = writer.registry  # type: ignore[attr-defined]
    assert registry.get_sample_value("aegis_audit_rows_total", {"to": "dead_letter"}) == 1
    # Later rows flow as before.
    writer.submit(_record(6))
    await writer.flush()
    report = await _verify(pool)
    assert report.ok, report.problems
    assert (report.rows, report.dead_letters) == (6, 1)


def _proxied(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) > 1 else host))


async def test_rows_written_while_postgres_is_unreachable_are_spooled_and_replayed_in_order(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    """With the connection cut, rows go to the spool file; once PostgreSQL is back they are
    replayed: every row stored once, in chain order, and the chain verifies."""
    target = urlsplit(database_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.open()
    proxied = Database(_proxied(database_url, proxy), connect_timeout=1.0)
    await proxied.run()
    try:
        writer = _writer(proxied, tmp_path)
        for number in range(50):
            writer.submit(_record(number))
        await writer.step()
        proxy.close()
        for number in range(50, 300):
            writer.submit(_record(number))
            if number % 50 == 0:
                await writer.step()
        await writer.step()
        assert writer.spool.rows == 250
        spooled = writer.spool.path.read_bytes()
        assert spooled.count(b"\n") == 250
        proxy.open()
        await writer.flush(limit_s=20)
        assert not writer.spool.pending
        assert not writer.spool.path.exists()
    finally:
        await proxied.close()
        proxy.shutdown()
    pool = await database.wait_pool()
    rows = await _rows(pool)
    assert [row["seq"] for row in rows] == list(range(1, 301))
    assert len({row["request_id"] for row in rows}) == 300
    assert (await _verify(pool)).ok


async def test_a_full_queue_moves_to_the_spool_and_no_row_is_dropped(
    database: Database, tmp_path: Path
) -> None:
    """Past AUDIT_QUEUE_MAX queued rows the queue goes to the spool at once (counted); all
    rows reach PostgreSQL afterwards."""
    writer = _writer(database, tmp_path, queue_max=100)
    for number in range(350):
        writer.submit(_record(number))
    assert writer.queued < 100
    assert writer.spool.rows == 300
    registry = writer.registry  # type: ignore[attr-defined]
    assert registry.get_sample_value("aegis_audit_queue_full_total") == 3
    await writer.flush()
    pool = await database.wait_pool()
    assert [row["seq"] for row in await _rows(pool)] == list(range(1, 351))
    assert (await _verify(pool)).ok


async def test_a_spool_left_by_a_stopped_core_is_replayed_by_the_next(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    """A core that stops while PostgreSQL is away leaves its rows spooled; the next core on
    the same spool stores them under their own chain, and a replay repeated stores none twice."""
    down = Database("postgresql://postgres@127.0.0.1:1/none", connect_timeout=0.2)
    first = _writer(down, tmp_path)
    for number in range(40):
        first.submit(_record(number))
    await first.close()
    assert first.spool.rows == 40
    leftover = first.spool.path.read_bytes()
    second = _writer(database, tmp_path)
    second.submit(_record(100))
    await second.flush()
    pool = await database.wait_pool()
    assert await pool.fetchval("SELECT count(*) FROM audit_logs") == 41
    # The same lines again (a crash before the file was deleted): skipped.
    second.spool.path.write_bytes(leftover)
    second.spool.rows = 40
    await second.flush()
    assert await pool.fetchval("SELECT count(*) FROM audit_logs") == 41
    report = await _verify(pool)
    assert report.ok, report.problems
    assert report.writers == 2


async def test_prune_drops_old_months_after_export_and_the_chain_still_verifies(
    database: Database, tmp_path: Path
) -> None:
    """Months past the retention are exported as JSONL and dropped; the chain continues from
    the last dropped link; recent months stay."""
    now = dt.datetime.now(dt.UTC)
    old = int((now - dt.timedelta(days=500)).timestamp() * 1_000_000)
    writer = _writer(database, tmp_path)
    for number in range(30):
        writer.submit(_record(number, timestamp_us=old + number))
    for number in range(30, 40):
        writer.submit(_record(number))
    await writer.flush()
    pool = await database.wait_pool()
    export = tmp_path / "export.jsonl"
    async with pool.acquire() as connection:
        pruned = await store.prune(connection, retention_days=365, now=now, export=export)
    assert [count for _, count in pruned] == [30]
    lines = [orjson.loads(line) for line in export.read_bytes().splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, 31))
    assert len(lines[0]["row_hash"]) == 64
    assert await pool.fetchval("SELECT count(*) FROM audit_logs") == 10
    report = await _verify(pool)
    assert report.ok, report.problems
    # A row deleted from what is left is still found.
    await pool.execute("DELETE FROM audit_logs WHERE seq = 31")
    assert not (await _verify(pool)).ok


async def test_prune_with_expected_counts_keeps_a_month_that_changed_since_its_export(
    database: Database, tmp_path: Path
) -> None:
    """A caller that exported a month itself names it with its row count: a row that arrived
    since (a spool replayed late) keeps the month, reported with its count now; with the
    right count it is dropped; a month past retention it did not name is kept."""
    now = dt.datetime.now(dt.UTC)
    writer = _writer(database, tmp_path)
    months = (now - dt.timedelta(days=500), now - dt.timedelta(days=470))
    for month, first in zip(months, (0, 100), strict=True):
        stamp = int(month.timestamp() * 1_000_000)
        for number in range(first, first + 5):
            writer.submit(_record(number, timestamp_us=stamp + number))
    await writer.flush()
    pool = await database.wait_pool()
    async with pool.acquire() as connection:
        planned = await store.prune(connection, retention_days=365, now=now, dry_run=True)
        older, newer = (partition.name for partition, _ in planned)
        assert [count for _, count in planned] == [5, 5]
        stale = await store.prune(connection, retention_days=365, now=now, expect={older: 4})
        assert [(p.name, count) for p, count in stale] == [(older, -1 - 5)]
        assert await pool.fetchval("SELECT count(*) FROM audit_logs") == 10
        right = await store.prune(connection, retention_days=365, now=now, expect={older: 5})
        assert [(p.name, count) for p, count in right] == [(older, 5)]
    assert await pool.fetchval("SELECT count(*) FROM audit_logs") == 5
    assert newer in {p.name for p in await store.partitions(pool)}
    report = await _verify(pool)
    assert report.ok, report.problems


async def test_verify_since_reads_only_recent_rows(database: Database, tmp_path: Path) -> None:
    """With a since time, rows before it are not read and the chain is checked from there."""
    now = dt.datetime.now(dt.UTC)
    old = int((now - dt.timedelta(days=3)).timestamp() * 1_000_000)
    writer = _writer(database, tmp_path)
    for number in range(10):
        writer.submit(_record(number, timestamp_us=old + number))
    for number in range(10, 15):
        writer.submit(_record(number))
    await writer.flush()
    pool = await database.wait_pool()
    await pool.execute("UPDATE audit_logs SET decision = 'allow' WHERE seq = 2")
    assert not (await _verify(pool)).ok
    report = await _verify(pool, now - dt.timedelta(days=1))
    assert report.ok, report.problems
    assert report.rows == 5
