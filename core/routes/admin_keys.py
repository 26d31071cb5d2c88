"""The admin API for API keys and per-user grants.

    POST /api/v1/admin/keys                  {"user", "workspace", "role", "name"?,
                                              "max_requests"?, "tokens_per_minute"?}
         → {"id", "key", "user", "workspace", "role"}     the key, shown this once
    GET  /api/v1/admin/keys?all=true&limit=100&after=KEY_ID&order=oldest|newest
         → {"keys": [...], "next": KEY_ID or null}   never the keys themselves; oldest
           first (or newest), a page at a time: the next page is the query with after=next
    POST /api/v1/admin/keys/{key_id}/revoke  → {"id", "revoked": true, "edges_told": bool}
    POST /api/v1/admin/keys/{key_id}/limits  {"max_requests": N|null, "tokens_per_minute": N|null}
    GET  /api/v1/admin/users                 → {"users": [{"user", "roles", "workspaces",
                                              "active_keys", "grants", "created_at"}]}
    GET  /api/v1/admin/grants                → {"grants": [{"user", "permission", …}]}
    POST /api/v1/admin/grants                {"user", "permission"}  → {"granted": bool}
    POST /api/v1/admin/grants/revoke         {"user", "permission"}  → {"revoked": bool}

All need ``admin:manage``. An admin of one workspace sees and manages its workspace's keys
only (another workspace's key is a 404), grants only to users with a key in its workspace,
and never grants ``admin:manage``; an admin of the workspace ``*`` manages all
(``shared.permissions.sees_all_workspaces``). Every change is an audit row (action
``admin``) naming who made it (the caller's user and key) and what changed (its findings);
a refusal is one too. A revocation is also written to Redis (``announce_revocation``), so
edges refuse the key within seconds even if no core republishes.
"""

from __future__ import annotations

from typing import Any, Final

import structlog
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.keys.registry import announce_revocation
from core.keys.store import KeyRow, KeyStore
from core.routes.admin import (
    authorized_call,
    database_pool,
    parse_limit,
    path_text,
    query_text,
    read_object,
    uses_database,
)
from core.state import CoreState, core_state
from shared.errors import InvalidRequestError, NotFoundError, PermissionDeniedError
from shared.http import json_response
from shared.keyset import KeyIdentity
from shared.permissions import ADMIN_MANAGE, PERMISSIONS, ROLES, sees_all_workspaces

__all__ = ["ROUTES", "key_json"]

_log = structlog.get_logger("aegis.core.admin")

MAX_NAME_CHARS: Final = 200


def key_json(row: KeyRow) -> dict[str, Any]:
    return {
        "id": row.key_id,
        "prefix": row.prefix,
        "name": row.name,
        "user": row.user,
        "workspace": row.workspace,
        "role": row.role,
        "max_requests": row.max_requests,
        "tokens_per_minute": row.tokens_per_minute,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def _scope(identity: KeyIdentity) -> str | None:
    """The workspace the caller is confined to; None for all."""
    return None if sees_all_workspaces(identity.role, identity.workspace) else identity.workspace


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_CHARS:
        raise InvalidRequestError(
            f"'{name}' must be text of 1 to {MAX_NAME_CHARS} characters.", param=name
        )
    if any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise InvalidRequestError(f"'{name}' must not contain control characters.", param=name)
    return value.strip()


def _limit(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        raise InvalidRequestError(f"'{name}' must be 0 to 2147483647, or null.", param=name)
    return value


async def create_key(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    body = await read_object(request)
    user = _text(body, "user")
    role = _text(body, "role")
    scope = _scope(identity)
    workspace = _text(body, "workspace", required=scope is None) or scope
    assert user is not None and role is not None and workspace is not None  # noqa: S101 - required above
    if role not in ROLES:
        raise InvalidRequestError(f"'role' must be one of: {', '.join(ROLES)}.", param="role")
    if scope is not None and workspace != scope:
        raise PermissionDeniedError(f"This key manages workspace '{scope}' only.")
    key = await KeyStore(database_pool(state)).create(
        user=user,
        workspace=workspace,
        role=role,
        name=_text(body, "name", required=False),
        max_requests=_limit(body, "max_requests"),
        tokens_per_minute=_limit(body, "tokens_per_minute"),
    )
    exchange.admin_changes = (
        ("key_create", f"{key.key_id} user={user} workspace={workspace} role={role}"),
    )
    _log.info("key_created", new_key_id=key.key_id, by=identity.user, role=role)
    return json_response(
        {"id": key.key_id, "key": key.key, "user": user, "workspace": workspace, "role": role}
    )


async def list_keys(request: Request) -> Response:
    state = core_state(request)
    identity, _ = authorized_call(state, request, ADMIN_MANAGE)
    params = request.query_params
    include = params.get("all", "").lower() in ("1", "true", "yes")
    limit = parse_limit(params.get("limit"))
    after = query_text(request, "after")
    order = params.get("order", "oldest")
    if order not in ("oldest", "newest"):
        raise InvalidRequestError("'order' must be 'oldest' or 'newest'.", param="order")
    store = KeyStore(database_pool(state))
    scope = _scope(identity)
    if after is not None:
        cursor = await store.get(after)
        if cursor is None or (scope is not None and cursor.workspace != scope):
            raise InvalidRequestError(
                "'after' must be the id of a key you can list (a page's 'next').", param="after"
            )
    rows = await store.list(
        include_revoked=include,
        workspace=scope,
        after=after,
        limit=limit + 1,
        newest_first=order == "newest",
    )
    page = rows[:limit]
    following = page[-1].key_id if len(rows) > limit else None
    return json_response({"keys": [key_json(row) for row in page], "next": following})


async def _own_key(state: CoreState, identity: KeyIdentity, key_id: str) -> KeyRow:
    """The key, if the caller manages its workspace; 404 otherwise (another workspace's keys
    are not even confirmed to exist)."""
    row = await KeyStore(database_pool(state)).get(key_id)
    scope = _scope(identity)
    if row is None or (scope is not None and row.workspace != scope):
        raise NotFoundError(f"No key '{key_id}'.")
    return row


async def revoke_key(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    key_id = path_text(request, "key_id")
    await _own_key(state, identity, key_id)
    key_hash = await KeyStore(database_pool(state)).revoke(key_id)
    if key_hash is None:
        raise NotFoundError(f"No active key '{key_id}'.")
    exchange.admin_changes = (("key_revoke", key_id),)
    told = True
    try:
        await announce_revocation(state.redis, state.settings.redis_prefix, key_hash)
    except (RedisError, OSError, TimeoutError) as exc:
        # Revoked in PostgreSQL: the edges learn it when a core next publishes the key set.
        told = False
        _log.warning("key_revocation_not_announced", error=type(exc).__name__)
    _log.info("key_revoked", revoked_key_id=key_id, by=identity.user)
    return json_response({"id": key_id, "revoked": True, "edges_told": told})


async def set_limits(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    key_id = path_text(request, "key_id")
    body = await read_object(request)
    max_requests = _limit(body, "max_requests")
    tokens = _limit(body, "tokens_per_minute")
    await _own_key(state, identity, key_id)
    done = await KeyStore(database_pool(state)).set_limits(
        key_id, max_requests=max_requests, tokens_per_minute=tokens
    )
    if not done:
        raise NotFoundError(f"No active key '{key_id}'.")
    exchange.admin_changes = (
        ("key_limits", f"{key_id} max_requests={max_requests} tokens_per_minute={tokens}"),
    )
    row = await KeyStore(database_pool(state)).get(key_id)
    assert row is not None  # noqa: S101 - just updated
    return json_response(key_json(row))


async def list_users(request: Request) -> Response:
    state = core_state(request)
    identity, _ = authorized_call(state, request, ADMIN_MANAGE)
    users = await KeyStore(database_pool(state)).users(workspace=_scope(identity))
    return json_response({"users": users})


async def list_grants(request: Request) -> Response:
    state = core_state(request)
    identity, _ = authorized_call(state, request, ADMIN_MANAGE)
    grants = await KeyStore(database_pool(state)).grants(workspace=_scope(identity))
    return json_response(
        {
            "grants": [
                {
                    "user": grant.user,
                    "permission": grant.permission,
                    "granted_at": grant.granted_at.isoformat(),
                    "granted_by": grant.granted_by,
                }
                for grant in grants
            ]
        }
    )


async def _grant_target(
    state: CoreState, identity: KeyIdentity, request: Request
) -> tuple[str, str]:
    body = await read_object(request)
    user = _text(body, "user")
    permission = _text(body, "permission")
    assert user is not None and permission is not None  # noqa: S101 - required above
    if permission not in PERMISSIONS:
        raise InvalidRequestError(
            f"'permission' must be one of: {', '.join(PERMISSIONS)}.", param="permission"
        )
    store = KeyStore(database_pool(state))
    workspaces = await store.user_workspaces(user)
    scope = _scope(identity)
    if scope is not None:
        if permission == ADMIN_MANAGE:
            raise PermissionDeniedError("Only a global admin may grant or revoke 'admin:manage'.")
        if scope not in workspaces:
            raise NotFoundError(f"No user '{user}' with a key in workspace '{scope}'.")
    return user, permission


async def grant(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    user, permission = await _grant_target(state, identity, request)
    try:
        added = await KeyStore(database_pool(state)).grant(
            user, permission, granted_by=identity.user
        )
    except LookupError:
        raise NotFoundError(f"No user '{user}'.") from None
    if added:
        exchange.admin_changes = (("grant", f"user={user} permission={permission}"),)
        _log.info("permission_granted", user=user, permission=permission, by=identity.user)
    return json_response({"user": user, "permission": permission, "granted": added})


async def revoke_grant(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    user, permission = await _grant_target(state, identity, request)
    removed = await KeyStore(database_pool(state)).revoke_grant(user, permission)
    if removed:
        exchange.admin_changes = (("grant_revoke", f"user={user} permission={permission}"),)
        _log.info("permission_revoked", user=user, permission=permission, by=identity.user)
    return json_response({"user": user, "permission": permission, "revoked": removed})


ROUTES: Final = [
    Route("/api/v1/admin/keys", uses_database(create_key), methods=["POST"]),
    Route("/api/v1/admin/keys", uses_database(list_keys), methods=["GET"]),
    Route("/api/v1/admin/keys/{key_id}/revoke", uses_database(revoke_key), methods=["POST"]),
    Route("/api/v1/admin/keys/{key_id}/limits", uses_database(set_limits), methods=["POST"]),
    Route("/api/v1/admin/users", uses_database(list_users), methods=["GET"]),
    Route("/api/v1/admin/grants", uses_database(list_grants), methods=["GET"]),
    Route("/api/v1/admin/grants", uses_database(grant), methods=["POST"]),
    Route("/api/v1/admin/grants/revoke", uses_database(revoke_grant), methods=["POST"]),
]
