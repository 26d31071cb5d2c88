"""Core's view of the API keys: resolve a key to its identity, and publish the set to Redis.

:class:`KeyRegistry` loads the active keys from PostgreSQL into memory (no query per
request), reloads them on ``NOTIFY aegis_keys`` (sent by every key change) and every
``interval`` seconds as a safety net, and publishes their hashes to Redis for the edges
(``shared.keyset``). Publishing compares digests first, so a Redis that restarted empty is
refilled within one interval; it leaves out any key in Redis's revoked set, so a set read
just before a revocation never brings the key back.

:func:`announce_revocation` is what ``aegis keys revoke`` calls after PostgreSQL: it tells
the edges directly, through Redis, so a revocation takes effect while no core is running.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Mapping
from typing import Final

import asyncpg
import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from core.db.pool import Database
from core.keys.store import KEYS_CHANNEL, KeyStore
from shared.keyset import (
    REVOCATION_RETENTION_S,
    KeyIdentity,
    authorize,
    encode_identity,
    keyset_digest,
    keyset_names,
    resolve_key,
    revocation_names,
)
from shared.tasks import raise_if_cancelling

__all__ = ["KeyRegistry", "announce_revocation"]

_log = structlog.get_logger("aegis.core.keys")

# KEYS: hash, version, revoked set, revoked version.
# ARGV: key hash, now (s), retention (s), new revocation token, new version.
_REVOKE_SCRIPT: Final = """
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[3])))
redis.call('SET', KEYS[4], ARGV[4])
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
    redis.call('SET', KEYS[2], ARGV[5])
end
return 1
"""


async def announce_revocation(
    redis: aioredis.Redis, prefix: str, key_hash: str, *, now: float | None = None
) -> None:
    """Tell the edges, through Redis, that the key with ``key_hash`` is revoked.

    One atomic script: the hash joins the revoked set (older entries past the retention are
    dropped), the revocation token changes, and the key leaves the published hash with a new
    version if it is there (so an edge from before revocations were published drops it too;
    a Redis emptied by a restart is left empty rather than given a version). Edges refuse the
    key within one poll. Raises ``RedisError``/``OSError`` when Redis cannot be reached: the
    key is still revoked in PostgreSQL, and the edges learn it when a core republishes.
    """
    hash_name, version_name = keyset_names(prefix)
    revoked_name, revoked_version_name = revocation_names(prefix)
    moment = time.time() if now is None else now
    script = redis.register_script(_REVOKE_SCRIPT)
    await script(
        keys=[hash_name, version_name, revoked_name, revoked_version_name],
        args=[
            key_hash,
            repr(moment),
            REVOCATION_RETENTION_S,
            secrets.token_hex(8),
            "revoked-" + secrets.token_hex(8),
        ],
    )


class KeyRegistry:
    """Active keys in memory, kept in step with PostgreSQL and mirrored to Redis."""

    def __init__(
        self, database: Database, redis: aioredis.Redis, prefix: str, interval: float
    ) -> None:
        self._database = database
        self._redis = redis
        self._hash_name, self._version_name = keyset_names(prefix)
        self._revoked_name, _ = revocation_names(prefix)
        self._interval = interval
        self._keys: Mapping[str, KeyIdentity] | None = None
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
        """Raise 403 unless the key's role grants ``permission`` (``shared.permissions``)."""
        authorize(identity, permission)

    async def reload(self, pool: asyncpg.Pool) -> None:
        keys = await KeyStore(pool).active()
        if keys != self._keys:
            _log.info("keys_loaded", keys=len(keys))
        self._keys = keys
        self._loaded.set()

    async def publish(self) -> None:
        """Write the set, less any key in the revoked set, to Redis if what is there differs.

        Revocations past :data:`shared.keyset.REVOCATION_RETENTION_S` are dropped here too.
        """
        keys = self._keys
        if keys is None:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(
                self._revoked_name, "-inf", f"({time.time() - REVOCATION_RETENTION_S}"
            )
            pipe.zrange(self._revoked_name, 0, -1)
            pipe.get(self._version_name)
            _, revoked, current = await pipe.execute()
        withheld = {h.decode() for h in revoked}.intersection(keys)
        if withheld:
            # Read from PostgreSQL before a revocation committed; the next reload agrees.
            _log.info("keyset_revoked_withheld", keys=len(withheld))
            keys = {h: identity for h, identity in keys.items() if h not in withheld}
        digest = keyset_digest(keys)
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
