"""Running an Aegis process: settings from the environment, JSON logging, uvicorn.

A bad setting stops start-up with one line per problem on stderr and exit status 2, never a
traceback. A request uvicorn cannot parse (a malformed request line or header) is answered
by :class:`GatewayHttpProtocol` in OpenAI's error shape, like every other client mistake.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol, TypeVar

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared import wire
from shared.config import ConfigError
from shared.errors import error_body
from shared.logging import configure_logging

__all__ = ["GatewayHttpProtocol", "serve"]


class GatewayHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with its answer to unparsable HTTP in OpenAI's shape.

    uvicorn answers a request its parser refuses before any ASGI app sees it, in plain text;
    this answers the same 400, closing the connection as uvicorn does, as
    ``{"error": {..., "code": "invalid_http_request"}}`` with a request id of its own.
    """

    def send_400_response(self, msg: str) -> None:
        request_id = wire.new_request_id()
        body = wire.dumps(
            error_body(
                "The request is not valid HTTP/1.1.",
                "invalid_request_error",
                "invalid_http_request",
                request_id=request_id,
            )
        )
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head.extend(
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        )
        head.append(
            b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n"
            b"%s: %s\r\n\r\n" % (len(body), wire.HEADER_REQUEST_ID.encode(), request_id.encode())
        )
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class _ServerSettings(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def log_level(self) -> str: ...


_S = TypeVar("_S", bound=_ServerSettings)


def serve(service: str, load: Callable[[], _S], create_app: Callable[[_S], ASGIApp]) -> int:
    """Load settings, configure logging and run the app until it is stopped."""
    try:
        settings = load()
        app = create_app(settings)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{service}: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, service=service)
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
    )
    server = uvicorn.Server(config)
    server.run()
    # uvicorn exits with status 1 itself when it cannot bind; a clean stop returns here.
    return 0 if server.started else 1
