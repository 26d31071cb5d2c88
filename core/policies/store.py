"""The ``policies`` table: :class:`PolicyStore` reads and writes the stored overrides.

Every write sends ``NOTIFY aegis_policies`` in its transaction, so every core's
:class:`core.policies.registry.PolicyRegistry` reloads at once. A row whose document no
longer parses (say, a scanner it names was removed) is left out of :meth:`PolicyStore.list`
and named in :meth:`PolicyStore.load`'s ``invalid``.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg

from core.scanning.policy import PolicyDocument
from shared.errors import InvalidRequestError

__all__ = [
    "GLOBAL_SUBJECT",
    "POLICIES_CHANNEL",
    "SCOPES",
    "PolicyLoad",
    "PolicyRow",
    "PolicyStore",
    "policy_name",
]

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
