"""HTTP plumbing both processes share: request context, error rendering, body limits, JSON.

:class:`RequestContextMiddleware` is a pure ASGI middleware (no ``BaseHTTPMiddleware``: it
buffers and costs ~100 µs). Per request it fixes the request id (a trusted caller's, or a new
one), resolves the client IP, binds both into structlog's context, adds
``X-Aegis-Request-Id`` to the response, renders any escaped exception as an OpenAI-shaped 500
without a stack trace, and logs exactly one access line.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Lifespan, Message, Receive, Scope, Send

from shared import wire
from shared.clientip import ClientIpResolver, is_trusted
from shared.config import IPNetwork
from shared.errors import (
    AegisError,
    ClientError,
    MethodNotAllowedError,
    NotFoundError,
    RequestTimeoutError,
    RequestTooLargeError,
    error_body,
)
from shared.logging import REQUEST_CONTEXT

__all__ = [
    "BODY_READ_TIMEOUT_S",
    "CORS_METHODS",
    "DirectRoutes",
    "RequestContextMiddleware",
    "RequestInfo",
    "exception_handlers",
    "json_response",
    "read_json_body",
    "request_info",
]

_log = structlog.get_logger("aegis.http")
_REQUEST_ID_HEADER: Final = wire.HEADER_REQUEST_ID.encode()
_CLIENT_IP_HEADER: Final = wire.HEADER_CLIENT_IP.encode()
_JSON: Final = "application/json"
# How long a request body may take to arrive (BODY_READ_TIMEOUT_MS overrides it per process).
CORS_METHODS: Final = ("GET", "POST", "PUT", "DELETE", "OPTIONS")
"""What a browser on a ``CORS_ORIGINS`` origin may send: every method the admin API serves."""
BODY_READ_TIMEOUT_S: Final = 10.0
# How often pending body reads are checked against their deadline: a 408 is at most this late.
_DEADLINE_SWEEP_S: Final = 0.1


@dataclass(slots=True)
class RequestInfo:
    """What the middleware learned about a request; handlers add to ``log``.

    ``on_finish``, if a handler sets it, is called once the response is over (a stream's
    last byte sent, or the client gone) with the status and the seconds taken, just before
    the access line is written: it may still set ``key_id`` and add to ``log``.
    """

    request_id: str
    client_ip: str
    started: float
    trusted_peer: bool = False
    key_id: str | None = None
    route: str | None = None
    log: dict[str, Any] = field(default_factory=dict)
    on_finish: Callable[[int, float], None] | None = None


def request_info(request: Request) -> RequestInfo:
    info: RequestInfo = request.scope["aegis"]
    return info


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response serialised with orjson."""
    return Response(wire.dumps(content), status_code, headers, media_type=_JSON)


class RequestContextMiddleware:
    """Request id, client IP, structlog context, one access log line, last-resort 500."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: Sequence[IPNetwork] = (),
        client_ip_header: str = "x-forwarded-for",
        quiet_paths: frozenset[str] = frozenset({"/api/v1/health", "/metrics", "/api/v1/metrics"}),
        on_response: Callable[[RequestInfo, str, int, float], None] | None = None,
    ) -> None:
        self.app = app
        self.trusted = tuple(trusted_proxies)
        self.client_ip_header = client_ip_header.lower().encode()
        self.client_ips = ClientIpResolver(self.trusted, client_ip_header.lower())
        self.quiet_paths = quiet_paths
        self.on_response = on_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        peer = scope["client"][0] if scope.get("client") else None
        trusted = is_trusted(peer, self.trusted)
        offered_id = None
        offered_ip = None
        forwarded = None
        for name, value in scope["headers"]:
            if name == _REQUEST_ID_HEADER:
                offered_id = value.decode("latin-1")
            elif name == _CLIENT_IP_HEADER:
                offered_ip = value.decode("latin-1")
            elif name == self.client_ip_header:
                forwarded = value.decode("latin-1")
        if trusted and wire.valid_request_id(offered_id):
            request_id = offered_id or wire.new_request_id()
        else:
            request_id = wire.new_request_id()
        client_ip = self.client_ips.resolve(peer, trusted, offered_ip, forwarded, now=started)
        info = RequestInfo(
            request_id=request_id, client_ip=client_ip, started=started, trusted_peer=trusted
        )
        scope["aegis"] = info

        status = 0
        sent_bytes = 0
        id_header = (_REQUEST_ID_HEADER, request_id.encode())

        async def send_wrapper(message: Message) -> None:
            nonlocal status, sent_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            elif message["type"] == "http.response.body":
                sent_bytes += len(message.get("body", b""))
            await send(message)

        bound = REQUEST_CONTEXT.set(info)
        try:
            try:
                await self.app(scope, receive, send_wrapper)
            except ClientDisconnect:
                # The client left while sending its body: nobody to answer.
                status = status or 499
            except Exception:
                _log.exception("request_failed", path=scope["path"])
                if status == 0:
                    body = error_body(
                        "The gateway failed to handle the request.",
                        "server_error",
                        "internal_error",
                        request_id=request_id,
                    )
                    await Response(wire.dumps(body), 500, media_type=_JSON)(
                        scope, receive, send_wrapper
                    )
            finally:
                elapsed = time.perf_counter() - started
                path = scope["path"]
                if info.on_finish is not None:
                    try:
                        info.on_finish(status, elapsed)
                    except Exception:
                        # A broken sink costs its own record, never the access line.
                        _log.exception("request_finish_failed", path=path)
                if self.on_response is not None:
                    route = info.route or getattr(scope.get("route"), "path", None)
                    self.on_response(info, route or "unmatched", status, elapsed)
                if path not in self.quiet_paths:
                    _log.info(
                        "request",
                        method=scope["method"],
                        path=path,
                        status=status,
                        latency_ms=round(elapsed * 1000, 3),
                        bytes_out=sent_bytes,
                        key_id=info.key_id,
                        **info.log,
                    )
        finally:
            REQUEST_CONTEXT.reset(bound)


class _ReadDeadlines:
    """Cancels body reads past their deadline, from one timer per event loop.

    A timer per request (``asyncio.timeout``) costs 4.6 µs on uvloop, and nearly every body
    has arrived with its headers; watching a read here costs a dict insert and delete, and
    the one timer runs every ``_DEADLINE_SWEEP_S`` only while reads are pending.
    """

    _local = threading.local()  # one loop per thread: the test servers run one per thread

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._pending: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._armed = False

    @classmethod
    def of_running_loop(cls) -> _ReadDeadlines:
        loop = asyncio.get_running_loop()
        deadlines: _ReadDeadlines | None = getattr(cls._local, "deadlines", None)
        if deadlines is None or deadlines.loop is not loop:
            deadlines = cls._local.deadlines = cls(loop)
        return deadlines

    def watch(self, task: asyncio.Task[Any], timeout: float) -> None:
        self._pending[task] = self.loop.time() + timeout
        if not self._armed:
            self._armed = True
            self.loop.call_later(_DEADLINE_SWEEP_S, self._sweep)

    def release(self, task: asyncio.Task[Any]) -> bool:
        """Stop watching ``task``; whether it was cancelled for being past its deadline."""
        del self._pending[task]
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    def _sweep(self) -> None:
        now = self.loop.time()
        for task, deadline in list(self._pending.items()):
            if deadline <= now and task not in self._expired:
                self._expired.add(task)
                task.cancel()
        self._armed = bool(self._pending)
        if self._armed:
            self.loop.call_later(_DEADLINE_SWEEP_S, self._sweep)


async def read_json_body(
    request: Request, limit: int, read_timeout: float = BODY_READ_TIMEOUT_S
) -> bytes:
    """The request body, refusing more than ``limit`` bytes (413) or a body that has not
    arrived within ``read_timeout`` seconds (408, up to 0.1 s late).

    The content type is not checked: the body must parse as JSON whatever it claims (``curl
    -d`` sends a form type), and browsers cannot send the Authorization header cross-site
    without a CORS preflight, so a lax type opens no CSRF hole. A client that announces more
    bytes than it sends would otherwise hold the connection (and its task) open for good;
    the 408 closes the connection, whose unread rest can no longer be told from a next request.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise ClientError("Content-Length is not a number.")
        if int(declared) > limit:
            raise RequestTooLargeError(
                f"The request body is larger than this gateway accepts ({limit} bytes)."
            )
    chunks: list[bytes] = []
    size = 0
    task = asyncio.current_task()
    assert task is not None  # noqa: S101 - a handler always runs in a task
    deadlines = _ReadDeadlines.of_running_loop()
    deadlines.watch(task, read_timeout)
    expired = False
    try:
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestTooLargeError(
                        f"The request body is larger than this gateway accepts ({limit} bytes)."
                    )
                chunks.append(chunk)
        finally:
            expired = deadlines.release(task)
    except asyncio.CancelledError:
        if not expired:
            raise
        task.uncancel()
        raise RequestTimeoutError(
            f"The request body was not received within {read_timeout:g} s.",
            headers={"connection": "close"},
        ) from None
    return b"".join(chunks)


def _request_id(request: Request) -> str | None:
    info = request.scope.get("aegis")
    return info.request_id if info is not None else None


async def _aegis_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, AegisError):
        raise exc
    info = request.scope.get("aegis")
    if info is not None:
        info.log["error_code"] = exc.code
    return json_response(exc.body(_request_id(request)), exc.status, exc.headers or None)


async def _http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    error: AegisError
    if exc.status_code == 404:
        error = NotFoundError(f"No route for {request.method} {request.url.path}.")
    elif exc.status_code == 405:
        error = MethodNotAllowedError(f"Method {request.method} is not allowed here.")
    else:
        error = ClientError(str(exc.detail))
    return json_response(error.body(_request_id(request)), exc.status_code, dict(exc.headers or {}))


def exception_handlers() -> dict[Any, Any]:
    """Starlette exception handlers rendering every error in OpenAI's shape."""
    return {AegisError: _aegis_error, HTTPException: _http_exception}


Handler = Callable[[Request], Awaitable[Response]]


class DirectRoutes:
    """Serves the hot API routes straight from a ``(method, path)`` map.

    Starlette's router and its two exception middlewares cost four coroutine layers and two
    ``send`` wrappers per request; on a gateway that sits on every LLM call that is a
    measurable share of the added latency. The few API routes are dispatched here, with
    :class:`AegisError` rendered the same way as by :func:`exception_handlers`; everything
    else (service endpoints, 404, 405, lifespan) goes to the wrapped Starlette app.
    """

    def __init__(self, app: ASGIApp, routes: Mapping[tuple[str, str], Handler]) -> None:
        self.app = app
        self.routes = dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            handler = self.routes.get((scope["method"], scope["path"]))
            if handler is not None:
                request = Request(scope, receive, send)
                info: RequestInfo | None = scope.get("aegis")
                if info is not None:
                    info.route = scope["path"]
                try:
                    response = await handler(request)
                except AegisError as exc:
                    response = await _aegis_error(request, exc)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_app(
    *,
    api: Mapping[tuple[str, str], Handler],
    service_routes: Sequence[Route],
    lifespan: Lifespan[Starlette],
    trusted_proxies: Sequence[IPNetwork],
    cors_origins: Sequence[str],
    on_response: Callable[[RequestInfo, str, int, float], None],
) -> ASGIApp:
    """The ASGI stack of an Aegis process, outermost first.

    :class:`RequestContextMiddleware` → CORS (only with ``cors_origins``) →
    :class:`DirectRoutes` for ``api`` → Starlette for ``service_routes``, 404/405 and the
    lifespan.
    """
    service = Starlette(
        routes=list(service_routes), exception_handlers=exception_handlers(), lifespan=lifespan
    )
    # A trailing slash is a 404 like any unknown path: Starlette's redirect would build its
    # Location from the client's Host header (an open redirect to any host named there).
    service.router.redirect_slashes = False
    app: ASGIApp = DirectRoutes(service, api)
    if cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=list(cors_origins),
            # The admin API's methods: the policy API puts and deletes.
            allow_methods=list(CORS_METHODS),
            allow_headers=["authorization", "content-type", wire.HEADER_REQUEST_ID],
            expose_headers=[wire.HEADER_REQUEST_ID, wire.HEADER_BYPASSED],
        )
    return RequestContextMiddleware(app, trusted_proxies=trusted_proxies, on_response=on_response)
