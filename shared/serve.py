"""Running an Aegis process: settings from the environment, JSON logging, uvicorn.

A bad setting stops start-up with one line per problem on stderr and exit status 2, never a
traceback. A request uvicorn cannot parse (a malformed request line or header) is answered
by :class:`GatewayHttpProtocol` in OpenAI's error shape, like every other client mistake, and
so is a request whose head is too big to be one a client means (uvicorn's httptools protocol
has no limit of its own: it would read a 1 GB header into memory).
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import sys
from collections.abc import Callable
from typing import Any, Final, Protocol, TypeVar

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared import wire
from shared.config import ConfigError
from shared.errors import error_body
from shared.logging import configure_logging
from shared.tls import SERVER_CIPHERS, ServerTls, server_context

__all__ = [
    "MAX_HEADERS",
    "MAX_HEAD_BYTES",
    "MAX_URL_BYTES",
    "GatewayHttpProtocol",
    "freeze_start_up",
    "serve",
]

MAX_URL_BYTES: Final = 16 * 1024
"""The longest request target (path and query) served; a longer one gets 414."""
MAX_HEAD_BYTES: Final = 64 * 1024
"""The most bytes of header names and values one request may carry (431 past it); nginx's
default ``large_client_header_buffers 4 8k`` lets 32 KiB through, so nothing nginx passes is
refused here."""
MAX_HEADERS: Final = 100
"""The most header lines one request may carry (431 past it), as Apache's LimitRequestFields."""


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop reading a request whose head is over a limit."""


class _HeadJoiningTransport:
    """A connection's transport that sends a response's head with its first body write.

    uvicorn writes the head when the app sends ``http.response.start`` and the body at the
    next message, two ``send()`` calls where one would do; on loopback and through a
    container's network each costs the sender the receiver's TCP work too. py-spy (``--gil``)
    of the edge under ``python -m bench --concurrency 1`` put 7.7% of its CPU on each of
    the two writes. Here the head waits for the next write (a JSON answer's whole body,
    sent in the same turn of the event loop) and goes out with it; a head the app sends
    nothing after at once (a stream waiting for its first event) goes out on the next turn
    of the event loop, alone. Everything else is the transport's own."""

    __slots__ = ("_head", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._loop = asyncio.get_running_loop()
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head + data)
        elif isinstance(data, bytes) and data.startswith(b"HTTP/1.1 "):
            self._head = data
            self._loop.call_soon(self._send_head)
        else:
            self._transport.write(data)

    def _send_head(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            if not self._transport.is_closing():
                self._transport.write(head)

    def close(self) -> None:
        self._send_head()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GatewayHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with limits on a request's head, and its answer to
    unparsable HTTP in OpenAI's shape.

    uvicorn answers a request its parser refuses before any ASGI app sees it, in plain text;
    this answers the same 400, closing the connection as uvicorn does, as
    ``{"error": {..., "code": "invalid_http_request"}}`` with a request id of its own.

    A request target over :data:`MAX_URL_BYTES` gets 414 ``url_too_long``, headers over
    :data:`MAX_HEAD_BYTES` or :data:`MAX_HEADERS` get 431 ``request_headers_too_large``, and
    the connection is closed. The parser hands over a header only once it is whole, so the
    bytes of a head not yet parsed are counted as they arrive too: a head still open after
    twice the limit is refused without waiting for its end.
    """

    _refusal: tuple[int, bytes, str, str] | None = None
    _head_bytes = 0
    _unparsed = 0
    _in_head = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_HeadJoiningTransport(transport))  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._unparsed += len(data)
        super().data_received(data)
        if self._in_head and self._unparsed > 2 * MAX_HEAD_BYTES and self._refusal is None:
            self._refuse_head(431)
            self.send_400_response("head too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._refuse_head(414)
            raise _HeadTooLarge

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value)
        if self._head_bytes > MAX_HEAD_BYTES or len(self.headers) >= MAX_HEADERS:
            self._refuse_head(431)
            raise _HeadTooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._unparsed = 0
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        self._in_head = True
        super().on_response_complete()

    def _refuse_head(self, status: int) -> None:
        if status == 414:
            self._refusal = (
                414,
                b"URI Too Long",
                f"The request target is longer than {MAX_URL_BYTES} bytes.",
                "url_too_long",
            )
        else:
            self._refusal = (
                431,
                b"Request Header Fields Too Large",
                f"The request's headers are over {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} lines.",
                "request_headers_too_large",
            )

    def send_400_response(self, msg: str) -> None:
        status, reason, message, code = self._refusal or (
            400,
            b"Bad Request",
            "The request is not valid HTTP/1.1.",
            "invalid_http_request",
        )
        request_id = wire.new_request_id()
        body = wire.dumps(error_body(message, "invalid_request_error", code, request_id=request_id))
        head = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
        head.extend(
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        )
        head.append(
            b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n"
            b"%s: %s\r\n\r\n" % (len(body), wire.HEADER_REQUEST_ID.encode(), request_id.encode())
        )
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def freeze_start_up() -> None:
    """Hide what start-up built from the garbage collector, for the life of the process.

    Core's models, Presidio's recognizers and spaCy's tables are ~117,000 objects that live as
    long as the process. A full collection walked them all: ~150 ms of CPU on the 2-core VM,
    spent inside whichever request's allocation triggered it. That is a 150 ms stall for
    every request on the loop, and inside a PII scan it is the scan's whole work budget
    (``core.pii.analyzer.BUDGET_FLOOR_S``): an ordinary 64 KB document was cut short as
    ``PII_SCAN_LIMIT``, a false block. After :func:`gc.freeze` a collection walks only what
    requests made (< 1 ms). Garbage is collected first, so nothing unreachable is kept.
    """
    gc.collect()
    gc.freeze()


class _ServerSettings(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def log_level(self) -> str: ...


_S = TypeVar("_S", bound=_ServerSettings)


def serve(
    service: str,
    load: Callable[[], _S],
    create_app: Callable[[_S], ASGIApp],
    *,
    tls: Callable[[_S], ServerTls | None] | None = None,
    tls_names: tuple[str, str, str] = ("TLS_CERT", "TLS_KEY", "TLS_CLIENT_CA"),
) -> int:
    """Load settings, configure logging and run the app until it is stopped.

    ``tls`` picks the settings' HTTPS files (None, or a None answer: plain HTTP); they are
    loaded once here to check them, so a broken file stops start-up with one line naming
    ``tls_names``, then handed to uvicorn, which serves with the same options.
    """
    ssl_options: dict[str, Any] = {}
    try:
        settings = load()
        files = tls(settings) if tls is not None else None
        if files is not None:
            server_context(files, tls_names)
            ssl_options = {
                "ssl_certfile": str(files.cert),
                "ssl_keyfile": str(files.key),
                "ssl_ciphers": SERVER_CIPHERS,
            }
            if files.client_ca is not None:
                ssl_options["ssl_ca_certs"] = str(files.client_ca)
                ssl_options["ssl_cert_reqs"] = ssl.CERT_REQUIRED
        app = create_app(settings)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{service}: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, service=service)
    freeze_start_up()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=GatewayHttpProtocol,
        lifespan="on",
        # Client IPs are resolved by shared.clientip against TRUSTED_PROXIES; uvicorn's own
        # rewriting would believe X-Forwarded-For from any local peer before we look.
        proxy_headers=False,
        log_config=None,
        access_log=False,
        server_header=False,
        date_header=False,
        timeout_keep_alive=75,
        **ssl_options,
    )
    server = uvicorn.Server(config)
    server.run()
    # uvicorn exits with status 1 itself when it cannot bind; a clean stop returns here.
    return 0 if server.started else 1
