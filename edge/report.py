"""The edge's breakers, reported to Redis for core's console (:mod:`shared.edgereport`).

One field per edge in ``{prefix}edges``, written every :data:`REPORT_INTERVAL_S` and at once
when a breaker changes; removed when the edge stops. Redis failing costs the report only:
the edge serves on, and says so in one log line when reporting stops and one when it
resumes.
"""

from __future__ import annotations

import asyncio
import contextlib

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from edge.health import CorePool
from shared.edgereport import REPORT_INTERVAL_S, encode, reports_key

__all__ = ["BreakerReporter"]

_log = structlog.get_logger("aegis.edge.report")


class BreakerReporter:
    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str,
        instance: str,
        cores: CorePool,
        *,
        fail_open: bool,
        timeout_s: float,
        interval_s: float = REPORT_INTERVAL_S,
    ) -> None:
        self._redis = redis
        self._key = reports_key(prefix)
        self._instance = instance
        self._cores = cores
        self._fail_open = fail_open
        self._timeout_s = timeout_s
        self._interval_s = interval_s
        self._failing = False

    async def run(self) -> None:
        """Report now, then every interval or when a breaker changes, until cancelled."""
        while True:
            self._cores.changed.clear()
            await self.publish()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._cores.changed.wait(), self._interval_s)

    async def publish(self) -> bool:
        """Write this edge's report; whether Redis took it."""
        value = encode(self._cores.snapshot(), self._fail_open)
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._redis.hset(self._key, self._instance, value)
        except (RedisError, OSError, TimeoutError) as exc:
            if not self._failing:
                _log.warning("breaker_report_failed", error=type(exc).__name__)
            self._failing = True
            return False
        if self._failing:
            _log.info("breaker_report_resumed")
        self._failing = False
        return True

    async def withdraw(self) -> None:
        """Remove this edge's report (it is stopping); best effort."""
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            async with asyncio.timeout(self._timeout_s):
                await self._redis.hdel(self._key, self._instance)
