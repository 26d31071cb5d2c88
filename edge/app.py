"""The edge's ASGI application: ``create_app(settings)`` and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware

from edge.forward import CORE_ERRORS, Forwarder
from edge.keys import KeyCache
from edge.routes import EdgeState, routes
from edge.settings import EdgeSettings
from shared.http import RequestContextMiddleware, cors_middleware, exception_handlers
from shared.metrics import HttpMetrics
from shared.relay import Relay, open_session
from shared.tasks import stop_tasks

__all__ = ["create_app"]

_log = structlog.get_logger("aegis.edge")


def create_app(settings: EdgeSettings) -> Starlette:
    """Build the edge app; connections open in the lifespan, not here."""
    metrics = HttpMetrics("edge")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, EdgeState]]:
        redis = aioredis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=1.0, socket_timeout=2.0
        )
        session = open_session(
            max_connections=settings.core_max_connections,
            connect_timeout_ms=settings.core_connect_timeout_ms,
            read_timeout_ms=settings.core_read_timeout_ms,
        )
        keys = KeyCache(redis, settings.redis_prefix, settings.key_sync_interval_ms / 1000)
        with contextlib.suppress(RedisError, OSError):
            # A first load before serving; if Redis is down, the refresher keeps trying.
            await keys.refresh()
        refresher = asyncio.create_task(keys.run(), name="keyset-refresh")
        state = EdgeState(
            settings=settings,
            keys=keys,
            forwarder=Forwarder(Relay(session, CORE_ERRORS), settings.core_endpoints),
            redis=redis,
            session=session,
            metrics=metrics,
        )
        _log.info("edge_started", port=settings.port, cores=len(settings.core_endpoints))
        try:
            yield {"edge": state}
        finally:
            await stop_tasks([refresher])
            await session.close()
            await redis.aclose()
            _log.info("edge_stopped")

    middleware = [
        Middleware(
            RequestContextMiddleware,
            trusted_proxies=settings.trusted_proxies,
            on_response=metrics.observe,
        )
    ]
    if settings.cors_origins:
        middleware.append(cors_middleware(settings.cors_origins))
    return Starlette(
        routes=routes(metrics),
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
