"""The console's routes: its pages, the login, and the admin API reached with a session.

    GET  /console/                 the single page (English or Korean, by Accept-Language)
    GET  /console/static/{name}    its script, style sheet and icon (the files in static/)
    POST /console/login            form field ``key`` (admin or auditor) → session cookie
    GET  /console/session          the session's user, role, workspace, CSRF token, expiry
    POST /console/logout           ends the session (CSRF header required)
    *    /console/api/…            the admin API (``/api/…``) with the session's key, only
                                   with the header ``X-CSRF-Token`` (:class:`ConsoleGate`)
    GET  /api/v1/admin/overview?window=1h|24h   the overview's figures (``audit:read``)

The session authorises nothing but ``/console/api/…`` and ``/console/logout``: the cookie
alone opens no admin route, and every call through it, a read included, needs the CSRF
token, which only the console's own script can read (``GET /console/session`` carries no
CORS header). What the key may do is decided by the admin API's own checks
(``core.routes.admin.authorized``), the same as for a key sent as a bearer token.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import asyncpg
import structlog
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core.audit.record import ADMIN_PREFIX
from core.console.session import COOKIE_NAME, CSRF_HEADER, ConsoleSession, SessionStore
from core.lifecycle.run import begin
from core.routes.admin import authorized, database_pool, uses_database
from core.state import CoreState, core_state
from shared.clientip import is_trusted, parse_ip
from shared.config import IPNetwork
from shared.edgereport import overall, read_reports
from shared.errors import (
    AegisError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from shared.http import json_response
from shared.permissions import (
    ADMIN_MANAGE,
    AUDIT_READ,
    BYPASS_READ,
    sees_all_workspaces,
)

__all__ = ["ROUTES", "ConsoleGate"]

_log = structlog.get_logger("aegis.core.console")

STATIC_DIR: Final = Path(__file__).parent / "static"
API_PREFIX: Final = "/console/api/"
ADMIN_PATHS: Final = ("/api/v1/admin/", "/api/approvals")
"""What the session may reach under ``API_PREFIX``: the admin API (the approvals under both
of their names), nothing else core serves."""
MAX_LOGIN_BYTES: Final = 4096
WINDOWS: Final = {"1h": (3600, 300), "24h": (86400, 3600)}
"""Overview windows: their length and one chart bar's, in seconds."""
AUDIT_ROUTE: Final = ADMIN_PREFIX + "console/login"
"""The route a login is recorded under: an admin call (``core.audit.record.action_of``)."""
_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Everything the page loads comes from here; no inline script, no other origin.
SECURITY_HEADERS: Final = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def _load_static() -> dict[str, tuple[bytes, str]]:
    # Read once at import: the route serves these names only, so no path reaches the disk.
    return {
        path.name: (path.read_bytes(), _TYPES[path.suffix])
        for path in sorted(STATIC_DIR.iterdir())
        if path.suffix in _TYPES
    }


_STATIC: Final = _load_static()


def _store(state: CoreState) -> SessionStore:
    return SessionStore(state.redis, state.settings.redis_prefix)


def _token(headers: Mapping[str, str]) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(raw)
    except CookieError:
        return None
    morsel = cookies.get(COOKIE_NAME)
    return morsel.value if morsel is not None else None


def _over_tls(request: Request, state: CoreState) -> bool:
    """Whether the browser spoke TLS: to us, or to a trusted proxy that says so."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else None
    if peer is None or request.headers.get("x-forwarded-proto", "").lower() != "https":
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in state.settings.trusted_proxies)


def _same_origin(request: Request) -> bool:
    """A browser's cross-site form post names another origin; none named is a script's.

    Host names are compared, not ports: nginx passes ``$host``, without the port the
    browser used (a different port is not another site to SameSite either)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    try:
        theirs = urlsplit(origin).hostname
        ours = urlsplit("//" + request.headers.get("host", "")).hostname
    except ValueError:
        return False
    return theirs is not None and theirs == ours


def _language(request: Request) -> str:
    """``ko`` when Accept-Language ranks Korean above English, else ``en``."""
    best, best_q = "en", -1.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        if lang not in ("en", "ko"):
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = lang, q
    return best


async def index(request: Request) -> Response:
    page, _ = _STATIC["index.html"]
    lang = _language(request).encode()
    return Response(
        page.replace(b'<html lang="en"', b'<html lang="' + lang + b'"', 1),
        headers=SECURITY_HEADERS,
        media_type=_TYPES[".html"],
    )


async def to_index(request: Request) -> Response:
    # Relative, so a proxy's prefix (nginx's /aegis/) is kept and no Host header is trusted.
    return RedirectResponse("console/", status_code=308)


async def static(request: Request) -> Response:
    found = _STATIC.get(request.path_params["name"])
    if found is None or request.path_params["name"] == "index.html":
        return json_response({"error": {"message": "No such file."}}, 404)
    body, media_type = found
    return Response(body, headers=SECURITY_HEADERS, media_type=media_type)


async def _read_form_key(request: Request) -> str:
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise InvalidRequestError("Send the key as the form field 'key'.", param="key")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_LOGIN_BYTES:
            raise InvalidRequestError("The login form is too large.", param="key")
    try:
        fields = parse_qs(body.decode(), max_num_fields=4, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequestError("The login form is not readable.", param="key") from None
    keys = fields.get("key", [])
    if len(keys) != 1 or not keys[0].strip():
        raise InvalidRequestError("Send the key as the form field 'key'.", param="key")
    return keys[0].strip()


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def login(request: Request) -> Response:
    """Exchange an admin or auditor key for a session cookie (the key is not kept in clear)."""
    state = core_state(request)
    if not _same_origin(request):
        raise PermissionDeniedError("A console login must come from the console's own page.")
    key = await _read_form_key(request)
    # A login, refused or not, is an audit row like an admin API call (action ``admin``,
    # finding ``console_login``), so staff see who opened the console and who tried.
    exchange = begin(request, state)
    exchange.route = AUDIT_ROUTE
    identity = state.keys.authenticate("Bearer " + key)
    exchange.identify(identity)
    exchange.admin_changes = (("console_login", identity.key_id),)
    if AUDIT_READ not in identity.permissions:
        _log.info("console_login_refused", key_id=identity.key_id, role=identity.role)
        raise PermissionDeniedError(
            f"Role '{identity.role}' cannot use the console; an admin or auditor key can."
        )
    try:
        token, session = await _store(state).create(key, identity, time.time())
    except RedisError as exc:
        raise ServiceUnavailableError("Sessions cannot be opened: Redis is unreachable.") from exc
    _log.info("console_login", key_id=identity.key_id, user=identity.user, role=identity.role)
    response: Response
    if _wants_json(request):
        response = json_response(session.public())
    else:
        response = RedirectResponse("./", status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=_store(state).ttl_s,
        path="/console/",
        secure=_over_tls(request, state),
        httponly=True,
        samesite="strict",
    )
    response.headers["cache-control"] = "no-store"
    return response


async def _session(request: Request, state: CoreState) -> ConsoleSession:
    try:
        session = await _store(state).open(_token(request.headers), time.time())
    except RedisError as exc:
        raise ServiceUnavailableError("Sessions cannot be read: Redis is unreachable.") from exc
    if session is None:
        raise AuthenticationError("No console session, or it expired: log in again.")
    return session


async def show_session(request: Request) -> Response:
    state = core_state(request)
    session = await _session(request, state)
    # The key must still be valid: a revoked key's session shows as logged out.
    identity = state.keys.authenticate("Bearer " + session.key)
    return json_response(
        {**session.public(), "permissions": sorted(identity.permissions)},
        headers={"cache-control": "no-store"},
    )


async def logout(request: Request) -> Response:
    state = core_state(request)
    session = await _session(request, state)
    if not session.csrf_matches(request.headers.get(CSRF_HEADER)):
        raise PermissionDeniedError("Missing or wrong CSRF token (header X-CSRF-Token).")
    await _store(state).close(_token(request.headers))
    _log.info("console_logout", key_id=session.key_id, user=session.user)
    response = json_response({"logged_out": True})
    response.delete_cookie(COOKIE_NAME, path="/console/", httponly=True, samesite="strict")
    return response


async def overview(request: Request) -> Response:
    """Requests, blocks by scanner, threats by type, latency, bypass, approvals, core loops."""
    state = core_state(request)
    identity = authorized(state, request, AUDIT_READ)
    window = request.query_params.get("window", "1h")
    if window not in WINDOWS:
        raise InvalidRequestError("'window' must be 1h or 24h.", param="window")
    span_s, bar_s = WINDOWS[window]
    now = dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(seconds=span_s)
    scope = None if sees_all_workspaces(identity.role, identity.workspace) else identity.workspace
    pool = database_pool(state)
    where = "\"timestamp\" >= $1 AND action <> 'admin' AND ($2::text IS NULL OR workspace_id = $2)"
    async with pool.acquire() as connection:
        # An aggregate without GROUP BY is always one row.
        totals = _one(
            await connection.fetchrow(
                f"""SELECT count(*) AS requests,
                       count(*) FILTER (WHERE decision = 'block') AS blocked,
                       count(*) FILTER (WHERE decision = 'mask') AS masked,
                       count(*) FILTER (WHERE bypassed) AS bypassed,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                       percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
                FROM audit_logs WHERE {where}""",  # noqa: S608 - constant text, values bound
                since,
                scope,
            )
        )
        series = await connection.fetch(
            f"""SELECT floor(extract(epoch FROM "timestamp") / $3)::bigint AS bar,
                       count(*) AS requests,
                       count(*) FILTER (WHERE decision = 'block') AS blocked
                FROM audit_logs WHERE {where} GROUP BY bar ORDER BY bar""",  # noqa: S608
            since,
            scope,
            bar_s,
        )
        by_scanner = await connection.fetch(
            f"""SELECT coalesce(f->>'scanner', '?') AS name, count(*) AS n
                FROM audit_logs, jsonb_array_elements(findings) AS f
                WHERE {where} AND decision = 'block'
                GROUP BY name ORDER BY n DESC LIMIT 12""",  # noqa: S608
            since,
            scope,
        )
        by_type = await connection.fetch(
            f"""SELECT coalesce(f->>'type', '?') AS name, count(*) AS n
                FROM audit_logs, jsonb_array_elements(findings) AS f
                WHERE {where}
                GROUP BY name ORDER BY n DESC LIMIT 12""",  # noqa: S608
            since,
            scope,
        )
        bypass: dict[str, Any] | None = None
        if BYPASS_READ in identity.permissions:
            row = _one(
                await connection.fetchrow(
                    """SELECT count(*) FILTER (WHERE occurred_at >= $1) AS in_window,
                          count(*) FILTER (WHERE reviewed_at IS NULL) AS unreviewed,
                          max(occurred_at) AS latest
                   FROM bypass_events""",
                    since,
                )
            )
            latest = row["latest"]
            bypass = {
                "in_window": row["in_window"],
                "unreviewed": row["unreviewed"],
                "latest": latest.isoformat() if latest else None,
            }
        pending: int | None = None
        if ADMIN_MANAGE in identity.permissions:
            pending = await connection.fetchval(
                """SELECT count(*) FROM approval_requests
                   WHERE status = 'pending' AND expires_at > now()
                     AND ($1::text IS NULL OR workspace = $1)""",
                scope,
            )
    first = int(since.timestamp()) // bar_s
    counts = {row["bar"]: row for row in series}
    bars = [
        {
            "start": dt.datetime.fromtimestamp(bar * bar_s, dt.UTC).isoformat(),
            "requests": counts[bar]["requests"] if bar in counts else 0,
            "blocked": counts[bar]["blocked"] if bar in counts else 0,
        }
        for bar in range(first, int(now.timestamp()) // bar_s + 1)
    ]
    return json_response(
        {
            "window": window,
            "workspace": scope,
            "requests": totals["requests"],
            "blocked": totals["blocked"],
            "masked": totals["masked"],
            "bypassed": totals["bypassed"],
            "latency_ms": {"p50": totals["p50"], "p99": totals["p99"]},
            "series": bars,
            "blocks_by_scanner": [{"name": r["name"], "count": r["n"]} for r in by_scanner],
            "threats_by_type": [{"name": r["name"], "count": r["n"]} for r in by_type],
            "bypass": bypass,
            "pending_approvals": pending,
            "breaker": await _breakers(state),
            "core": {"instance": state.settings.instance, "failing_loops": state.loops.failing()},
        }
    )


async def _breakers(state: CoreState) -> dict[str, Any]:
    """The edges' breakers on core, as each edge reported them (:mod:`shared.edgereport`):
    ``state`` is the worst among edges reporting now (``open``, ``half_open``, ``closed``),
    ``unknown`` when none is or Redis cannot be read."""
    try:
        reports = await read_reports(state.redis, state.settings.redis_prefix)
    except RedisError:
        return {"state": "unknown", "edges": None}
    return {"state": overall(reports), "edges": [report.as_dict() for report in reports]}


def _one(row: asyncpg.Record | None) -> asyncpg.Record:
    if row is None:
        raise ServiceUnavailableError("PostgreSQL answered an aggregate with no row.")
    return row


_REFUSED_PATH: Final = "/console/api-refused"
_REFUSAL: Final = "aegis.console_refusal"
_ANY_METHOD: Final = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


async def refused(request: Request) -> Response:
    """Where :class:`ConsoleGate` sends a call it refuses: the error is raised inside the
    app, so it is rendered, logged and counted like any other (request id included)."""
    error = request.scope.get(_REFUSAL)
    if not isinstance(error, AegisError):
        raise NotFoundError(f"No route for {request.method} {request.url.path}.")
    raise error


class AdminSourceRefusedError(PermissionDeniedError):
    code = "admin_source_refused"
    default_message = (
        "The admin API and the console answer only the networks in core's ADMIN_ALLOW_FROM."
    )


def _is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PATHS) or path == "/console" or path.startswith("/console/")


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def _refuse(scope: Scope, error: AegisError | None) -> Scope:
    return {**scope, "path": _REFUSED_PATH, "raw_path": _REFUSED_PATH.encode(), _REFUSAL: error}


class ConsoleGate:
    """``/console/api/…`` → ``/api/…`` with the session's key as the bearer token.

    Only with a session and its CSRF token in ``X-CSRF-Token`` (any method: a read can leak
    as much as a write can change), and only to the admin API; a bearer token the request
    brought is dropped, so the console path never serves a key other than its session's.

    With ``admin_allow_from`` (``ADMIN_ALLOW_FROM``) the admin API and the console answer
    only connections from those networks (403 ``admin_source_refused`` otherwise), whatever
    key they bring: the TCP peer decides, never ``X-Forwarded-For`` (a compromised edge, a
    trusted proxy, could name any address). Everything else passes by.
    """

    def __init__(self, app: ASGIApp, *, admin_allow_from: tuple[IPNetwork, ...] = ()) -> None:
        self.app = app
        self.admin_allow_from = admin_allow_from

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and self.admin_allow_from
            and _is_admin_path(scope["path"])
            and not is_trusted(parse_ip(_peer(scope)), self.admin_allow_from)
        ):
            scope = _refuse(scope, AdminSourceRefusedError())
        elif scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            scope = await self._admit(scope)
        elif scope["type"] == "http" and scope["path"] == _REFUSED_PATH:
            scope = {**scope, _REFUSAL: None}  # only the gate sends a call there
        await self.app(scope, receive, send)

    async def _admit(self, scope: Scope) -> Scope:
        """The scope of the admin API call, or of :func:`refused` with the reason."""
        path = scope["path"][len("/console") :]
        state: CoreState | None = scope.get("state", {}).get("core")
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        error: AegisError | None = None
        session: ConsoleSession | None = None
        if not path.startswith(ADMIN_PATHS) or "/.." in path:
            error = NotFoundError("The console reaches the admin API only.")
        elif state is None:
            error = ServiceUnavailableError("Core is starting.")
        else:
            try:
                session = await _store(state).open(_token(headers), time.time())
            except RedisError:
                error = ServiceUnavailableError("Sessions cannot be read: Redis is down.")
            if error is None and session is None:
                error = AuthenticationError("No console session, or it expired: log in again.")
            elif session is not None and not session.csrf_matches(headers.get(CSRF_HEADER)):
                error = PermissionDeniedError("Missing or wrong CSRF token (header X-CSRF-Token).")
        if error is not None or session is None:
            return _refuse(scope, error)
        raw_path = scope.get("raw_path") or scope["path"].encode()
        kept = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"authorization", b"cookie", CSRF_HEADER.encode())
        ]
        kept.append((b"authorization", b"Bearer " + session.key.encode()))
        return {**scope, "path": path, "raw_path": raw_path[len(b"/console") :], "headers": kept}


ROUTES: Final = [
    Route("/console", to_index, methods=["GET"]),
    Route("/console/", index, methods=["GET"]),
    Route("/console/static/{name}", static, methods=["GET"]),
    Route("/console/login", login, methods=["POST"]),
    Route("/console/session", show_session, methods=["GET"]),
    Route("/console/logout", logout, methods=["POST"]),
    Route("/api/v1/admin/overview", uses_database(overview), methods=["GET"]),
    Route(_REFUSED_PATH, refused, methods=_ANY_METHOD),
]
