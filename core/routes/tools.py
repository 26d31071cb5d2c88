"""The admin API for the tool catalogue: see what applies, override a tool per workspace.

    GET    /api/v1/admin/tools?workspace=W        → {"workspace", "unknown_level", "egress",
                                                    "tools": [effective, by name],
                                                    "overrides": [stored rows of W and *]}
    PUT    /api/v1/admin/tools/{workspace}/{name} {"level"?, "permission"?, "paths"?,
                                                   "extensions"?, "commands"?, "urls"?,
                                                   "max_bytes"?}  → the stored row
    DELETE /api/v1/admin/tools/{workspace}/{name} → {"deleted": true, …}

All need ``admin:manage``. The workspace ``*`` applies to every workspace (a workspace's own
row over it); only a global admin sets it. An admin of one workspace reads and changes its
own workspace only (another is a 403), and without ``?workspace=`` reads its own. A PUT
replaces the whole stored override of that tool there: fields left out inherit the
repository's catalogue (``core/tools/catalogue.toml``). Every core applies a change within
moments (``NOTIFY aegis_tools``); every change is an audit row (action ``admin``, findings
``tool_set`` / ``tool_delete``) naming who made it. ``aegis tools …`` is a client of this API.
"""

from __future__ import annotations

from typing import Any, Final

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.routes.admin import (
    authorized_call,
    database_pool,
    path_text,
    read_object,
    uses_database,
)
from core.state import CoreState, core_state
from core.tools.catalogue import CatalogueError, ToolOverride, valid_tool_name
from core.tools.registry import ToolRegistry
from core.tools.store import ALL_WORKSPACES, ToolStore
from shared.errors import InvalidRequestError, NotFoundError, PermissionDeniedError
from shared.http import json_response
from shared.keyset import KeyIdentity
from shared.permissions import ADMIN_MANAGE, sees_all_workspaces

__all__ = ["ROUTES"]

_log = structlog.get_logger("aegis.core.admin")

MAX_WORKSPACE_CHARS: Final = 200


def _registry(state: CoreState) -> ToolRegistry:
    if state.tools is None:
        raise NotFoundError("The tool gate is off (TOOL_GATE_ENABLED=false).")
    return state.tools


def _workspace(identity: KeyIdentity, workspace: str | None) -> str:
    """The workspace the call reads or changes: the caller's own unless it is a global
    admin; 403 for another."""
    if sees_all_workspaces(identity.role, identity.workspace):
        return workspace or ALL_WORKSPACES
    if workspace is not None and workspace != identity.workspace:
        raise PermissionDeniedError(f"This key manages workspace '{identity.workspace}' only.")
    return identity.workspace


def _target(request: Request, identity: KeyIdentity) -> tuple[str, str]:
    workspace = path_text(request, "workspace", MAX_WORKSPACE_CHARS)
    name = path_text(request, "name")
    if not workspace:
        raise InvalidRequestError("Name the workspace ('*': every workspace).")
    if not valid_tool_name(name):
        raise InvalidRequestError(
            "A tool name is 1 to 64 letters, digits, '_', '-' or '.'.", param="name"
        )
    return _workspace(identity, workspace), name


async def list_tools(request: Request) -> Response:
    state = core_state(request)
    identity, _ = authorized_call(state, request, ADMIN_MANAGE)
    registry = _registry(state)
    asked = request.query_params.get("workspace")
    if asked is not None and (not asked or len(asked) > MAX_WORKSPACE_CHARS):
        raise InvalidRequestError(
            f"'workspace' is 1 to {MAX_WORKSPACE_CHARS} characters.", param="workspace"
        )
    workspace = _workspace(identity, asked)
    load = await ToolStore(database_pool(state)).load(workspace)
    catalogue = registry.catalogue(workspace)
    overridden = {row.name for row in load.rows}
    body: dict[str, Any] = {
        "workspace": workspace,
        "unknown_level": catalogue.unknown_level.value,
        "egress": registry.egress.as_list(),
        "tools": [
            {**spec.as_dict(), "overridden": spec.name in overridden} for spec in catalogue.specs()
        ],
        "overrides": [row.as_dict() for row in load.rows],
    }
    if load.invalid:
        body["invalid"] = load.invalid
    return json_response(body)


async def put_tool(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    _registry(state)
    workspace, name = _target(request, identity)
    try:
        override = ToolOverride.parse(await read_object(request))
    except CatalogueError as exc:
        raise InvalidRequestError(str(exc), param=exc.field) from None
    row = await ToolStore(database_pool(state)).put(workspace, name, override, identity.user)
    settings = " ".join(f"{k}={v}" for k, v in override.as_dict().items() if k != "extensions")
    exchange.admin_changes = (("tool_set", f"{workspace} {name} {settings}".strip()),)
    _log.info("tool_set", workspace=workspace, tool=name, by=identity.user, **override.as_dict())
    return json_response(row.as_dict())


async def delete_tool(request: Request) -> Response:
    state = core_state(request)
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    _registry(state)
    workspace, name = _target(request, identity)
    if not await ToolStore(database_pool(state)).delete(workspace, name):
        raise NotFoundError(f"No override of '{name}' in workspace '{workspace}'.")
    exchange.admin_changes = (("tool_delete", f"{workspace} {name}"),)
    _log.info("tool_deleted", workspace=workspace, tool=name, by=identity.user)
    return json_response({"deleted": True, "workspace": workspace, "name": name})


_METHODS: Final = {"PUT": put_tool, "DELETE": delete_tool}


async def one_tool(request: Request) -> Response:
    return await _METHODS[request.method](request)


ROUTES: Final = [
    Route("/api/v1/admin/tools", uses_database(list_tools), methods=["GET"]),
    Route(
        "/api/v1/admin/tools/{workspace}/{name}",
        uses_database(one_tool),
        methods=list(_METHODS),
    ),
]
