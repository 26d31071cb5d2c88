"""The ``approval_requests`` table: :class:`ApprovalStore` creates, decides, expires, lists
and counts held tool calls.

Several cores share the table. :meth:`ApprovalStore.create` counts the pending rows and
inserts under one transaction-scoped advisory lock, so ``APPROVAL_MAX_PENDING`` holds across
cores; :meth:`ApprovalStore.decide` changes a row only while it is pending and not past its
expiry (the first decision wins) and sends ``NOTIFY aegis_approvals, '<request id>'`` in
the same transaction. No argument text is stored: its SHA-256 and a masked preview.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

__all__ = [
    "APPROVALS_CHANNEL",
    "STATUSES",
    "ApprovalRow",
    "ApprovalStore",
    "Decided",
    "arguments_sha256",
]

APPROVALS_CHANNEL: Final = "aegis_approvals"
STATUSES: Final = ("pending", "approved", "rejected", "expired")
# One lock id for "count the pending rows, then insert": every core takes the same one.
_CREATE_LOCK_ID: Final = 0x4AE6150015
_COLUMNS: Final = (
    "request_id, exchange_id, tool, level, user_id, workspace, arguments_sha256, preview, "
    "status, requested_at, expires_at, responded_at, responded_by, reason"
)

Executor = asyncpg.Connection | asyncpg.Pool


def arguments_sha256(arguments: str) -> str:
    """The hex SHA-256 of a call's arguments as the model wrote them (UTF-8)."""
    return hashlib.sha256(arguments.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    request_id: str
    exchange_id: str
    tool: str
    level: str
    user_id: str
    workspace: str
    arguments_sha256: str
    preview: str
    status: str
    requested_at: dt.datetime
    expires_at: dt.datetime
    responded_at: dt.datetime | None
    responded_by: str | None
    reason: str | None

    @classmethod
    def of(cls, record: asyncpg.Record) -> ApprovalRow:
        return cls(**dict(record))

    def as_dict(self) -> dict[str, Any]:
        def when(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.request_id,
            "request_id": self.exchange_id,
            "tool": self.tool,
            "level": self.level,
            "user_id": self.user_id,
            "workspace": self.workspace,
            "arguments_sha256": self.arguments_sha256,
            "preview": self.preview,
            "status": self.status,
            "requested_at": when(self.requested_at),
            "expires_at": when(self.expires_at),
            "responded_at": when(self.responded_at),
            "responded_by": self.responded_by,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Decided:
    """What :meth:`ApprovalStore.decide` did: the row as it is now, and whether this call
    decided it (False: it was decided, expired or missing before)."""

    row: ApprovalRow | None
    changed: bool


class ApprovalStore:
    """Approval rows over a connection or a pool."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def create(
        self,
        request_id: str,
        *,
        exchange_id: str,
        tool: str,
        level: str,
        user_id: str,
        workspace: str,
        arguments: str,
        preview: str,
        timeout_s: float,
        max_pending: int,
    ) -> ApprovalRow | None:
        """A pending row, or ``None`` when ``max_pending`` rows are pending already (rows
        past their expiry are not counted: they are expired first)."""
        async with _transaction(self._db) as connection:
            await connection.execute("SELECT pg_advisory_xact_lock($1)", _CREATE_LOCK_ID)
            await _expire_overdue(connection)
            pending = await connection.fetchval(
                "SELECT count(*) FROM approval_requests WHERE status = 'pending'"
            )
            if pending >= max_pending:
                return None
            record = await connection.fetchrow(
                f"""
                INSERT INTO approval_requests (request_id, exchange_id, tool, level, user_id,
                    workspace, arguments_sha256, preview, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                        now() + make_interval(secs => $9::float8))
                RETURNING {_COLUMNS}
                """,  # noqa: S608 - constant column names
                request_id,
                exchange_id,
                tool,
                level,
                user_id,
                workspace,
                arguments_sha256(arguments),
                preview,
                timeout_s,
            )
        assert record is not None  # noqa: S101 - RETURNING gives the row
        return ApprovalRow.of(record)

    async def decide(
        self,
        request_id: str,
        status: str,
        responded_by: str,
        reason: str | None,
        *,
        workspace: str | None = None,
    ) -> Decided:
        """Approve or reject a pending row (in ``workspace`` only, when given); the first
        decision wins, and an expired row stays expired."""
        if status not in ("approved", "rejected", "expired"):
            raise ValueError(status)
        async with _transaction(self._db) as connection:
            record = await connection.fetchrow(
                f"""
                UPDATE approval_requests
                   SET status = $2, responded_at = now(), responded_by = $3, reason = $4
                 WHERE request_id = $1 AND status = 'pending'
                   AND ($5::text IS NULL OR workspace = $5)
                   AND ($2 = 'expired' OR expires_at > now())
                RETURNING {_COLUMNS}
                """,  # noqa: S608 - constant column names
                request_id,
                status,
                responded_by,
                reason,
                workspace,
            )
            if record is not None:
                await connection.execute("SELECT pg_notify($1, $2)", APPROVALS_CHANNEL, request_id)
                return Decided(ApprovalRow.of(record), True)
        return Decided(await self.get(request_id, workspace=workspace), False)

    async def get(self, request_id: str, *, workspace: str | None = None) -> ApprovalRow | None:
        record = await self._db.fetchrow(
            _select("request_id = $1 AND ($2::text IS NULL OR workspace = $2)"),
            request_id,
            workspace,
        )
        return ApprovalRow.of(record) if record is not None else None

    async def decided(self, request_ids: list[str]) -> list[ApprovalRow]:
        """Those of ``request_ids`` that are no longer pending."""
        records = await self._db.fetch(
            _select("request_id = ANY($1::text[]) AND status <> 'pending'"),
            request_ids,
        )
        return [ApprovalRow.of(record) for record in records]

    async def expire_overdue(self) -> list[str]:
        """Pending rows past their expiry become ``expired`` (reason ``expired``); their ids."""
        async with _transaction(self._db) as connection:
            return await _expire_overdue(connection)

    async def list(
        self, *, status: str | None = None, workspace: str | None = None, limit: int = 100
    ) -> list[ApprovalRow]:
        """Newest first (pending ones: the soonest to expire first)."""
        records = await self._db.fetch(
            _select(
                "($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR workspace = $2) "
                + ("ORDER BY expires_at" if status == "pending" else "ORDER BY requested_at DESC")
                + " LIMIT $3"
            ),
            status,
            workspace,
            limit,
        )
        return [ApprovalRow.of(record) for record in records]

    async def pending_count(self) -> int:
        count = await self._db.fetchval(
            "SELECT count(*) FROM approval_requests WHERE status = 'pending'"
        )
        return int(count)

    async def stats(self, since: dt.datetime, *, workspace: str | None = None) -> dict[str, Any]:
        """Totals by status, per tool (with its approval rate among decided rows), the mean
        time to a person's decision, and timeouts, for rows requested since ``since``."""
        records = await self._db.fetch(
            """
            SELECT tool, status, count(*) AS n,
                   avg(extract(epoch FROM responded_at - requested_at))
                       FILTER (WHERE status IN ('approved', 'rejected')) AS mean_s
              FROM approval_requests
             WHERE requested_at >= $1 AND ($2::text IS NULL OR workspace = $2)
             GROUP BY tool, status
            """,
            since,
            workspace,
        )
        totals = dict.fromkeys(STATUSES, 0)
        tools: dict[str, dict[str, Any]] = {}
        weighted = 0.0
        decided = 0
        for record in records:
            status, count = record["status"], int(record["n"])
            totals[status] += count
            tool = tools.setdefault(
                record["tool"], {"tool": record["tool"], **dict.fromkeys(STATUSES, 0)}
            )
            tool[status] += count
            if record["mean_s"] is not None:
                weighted += float(record["mean_s"]) * count
                decided += count
        for tool in tools.values():
            answered = tool["approved"] + tool["rejected"] + tool["expired"]
            tool["approval_rate"] = round(tool["approved"] / answered, 4) if answered else None
        answered = totals["approved"] + totals["rejected"] + totals["expired"]
        return {
            "since": since.isoformat(),
            "total": sum(totals.values()),
            **totals,
            "timeouts": totals["expired"],
            "approval_rate": round(totals["approved"] / answered, 4) if answered else None,
            "mean_decision_s": round(weighted / decided, 3) if decided else None,
            "tools": sorted(tools.values(), key=lambda tool: tool["tool"]),
        }


def _select(where: str) -> str:
    """A query of whole rows; ``where`` is one of this module's constant conditions."""
    return f"SELECT {_COLUMNS} FROM approval_requests WHERE {where}"  # noqa: S608


async def _expire_overdue(connection: asyncpg.Connection) -> list[str]:
    records = await connection.fetch(
        """
        UPDATE approval_requests
           SET status = 'expired', responded_at = now(), reason = 'expired'
         WHERE status = 'pending' AND expires_at <= now()
        RETURNING request_id
        """
    )
    ids = [record["request_id"] for record in records]
    for request_id in ids:
        await connection.execute("SELECT pg_notify($1, $2)", APPROVALS_CHANNEL, request_id)
    return ids


@contextlib.asynccontextmanager
async def _transaction(db: Executor) -> AsyncIterator[Any]:
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as connection, connection.transaction():
            yield connection
    else:
        async with db.transaction():
            yield db
