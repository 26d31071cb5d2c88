"""Core's service endpoints: liveness, readiness (keys and policies loaded; PostgreSQL, Redis
and the model server reported), metrics."""

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

__all__ = ["readiness", "routes"]

_READY_TIMEOUT_S = 1.0


async def health(request: Request) -> Response:
    """Liveness: the process answers."""
    return json_response({"status": "ok", "service": "core"})


async def ready(request: Request) -> Response:
    """Readiness: whether core can serve — its key set and the stored policies are loaded
    (until then it could only refuse every key, or apply the defaults alone); 503 only when
    it cannot.

    Both stay in memory when PostgreSQL or Redis goes away, and the model server is the same
    for every core, so none of those takes a core out of its load balancer: they are listed
    in ``degraded`` (with a crashed ``loop:…`` and a stored policy that no longer parses,
    ``policy:SCOPE/SUBJECT``, which is being skipped) and in ``aegis_dependency_up``.
    """
    ok, body = await readiness(core_state(request))
    return json_response(body, 200 if ok else 503)


async def readiness(state: CoreState) -> tuple[bool, dict[str, object]]:
    """Whether core can serve, and the readiness answer; sets the dependency gauge."""
    database_ok, redis_ok, upstream_ok = await asyncio.gather(
        state.database.ping(_READY_TIMEOUT_S), _redis_ok(state), _upstream_ok(state)
    )
    down = state.metrics.dependencies.report(
        {"database": database_ok, "redis": redis_ok, "upstream": upstream_ok}
    )
    degraded = [
        *down,
        *(f"loop:{name}" for name in state.loops.failing()),
        *(f"policy:{name}" for name in state.policies.invalid),
    ]
    checks = {
        "database": "ok" if database_ok else "unreachable",
        "redis": "ok" if redis_ok else "unreachable",
        "keys": "ok" if state.keys.loaded else "not_loaded",
        "policies": "ok" if state.policies.loaded else "not_loaded",
        "upstream": "ok" if upstream_ok else "unreachable",
        "approval_workflow": "enabled" if state.approvals is not None else "disabled",
    }
    ok = state.keys.loaded and state.policies.loaded
    body: dict[str, object] = {
        "status": "ready" if ok else "not_ready",
        "service": "core",
        "degraded": degraded,
        "checks": checks,
    }
    return ok, body


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
        # Load balancers' customary path (the deploy guide's): the same answer, no auth, no
        # dependency called.
        Route("/health", health, methods=["GET"]),
        Route("/api/v1/ready", ready, methods=["GET"]),
        *metrics.routes(),
    ]
