"""Scanning policy overrides: stored in PostgreSQL, held in memory, applied without restart.

:class:`PolicyStore` reads and writes the ``policies`` table; every write sends
``NOTIFY aegis_policies`` in its transaction. :class:`PolicyRegistry` keeps every row in
memory (no query per request), reloads on that notification and every ``interval`` seconds
as a safety net, and resolves the policy of a request: the defaults, then the ``global``
row, then the workspace's, then the key's.

Until the first load succeeds (PostgreSQL down at start) the defaults apply, and
``loaded`` says so: core's readiness reports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg
import structlog

from core.db.pool import Database
from core.scanning.policy import Policy, PolicyDocument
from shared.errors import InvalidRequestError

__all__ = ["POLICIES_CHANNEL", "SCOPES", "PolicyRegistry", "PolicyRow", "PolicyStore"]

_log = structlog.get_logger("aegis.core.policies")

POLICIES_CHANNEL: Final = "aegis_policies"
SCOPES: Final = ("global", "workspace", "key")
GLOBAL_SUBJECT: Final = "*"

Executor = asyncpg.Connection | asyncpg.Pool


@dataclass(frozen=True, slots=True)
class PolicyRow:
    scope: str
    subject: str
    document: PolicyDocument
    updated_at: datetime
    updated_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "subject": self.subject,
            **self.document.as_dict(),
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


def _row(record: asyncpg.Record) -> PolicyRow | None:
    """The row, or ``None`` (logged) if its document no longer passes the check — say, a
    scanner it names was removed — so one stale row cannot stop every policy loading."""
    try:
        document = PolicyDocument.parse(json.loads(record["document"]), check_types=False)
    except (InvalidRequestError, ValueError):
        _log.error("policy_invalid", scope=record["scope"], subject=record["subject"])
        return None
    return PolicyRow(
        record["scope"], record["subject"], document, record["updated_at"], record["updated_by"]
    )


class PolicyStore:
    """Policy rows over a connection or a pool."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def list(self) -> list[PolicyRow]:
        records = await self._db.fetch(
            "SELECT scope, subject, document, updated_at, updated_by FROM policies "
            "ORDER BY array_position(ARRAY['global','workspace','key'], scope), subject"
        )
        return [row for record in records if (row := _row(record)) is not None]

    async def get(self, scope: str, subject: str) -> PolicyRow | None:
        record = await self._db.fetchrow(
            "SELECT scope, subject, document, updated_at, updated_by FROM policies "
            "WHERE scope = $1 AND subject = $2",
            scope,
            subject,
        )
        return None if record is None else _row(record)

    async def put(
        self, scope: str, subject: str, document: PolicyDocument, updated_by: str
    ) -> PolicyRow:
        """Create or replace the row of ``scope``/``subject``."""
        body = json.dumps(document.as_dict())
        async with _transaction(self._db) as connection:
            record = await connection.fetchrow(
                """
                INSERT INTO policies (scope, subject, document, updated_by)
                VALUES ($1, $2, $3::jsonb, $4)
                ON CONFLICT (scope, subject) DO UPDATE
                    SET document = EXCLUDED.document, updated_by = EXCLUDED.updated_by,
                        updated_at = now()
                RETURNING updated_at
                """,
                scope,
                subject,
                body,
                updated_by,
            )
            await connection.execute(f"NOTIFY {POLICIES_CHANNEL}")
        return PolicyRow(scope, subject, document, record["updated_at"], updated_by)

    async def delete(self, scope: str, subject: str) -> bool:
        async with _transaction(self._db) as connection:
            status = await connection.execute(
                "DELETE FROM policies WHERE scope = $1 AND subject = $2", scope, subject
            )
            await connection.execute(f"NOTIFY {POLICIES_CHANNEL}")
        return bool(status.endswith(" 1"))


@contextlib.asynccontextmanager
async def _transaction(db: Executor) -> Any:
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as connection, connection.transaction():
            yield connection
    else:
        async with db.transaction():
            yield db


class PolicyRegistry:
    """Every stored override in memory; resolves a request's effective policy."""

    def __init__(self, database: Database, defaults: Policy, interval: float) -> None:
        self._database = database
        self.defaults: Final = defaults
        self._interval = interval
        self._rows: Mapping[tuple[str, str], PolicyDocument] = {}
        self._resolved: dict[tuple[str | None, str | None], Policy] = {}
        self._loaded = asyncio.Event()
        self.version = 0

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    async def wait_loaded(self) -> None:
        await self._loaded.wait()

    def resolve(self, key_id: str | None, workspace: str | None) -> Policy:
        """The defaults, then the global, workspace and key overrides that exist."""
        cached = self._resolved.get((key_id, workspace))
        if cached is not None:
            return cached
        policy = self.defaults
        for scope, subject in (
            ("global", GLOBAL_SUBJECT),
            ("workspace", workspace),
            ("key", key_id),
        ):
            if subject is not None and (document := self._rows.get((scope, subject))):
                policy = policy.apply(document)
        if len(self._resolved) > 10_000:
            self._resolved.clear()
        self._resolved[(key_id, workspace)] = policy
        return policy

    def install(self, rows: list[PolicyRow]) -> None:
        """Replace what is held by ``rows`` (a full load)."""
        new = {(row.scope, row.subject): row.document for row in rows}
        if new != self._rows or not self.loaded:
            _log.info("policies_loaded", policies=len(new))
            self.version += 1
        self._rows = new
        self._resolved = {}
        self._loaded.set()

    async def run(self) -> None:
        """Keep the overrides current until cancelled, reconnecting after any failure."""
        await self._database.follow(
            POLICIES_CHANNEL,
            self._reload,
            interval=self._interval,
            failure_event="policies_reload_failed",
        )

    async def _reload(self, pool: asyncpg.Pool) -> None:
        self.install(await PolicyStore(pool).list())
