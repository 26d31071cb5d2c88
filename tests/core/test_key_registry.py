"""Core's key set in Redis and revocations written beside it, on real Redis and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as aioredis

from core.db.pool import Database
from core.keys.registry import KeyRegistry, announce_revocation
from core.keys.store import KeyStore
from shared.hashing import hash_api_key
from shared.keyset import (
    REVOCATION_RETENTION_S,
    decode_identity,
    keyset_names,
    revocation_names,
)
from shared.permissions import role_permissions


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


def _registry(database_url: str, redis: aioredis.Redis, prefix: str) -> KeyRegistry:
    return KeyRegistry(Database(database_url), redis, prefix, interval=1.0)


async def test_published_entries_carry_permissions(
    pool: asyncpg.Pool, redis: aioredis.Redis, database_url: str, redis_prefix: str
) -> None:
    """Each published key carries its role's permissions, so an edge can refuse on its own."""
    auditor = await KeyStore(pool).create(user="gil", workspace="w", role="auditor")
    registry = _registry(database_url, redis, redis_prefix)
    await registry.reload(pool)
    await registry.publish()
    hash_name, _ = keyset_names(redis_prefix)
    raw = await redis.hget(hash_name, hash_api_key(auditor.key))
    assert raw is not None
    assert decode_identity(raw).permissions == role_permissions("auditor")


async def test_publish_never_brings_back_a_revoked_key(
    pool: asyncpg.Pool, redis: aioredis.Redis, database_url: str, redis_prefix: str
) -> None:
    """A core publishing a set it read just before a revocation leaves the revoked key out."""
    store = KeyStore(pool)
    kept = await store.create(user="hal", workspace="w", role="developer")
    gone = await store.create(user="hal", workspace="w", role="developer")
    registry = _registry(database_url, redis, redis_prefix)
    await registry.reload(pool)  # read before the revocation commits
    key_hash = await store.revoke(gone.key_id)
    assert key_hash is not None
    await announce_revocation(redis, redis_prefix, key_hash)
    await registry.publish()
    hash_name, _ = keyset_names(redis_prefix)
    published = {h.decode() for h in await redis.hkeys(hash_name)}
    assert hash_api_key(kept.key) in published
    assert key_hash not in published


async def test_revocation_leaves_the_hash_with_a_new_version(
    pool: asyncpg.Pool, redis: aioredis.Redis, database_url: str, redis_prefix: str
) -> None:
    """Revoking takes the key out of the published hash and changes both versions."""
    store = KeyStore(pool)
    created = await store.create(user="ivy", workspace="w", role="developer")
    registry = _registry(database_url, redis, redis_prefix)
    await registry.reload(pool)
    await registry.publish()
    hash_name, version_name = keyset_names(redis_prefix)
    revoked_name, revoked_version_name = revocation_names(redis_prefix)
    version = await redis.get(version_name)
    key_hash = hash_api_key(created.key)
    await announce_revocation(redis, redis_prefix, key_hash)
    assert not await redis.hexists(hash_name, key_hash)
    assert await redis.get(version_name) not in (None, version)
    assert await redis.zscore(revoked_name, key_hash) is not None
    assert await redis.get(revoked_version_name) is not None


async def test_revocation_into_an_emptied_redis_sets_no_key_set_version(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """With no key set in Redis (restarted empty, core down) only the revocation is written."""
    await announce_revocation(redis, redis_prefix, "ab" * 32)
    _, version_name = keyset_names(redis_prefix)
    revoked_name, revoked_version_name = revocation_names(redis_prefix)
    assert await redis.get(version_name) is None
    assert await redis.zrange(revoked_name, 0, -1) == [("ab" * 32).encode()]
    first = await redis.get(revoked_version_name)
    await announce_revocation(redis, redis_prefix, "cd" * 32)
    assert await redis.get(revoked_version_name) not in (None, first)


async def test_revocations_are_kept_for_a_bounded_time(
    pool: asyncpg.Pool, redis: aioredis.Redis, database_url: str, redis_prefix: str
) -> None:
    """Entries older than the retention are dropped by the next revocation or publish."""
    revoked_name, _ = revocation_names(redis_prefix)
    old = time.time() - REVOCATION_RETENTION_S - 60
    await announce_revocation(redis, redis_prefix, "01" * 32, now=old)
    await announce_revocation(redis, redis_prefix, "02" * 32)
    assert await redis.zrange(revoked_name, 0, -1) == [("02" * 32).encode()]
    await announce_revocation(redis, redis_prefix, "03" * 32, now=old)
    registry = _registry(database_url, redis, redis_prefix)
    await registry.reload(pool)
    await registry.publish()
    assert await redis.zrange(revoked_name, 0, -1) == [("02" * 32).encode()]
