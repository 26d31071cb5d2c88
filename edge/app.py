"""The edge's ASGI application: ``create_app(settings)`` and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.types import ASGIApp

from edge.forward import CORE_ERRORS, Forwarder
from edge.keys import KeyCache
from edge.routes import API_ROUTES, EdgeState, service_routes
from edge.settings import EdgeSettings
from shared.http import build_app
from shared.metrics import HttpMetrics
from shared.relay import Relay, open_session
from shared.tasks import stop_tasks

__all__ = ["create_app"]

_log = structlog.get_logger("aegis.edge")


def create_app(settings: EdgeSettings) -> ASGIApp:
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

    return build_app(
        api=API_ROUTES,
        service_routes=service_routes(metrics),
        lifespan=lifespan,
        trusted_proxies=settings.trusted_proxies,
        cors_origins=settings.cors_origins,
        on_response=metrics.observe,
    )
