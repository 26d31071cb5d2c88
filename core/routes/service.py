"""Core's service endpoints: liveness, readiness (PostgreSQL, Redis, keys, upstream)."""

from __future__ import annotations

import asyncio

import aiohttp
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.state import CoreState, core_state
from shared.http import json_response
from shared.metrics import HttpMetrics

__all__ = ["routes"]

_READY_TIMEOUT_S = 1.0


async def health(request: Request) -> Response:
    """Liveness: the process answers."""
    return json_response({"status": "ok", "service": "core"})


async def ready(request: Request) -> Response:
    """Readiness: every dependency answers; the key set and the policies are loaded."""
    state = core_state(request)
    database_ok, redis_ok, upstream_ok = await asyncio.gather(
        state.database.ping(_READY_TIMEOUT_S), _redis_ok(state), _upstream_ok(state)
    )
    checks = {
        "database": "ok" if database_ok else "unreachable",
        "redis": "ok" if redis_ok else "unreachable",
        "keys": "ok" if state.keys.loaded else "not_loaded",
        # Until the stored policies load, only the defaults could be applied.
        "policies": "ok" if state.policies.loaded else "not_loaded",
        "upstream": "ok" if upstream_ok else "unreachable",
    }
    ok = all(value == "ok" for value in checks.values())
    return json_response(
        {"status": "ready" if ok else "not_ready", "service": "core", "checks": checks},
        200 if ok else 503,
    )


async def _redis_ok(state: CoreState) -> bool:
    try:
        async with asyncio.timeout(_READY_TIMEOUT_S):
            return bool(await state.redis.ping())
    except (RedisError, OSError, TimeoutError):
        return False


async def _upstream_ok(state: CoreState) -> bool:
    try:
        async with state.session.get(
            state.settings.upstream_url + "/health",
            headers=state.upstream_headers,
            timeout=aiohttp.ClientTimeout(total=_READY_TIMEOUT_S),
        ) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def routes(metrics: HttpMetrics) -> list[Route]:
    return [
        Route("/api/v1/health", health, methods=["GET"]),
        Route("/api/v1/ready", ready, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
    ]
