"""The edge's copy of the key set core publishes to Redis (see ``shared.keyset``).

The edge must reject unknown keys without PostgreSQL (the DMZ has no route to it) and without
a Redis round trip per request. :class:`KeyCache` holds the set in memory and polls two
versions every ``interval`` seconds (one MGET): the key set's, reloading the hash when it
changed, and the revocations', which ``aegis keys revoke`` changes itself, core or no core.
A key in the revoked set is never accepted, so a revoked key is refused within about one
interval even while core is stopped, and after it returns. While Redis is unreachable the
last set stays in force; before any set was loaded, requests get 503 rather than a guess.
Each identity carries its permissions, which the routes check (:meth:`KeyCache.authorize`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from shared.keyset import (
    KeyIdentity,
    authorize,
    decode_identity,
    keyset_names,
    resolve_key,
    revocation_names,
)
from shared.tasks import raise_if_cancelling

__all__ = ["KeyCache"]

_log = structlog.get_logger("aegis.edge.keys")


class KeyCache:
    """In-memory key set, refreshed from Redis in the background."""

    def __init__(self, redis: aioredis.Redis, prefix: str, interval: float) -> None:
        self._redis = redis
        self._hash_name, self._version_name = keyset_names(prefix)
        self._revoked_name, self._revoked_version_name = revocation_names(prefix)
        self._interval = interval
        self._keys: Mapping[str, KeyIdentity] | None = None
        self._version: bytes | None = None
        self._revoked_version: bytes | None = None
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

    def authorize(self, identity: KeyIdentity, permission: str) -> None:
        """Raise 403 unless the key may do ``permission``: core's check, made before forwarding."""
        authorize(identity, permission)

    async def refresh(self) -> bool:
        """Reload the set or the revocations if their version changed; return whether either was."""
        version, revoked_version = await self._redis.mget(
            self._version_name, self._revoked_version_name
        )
        if version is not None and (version != self._version or self._keys is None):
            await self._reload()
            return True
        # A missing version (core has not published, or Redis was emptied) keeps what we have,
        # but a revocation still applies to it.
        if revoked_version is not None and revoked_version != self._revoked_version:
            await self._apply_revocations()
            return True
        return False

    async def _reload(self) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._version_name)
            pipe.hgetall(self._hash_name)
            pipe.zrange(self._revoked_name, 0, -1)
            pipe.get(self._revoked_version_name)
            version, raw, revoked, revoked_version = await pipe.execute()
        refused = {key_hash.decode() for key_hash in revoked}
        keys: dict[str, KeyIdentity] = {}
        for key_hash, value in raw.items():
            if key_hash.decode() in refused:
                continue
            try:
                keys[key_hash.decode()] = decode_identity(value)
            except (ValueError, KeyError):
                _log.warning("keyset_entry_invalid")
        self._keys = keys
        self._version = version
        self._revoked_version = revoked_version
        _log.info("keyset_loaded", keys=len(keys), revoked=len(refused))

    async def _apply_revocations(self) -> None:
        # Revocations are taken out of the set in hand, never put back: an entry past its
        # retention is gone from Redis, but so is its key from any set published since.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrange(self._revoked_name, 0, -1)
            pipe.get(self._revoked_version_name)
            revoked, revoked_version = await pipe.execute()
        refused = {key_hash.decode() for key_hash in revoked}
        removed = 0
        if self._keys is not None:
            keys = {h: identity for h, identity in self._keys.items() if h not in refused}
            removed = len(self._keys) - len(keys)
            self._keys = keys
        self._revoked_version = revoked_version
        _log.info("keyset_revocations_applied", revoked=len(refused), removed=removed)

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
