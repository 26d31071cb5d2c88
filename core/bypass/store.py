"""``bypass_events`` in PostgreSQL: idempotent inserts, listing, and reviews.

Works on anything that runs queries (a pool or a connection), so the consumer, the admin
API and tests share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.bypass import BypassEvent

__all__ = ["BypassRecord", "BypassStore", "ReviewConflict"]

_COLUMNS = """
    id, request_id, occurred_at, stored_at, edge_instance, key_id, user_name, workspace,
    client_ip, route, model, stream, reason, prompt_sha256, edge_findings, response_status,
    prompt_tokens, completion_tokens, reviewed_by, reviewed_at, review_note
"""

# One statement for a whole batch: columns as arrays, unnested. A list of findings cannot be
# an element of a column array (PostgreSQL arrays are rectangular), so it travels joined by
# the unit separator and is split again here.
_INSERT = """
INSERT INTO bypass_events (
    request_id, occurred_at, edge_instance, key_id, user_name, workspace, client_ip, route,
    model, stream, reason, prompt_sha256, edge_findings, response_status, prompt_tokens,
    completion_tokens
)
SELECT
    request_id, occurred_at, edge_instance, key_id, user_name, workspace, client_ip, route,
    model, stream, reason, prompt_sha256,
    CASE WHEN findings = '' THEN '{}'::text[] ELSE string_to_array(findings, chr(31)) END,
    response_status, prompt_tokens, completion_tokens
FROM unnest(
    $1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::boolean[], $11::text[], $12::text[], $13::text[],
    $14::integer[], $15::integer[], $16::integer[]
) AS t (
    request_id, occurred_at, edge_instance, key_id, user_name, workspace, client_ip, route,
    model, stream, reason, prompt_sha256, findings, response_status, prompt_tokens,
    completion_tokens
)
ON CONFLICT (request_id) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class BypassRecord:
    """A stored bypass event, with its review."""

    id: int
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


class ReviewConflict(Exception):
    """The event was reviewed already; reviews are not overwritten."""

    def __init__(self, record: BypassRecord) -> None:
        super().__init__(f"bypass event {record.id} was reviewed already")
        self.record = record


def _record(row: asyncpg.Record) -> BypassRecord:
    return BypassRecord(
        id=row["id"],
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
        """Store events, skipping request ids already stored; return how many were new."""
        if not events:
            return 0
        columns: list[list[Any]] = [[] for _ in range(16)]
        for e in events:
            values = (
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
        result = await self._db.execute(_INSERT, *columns)
        return int(result.rsplit(" ", 1)[-1])

    async def list(
        self,
        *,
        since: dt.datetime | None = None,
        unreviewed: bool = False,
        limit: int = 100,
    ) -> list[BypassRecord]:
        """Newest first."""
        rows = await self._db.fetch(
            f"SELECT {_COLUMNS} FROM bypass_events"  # noqa: S608 - fixed column list
            " WHERE ($1::timestamptz IS NULL OR occurred_at >= $1)"
            " AND (NOT $2 OR reviewed_at IS NULL)"
            " ORDER BY occurred_at DESC, id DESC LIMIT $3",
            since,
            unreviewed,
            limit,
        )
        return [_record(row) for row in rows]

    async def count(self) -> int:
        return int(await self._db.fetchval("SELECT count(*) FROM bypass_events"))

    async def get(self, ref: str) -> BypassRecord | None:
        """By numeric id or by request id."""
        if ref.isdigit() and len(ref) < 19:
            row = await self._db.fetchrow(
                f"SELECT {_COLUMNS} FROM bypass_events WHERE id = $1",  # noqa: S608
                int(ref),
            )
            if row is not None:
                return _record(row)
        row = await self._db.fetchrow(
            f"SELECT {_COLUMNS} FROM bypass_events WHERE request_id = $1",  # noqa: S608
            ref,
        )
        return _record(row) if row is not None else None

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
