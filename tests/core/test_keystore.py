"""API keys in PostgreSQL: only hashes are stored; revocation and migrations behave."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from core.db.migrate import apply_migrations, migration_files
from core.keys.store import KeyStore
from shared.hashing import hash_api_key
from shared.permissions import LLM_CALL, ROLES, role_permissions


@pytest.fixture
async def connection(database_url: str):
    connection = await asyncpg.connect(database_url)
    await apply_migrations(connection)
    try:
        yield connection
    finally:
        await connection.close()


async def test_only_the_hash_is_stored(connection: asyncpg.Connection) -> None:
    """The key itself appears nowhere in the database; its SHA-256 does."""
    created = await KeyStore(connection).create(user="carol", workspace="w", role="developer")
    rows = await connection.fetch("SELECT * FROM api_keys WHERE id = $1", created.key_id)
    stored = " ".join(str(value) for value in rows[0].values())
    assert created.key not in stored
    assert rows[0]["key_hash"] == hash_api_key(created.key)
    assert created.key.startswith("sk-aegis-") and len(created.key) > 40


async def test_active_set_drops_revoked_keys(connection: asyncpg.Connection) -> None:
    """A revoked key leaves the active set; revoking gives its hash once, then nothing."""
    store = KeyStore(connection)
    created = await store.create(user="dave", workspace="w", role="auditor")
    keys = await store.active()
    assert keys[hash_api_key(created.key)].role == "auditor"
    assert await store.revoke(created.key_id) == hash_api_key(created.key)
    assert await store.revoke(created.key_id) is None
    assert hash_api_key(created.key) not in await store.active()


async def test_active_keys_carry_their_roles_permissions(connection: asyncpg.Connection) -> None:
    """Each loaded key has its role's permissions from the shared table: an auditor no llm:call."""
    store = KeyStore(connection)
    created = {role: await store.create(user="fay", workspace="w", role=role) for role in ROLES}
    keys = await store.active()
    for role, key in created.items():
        assert keys[hash_api_key(key.key)].permissions == role_permissions(role)
    assert LLM_CALL not in keys[hash_api_key(created["auditor"].key)].permissions


async def test_the_shared_roles_are_the_databases(connection: asyncpg.Connection) -> None:
    """Every role in the shared table exists in PostgreSQL's roles, which keys reference."""
    rows = await connection.fetch("SELECT name FROM roles")
    assert {row["name"] for row in rows} == set(ROLES)


async def test_unknown_role_is_refused(connection: asyncpg.Connection) -> None:
    """Roles are a closed set."""
    with pytest.raises(ValueError, match="role must be one of"):
        await KeyStore(connection).create(user="x", workspace="w", role="root")


async def test_migrations_apply_once_even_concurrently(database_url: str) -> None:
    """Cores starting together apply each migration exactly once."""
    connections = [await asyncpg.connect(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(apply_migrations(c) for c in connections))
        versions = await connections[0].fetch("SELECT version FROM schema_migrations ORDER BY 1")
        assert [row["version"] for row in versions] == [v for v, _ in migration_files()]
        assert await apply_migrations(connections[0]) == []
    finally:
        for c in connections:
            await c.close()


async def test_rate_limit_overrides_are_published_with_the_key(
    connection: asyncpg.Connection,
) -> None:
    """Per-key limits set at creation travel with the key's identity to the edge."""
    from shared.keyset import decode_identity, encode_identity

    store = KeyStore(connection)
    created = await store.create(
        user="erin", workspace="w", role="developer", max_requests=5, tokens_per_minute=900
    )
    identity = (await store.active())[hash_api_key(created.key)]
    assert (identity.max_requests, identity.tokens_per_minute) == (5, 900)
    assert decode_identity(encode_identity(identity)) == identity
