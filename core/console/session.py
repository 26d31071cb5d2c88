"""Console sessions: a short-lived cookie standing for an admin or auditor key.

The browser holds a random token (the ``aegis_console`` cookie, HttpOnly); Redis holds, under
the token's SHA-256, the key sealed with a one-time pad drawn from the token, the session's
CSRF token and its expiry. Each admin API call through the console unseals the key for that
request only and authenticates it as any client's key would, so a revoked key ends its
sessions at once and roles and workspaces follow the key.

Why sealed: Redis is shared with the edge in the DMZ. What Redis holds neither reveals the
key (the pad is in the browser's token) nor can be forged into a session by someone who can
write Redis without knowing a key: the hash of a key, which the published key set holds,
unseals to nothing.

    >>> token = new_token()
    >>> unseal(seal("aegis-key", token), token)
    'aegis-key'
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Final

import orjson
import redis.asyncio as aioredis

from shared.keyset import KeyIdentity

__all__ = [
    "COOKIE_NAME",
    "CSRF_HEADER",
    "SESSION_TTL_S",
    "ConsoleSession",
    "SessionStore",
    "new_token",
    "seal",
    "unseal",
]

COOKIE_NAME: Final = "aegis_console"
CSRF_HEADER: Final = "x-csrf-token"
SESSION_TTL_S: Final = 15 * 60
"""A session lasts 15 minutes from login, whatever is done in it: then the key is asked again."""
MAX_KEY_CHARS: Final = 512


def new_token() -> str:
    """A session token (the cookie's value) or a CSRF token: 256 random bits."""
    return secrets.token_urlsafe(32)


def _pad(token: str, length: int) -> bytes:
    return hashlib.shake_256(b"aegis-console-seal\x00" + token.encode()).digest(length)


def seal(key: str, token: str) -> str:
    """``key`` XOR a pad drawn from ``token`` (used for this one key only), as hex."""
    raw = key.encode()
    return bytes(a ^ b for a, b in zip(raw, _pad(token, len(raw)), strict=True)).hex()


def unseal(sealed: str, token: str) -> str | None:
    """The key :func:`seal` sealed with ``token``; None for anything that is not one."""
    try:
        raw = bytes.fromhex(sealed)
        return bytes(a ^ b for a, b in zip(raw, _pad(token, len(raw)), strict=True)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """An open session: the key it stands for, its CSRF token and when it ends (epoch s)."""

    key: str
    csrf: str
    expires: float
    user: str
    role: str
    workspace: str
    key_id: str

    def public(self) -> dict[str, Any]:
        """What the console's script may know: never the key."""
        return {
            "user": self.user,
            "role": self.role,
            "workspace": self.workspace,
            "key_id": self.key_id,
            "csrf": self.csrf,
            "expires": self.expires,
        }

    def csrf_matches(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf.encode())


class SessionStore:
    """Sessions in Redis under ``{prefix}console:session:{sha256(token)}``, with a TTL."""

    def __init__(self, redis: aioredis.Redis, prefix: str, ttl_s: int = SESSION_TTL_S) -> None:
        self._redis = redis
        self._prefix = prefix
        self.ttl_s = ttl_s

    def name(self, token: str) -> str:
        return f"{self._prefix}console:session:{hashlib.sha256(token.encode()).hexdigest()}"

    async def create(
        self, key: str, identity: KeyIdentity, now: float
    ) -> tuple[str, ConsoleSession]:
        """A new session for ``key`` (already authenticated as ``identity``): its token."""
        token = new_token()
        session = ConsoleSession(
            key=key,
            csrf=new_token(),
            expires=now + self.ttl_s,
            user=identity.user,
            role=identity.role,
            workspace=identity.workspace,
            key_id=identity.key_id,
        )
        record = {
            "sealed": seal(key, token),
            "csrf": session.csrf,
            "expires": session.expires,
            "user": session.user,
            "role": session.role,
            "workspace": session.workspace,
            "key_id": session.key_id,
        }
        await self._redis.set(self.name(token), orjson.dumps(record), ex=self.ttl_s)
        return token, session

    async def open(self, token: str | None, now: float) -> ConsoleSession | None:
        """The session behind ``token``; None if there is none, it expired or is not one."""
        if not token or len(token) > 128:
            return None
        raw = await self._redis.get(self.name(token))
        if raw is None:
            return None
        try:
            record = orjson.loads(raw)
            expires = float(record["expires"])
            key = unseal(str(record["sealed"]), token)
            session = ConsoleSession(
                key=key or "",
                csrf=str(record["csrf"]),
                expires=expires,
                user=str(record["user"]),
                role=str(record["role"]),
                workspace=str(record["workspace"]),
                key_id=str(record["key_id"]),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
        if key is None or not key.isprintable() or expires <= now:
            return None
        return session

    async def close(self, token: str | None) -> None:
        """End the session behind ``token`` (logout); nothing if there is none."""
        if token and len(token) <= 128:
            await self._redis.delete(self.name(token))
