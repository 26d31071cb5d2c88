"""The connection pool, opened in the background so core starts even while PostgreSQL is down.

:class:`Database` keeps trying to connect (with capped backoff) and applies the schema once
connected; readiness reports it, and code that needs the pool awaits :meth:`wait_pool`.
asyncpg's pool replaces broken connections on its own after PostgreSQL comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from tenacity import AsyncRetrying, RetryCallState, wait_exponential

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
        """Connect and migrate, retrying with capped exponential backoff; then return."""

        def retryable(state: RetryCallState) -> bool:
            # A cancelled task must stop, whatever the driver turned the cancellation into.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                return False
            failure = state.outcome.exception() if state.outcome else None
            return isinstance(failure, DB_ERRORS)

        def log_retry(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            _log.warning("database_unreachable", error=type(failure).__name__, retry_s=wait)

        async for attempt in AsyncRetrying(
            retry=retryable,
            wait=wait_exponential(multiplier=0.2, max=_MAX_BACKOFF_S),
            before_sleep=log_retry,
            reraise=True,
        ):
            with attempt:
                await self._connect()

    async def _connect(self) -> None:
        pool = await asyncpg.create_pool(
            self._url,
            min_size=1,
            max_size=self._max_size,
            timeout=self._connect_timeout,
            command_timeout=30,
        )
        try:
            async with pool.acquire() as connection:
                applied = await apply_migrations(connection)
        except BaseException:
            await pool.close()
            raise
        if applied:
            _log.info("schema_migrated", versions=applied)
        self._pool = pool
        self._connected.set()
        _log.info("database_connected")

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

    async def follow(
        self,
        channel: str,
        refresh: Callable[[asyncpg.Pool], Awaitable[None]],
        *,
        interval: float,
        failure_event: str,
    ) -> None:
        """Call ``refresh`` now, on every ``NOTIFY channel`` and every ``interval`` seconds,
        until cancelled; after a database failure, log ``failure_event`` and start over.

        The in-memory copies of tables (keys, policies) stay current this way: a change is
        seen at once, and the interval is the safety net for a missed notification.
        """
        while True:
            pool = await self.wait_pool()
            try:
                await self._listen(pool, channel, refresh, interval)
            except DB_ERRORS as exc:
                raise_if_cancelling()
                _log.warning(failure_event, error=type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _listen(
        self,
        pool: asyncpg.Pool,
        channel: str,
        refresh: Callable[[asyncpg.Pool], Awaitable[None]],
        interval: float,
    ) -> None:
        changed = asyncio.Event()

        def notified(*_: object) -> None:
            changed.set()

        async with pool.acquire() as listener:
            await listener.add_listener(channel, notified)
            try:
                while not listener.is_closed():
                    changed.clear()
                    await refresh(pool)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(interval):
                            await changed.wait()
            finally:
                if not listener.is_closed():
                    await listener.remove_listener(channel, notified)
