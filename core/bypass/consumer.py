"""Moving the edges' events from their Redis stream into PostgreSQL, losing none.

The stream carries two kinds of event (:class:`shared.bypass.BypassEvent`): *bypasses*,
requests an edge sent past core, stored in ``bypass_events`` for security staff to review;
and *edge decisions*, requests an edge refused on its own (a prefilter block, a permission
denial), which core never saw and which are not bypasses: they become audit rows only.

Each core reads the stream ``{prefix}bypass`` in the consumer group ``aegis-core`` under a
stable consumer name (``CORE_INSTANCE_ID``, by default host:port). For each batch it:

1. inserts the bypasses into ``bypass_events`` in one statement, idempotent by event id;
2. inserts the edge decisions' event ids into ``edge_decision_events`` in one statement,
   idempotent the same way (the table holds the ids only);
3. records the entries it cannot store in ``bypass_dead_letters`` (see below);
4. only after those commits, acknowledges and deletes the entries (``XACK`` + ``XDEL``), so
   the stream's length is the backlog the edges bound it by.

Only what is transient is retried: if PostgreSQL cannot be reached (or fails for a reason
that is not the rows', such as a missing table), nothing is acknowledged; the entries stay
pending and are read again (a consumer starts with its own pending entries, id ``0``).
Entries left pending by a core that never came back are claimed by another after
``CLAIM_IDLE_MS``. Because inserting is idempotent, a redelivery never doubles a row.

One bad entry never holds up the rest. An entry that is not a bypass event (not JSON, a
field of the wrong type) is dead-lettered as ``malformed``. When PostgreSQL refuses a batch
because of its data (SQLSTATE class 22 data exception, 23 constraint, 54 limit exceeded: a NUL
byte, a number out of range, an id too long for its index), the batch is inserted again row
by row and each row it refuses is dead-lettered as ``refused``. A dead letter keeps no content:
the stream entry's id, the event and request ids when they are plain ids, the error's class,
and the SHA-256 and length of the entry; it is logged (``bypass_event_dead_lettered``),
counted in ``aegis_bypass_dead_letters_total{reason}``, and acknowledged like the rest.

Each event stored for the first time is also an audit row (``audit``: the process's
:meth:`core.audit.writer.AuditWriter.submit`), and only then: the ``RETURNING`` of step 1 or 2
says which ids were new, so a redelivered entry, a spool replayed twice or a batch retried
after a failure makes no second row. A bypass (:func:`bypass_record`) has ``bypassed`` true:
who, when, which route and model, the status the client got, the edge's prefilter findings,
the client IP and user agent, and no hash (the edge keeps only the prompt's plain SHA-256,
which the trail does not take: its hashes are keyed). An edge decision
(:func:`edge_decision_record`) is recorded as core records the same refusal: ``block`` with
the rule ids as findings (stage ``edge``) for a prefilter block, ``error`` with status 403
for a permission denial; ``bypassed`` false.

``edge_decision_events`` would grow with every refusal, so ids of decisions older than the
audit retention (``retention_days``) are deleted about once an hour, and an edge decision that
old arriving late (a spool kept for a year) is acknowledged without a row: the trail would
not keep its row anyway, and with its id forgotten it could not be recorded only once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import asyncpg
import orjson
import redis.asyncio as aioredis
import structlog
from prometheus_client import CollectorRegistry, Counter
from redis.exceptions import ResponseError

from core.audit.record import AuditRecord, action_of
from core.bypass.store import BypassStore, DeadLetter
from core.db.pool import DB_ERRORS, Database
from shared.bypass import (
    BYPASS_GROUP,
    EDGE_BLOCKED,
    BypassEvent,
    BypassEventError,
    bypass_stream_name,
)
from shared.hashing import sha256_hex
from shared.tasks import raise_if_cancelling

__all__ = ["BypassConsumer", "bypass_record", "edge_decision_record", "refused_by_data"]

_log = structlog.get_logger("aegis.core.bypass")

BATCH: Final = 500
BLOCK_MS: Final = 1000
CLAIM_IDLE_MS: Final = 60_000
_RETRY_S: Final = (0.2, 0.5, 1.0, 2.0, 5.0)
# SQLSTATE classes that blame the row: data exception, integrity constraint, limit exceeded.
_ROW_SQLSTATE_CLASSES: Final = frozenset({"22", "23", "54"})
_PLAIN_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
PRUNE_INTERVAL_S: Final = 3600.0

Entry = tuple[bytes, dict[bytes, bytes]]
Item = tuple[BypassEvent, Entry]


def bypass_record(event: BypassEvent) -> AuditRecord:
    """The audit row of a request the edge answered past core (``bypassed`` true). Its
    decision is ``allow`` (nothing was scanned) unless the client got an error status.

    >>> event = BypassEvent("r1", 1767225600.0, "edge-1", "/v1/chat/completions", "core_down",
    ...                     200, key_id="k", user="u", workspace="w", edge_findings=("en.x",))
    >>> record = bypass_record(event)
    >>> (record.action, record.decision, record.bypassed, record.findings[0]["stage"])
    ('chat', 'allow', True, 'edge')
    """
    return _edge_record(
        event,
        "aegis-bypass:",
        decision="allow" if event.status < 400 else "error",
        role=None,
        tokens_used=(event.prompt_tokens + event.completion_tokens) or None,
        bypassed=True,
    )


def edge_decision_record(event: BypassEvent) -> AuditRecord:
    """The audit row of a request the edge refused itself (``bypassed`` false), as core
    records the same refusal: ``block`` for a prefilter block (the rule ids as findings,
    stage ``edge``), ``error`` for anything else (a permission denial, 403).

    >>> event = BypassEvent("r1", 1767225600.0, "edge-1", "/v1/chat/completions",
    ...                     "prefilter_block", 400, role="developer",
    ...                     edge_findings=("en.ignore_previous",), kind="edge_decision")
    >>> record = edge_decision_record(event)
    >>> (record.action, record.decision, record.bypassed, record.findings[0]["type"])
    ('chat', 'block', False, 'en.ignore_previous')
    """
    return _edge_record(
        event,
        "aegis-edge-decision:",
        decision="block" if event.reason == EDGE_BLOCKED else "error",
        role=event.role,
        tokens_used=None,
        bypassed=False,
    )


def _edge_record(
    event: BypassEvent,
    namespace: str,
    *,
    decision: str,
    role: str | None,
    tokens_used: int | None,
    bypassed: bool,
) -> AuditRecord:
    """The audit row of an event the edge published: its log id derived from the event id
    (a redelivered event is the same row), the edge's prefilter findings, no hash (the edge
    keeps no keyed hash of the text)."""
    return AuditRecord(
        log_id=str(uuid.uuid5(uuid.NAMESPACE_URL, namespace + event.event_id)),
        timestamp_us=int(event.occurred_at * 1_000_000),
        request_id=event.request_id,
        user_id=event.user,
        workspace_id=event.workspace,
        key_id=event.key_id,
        role=role,
        action=action_of(event.route),
        model=event.model,
        decision=decision,
        dry_run=False,
        findings=tuple(
            {"stage": "edge", "scanner": "prefilter", "type": kind, "score": None, "count": 1}
            for kind in event.edge_findings
        ),
        instruction_hash=None,
        context_hash=None,
        response_hash=None,
        tokens_estimated=None,
        tokens_used=tokens_used,
        latency_ms=None,
        stage_ms=None,
        status=event.status,
        ip_address=event.client_ip,
        user_agent=event.user_agent,
        bypassed=bypassed,
    )


def refused_by_data(exc: BaseException) -> bool:
    """Whether an insert failed because of the rows it carried (dead-letter them), rather
    than because PostgreSQL is unreachable or not in order (retry later).

    >>> refused_by_data(asyncpg.CharacterNotInRepertoireError("0x00"))
    True
    >>> refused_by_data(ConnectionRefusedError())
    False
    """
    if isinstance(exc, asyncpg.PostgresError):
        return str(exc.sqlstate or "")[:2] in _ROW_SQLSTATE_CLASSES
    # Our own conversion of a value (a text UTF-8 cannot encode, a number out of range).
    return isinstance(exc, ValueError | TypeError | OverflowError)


class BypassConsumer:
    """Consumes the bypass stream until cancelled: bypasses into ``bypass_events``, and with
    ``audit`` every event new to PostgreSQL into the audit trail (see the module doc)."""

    def __init__(
        self,
        redis: aioredis.Redis,
        database: Database,
        *,
        prefix: str,
        consumer: str,
        registry: CollectorRegistry | None = None,
        audit: Callable[[AuditRecord], None] | None = None,
        retention_days: int = 365,
    ) -> None:
        self._redis = redis
        self._audit = audit
        self._retention = dt.timedelta(days=retention_days)
        self._next_prune = 0.0
        self._database = database
        self._stream = bypass_stream_name(prefix)
        self._consumer = consumer
        self._group_ready = False
        self.stored = 0
        self.dead_letters = Counter(
            "aegis_bypass_dead_letters_total",
            "Bypass stream entries core could not store, by reason (malformed, refused).",
            ("reason",),
            registry=registry if registry is not None else CollectorRegistry(),
        )

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                await self.step()
                failures = 0
            except Exception as exc:  # the consumer outlives any one failure, whatever it was
                raise_if_cancelling()
                wait = _RETRY_S[min(failures, len(_RETRY_S) - 1)]
                failures += 1
                _log.warning(
                    "bypass_consume_failed",
                    error=type(exc).__name__,
                    sqlstate=getattr(exc, "sqlstate", None),
                    retry_s=wait,
                )
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
        bypasses: dict[str, Item] = {}
        decisions: dict[str, Item] = {}
        letters: list[DeadLetter] = []
        oldest = time.time() - self._retention.total_seconds()
        stale = 0
        for entry in entries:
            try:
                event = BypassEvent.decode(entry[1].get(b"event", b""))
            except BypassEventError as exc:
                letters.append(self._letter(entry, "malformed", exc.__cause__ or exc))
                continue
            if event.is_bypass:
                bypasses.setdefault(event.event_id, (event, entry))
            elif event.occurred_at < oldest:
                stale += 1  # past retention: its id may be forgotten already (module doc)
            else:
                decisions.setdefault(event.event_id, (event, entry))
        store = BypassStore(pool)
        new, refused = await self._insert(store.insert_new, bypass_record, bypasses)
        letters.extend(refused)
        decided, refused = await self._insert(
            store.insert_edge_decisions, edge_decision_record, decisions
        )
        letters.extend(refused)
        for letter in letters:
            await self._dead_letter(store, letter)
        await self._done([entry_id for entry_id, _ in entries])
        self.stored += new
        if stale:
            _log.warning("edge_decisions_past_retention", count=stale)
        _log.info(
            "bypass_events_stored",
            received=len(entries),
            new=new,
            edge_decisions=decided,
            dead=len(letters),
        )
        await self._prune(store)
        return len(entries)

    async def _insert(
        self,
        insert: Callable[[Sequence[BypassEvent]], Awaitable[set[str]]],
        record: Callable[[BypassEvent], AuditRecord],
        items: dict[str, Item],
    ) -> tuple[int, list[DeadLetter]]:
        """Insert as one batch; if PostgreSQL refuses its data, row by row, returning the
        dead letters of the rows refused. Any other failure is raised (and retried). The
        events new to PostgreSQL go to the audit trail as ``record`` makes them."""
        try:
            new = await insert([event for event, _ in items.values()])
        except (*DB_ERRORS, ValueError, TypeError, OverflowError) as exc:
            if not refused_by_data(exc):
                raise
            _log.warning("bypass_batch_refused", events=len(items), error=type(exc).__name__)
        else:
            self._record(record, [event for event, _ in items.values() if event.event_id in new])
            return len(new), []
        count = 0
        letters: list[DeadLetter] = []
        for event, entry in items.values():
            try:
                added = await insert([event])
            except (*DB_ERRORS, ValueError, TypeError, OverflowError) as exc:
                if not refused_by_data(exc):
                    raise
                letters.append(self._letter(entry, "refused", exc, event))
                continue
            count += len(added)
            if added:
                self._record(record, [event])
        return count, letters

    def _record(
        self, record: Callable[[BypassEvent], AuditRecord], events: Sequence[BypassEvent]
    ) -> None:
        if self._audit is None:
            return
        for event in events:
            self._audit(record(event))

    async def _prune(self, store: BypassStore) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_INTERVAL_S
        before = dt.datetime.now(dt.UTC) - self._retention
        pruned = await store.prune_edge_decisions(before)
        if pruned:
            _log.info("edge_decisions_pruned", count=pruned, before=before.isoformat())

    def _letter(
        self, entry: Entry, reason: str, error: BaseException, event: BypassEvent | None = None
    ) -> DeadLetter:
        entry_id, fields = entry
        raw = fields.get(b"event")
        if raw is None:  # not written by an edge: describe every field it has
            raw = b"\n".join(name + b"=" + value for name, value in sorted(fields.items()))
        ids = _ids_of(raw) if event is None else (event.event_id, event.request_id)
        return DeadLetter(
            stream=self._stream,
            entry_id=entry_id.decode("ascii", "replace"),
            event_id=_plain_id(ids[0]),
            request_id=_plain_id(ids[1]),
            reason=reason,
            error=type(error).__name__,
            entry_sha256=sha256_hex(raw),
            entry_bytes=len(raw),
        )

    async def _dead_letter(self, store: BypassStore, letter: DeadLetter) -> None:
        if not await store.insert_dead(letter):
            return  # dead-lettered already, before a crash kept it from being acknowledged
        self.dead_letters.labels(letter.reason).inc()
        _log.error(
            "bypass_event_dead_lettered",
            entry_id=letter.entry_id,
            event_id=letter.event_id,
            bypass_request_id=letter.request_id,
            reason=letter.reason,
            error=letter.error,
            entry_sha256=letter.entry_sha256,
            entry_bytes=letter.entry_bytes,
        )

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

    async def _done(self, ids: Sequence[bytes]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, BYPASS_GROUP, *ids)
            pipe.xdel(self._stream, *ids)
            await pipe.execute()


def _ids_of(raw: bytes) -> tuple[Any, Any]:
    """The event and request ids of an entry that is not a valid event, if it has them."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    return data.get("event_id"), data.get("request_id")


def _plain_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _PLAIN_ID.fullmatch(value) else None
