"""The key set core publishes to Redis so the edge can check keys without PostgreSQL.

Layout, under the deployment's Redis key prefix (``aegis:`` by default):

- ``{prefix}keys``          hash: SHA-256 of the key → JSON ``{"id", "user", "workspace", "role",
  "permissions"}`` (``shared.permissions``) and, when set, the key's rate limit overrides
  ``"max_requests"``, ``"tokens_per_minute"``
- ``{prefix}keys:version``  a digest of the whole set; it changes whenever the set changes
- ``{prefix}keys:revoked``  sorted set: hashes of revoked keys, scored by the revocation's Unix
  time, kept :data:`REVOCATION_RETENTION_S`
- ``{prefix}keys:revoked:version``  a random token, new with every revocation

Core replaces the hash and its version atomically (MULTI/EXEC), leaving out any key in the
revoked set. Whoever revokes a key (``aegis keys revoke``) writes the revocation to Redis
itself, so edges refuse the key even while no core is running: it joins the revoked set, a new
revocation token is set, and the key leaves the hash (with a new version) if it is there. The
edge polls both versions, one MGET, and reloads only what changed; it never accepts a key in
the revoked set. Only hashes are published: a Redis dump holds no key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import orjson

from shared.errors import AuthenticationError, KeyStoreUnavailableError, PermissionDeniedError
from shared.hashing import hash_api_key, sha256_hex
from shared.permissions import ROLES, role_permissions

__all__ = [
    "DEFAULT_REDIS_PREFIX",
    "REVOCATION_RETENTION_S",
    "ROLES",
    "KeyIdentity",
    "authorize",
    "decode_identity",
    "encode_identity",
    "keyset_digest",
    "keyset_names",
    "resolve_key",
    "revocation_names",
]

DEFAULT_REDIS_PREFIX: Final = "aegis:"
REVOCATION_RETENTION_S: Final = 24 * 3600
"""How long a revocation stays in Redis. The key leaves the published hash at once, so the
entry only guards against a core publishing a set it read before the revocation: seconds at
most, kept a day for margin (and bounded, so the set never grows without end)."""


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    """Who an API key belongs to: enough for the edge's checks and core's policies."""

    key_id: str
    user: str
    workspace: str
    role: str
    max_requests: int | None = None
    tokens_per_minute: int | None = None
    permissions: frozenset[str] = frozenset()
    """What the key may do: its role's permissions (``shared.permissions``); none by default."""


def keyset_names(prefix: str) -> tuple[str, str]:
    """The Redis names of the key hash and its version for a deployment prefix."""
    return f"{prefix}keys", f"{prefix}keys:version"


def revocation_names(prefix: str) -> tuple[str, str]:
    """The Redis names of the revoked set and its version for a deployment prefix."""
    return f"{prefix}keys:revoked", f"{prefix}keys:revoked:version"


def encode_identity(identity: KeyIdentity) -> bytes:
    data: dict[str, str | int | list[str]] = {
        "id": identity.key_id,
        "user": identity.user,
        "workspace": identity.workspace,
        "role": identity.role,
        "permissions": sorted(identity.permissions),
    }
    # Per-key rate limit overrides, only when set.
    if identity.max_requests is not None:
        data["max_requests"] = identity.max_requests
    if identity.tokens_per_minute is not None:
        data["tokens_per_minute"] = identity.tokens_per_minute
    return orjson.dumps(data)


def decode_identity(raw: bytes | str) -> KeyIdentity:
    """An identity from its JSON; one published without ``permissions`` (by a core from before
    they were published) gets its role's, so a rolling upgrade changes nothing a key may do."""
    data = orjson.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a key set entry is a JSON object")
    role = str(data["role"])
    permissions = data.get("permissions")
    return KeyIdentity(
        key_id=str(data["id"]),
        user=str(data["user"]),
        workspace=str(data["workspace"]),
        role=role,
        max_requests=_optional_int(data.get("max_requests")),
        tokens_per_minute=_optional_int(data.get("tokens_per_minute")),
        permissions=(
            frozenset(str(p) for p in permissions)
            if isinstance(permissions, list)
            else role_permissions(role)
        ),
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


def authorize(identity: KeyIdentity, permission: str) -> None:
    """Raise 403 unless the key may do ``permission``: the same answer from edge and core."""
    if permission not in identity.permissions:
        raise PermissionDeniedError(
            f"Role '{identity.role}' does not have the '{permission}' permission."
        )
