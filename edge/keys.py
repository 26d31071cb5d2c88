"""The edge's copy of the key set core publishes to Redis (see ``shared.keyset``).

The edge must reject unknown keys without PostgreSQL (the DMZ has no route to it) and without
a Redis round trip per request. :class:`KeyCache` holds the set in memory and polls its
version every ``interval`` seconds (one GET), reloading the hash only when it changed. A
revoked key is refused within about one interval. While Redis is unreachable the last set
stays in force; before any set was loaded, requests get 503 rather than a guess.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from shared.keyset import KeyIdentity, decode_identity, keyset_names, resolve_key
from shared.tasks import raise_if_cancelling

__all__ = ["KeyCache"]

_log = structlog.get_logger("aegis.edge.keys")


class KeyCache:
    """In-memory key set, refreshed from Redis in the background."""

    def __init__(self, redis: aioredis.Redis, prefix: str, interval: float) -> None:
        self._redis = redis
        self._hash_name, self._version_name = keyset_names(prefix)
        self._interval = interval
        self._keys: Mapping[str, KeyIdentity] | None = None
        self._version: bytes | None = None
        self._healthy: bool | None = None

    @property
    def loaded(self) -> bool:
        return self._keys is not None

    @property
    def healthy(self) -> bool:
        """Whether the last refresh reached Redis."""
        return self._healthy is True

    def authenticate(self, authorization: str | None) -> KeyIdentity:
        """The identity of the bearer key, or 401; 503 if no key set was ever loaded."""
        return resolve_key(self._keys, authorization)

    async def refresh(self) -> bool:
        """Reload the set if its version changed; return whether it was reloaded."""
        version = await self._redis.get(self._version_name)
        if version is None:
            # Core has not published yet (or Redis was flushed): keep what we have.
            return False
        if version == self._version and self._keys is not None:
            return False
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._version_name)
            pipe.hgetall(self._hash_name)
            version, raw = await pipe.execute()
        keys: dict[str, KeyIdentity] = {}
        for key_hash, value in raw.items():
            try:
                keys[key_hash.decode()] = decode_identity(value)
            except (ValueError, KeyError):
                _log.warning("keyset_entry_invalid")
        self._keys = keys
        self._version = version
        _log.info("keyset_loaded", keys=len(keys))
        return True

    async def run(self) -> None:
        """Refresh forever; log once per change of Redis reachability."""
        while True:
            try:
                await self.refresh()
                if self._healthy is not True:
                    self._healthy = True
                    _log.info("keyset_source_up")
            except (RedisError, OSError) as exc:
                raise_if_cancelling()
                if self._healthy is not False:
                    _log.warning("keyset_source_down", error=type(exc).__name__)
                self._healthy = False
            await asyncio.sleep(self._interval)
