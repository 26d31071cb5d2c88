"""The edge's HTTP handlers: thin — authenticate, read, parse, forward."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from edge.forward import Forwarder
from edge.guard import EdgeGuard, completion_tokens
from edge.keys import KeyCache
from edge.settings import EdgeSettings
from shared.extract import user_texts
from shared.http import Handler, json_response, read_json_body, request_info
from shared.keyset import KeyIdentity
from shared.metrics import HttpMetrics
from shared.relay import RelayedStream
from shared.wire import ApiKind, parse_api_request

__all__ = ["API_ROUTES", "EdgeState", "service_routes"]

_READY_TIMEOUT_S = 1.0


@dataclass(frozen=True, slots=True)
class EdgeState:
    """What the lifespan opened; handlers reach it as ``request.state.edge``."""

    settings: EdgeSettings
    keys: KeyCache
    forwarder: Forwarder
    redis: aioredis.Redis
    session: aiohttp.ClientSession
    metrics: HttpMetrics
    guard: EdgeGuard


def _state(request: Request) -> EdgeState:
    state: EdgeState = request.state.edge
    return state


def _authenticate(state: EdgeState, request: Request) -> KeyIdentity:
    identity = state.keys.authenticate(request.headers.get("authorization"))
    request_info(request).key_id = identity.key_id
    structlog.contextvars.bind_contextvars(key_id=identity.key_id)
    return identity


async def _proxy_api(request: Request, kind: ApiKind, path: str) -> Response:
    state = _state(request)
    info = request_info(request)
    identity = _authenticate(state, request)
    raw = await read_json_body(request, state.settings.max_request_bytes)
    api = parse_api_request(kind, raw)
    info.log.update(model=api.model, stream=api.stream, bytes_in=len(raw))
    admission = await state.guard.admit(
        identity, info.client_ip, user_texts(kind, api.body), info.log
    )
    response = await state.forwarder.forward(
        "POST",
        path,
        authorization=request.headers.get("authorization", ""),
        identity=identity,
        request_id=info.request_id,
        client_ip=info.client_ip,
        user_agent=request.headers.get("user-agent"),
        body=api.raw,
        stream=api.stream,
        receive=request.receive,
        findings=admission.findings,
    )
    response.headers.update(admission.headers)
    guard = state.guard
    if not guard.meters_tokens(identity):
        return response
    if isinstance(response, RelayedStream):

        async def charge_stream(events: int) -> None:
            await guard.charge(identity, events)

        response.on_complete = charge_stream
    elif response.status_code == 200:
        # Charged after the answer has been sent: the client does not wait for it.
        response.background = BackgroundTask(
            guard.charge, identity, completion_tokens(bytes(response.body))
        )
    return response


async def chat_completions(request: Request) -> Response:
    return await _proxy_api(request, "chat", "/v1/chat/completions")


async def completions(request: Request) -> Response:
    return await _proxy_api(request, "completion", "/v1/completions")


async def embeddings(request: Request) -> Response:
    return await _proxy_api(request, "embedding", "/v1/embeddings")


async def models(request: Request) -> Response:
    state = _state(request)
    info = request_info(request)
    identity = _authenticate(state, request)
    admission = await state.guard.admit(identity, info.client_ip, [], info.log)
    response = await state.forwarder.forward(
        "GET",
        "/v1/models",
        authorization=request.headers.get("authorization", ""),
        identity=identity,
        request_id=info.request_id,
        client_ip=info.client_ip,
        user_agent=request.headers.get("user-agent"),
    )
    response.headers.update(admission.headers)
    return response


async def health(request: Request) -> Response:
    """Liveness: the process answers."""
    return json_response({"status": "ok", "service": "edge"})


async def ready(request: Request) -> Response:
    """Readiness: Redis answers, a key set is loaded, and at least one core is alive."""
    state = _state(request)
    redis_ok, core_ok = await asyncio.gather(_redis_ok(state), _core_ok(state))
    checks = {
        "redis": "ok" if redis_ok else "unreachable",
        "keyset": "ok" if state.keys.loaded else "not_loaded",
        "core": "ok" if core_ok else "unreachable",
    }
    ok = redis_ok and core_ok and state.keys.loaded
    return json_response(
        {"status": "ready" if ok else "not_ready", "service": "edge", "checks": checks},
        200 if ok else 503,
    )


async def _redis_ok(state: EdgeState) -> bool:
    try:
        async with asyncio.timeout(_READY_TIMEOUT_S):
            return bool(await state.redis.ping())
    except (RedisError, OSError, TimeoutError):
        return False


async def _core_ok(state: EdgeState) -> bool:
    async def one(endpoint: str) -> bool:
        try:
            async with state.session.get(
                endpoint + "/api/v1/health",
                timeout=aiohttp.ClientTimeout(total=_READY_TIMEOUT_S),
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    results = await asyncio.gather(*(one(e) for e in state.settings.core_endpoints))
    return any(results)


API_ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/completions"): completions,
    ("POST", "/v1/embeddings"): embeddings,
    ("GET", "/v1/models"): models,
}


def service_routes(metrics: HttpMetrics) -> list[Route]:
    return [
        Route("/api/v1/health", health, methods=["GET"]),
        Route("/api/v1/ready", ready, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
    ]
