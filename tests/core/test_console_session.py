"""Console sessions (core.console.session): the sealed key, expiry and logout, on real Redis."""

from __future__ import annotations

import redis.asyncio as aioredis

from core.console.session import SessionStore, new_token, seal, unseal
from shared.keyset import KeyIdentity

IDENTITY = KeyIdentity(key_id="k1", user="boss", workspace="*", role="admin")


def test_a_sealed_key_opens_only_with_its_own_token() -> None:
    """The token unseals the key; another token gives something else, never the key."""
    token = new_token()
    sealed = seal("aegis-secret-key-123", token)
    assert b"aegis-secret-key-123".hex() != sealed
    assert unseal(sealed, token) == "aegis-secret-key-123"
    assert unseal(sealed, new_token()) != "aegis-secret-key-123"
    assert unseal("not hex", token) is None


async def test_redis_holds_neither_the_key_nor_the_token(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """What is stored names the token by its hash and holds the key only sealed."""
    store = SessionStore(redis, redis_prefix)
    token, session = await store.create("aegis-secret-key-123", IDENTITY, now=1000.0)
    names = [name.decode() async for name in redis.scan_iter(match=redis_prefix + "*")]
    assert names == [store.name(token)]
    assert token not in names[0]
    stored = await redis.get(names[0])
    assert isinstance(stored, bytes)
    assert b"aegis-secret-key-123" not in stored
    assert 0 < await redis.ttl(names[0]) <= store.ttl_s
    opened = await store.open(token, now=1001.0)
    assert opened is not None
    assert opened.key == "aegis-secret-key-123"
    assert opened.csrf == session.csrf
    assert "key" not in opened.public()


async def test_a_session_ends_at_its_expiry_and_at_logout(
    redis: aioredis.Redis, redis_prefix: str
) -> None:
    """Past ``expires`` it does not open even while Redis still holds it; closed, it is gone."""
    store = SessionStore(redis, redis_prefix, ttl_s=60)
    token, _ = await store.create("aegis-secret-key-123", IDENTITY, now=1000.0)
    assert await store.open(token, now=1059.0) is not None
    assert await store.open(token, now=1060.0) is None
    await store.close(token)
    assert await store.open(token, now=1001.0) is None
    assert await store.open(None, now=1001.0) is None
    assert await store.open("x" * 500, now=1001.0) is None


def test_a_wrong_or_missing_csrf_token_does_not_match() -> None:
    """The CSRF check compares the whole token."""
    from core.console.session import ConsoleSession

    session = ConsoleSession("k", "abc123", 0.0, "u", "admin", "*", "k1")
    assert session.csrf_matches("abc123")
    assert not session.csrf_matches("abc12")
    assert not session.csrf_matches("")
    assert not session.csrf_matches(None)
