"""API keys in PostgreSQL: create, list, revoke, and load the active set.

A key is ``sk-aegis-`` and 43 URL-safe characters (256 random bits). Only its SHA-256 and a
short display prefix are stored; the key itself is shown once, at creation. Every change
sends ``NOTIFY aegis_keys`` in the same transaction, so running cores republish the key set
to the edges at once. What a role may do is not read from here but from ``shared.permissions``,
the table the edge enforces too (the ``permissions`` table of migration 0001 is no longer read);
per-user grants (``user_permissions``, migration 0007) are added to every key of the user.
"""

from __future__ import annotations

import builtins
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import asyncpg

from shared.hashing import hash_api_key
from shared.keyset import KeyIdentity
from shared.permissions import PERMISSIONS, ROLES, role_permissions

__all__ = ["KEYS_CHANNEL", "KEY_PREFIX", "Grant", "KeyRow", "KeyStore", "NewKey"]

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
    max_requests: int | None = None
    tokens_per_minute: int | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """A permission a user holds on top of their keys' roles."""

    user: str
    permission: str
    granted_at: datetime
    granted_by: str


def _check_limits(max_requests: int | None, tokens_per_minute: int | None) -> None:
    for value in (max_requests, tokens_per_minute):
        if value is not None and not 0 <= value <= 2**31 - 1:
            raise ValueError("rate limits must be 0 to 2147483647")


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
        _check_limits(max_requests, tokens_per_minute)
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

    async def list(
        self,
        *,
        include_revoked: bool = False,
        workspace: str | None = None,
        after: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[KeyRow]:
        """Keys, oldest first (or newest first); only ``workspace``'s when given; with
        ``after`` (a key's id) those listed after that key, at most ``limit`` (keyset paging:
        a key created meanwhile neither moves nor repeats a page)."""
        query = _LIST_NEWEST if newest_first else _LIST_OLDEST
        rows = await self._db.fetch(query, include_revoked, workspace, after, limit)
        return [_key_row(row) for row in rows]

    async def get(self, key_id: str) -> KeyRow | None:
        row = await self._db.fetchrow(_SELECT_KEYS + " WHERE k.id = $1", key_id)
        return None if row is None else _key_row(row)

    async def set_limits(
        self, key_id: str, *, max_requests: int | None, tokens_per_minute: int | None
    ) -> bool:
        """Set (None: clear, back to the edge's defaults) an active key's rate limits; False
        if no active key has that id."""
        _check_limits(max_requests, tokens_per_minute)
        async with _connection(self._db) as connection, connection.transaction():
            done = await connection.fetchval(
                """
                UPDATE api_keys SET rate_limit_requests = $2, rate_limit_tokens_per_minute = $3
                WHERE id = $1 AND revoked_at IS NULL RETURNING id
                """,
                key_id,
                max_requests,
                tokens_per_minute,
            )
            if done is not None:
                await connection.execute(f"NOTIFY {KEYS_CHANNEL}")
        return done is not None

    async def grant(self, user: str, permission: str, *, granted_by: str) -> bool:
        """Give ``user`` (who must exist) ``permission`` on top of their role; False if they
        held it already. ``LookupError`` for an unknown user."""
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of: {', '.join(PERMISSIONS)}")
        async with _connection(self._db) as connection, connection.transaction():
            user_id = await connection.fetchval("SELECT id FROM users WHERE name = $1", user)
            if user_id is None:
                raise LookupError(f"no user '{user}'")
            added = await connection.fetchval(
                """
                INSERT INTO user_permissions (user_id, permission, granted_by)
                VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id
                """,
                user_id,
                permission,
                granted_by,
            )
            if added is not None:
                await connection.execute(f"NOTIFY {KEYS_CHANNEL}")
        return added is not None

    async def revoke_grant(self, user: str, permission: str) -> bool:
        """Take a grant back; False if ``user`` did not hold it."""
        async with _connection(self._db) as connection, connection.transaction():
            removed = await connection.fetchval(
                """
                DELETE FROM user_permissions g USING users u
                WHERE u.id = g.user_id AND u.name = $1 AND g.permission = $2
                RETURNING g.user_id
                """,
                user,
                permission,
            )
            if removed is not None:
                await connection.execute(f"NOTIFY {KEYS_CHANNEL}")
        return removed is not None

    async def grants(self, *, workspace: str | None = None) -> builtins.list[Grant]:
        """Every grant; with ``workspace``, those of users with a key there."""
        rows = await self._db.fetch(
            """
            SELECT u.name AS user_name, g.permission, g.granted_at, g.granted_by
            FROM user_permissions g JOIN users u ON u.id = g.user_id
            WHERE $1::text IS NULL OR EXISTS (
                SELECT 1 FROM api_keys k WHERE k.user_id = g.user_id AND k.workspace = $1)
            ORDER BY u.name, g.permission
            """,
            workspace,
        )
        return [
            Grant(row["user_name"], row["permission"], row["granted_at"], row["granted_by"])
            for row in rows
        ]

    async def users(self, *, workspace: str | None = None) -> builtins.list[dict[str, object]]:
        """Every user (with ``workspace``: those with a key there): their active keys'
        roles and workspaces, and their grants."""
        rows = await self._db.fetch(
            """
            SELECT u.name, u.created_at,
                   coalesce(array_agg(DISTINCT k.role) FILTER (WHERE k.id IS NOT NULL), '{}')
                       AS roles,
                   coalesce(array_agg(DISTINCT k.workspace) FILTER (WHERE k.id IS NOT NULL),
                            '{}') AS workspaces,
                   count(DISTINCT k.id) AS active_keys,
                   coalesce((SELECT array_agg(g.permission ORDER BY g.permission)
                             FROM user_permissions g WHERE g.user_id = u.id), '{}') AS grants
            FROM users u
            LEFT JOIN api_keys k ON k.user_id = u.id AND k.revoked_at IS NULL
            WHERE $1::text IS NULL OR EXISTS (
                SELECT 1 FROM api_keys w WHERE w.user_id = u.id AND w.workspace = $1)
            GROUP BY u.id ORDER BY u.name
            """,
            workspace,
        )
        return [
            {
                "user": row["name"],
                "created_at": row["created_at"].isoformat(),
                "roles": sorted(row["roles"]),
                "workspaces": sorted(row["workspaces"]),
                "active_keys": row["active_keys"],
                "grants": list(row["grants"]),
            }
            for row in rows
        ]

    async def user_workspaces(self, user: str) -> set[str]:
        """The workspaces ``user`` has keys in (revoked ones included)."""
        rows = await self._db.fetch(
            """
            SELECT DISTINCT k.workspace FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE u.name = $1
            """,
            user,
        )
        return {row["workspace"] for row in rows}

    async def active(self) -> dict[str, KeyIdentity]:
        """Active keys by hash, each with its role's permissions (``shared.permissions``) and
        its user's grants."""
        rows = await self._db.fetch(
            """
            SELECT k.id, k.key_hash, u.name AS user_name, k.workspace, k.role,
                   k.rate_limit_requests, k.rate_limit_tokens_per_minute,
                   coalesce((SELECT array_agg(g.permission) FROM user_permissions g
                             WHERE g.user_id = k.user_id), '{}') AS granted
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
                permissions=role_permissions(row["role"]).union(row["granted"]),
            )
            for row in rows
        }


_SELECT_KEYS: Final = """
    SELECT k.id, k.prefix, k.name, u.name AS user_name, k.workspace, k.role,
           k.created_at, k.revoked_at, k.rate_limit_requests, k.rate_limit_tokens_per_minute
    FROM api_keys k JOIN users u ON u.id = k.user_id
"""

# The keys of a listing (KeyStore.list): $1 revoked ones too, $2 one workspace's, $3 after
# that key, $4 at most this many.
_LIST_WHERE: Final = """
    WHERE ($1 OR k.revoked_at IS NULL) AND ($2::text IS NULL OR k.workspace = $2)
      AND ($3::text IS NULL OR (k.created_at, k.id) {} (
          SELECT created_at, id FROM api_keys WHERE id = $3))
    ORDER BY k.created_at {}, k.id {}
    LIMIT $4
"""
_LIST_OLDEST: Final = _SELECT_KEYS + _LIST_WHERE.format(">", "ASC", "ASC")
_LIST_NEWEST: Final = _SELECT_KEYS + _LIST_WHERE.format("<", "DESC", "DESC")


def _key_row(row: asyncpg.Record) -> KeyRow:
    return KeyRow(
        key_id=row["id"],
        prefix=row["prefix"],
        name=row["name"],
        user=row["user_name"],
        workspace=row["workspace"],
        role=row["role"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        max_requests=row["rate_limit_requests"],
        tokens_per_minute=row["rate_limit_tokens_per_minute"],
    )


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
