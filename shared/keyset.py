"""The key set core publishes to Redis so the edge can check keys without PostgreSQL.

Layout, under the deployment's Redis key prefix (``aegis:`` by default):

- ``{prefix}keys``          hash: SHA-256 of the key → JSON ``{"id", "user", "workspace", "role"}``
  and, when set, the key's rate limit overrides ``"max_requests"``, ``"tokens_per_minute"``
- ``{prefix}keys:version``  a digest of the whole set; it changes whenever the set changes

Core replaces both atomically (MULTI/EXEC). The edge polls the version, one cheap GET, and
reloads the hash only when it changed. Only hashes are published: a Redis dump holds no key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import orjson

from shared.errors import AuthenticationError, KeyStoreUnavailableError
from shared.hashing import hash_api_key, sha256_hex

__all__ = [
    "DEFAULT_REDIS_PREFIX",
    "ROLES",
    "KeyIdentity",
    "decode_identity",
    "encode_identity",
    "keyset_digest",
    "keyset_names",
    "resolve_key",
]

DEFAULT_REDIS_PREFIX: Final = "aegis:"
ROLES: Final = ("developer", "ai-developer", "admin", "auditor")


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    """Who an API key belongs to: enough for the edge's checks and core's policies."""

    key_id: str
    user: str
    workspace: str
    role: str
    max_requests: int | None = None
    tokens_per_minute: int | None = None


def keyset_names(prefix: str) -> tuple[str, str]:
    """The Redis names of the key hash and its version for a deployment prefix."""
    return f"{prefix}keys", f"{prefix}keys:version"


def encode_identity(identity: KeyIdentity) -> bytes:
    data: dict[str, str | int] = {
        "id": identity.key_id,
        "user": identity.user,
        "workspace": identity.workspace,
        "role": identity.role,
    }
    # Per-key rate limit overrides, only when set.
    if identity.max_requests is not None:
        data["max_requests"] = identity.max_requests
    if identity.tokens_per_minute is not None:
        data["tokens_per_minute"] = identity.tokens_per_minute
    return orjson.dumps(data)


def decode_identity(raw: bytes | str) -> KeyIdentity:
    data = orjson.loads(raw)
    return KeyIdentity(
        key_id=str(data["id"]),
        user=str(data["user"]),
        workspace=str(data["workspace"]),
        role=str(data["role"]),
        max_requests=_optional_int(data.get("max_requests")),
        tokens_per_minute=_optional_int(data.get("tokens_per_minute")),
    )


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def keyset_digest(keys: Mapping[str, KeyIdentity]) -> str:
    """A digest of the whole set, independent of order: the published version."""
    joined = b"\n".join(
        key_hash.encode() + b"=" + encode_identity(keys[key_hash]) for key_hash in sorted(keys)
    )
    return sha256_hex(joined)[:32]


def resolve_key(keys: Mapping[str, KeyIdentity] | None, authorization: str | None) -> KeyIdentity:
    """The identity behind an ``Authorization: Bearer <key>`` header.

    Raises 401 for a missing, malformed or unknown key, and 503 while no key set has been
    loaded yet (``keys`` is None): refusing is right, but the client is not at fault.
    """
    if not authorization:
        raise AuthenticationError("Missing API key. Send it as 'Authorization: Bearer <key>'.")
    scheme, _, key = authorization.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise AuthenticationError("Malformed Authorization header; expected 'Bearer <key>'.")
    if keys is None:
        raise KeyStoreUnavailableError()
    identity = keys.get(hash_api_key(key))
    if identity is None:
        raise AuthenticationError("Invalid API key.")
    return identity
