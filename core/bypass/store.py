"""``bypass_events`` in PostgreSQL: idempotent inserts, listing, and reviews;
``bypass_dead_letters``, the stream entries that could not be stored; and
``edge_decision_events``, the ids of the edge decisions (refusals the edge made itself, which
are not bypasses) already made audit rows.

Works on anything that runs queries (a pool or a connection), so the consumer, the admin
API and tests share it. Each event is stored once per ``event_id`` (made by the edge); the
request id is not unique (a trusted proxy may send the same one again, or forge it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

from shared.bypass import MAX_TEXT_CHARS, BypassEvent
from shared.errors import ConflictError

__all__ = [
    "AmbiguousReference",
    "BypassPage",
    "BypassRecord",
    "BypassStore",
    "DeadLetter",
    "ReviewConflict",
]

_COLUMNS = """
    id, event_id, request_id, occurred_at, stored_at, edge_instance, key_id, user_name, workspace,
    client_ip, route, model, stream, reason, prompt_sha256, edge_findings, response_status,
    prompt_tokens, completion_tokens, reviewed_by, reviewed_at, review_note
"""

# One statement for a whole batch: columns as arrays, unnested. A list of findings cannot be
# an element of a column array (PostgreSQL arrays are rectangular), so it travels joined by
# the unit separator and is split again here.
_INSERT = """
INSERT INTO bypass_events (
    event_id, request_id, occurred_at, edge_instance, key_id, user_name, workspace,
    client_ip, route, model, stream, reason, prompt_sha256, edge_findings, response_status,
    prompt_tokens, completion_tokens
)
SELECT
    event_id, request_id, occurred_at, edge_instance, key_id, user_name, workspace,
    client_ip, route, model, stream, reason, prompt_sha256,
    CASE WHEN findings = '' THEN '{}'::text[] ELSE string_to_array(findings, chr(31)) END,
    response_status, prompt_tokens, completion_tokens
FROM unnest(
    $1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::boolean[], $12::text[], $13::text[], $14::text[],
    $15::integer[], $16::integer[], $17::integer[]
) AS t (
    event_id, request_id, occurred_at, edge_instance, key_id, user_name, workspace,
    client_ip, route, model, stream, reason, prompt_sha256, findings, response_status,
    prompt_tokens, completion_tokens
)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""
_INSERT_COLUMNS: Final = 17
_NOT_AN_ID: Final = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")

_INSERT_EDGE_DECISIONS = """
INSERT INTO edge_decision_events (event_id, occurred_at)
SELECT event_id, occurred_at FROM unnest($1::text[], $2::timestamptz[]) AS t (event_id, occurred_at)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""

_INSERT_DEAD = """
INSERT INTO bypass_dead_letters (
    stream, entry_id, event_id, request_id, reason, error, entry_sha256, entry_bytes
)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (stream, entry_id) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class BypassRecord:
    """A stored bypass event, with its review."""

    id: int
    event_id: str
    request_id: str
    occurred_at: dt.datetime
    stored_at: dt.datetime
    edge_instance: str
    key_id: str | None
    user: str | None
    workspace: str | None
    client_ip: str | None
    route: str
    model: str | None
    stream: bool
    reason: str
    prompt_sha256: str | None
    edge_findings: tuple[str, ...]
    status: int
    prompt_tokens: int
    completion_tokens: int
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 in UTC."""
        return {
            "id": self.id,
            "event_id": self.event_id,
            "request_id": self.request_id,
            "occurred_at": self.occurred_at.isoformat(),
            "stored_at": self.stored_at.isoformat(),
            "edge_instance": self.edge_instance,
            "key_id": self.key_id,
            "user": self.user,
            "workspace": self.workspace,
            "client_ip": self.client_ip,
            "route": self.route,
            "model": self.model,
            "stream": self.stream,
            "reason": self.reason,
            "prompt_sha256": self.prompt_sha256,
            "edge_findings": list(self.edge_findings),
            "status": self.status,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "review_note": self.review_note,
        }


@dataclass(frozen=True, slots=True)
class BypassPage:
    """One page of the newest-first listing; ``next`` is the ``before_id`` of the next page,
    None on the last."""

    events: list[BypassRecord]
    next: int | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A stream entry core could not store, kept without its content.

    ``reason`` is ``malformed`` (not a bypass event) or ``refused`` (PostgreSQL refused the
    row); ``error`` the exception's class; ``entry_sha256`` and ``entry_bytes`` describe the
    entry's ``event`` field as it was in the stream.
    """

    stream: str
    entry_id: str
    event_id: str | None
    request_id: str | None
    reason: str
    error: str
    entry_sha256: str
    entry_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "entry_id": self.entry_id,
            "event_id": self.event_id,
            "request_id": self.request_id,
            "reason": self.reason,
            "error": self.error,
            "entry_sha256": self.entry_sha256,
            "entry_bytes": self.entry_bytes,
        }


class AmbiguousReference(ConflictError):
    """A request id names several events (a proxy reused it): name one by its number."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"Several bypass events have request id '{ref}'; name one by its number.")


class ReviewConflict(Exception):
    """The event was reviewed already; reviews are not overwritten."""

    def __init__(self, record: BypassRecord) -> None:
        super().__init__(f"bypass event {record.id} was reviewed already")
        self.record = record


def _record(row: asyncpg.Record) -> BypassRecord:
    return BypassRecord(
        id=row["id"],
        event_id=row["event_id"],
        request_id=row["request_id"],
        occurred_at=row["occurred_at"],
        stored_at=row["stored_at"],
        edge_instance=row["edge_instance"],
        key_id=row["key_id"],
        user=row["user_name"],
        workspace=row["workspace"],
        client_ip=row["client_ip"],
        route=row["route"],
        model=row["model"],
        stream=row["stream"],
        reason=row["reason"],
        prompt_sha256=row["prompt_sha256"],
        edge_findings=tuple(row["edge_findings"] or ()),
        status=row["response_status"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        reviewed_by=row["reviewed_by"],
        reviewed_at=row["reviewed_at"],
        review_note=row["review_note"],
    )


class BypassStore:
    """Queries on ``bypass_events``."""

    def __init__(self, db: asyncpg.Pool | asyncpg.Connection) -> None:
        self._db = db

    async def insert(self, events: Sequence[BypassEvent]) -> int:
        """Store events in one statement, skipping event ids already stored; return how many
        were new. A row PostgreSQL refuses fails the whole batch (see the consumer)."""
        return len(await self.insert_new(events))

    async def insert_new(self, events: Sequence[BypassEvent]) -> set[str]:
        """:meth:`insert`, returning the event ids that were new."""
        if not events:
            return set()
        columns: list[list[Any]] = [[] for _ in range(_INSERT_COLUMNS)]
        for e in events:
            values = (
                e.event_id,
                e.request_id,
                dt.datetime.fromtimestamp(e.occurred_at, dt.UTC),
                e.edge_instance,
                e.key_id,
                e.user,
                e.workspace,
                e.client_ip,
                e.route,
                e.model,
                e.stream,
                e.reason,
                e.prompt_sha256,
                "\x1f".join(e.edge_findings),
                e.status,
                e.prompt_tokens,
                e.completion_tokens,
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        rows = await self._db.fetch(_INSERT, *columns)
        return {row["event_id"] for row in rows}

    async def insert_edge_decisions(self, events: Sequence[BypassEvent]) -> set[str]:
        """Remember edge decisions by event id in one statement; return the ids that were new
        (those not yet made audit rows). A row PostgreSQL refuses fails the whole batch."""
        if not events:
            return set()
        rows = await self._db.fetch(
            _INSERT_EDGE_DECISIONS,
            [e.event_id for e in events],
            [dt.datetime.fromtimestamp(e.occurred_at, dt.UTC) for e in events],
        )
        return {row["event_id"] for row in rows}

    async def prune_edge_decisions(self, before: dt.datetime) -> int:
        """Forget edge decisions that occurred before ``before``; return how many."""
        result = await self._db.execute(
            "DELETE FROM edge_decision_events WHERE occurred_at < $1", before
        )
        return int(result.rsplit(" ", 1)[-1])

    async def insert_dead(self, letter: DeadLetter) -> bool:
        """Record a dead letter once per stream entry; whether it was new."""
        result = await self._db.execute(
            _INSERT_DEAD,
            letter.stream,
            letter.entry_id,
            letter.event_id,
            letter.request_id,
            letter.reason,
            letter.error,
            letter.entry_sha256,
            letter.entry_bytes,
        )
        return result.rsplit(" ", 1)[-1] != "0"

    async def dead_letters(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """The newest dead letters, JSON-ready (``dead_at`` in ISO 8601)."""
        rows = await self._db.fetch(
            "SELECT id, stream, entry_id, event_id, request_id, reason, error, entry_sha256,"
            " entry_bytes, dead_at FROM bypass_dead_letters ORDER BY id DESC LIMIT $1",
            limit,
        )
        return [{**dict(row), "dead_at": row["dead_at"].isoformat()} for row in rows]

    async def list(
        self,
        *,
        since: dt.datetime | None = None,
        unreviewed: bool = False,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[BypassRecord]:
        """Newest first (by occurrence, then id); with ``before_id``, those listed after that
        event (keyset paging: a page never repeats or skips a row, however many arrive)."""
        where = ["($1::timestamptz IS NULL OR occurred_at >= $1)"]
        if unreviewed:
            where.append("reviewed_at IS NULL")
        if before_id is not None:
            where.append(
                "(occurred_at, id) < (SELECT occurred_at, id FROM bypass_events WHERE id = $3)"
            )
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS} FROM bypass_events"  # noqa: S608 - fixed fragments only
            f" WHERE {' AND '.join(where)}"
            " ORDER BY occurred_at DESC, id DESC LIMIT $2",
            since,
            limit,
            *(() if before_id is None else (before_id,)),
        )
        return [_record(row) for row in rows]

    async def page(
        self,
        *,
        since: dt.datetime | None = None,
        unreviewed: bool = False,
        before_id: int | None = None,
        limit: int = 100,
    ) -> BypassPage:
        """One page of :meth:`list`, and the cursor of the next when there is one."""
        records = await self.list(
            since=since, unreviewed=unreviewed, before_id=before_id, limit=limit + 1
        )
        if len(records) > limit:
            return BypassPage(records[:limit], records[limit - 1].id)
        return BypassPage(records, None)

    async def count(self) -> int:
        return int(await self._db.fetchval("SELECT count(*) FROM bypass_events"))

    async def backlog(self) -> tuple[int, dt.datetime | None]:
        """How many events wait for a review, and when the oldest of them occurred (on the
        partial index of unreviewed events)."""
        row = await self._db.fetchrow(
            "SELECT count(*) AS waiting, min(occurred_at) AS oldest FROM bypass_events"
            " WHERE reviewed_at IS NULL"
        )
        assert row is not None  # noqa: S101 - an aggregate always returns a row
        return int(row["waiting"]), row["oldest"]

    async def get(self, ref: str) -> BypassRecord | None:
        """By numeric id, event id or request id.

        Raises :class:`AmbiguousReference` when a request id names several events. A ref no
        id could be (a control character, too long) is no event, not a query PostgreSQL refuses.
        """
        if len(ref) > MAX_TEXT_CHARS or _NOT_AN_ID.search(ref):
            return None
        if ref.isascii() and ref.isdigit() and len(ref) < 19:
            row = await self._db.fetchrow(
                f"SELECT {_COLUMNS} FROM bypass_events WHERE id = $1",  # noqa: S608
                int(ref),
            )
            if row is not None:
                return _record(row)
        row = await self._db.fetchrow(
            f"SELECT {_COLUMNS} FROM bypass_events WHERE event_id = $1",  # noqa: S608
            ref,
        )
        if row is not None:
            return _record(row)
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS} FROM bypass_events WHERE request_id = $1 LIMIT 2",  # noqa: S608
            ref,
        )
        if len(rows) > 1:
            raise AmbiguousReference(ref)
        return _record(rows[0]) if rows else None

    async def review(self, ref: str, *, reviewer: str, note: str) -> BypassRecord | None:
        """Mark the event reviewed; None if there is no such event.

        Raises :class:`ReviewConflict` if it was reviewed already: a review is a record of
        who looked and when, and is never overwritten.
        """
        record = await self.get(ref)
        if record is None:
            return None
        row = await self._db.fetchrow(
            f"UPDATE bypass_events SET reviewed_by = $2, reviewed_at = now(), review_note = $3"  # noqa: S608
            f" WHERE id = $1 AND reviewed_at IS NULL RETURNING {_COLUMNS}",
            record.id,
            reviewer,
            note,
        )
        if row is None:
            current = await self.get(str(record.id))
            raise ReviewConflict(current or record)
        return _record(row)
