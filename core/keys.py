"""Core's view of the API keys: resolve a key to its identity, and publish the set to Redis.

:class:`KeyRegistry` loads the active keys from PostgreSQL into memory (no query per
request), reloads them on ``NOTIFY aegis_keys`` (sent by every key change) and every
``interval`` seconds as a safety net, and publishes their hashes to Redis for the edges
(``shared.keyset``). Publishing compares digests first, so a Redis that restarted empty is
refilled within one interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import asyncpg
import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from core.db.pool import Database
from core.keystore import KEYS_CHANNEL, KeyStore
from shared.errors import PermissionDeniedError
from shared.keyset import (
    KeyIdentity,
    encode_identity,
    keyset_digest,
    keyset_names,
    resolve_key,
)
from shared.tasks import raise_if_cancelling

__all__ = ["KeyRegistry"]

_log = structlog.get_logger("aegis.core.keys")


class KeyRegistry:
    """Active keys in memory, kept in step with PostgreSQL and mirrored to Redis."""

    def __init__(
        self, database: Database, redis: aioredis.Redis, prefix: str, interval: float
    ) -> None:
        self._database = database
        self._redis = redis
        self._hash_name, self._version_name = keyset_names(prefix)
        self._interval = interval
        self._keys: Mapping[str, KeyIdentity] | None = None
        self._permissions: Mapping[str, frozenset[str]] = {}
        self._loaded = asyncio.Event()
        self._published = False

    @property
    def loaded(self) -> bool:
        return self._keys is not None

    async def wait_loaded(self) -> None:
        await self._loaded.wait()

    @property
    def published(self) -> bool:
        """Whether the current set is known to be in Redis."""
        return self._published

    def authenticate(self, authorization: str | None) -> KeyIdentity:
        """The identity of the bearer key, or 401; 503 before the first load."""
        return resolve_key(self._keys, authorization)

    def authorize(self, identity: KeyIdentity, permission: str) -> None:
        """Raise 403 unless the key's role grants ``permission``."""
        if permission not in self._permissions.get(identity.role, frozenset()):
            raise PermissionDeniedError(
                f"Role '{identity.role}' does not have the '{permission}' permission."
            )

    async def reload(self, pool: asyncpg.Pool) -> None:
        keys, permissions = await KeyStore(pool).active()
        if keys != self._keys:
            _log.info("keys_loaded", keys=len(keys))
        self._keys = keys
        self._permissions = permissions
        self._loaded.set()

    async def publish(self) -> None:
        """Write the set to Redis if what is there differs."""
        keys = self._keys
        if keys is None:
            return
        digest = keyset_digest(keys)
        current = await self._redis.get(self._version_name)
        if current in (digest, digest.encode()):
            self._published = True
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._hash_name)
            if keys:
                pipe.hset(
                    self._hash_name,
                    mapping={key_hash: encode_identity(i) for key_hash, i in keys.items()},
                )
            pipe.set(self._version_name, digest)
            await pipe.execute()
        self._published = True
        _log.info("keyset_published", keys=len(keys), version=digest)

    async def run(self) -> None:
        """Keep the set current until cancelled, reconnecting after any failure."""
        await self._database.follow(
            KEYS_CHANNEL, self._refresh, interval=self._interval, failure_event="keys_reload_failed"
        )

    async def _refresh(self, pool: asyncpg.Pool) -> None:
        await self.reload(pool)
        try:
            await self.publish()
        except (RedisError, OSError) as exc:
            raise_if_cancelling()
            if self._published:
                _log.warning("keyset_publish_failed", error=type(exc).__name__)
            self._published = False
