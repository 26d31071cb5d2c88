"""The ``tool_overrides`` table: :class:`ToolStore` reads and writes per-workspace changes to
the tool catalogue.

Every write sends ``NOTIFY aegis_tools`` in its transaction, so every core's
:class:`core.tools.registry.ToolRegistry` reloads at once. A row whose settings no longer
parse (a field removed in a later release) is left out and named in :class:`ToolLoad`'s
``invalid``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg

from core.tools.catalogue import CatalogueError, ToolOverride
from shared.permissions import ALL_WORKSPACES  # "*": an override for every workspace

__all__ = ["ALL_WORKSPACES", "TOOLS_CHANNEL", "ToolLoad", "ToolRow", "ToolStore"]

TOOLS_CHANNEL: Final = "aegis_tools"

Executor = asyncpg.Connection | asyncpg.Pool


@dataclass(frozen=True, slots=True)
class ToolRow:
    workspace: str
    name: str
    override: ToolOverride
    updated_at: datetime
    updated_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "name": self.name,
            "settings": self.override.as_dict(),
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


@dataclass(frozen=True, slots=True)
class ToolLoad:
    rows: list[ToolRow]
    invalid: list[str]


def _row(record: asyncpg.Record) -> ToolRow | None:
    try:
        override = ToolOverride.parse(json.loads(record["settings"]))
    except (CatalogueError, ValueError, TypeError):
        return None
    return ToolRow(
        record["workspace"], record["name"], override, record["updated_at"], record["updated_by"]
    )


class ToolStore:
    """Tool override rows over a connection or a pool."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def load(self, workspace: str | None = None) -> ToolLoad:
        """Every row (of ``workspace`` and ``*`` only, when given), those that no longer
        parse named apart as ``workspace/name``."""
        if workspace is None:
            records = await self._db.fetch(
                "SELECT workspace, name, settings, updated_at, updated_by FROM tool_overrides "
                "ORDER BY workspace, name"
            )
        else:
            records = await self._db.fetch(
                "SELECT workspace, name, settings, updated_at, updated_by FROM tool_overrides "
                "WHERE workspace = ANY($1::text[]) ORDER BY workspace, name",
                [workspace, ALL_WORKSPACES],
            )
        rows: list[ToolRow] = []
        invalid: list[str] = []
        for record in records:
            row = _row(record)
            if row is None:
                invalid.append(f"{record['workspace']}/{record['name']}")
            else:
                rows.append(row)
        return ToolLoad(rows, invalid)

    async def put(
        self, workspace: str, name: str, override: ToolOverride, updated_by: str
    ) -> ToolRow:
        """Create or replace the override of ``name`` in ``workspace``."""
        async with _transaction(self._db) as connection:
            record = await connection.fetchrow(
                """
                INSERT INTO tool_overrides (workspace, name, settings, updated_by)
                VALUES ($1, $2, $3::jsonb, $4)
                ON CONFLICT (workspace, name) DO UPDATE
                    SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by,
                        updated_at = now()
                RETURNING updated_at
                """,
                workspace,
                name,
                json.dumps(override.as_dict()),
                updated_by,
            )
            await connection.execute(f"NOTIFY {TOOLS_CHANNEL}")
        assert record is not None  # noqa: S101 - RETURNING always gives the row
        return ToolRow(workspace, name, override, record["updated_at"], updated_by)

    async def delete(self, workspace: str, name: str) -> bool:
        async with _transaction(self._db) as connection:
            status = await connection.execute(
                "DELETE FROM tool_overrides WHERE workspace = $1 AND name = $2", workspace, name
            )
            await connection.execute(f"NOTIFY {TOOLS_CHANNEL}")
        return bool(status.endswith(" 1"))


@contextlib.asynccontextmanager
async def _transaction(db: Executor) -> AsyncIterator[Any]:
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as connection, connection.transaction():
            yield connection
    else:
        async with db.transaction():
            yield db
