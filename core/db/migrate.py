"""Schema migrations: numbered SQL files applied once each, in order, under a lock.

Files live in ``core/db/migrations/NNNN_name.sql``. Each runs in its own transaction and is
recorded in ``schema_migrations``; a PostgreSQL advisory lock makes concurrent cores starting
together apply each file exactly once.
"""

from __future__ import annotations

from importlib import resources

import asyncpg

__all__ = ["MIGRATIONS_LOCK_ID", "apply_migrations", "migration_files"]

MIGRATIONS_LOCK_ID = 0x4AE6150001


def migration_files() -> list[tuple[str, str]]:
    """``(version, sql)`` for every migration shipped with core, in order."""
    folder = resources.files("core.db") / "migrations"
    files = sorted(
        (entry.name, entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )
    return [(name.removesuffix(".sql"), sql) for name, sql in files]


async def apply_migrations(
    connection: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
) -> list[str]:
    """Apply what is missing; return the versions applied now."""
    applied_now: list[str] = []
    await connection.execute("SELECT pg_advisory_lock($1)", MIGRATIONS_LOCK_ID)
    try:
        await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        done = {
            row["version"]
            for row in await connection.fetch("SELECT version FROM schema_migrations")
        }
        for version, sql in migration_files():
            if version in done:
                continue
            async with connection.transaction():
                await connection.execute(sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)", version
                )
            applied_now.append(version)
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATIONS_LOCK_ID)
    return applied_now
