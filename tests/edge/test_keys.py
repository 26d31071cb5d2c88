"""The edge's key cache on a real Redis: permissions from the set, revocations without core."""

from __future__ import annotations

import orjson
import pytest
import redis.asyncio as aioredis

from core.keys.registry import announce_revocation
from edge.keys import KeyCache
from shared.errors import AuthenticationError, PermissionDeniedError
from shared.hashing import hash_api_key
from shared.keyset import keyset_names
from shared.permissions import LLM_CALL

DEVELOPER = "sk-aegis-developer-key"
AUDITOR = "sk-aegis-auditor-key"


async def _publish_as_an_older_core(redis: aioredis.Redis, prefix: str) -> None:
    """A key set as published before permissions were: role only."""
    hash_name, version_name = keyset_names(prefix)
    entries = {
        hash_api_key(key): orjson.dumps({"id": key_id, "user": "u", "workspace": "w", "role": role})
        for key, key_id, role in ((DEVELOPER, "k-dev", "developer"), (AUDITOR, "k-aud", "auditor"))
    }
    await redis.hset(hash_name, mapping=entries)
    await redis.set(version_name, "v1")


def _bearer(key: str) -> str:
    return f"Bearer {key}"


async def test_permissions_of_an_older_cores_entries_come_from_the_role(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """An auditor key published without permissions still may not call models at the edge."""
    await _publish_as_an_older_core(redis, redis_prefix)
    cache = KeyCache(redis, redis_prefix, interval=0.1)
    assert await cache.refresh() is True
    developer = cache.authenticate(_bearer(DEVELOPER))
    cache.authorize(developer, LLM_CALL)
    auditor = cache.authenticate(_bearer(AUDITOR))
    with pytest.raises(PermissionDeniedError):
        cache.authorize(auditor, LLM_CALL)


async def test_an_entry_that_is_not_an_object_is_skipped_and_the_others_load(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """A corrupt entry (a list, a number, not JSON) costs only itself: the refresher goes on
    and every other key works."""
    await _publish_as_an_older_core(redis, redis_prefix)
    hash_name, _ = keyset_names(redis_prefix)
    await redis.hset(
        hash_name,
        mapping={"h-list": b"[1, 2]", "h-number": b"7", "h-text": b"\xff not json"},
    )
    cache = KeyCache(redis, redis_prefix, interval=0.1)
    assert await cache.refresh() is True
    assert cache.authenticate(_bearer(DEVELOPER)).key_id == "k-dev"
    with pytest.raises(AuthenticationError):
        cache.authenticate("Bearer h-list")


async def test_revocation_is_honoured_with_no_core_and_an_emptied_redis(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """Redis restarted empty while core is down: the edge keeps its set, less a revoked key."""
    await _publish_as_an_older_core(redis, redis_prefix)
    cache = KeyCache(redis, redis_prefix, interval=0.1)
    await cache.refresh()
    hash_name, version_name = keyset_names(redis_prefix)
    await redis.delete(hash_name, version_name)
    assert await cache.refresh() is False
    await announce_revocation(redis, redis_prefix, hash_api_key(DEVELOPER))
    assert await cache.refresh() is True
    with pytest.raises(AuthenticationError):
        cache.authenticate(_bearer(DEVELOPER))
    assert cache.authenticate(_bearer(AUDITOR)).key_id == "k-aud"
    assert await cache.refresh() is False


async def test_a_republished_set_with_a_revoked_key_is_not_believed(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """A key set that still holds a revoked key (an edge-ward race) does not let it back in."""
    await _publish_as_an_older_core(redis, redis_prefix)
    cache = KeyCache(redis, redis_prefix, interval=0.1)
    await announce_revocation(redis, redis_prefix, hash_api_key(DEVELOPER))
    await _publish_as_an_older_core(redis, redis_prefix)  # the key is back in the hash
    await redis.set(keyset_names(redis_prefix)[1], "v2")
    assert await cache.refresh() is True
    with pytest.raises(AuthenticationError):
        cache.authenticate(_bearer(DEVELOPER))
    assert cache.authenticate(_bearer(AUDITOR)).key_id == "k-aud"
