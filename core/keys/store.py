"""API keys in PostgreSQL: create, list, revoke, and load the active set.

A key is ``sk-aegis-`` and 43 URL-safe characters (256 random bits). Only its SHA-256 and a
short display prefix are stored; the key itself is shown once, at creation. Every change
sends ``NOTIFY aegis_keys`` in the same transaction, so running cores republish the key set
to the edges at once. What a role may do is not read from here but from ``shared.permissions``,
the table the edge enforces too (the ``permissions`` table of migration 0001 is no longer read).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import asyncpg

from shared.hashing import hash_api_key
from shared.keyset import KeyIdentity
from shared.permissions import ROLES, role_permissions

__all__ = ["KEYS_CHANNEL", "KEY_PREFIX", "KeyRow", "KeyStore", "NewKey"]

KEYS_CHANNEL: Final = "aegis_keys"
KEY_PREFIX: Final = "sk-aegis-"
_DISPLAY_PREFIX_LENGTH: Final = len(KEY_PREFIX) + 4

Executor = asyncpg.Connection | asyncpg.Pool


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly created key: the only time the key itself exists outside the client."""

    key_id: str
    key: str
    user: str
    workspace: str
    role: str


@dataclass(frozen=True, slots=True)
class KeyRow:
    key_id: str
    prefix: str
    name: str | None
    user: str
    workspace: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


class KeyStore:
    """Key operations over a connection or a pool."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def create(
        self,
        *,
        user: str,
        workspace: str,
        role: str,
        name: str | None = None,
        max_requests: int | None = None,
        tokens_per_minute: int | None = None,
    ) -> NewKey:
        """Create a key for ``user`` (created if new) in ``workspace`` with ``role``.

        ``max_requests`` (per rate limit window) and ``tokens_per_minute`` override the
        edge's defaults for this key.
        """
        for value in (max_requests, tokens_per_minute):
            if value is not None and value < 0:
                raise ValueError("rate limits must not be negative")
        if role not in ROLES:
            raise ValueError(f"role must be one of: {', '.join(ROLES)}")
        if not user.strip() or not workspace.strip():
            raise ValueError("user and workspace must not be empty")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        key_id = "key_" + secrets.token_hex(8)
        async with _connection(self._db) as connection, connection.transaction():
            user_id = await connection.fetchval(
                """
                INSERT INTO users (name) VALUES ($1)
                ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
                RETURNING id
                """,
                user,
            )
            await connection.execute(
                """
                INSERT INTO api_keys (id, key_hash, prefix, name, user_id, workspace, role,
                                      rate_limit_requests, rate_limit_tokens_per_minute)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                key_id,
                hash_api_key(key),
                key[:_DISPLAY_PREFIX_LENGTH],
                name,
                user_id,
                workspace,
                role,
                max_requests,
                tokens_per_minute,
            )
            await connection.execute(f"NOTIFY {KEYS_CHANNEL}")
        return NewKey(key_id=key_id, key=key, user=user, workspace=workspace, role=role)

    async def revoke(self, key_id: str) -> str | None:
        """Revoke a key; return its hash (to tell the edges, see
        ``core.keys.registry.announce_revocation``), or None if no active key has that id."""
        async with _connection(self._db) as connection, connection.transaction():
            key_hash: str | None = await connection.fetchval(
                """
                UPDATE api_keys SET revoked_at = now()
                WHERE id = $1 AND revoked_at IS NULL
                RETURNING key_hash
                """,
                key_id,
            )
            if key_hash is not None:
                await connection.execute(f"NOTIFY {KEYS_CHANNEL}")
        return key_hash

    async def list(self, *, include_revoked: bool = False) -> list[KeyRow]:
        rows = await self._db.fetch(
            """
            SELECT k.id, k.prefix, k.name, u.name AS user_name, k.workspace, k.role,
                   k.created_at, k.revoked_at
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE $1 OR k.revoked_at IS NULL
            ORDER BY k.created_at, k.id
            """,
            include_revoked,
        )
        return [
            KeyRow(
                key_id=row["id"],
                prefix=row["prefix"],
                name=row["name"],
                user=row["user_name"],
                workspace=row["workspace"],
                role=row["role"],
                created_at=row["created_at"],
                revoked_at=row["revoked_at"],
            )
            for row in rows
        ]

    async def active(self) -> dict[str, KeyIdentity]:
        """Active keys by hash, each with its role's permissions (``shared.permissions``)."""
        rows = await self._db.fetch(
            """
            SELECT k.id, k.key_hash, u.name AS user_name, k.workspace, k.role,
                   k.rate_limit_requests, k.rate_limit_tokens_per_minute
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.revoked_at IS NULL
            """
        )
        return {
            row["key_hash"]: KeyIdentity(
                key_id=row["id"],
                user=row["user_name"],
                workspace=row["workspace"],
                role=row["role"],
                max_requests=row["rate_limit_requests"],
                tokens_per_minute=row["rate_limit_tokens_per_minute"],
                permissions=role_permissions(row["role"]),
            )
            for row in rows
        }


class _connection:
    """``async with`` a connection, whether given a pool or a connection."""

    def __init__(self, db: Executor) -> None:
        self._db = db
        self._acquired: asyncpg.pool.PoolConnectionProxy | None = None

    async def __aenter__(self) -> asyncpg.Connection:
        if isinstance(self._db, asyncpg.Pool):
            self._acquired = await self._db.acquire()
            return self._acquired  # type: ignore[return-value]
        return self._db

    async def __aexit__(self, *exc_info: object) -> None:
        if self._acquired is not None and isinstance(self._db, asyncpg.Pool):
            await self._db.release(self._acquired)
