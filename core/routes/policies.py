"""The admin API for scanning policies: read, set and remove overrides; see what applies.

    GET    /api/v1/admin/policies                           every override, and the defaults
    GET    /api/v1/admin/policies/effective?key_id=&workspace=   what a request would get
    GET    /api/v1/admin/policies/global | /workspace/{name} | /key/{key id}
    PUT    (same paths)   {"thresholds": {"classifier": 0.6, "regex:en.developer_mode": null},
                           "dry_run": false}
    DELETE (same paths)

Reading needs ``policy:read`` (admin, auditor), writing ``policy:write`` (admin). A write
is applied by every running core within moments (``NOTIFY``), without a restart; the
change is logged with who made it (never with any request text). ``aegis policy …`` is a
client of this API.
"""

from __future__ import annotations

from typing import Final

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.policies.store import GLOBAL_SUBJECT, SCOPES, PolicyStore
from core.routes.admin import (
    authorized,
    authorized_call,
    database_pool,
    path_text,
    read_object,
    uses_database,
)
from core.scanning.policy import PolicyDocument
from core.state import core_state
from shared.errors import InvalidRequestError, NotFoundError
from shared.http import json_response

__all__ = ["ROUTES"]

_log = structlog.get_logger("aegis.core.admin")

MAX_SUBJECT_CHARS: Final = 200


def _target(request: Request) -> tuple[str, str]:
    scope = request.path_params["scope"]
    subject = request.path_params.get("subject")
    if scope not in SCOPES:
        raise NotFoundError(f"No policy scope '{scope}'; scopes are {', '.join(SCOPES)}.")
    if scope == "global":
        if subject is not None:
            raise NotFoundError("The global policy has no name: use /api/v1/admin/policies/global.")
        return scope, GLOBAL_SUBJECT
    if subject is None:
        raise NotFoundError(f"Name the {scope}: /api/v1/admin/policies/{scope}/{{name}}.")
    if not subject:
        raise InvalidRequestError(f"A {scope} name is 1 to {MAX_SUBJECT_CHARS} characters.")
    return scope, path_text(request, "subject", MAX_SUBJECT_CHARS)


async def list_policies(request: Request) -> Response:
    state = core_state(request)
    authorized(state, request, "policy:read")
    rows = await PolicyStore(database_pool(state)).list()
    return json_response(
        {
            "defaults": state.policies.defaults.as_dict(),
            "policies": [row.as_dict() for row in rows],
        }
    )


async def effective_policy(request: Request) -> Response:
    state = core_state(request)
    authorized(state, request, "policy:read")
    params = request.query_params
    policy = state.policies.resolve(params.get("key_id"), params.get("workspace"))
    body = policy.as_dict()
    if body["dry_run"] is None:
        body["dry_run"] = state.settings.dry_run
    return json_response(body)


async def show_policy(request: Request) -> Response:
    state = core_state(request)
    authorized(state, request, "policy:read")
    scope, subject = _target(request)
    row = await PolicyStore(database_pool(state)).get(scope, subject)
    if row is None:
        raise NotFoundError(f"No {scope} policy for '{subject}'.")
    return json_response(row.as_dict())


async def put_policy(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, "policy:write")
    scope, subject = _target(request)
    document = PolicyDocument.parse(await read_object(request))
    pool = database_pool(state)
    if scope == "key" and not await pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = $1)", subject
    ):
        raise NotFoundError(f"No key '{subject}'.")
    row = await PolicyStore(pool).put(scope, subject, document, identity.user)
    exchange.admin_changes = (("policy_set", f"{scope} {subject}"),)
    _log.info("policy_set", scope=scope, subject=subject, by=identity.user, **document.as_dict())
    return json_response(row.as_dict())


async def delete_policy(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, "policy:write")
    scope, subject = _target(request)
    deleted = await PolicyStore(database_pool(state)).delete(scope, subject)
    if not deleted:
        raise NotFoundError(f"No {scope} policy for '{subject}'.")
    exchange.admin_changes = (("policy_delete", f"{scope} {subject}"),)
    _log.info("policy_deleted", scope=scope, subject=subject, by=identity.user)
    return json_response({"deleted": True, "scope": scope, "subject": subject})


# HEAD is GET without the body (uvicorn drops it), as Starlette adds it to any GET route.
_METHODS: Final = {
    "GET": show_policy,
    "HEAD": show_policy,
    "PUT": put_policy,
    "DELETE": delete_policy,
}


async def one_policy(request: Request) -> Response:
    return await _METHODS[request.method](request)


ROUTES: Final = [
    Route("/api/v1/admin/policies", uses_database(list_policies), methods=["GET"]),
    Route("/api/v1/admin/policies/effective", effective_policy, methods=["GET"]),
    Route("/api/v1/admin/policies/{scope}", uses_database(one_policy), methods=list(_METHODS)),
    Route(
        "/api/v1/admin/policies/{scope}/{subject:path}",
        uses_database(one_policy),
        methods=list(_METHODS),
    ),
]
