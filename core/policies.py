"""Scanning policy overrides: stored in PostgreSQL, held in memory, applied without restart.

:class:`PolicyStore` reads and writes the ``policies`` table; every write sends
``NOTIFY aegis_policies`` in its transaction. :class:`PolicyRegistry` keeps every row in
memory (no query per request), reloads on that notification and every ``interval`` seconds
as a safety net, and resolves the policy of a request: the defaults, then the ``global``
row, then the workspace's, then the key's.

Until the first load succeeds (PostgreSQL down at start) the defaults apply, and
``loaded`` says so: core's readiness reports it. A stored document that no longer parses
(say, a scanner it names was removed) is skipped, so one stale row cannot stop every policy
loading, but never silently: it is logged (``policy_skipped``, once per change), counted in
``aegis_core_policies_invalid`` and listed in core's readiness as ``policy:SCOPE/SUBJECT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg
import structlog
from prometheus_client import CollectorRegistry, Gauge

from core.db.pool import Database
from core.scanning.policy import Policy, PolicyDocument
from shared.errors import InvalidRequestError

__all__ = [
    "POLICIES_CHANNEL",
    "SCOPES",
    "PolicyLoad",
    "PolicyRegistry",
    "PolicyRow",
    "PolicyStore",
    "policy_name",
]

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
    """The row, or ``None`` if its document no longer passes the check — say, a scanner it
    names was removed (the registry reports those it skips)."""
    try:
        document = PolicyDocument.parse(json.loads(record["document"]), check_types=False)
    except (InvalidRequestError, ValueError, TypeError):
        return None
    return PolicyRow(
        record["scope"], record["subject"], document, record["updated_at"], record["updated_by"]
    )


def policy_name(scope: str, subject: str) -> str:
    """How a stored policy is named in logs and readiness: ``workspace/payments``."""
    return f"{scope}/{subject}"


@dataclass(frozen=True, slots=True)
class PolicyLoad:
    """Every stored row that parses, and the names of those that do not."""

    rows: list[PolicyRow]
    invalid: list[str]


class PolicyStore:
    """Policy rows over a connection or a pool."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def list(self) -> list[PolicyRow]:
        """Every row whose document parses."""
        return (await self.load()).rows

    async def load(self) -> PolicyLoad:
        """Every row, those whose document no longer parses named apart."""
        records = await self._db.fetch(
            "SELECT scope, subject, document, updated_at, updated_by FROM policies "
            "ORDER BY array_position(ARRAY['global','workspace','key'], scope), subject"
        )
        rows: list[PolicyRow] = []
        invalid: list[str] = []
        for record in records:
            row = _row(record)
            if row is None:
                invalid.append(policy_name(record["scope"], record["subject"]))
            else:
                rows.append(row)
        return PolicyLoad(rows, invalid)

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

    def __init__(
        self,
        database: Database,
        defaults: Policy,
        interval: float,
        *,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._database = database
        self.defaults: Final = defaults
        self._interval = interval
        self._rows: Mapping[tuple[str, str], PolicyDocument] = {}
        self._resolved: dict[tuple[str | None, str | None], Policy] = {}
        self._loaded = asyncio.Event()
        self._invalid: tuple[str, ...] = ()
        self._invalid_gauge = (
            None
            if registry is None
            else Gauge(
                "aegis_core_policies_invalid",
                "Stored policies skipped because their document no longer parses.",
                registry=registry,
            )
        )
        self.version = 0

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    @property
    def invalid(self) -> tuple[str, ...]:
        """The stored policies skipped at the last load (``scope/subject``), sorted."""
        return self._invalid

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

    def install(self, rows: list[PolicyRow], invalid: Iterable[str] = ()) -> None:
        """Replace what is held by ``rows`` (a full load); ``invalid`` names the stored
        policies that were skipped, reported until a load has none."""
        new = {(row.scope, row.subject): row.document for row in rows}
        if new != self._rows or not self.loaded:
            _log.info("policies_loaded", policies=len(new))
            self.version += 1
        skipped = tuple(sorted(invalid))
        if skipped != self._invalid:
            for name in sorted(set(skipped) - set(self._invalid)):
                _log.error("policy_skipped", policy=name, reason="document_invalid")
            if not skipped:
                _log.info("policies_all_valid")
        self._invalid = skipped
        if self._invalid_gauge is not None:
            self._invalid_gauge.set(len(skipped))
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
        load = await PolicyStore(pool).load()
        self.install(load.rows, load.invalid)
