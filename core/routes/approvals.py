"""The admin API of the approval workflow: see held tool calls, approve or reject them.

    GET  /api/v1/admin/approvals?status=pending&limit=N   → {"approvals": [rows]}
    GET  /api/v1/admin/approvals/stats?since=1d           → totals, per tool, mean time
    POST /api/v1/admin/approvals/{id}/approve             → the decided row
    POST /api/v1/admin/approvals/{id}/reject {"reason"}   → the decided row

and the same under ``/api/approvals`` (the seed's names). All need ``admin:manage``; an
admin of one workspace sees and decides its own workspace's requests only. The responder is
the key's user (no header names it). The first decision wins: deciding a request that is
no longer pending is a 409 saying how it ended. Every decision is an audit row (action
``admin``, findings ``approval_approve`` / ``approval_reject``) and reaches the waiting core
at once (``NOTIFY aegis_approvals``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.approvals.store import STATUSES, ApprovalStore
from core.lifecycle.exchange import Exchange
from core.routes.admin import (
    authorized_call,
    database_pool,
    parse_limit,
    parse_since,
    path_text,
    read_object,
    uses_database,
)
from core.state import CoreState, core_state
from shared.errors import ConflictError, InvalidRequestError, NotFoundError
from shared.http import json_response
from shared.keyset import KeyIdentity
from shared.permissions import ADMIN_MANAGE, sees_all_workspaces

__all__ = ["ROUTES"]

_log = structlog.get_logger("aegis.core.admin")
MAX_REASON_CHARS: Final = 1000


_SEED_PREFIX: Final = "/api/approvals"


def _authorized(state: CoreState, request: Request) -> tuple[KeyIdentity, Exchange]:
    """The admin call; under the seed's ``/api/approvals`` it is recorded as the same call
    under ``/api/v1/admin/approvals`` (an audit row of action ``admin`` either way)."""
    identity, exchange = authorized_call(state, request, ADMIN_MANAGE)
    if exchange.route.startswith(_SEED_PREFIX):
        exchange.route = "/api/v1/admin/approvals" + exchange.route[len(_SEED_PREFIX) :]
    return identity, exchange


def _scope(identity: KeyIdentity) -> str | None:
    """The workspace the caller is confined to (None: every workspace)."""
    if sees_all_workspaces(identity.role, identity.workspace):
        return None
    return identity.workspace


async def list_approvals(request: Request) -> Response:
    state = core_state(request)
    identity, _ = _authorized(state, request)
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidRequestError(f"'status' is one of {', '.join(STATUSES)}.", param="status")
    limit = parse_limit(request.query_params.get("limit"))
    rows = await ApprovalStore(database_pool(state)).list(
        status=status, workspace=_scope(identity), limit=limit
    )
    return json_response(
        {
            "approvals": [row.as_dict() for row in rows],
            "workflow": "enabled" if state.approvals is not None else "disabled",
        }
    )


async def approval_stats(request: Request) -> Response:
    state = core_state(request)
    identity, _ = _authorized(state, request)
    now = dt.datetime.now(dt.UTC)
    since = parse_since(request.query_params.get("since") or "1d", now)
    stats = await ApprovalStore(database_pool(state)).stats(since, workspace=_scope(identity))
    return json_response(stats)


async def _decide(request: Request, status: str) -> Response:
    state = core_state(request)
    identity, exchange = _authorized(state, request)
    request_id = path_text(request, "id", 100)
    reason: str | None = None
    if status == "rejected":
        body = await read_object(request) if await request.body() else {}
        given = body.get("reason")
        if given is not None and not isinstance(given, str):
            raise InvalidRequestError("'reason' is a string.", param="reason")
        reason = (given or "").strip() or None
        if reason is not None and len(reason) > MAX_REASON_CHARS:
            raise InvalidRequestError(
                f"'reason' is at most {MAX_REASON_CHARS} characters.", param="reason"
            )
    done = await ApprovalStore(database_pool(state)).decide(
        request_id, status, identity.user, reason, workspace=_scope(identity)
    )
    if done.row is None:
        raise NotFoundError(f"No approval request '{request_id}'.")
    if not done.changed:
        raise ConflictError(f"Approval request '{request_id}' is {done.row.status} already.")
    row = done.row
    if state.approvals is not None:
        state.approvals.metrics.decided(row)
    verb = "approve" if status == "approved" else "reject"
    exchange.admin_changes = (
        (f"approval_{verb}", f"{row.request_id} {row.workspace} {row.tool} {row.level}"),
    )
    _log.info(f"approval_{status}", approval=row.request_id, tool=row.tool, by=identity.user)
    return json_response(row.as_dict())


async def approve(request: Request) -> Response:
    return await _decide(request, "approved")


async def reject(request: Request) -> Response:
    return await _decide(request, "rejected")


ROUTES: Final = [
    route
    for base in ("/api/v1/admin/approvals", _SEED_PREFIX)
    for route in (
        Route(base, uses_database(list_approvals), methods=["GET"]),
        Route(base + "/stats", uses_database(approval_stats), methods=["GET"]),
        Route(base + "/{id}/approve", uses_database(approve), methods=["POST"]),
        Route(base + "/{id}/reject", uses_database(reject), methods=["POST"]),
    )
]
