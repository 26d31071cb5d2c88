"""Running an Aegis process: settings from the environment, JSON logging, uvicorn.

A bad setting stops start-up with one line per problem on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol, TypeVar

import uvicorn
from starlette.types import ASGIApp

from shared.config import ConfigError
from shared.logging import configure_logging

__all__ = ["serve"]


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
        http="httptools",
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
