"""The connection pool, opened in the background so core starts even while PostgreSQL is down.

:class:`Database` keeps trying to connect (with capped backoff) and applies the schema once
connected; readiness reports it, and code that needs the pool awaits :meth:`wait_pool`.
asyncpg's pool replaces broken connections on its own after PostgreSQL comes back.
"""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from core.db.migrate import apply_migrations
from shared.tasks import raise_if_cancelling

__all__ = ["DB_ERRORS", "Database"]

_log = structlog.get_logger("aegis.core.db")
DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)
_MAX_BACKOFF_S = 5.0


class Database:
    """A lazily connected asyncpg pool with schema migration on first connect."""

    def __init__(self, url: str, *, max_size: int = 10, connect_timeout: float = 5.0) -> None:
        self._url = url
        self._max_size = max_size
        self._connect_timeout = connect_timeout
        self._pool: asyncpg.Pool | None = None
        self._connected = asyncio.Event()

    @property
    def pool(self) -> asyncpg.Pool | None:
        return self._pool

    async def wait_pool(self) -> asyncpg.Pool:
        await self._connected.wait()
        if self._pool is None:
            raise RuntimeError("database closed")
        return self._pool

    async def run(self) -> None:
        """Connect and migrate, retrying until it works; then return."""
        backoff = 0.2
        while self._pool is None:
            try:
                pool = await asyncpg.create_pool(
                    self._url,
                    min_size=1,
                    max_size=self._max_size,
                    timeout=self._connect_timeout,
                    command_timeout=30,
                )
                async with pool.acquire() as connection:
                    applied = await apply_migrations(connection)
                if applied:
                    _log.info("schema_migrated", versions=applied)
                self._pool = pool
                self._connected.set()
                _log.info("database_connected")
            except DB_ERRORS as exc:
                raise_if_cancelling()
                _log.warning("database_unreachable", error=type(exc).__name__, retry_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)

    async def ping(self, limit_s: float = 1.0) -> bool:
        if self._pool is None:
            return False
        try:
            async with asyncio.timeout(limit_s):
                return bool(await self._pool.fetchval("SELECT 1") == 1)
        except DB_ERRORS:
            return False

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
