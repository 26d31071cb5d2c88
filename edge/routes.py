"""The edge's HTTP handlers: thin — authenticate, read, parse, check, forward.

A refusal the edge decides on its own, which core therefore never sees (a permission denial,
403; a prefilter block, 400), is published as an edge decision event on the bypass stream
(:meth:`edge.bypass.BypassRecorder.record_soon`, not waited for), so that core's audit trail
has its row. Rate limits (429) and unknown keys (401) are not. A denied call counts against
the key's and the client IP's rate limits like any other, and over them it is a 429 with no
event: a key that may not call models cannot have the edge write audit rows without bound.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from edge.bypass import BypassRecorder
from edge.forward import BypassError, Forwarder
from edge.guard import (
    Admission,
    EdgeGuard,
    completion_tokens,
    response_usage,
)
from edge.health import CorePool
from edge.keys import KeyCache
from edge.settings import EdgeSettings
from shared.bypass import (
    EDGE_BLOCKED,
    EDGE_DENIED,
    KIND_EDGE_DECISION,
    BypassEvent,
    new_event_id,
    prompt_digest,
)
from shared.errors import BlockedError, PermissionDeniedError
from shared.extract import user_texts
from shared.http import Handler, RequestInfo, json_response, read_json_body, request_info
from shared.keyset import KeyIdentity
from shared.metrics import HttpMetrics
from shared.permissions import LLM_CALL, call_permissions
from shared.relay import RelayedStream
from shared.tasks import Supervisor
from shared.wire import (
    ApiKind,
    ApiRequest,
    parse_api_request,
    parse_inspect_request,
    parse_output_request,
)

__all__ = ["API_ROUTES", "EdgeState", "readiness", "service_routes"]

_READY_TIMEOUT_S = 1.0
# Served by core under the same path.
OUTPUT_ANALYZE = "/api/v1/output/analyze"


@dataclass(frozen=True, slots=True)
class EdgeState:
    """What the lifespan opened; handlers reach it as ``request.state.edge``."""

    settings: EdgeSettings
    keys: KeyCache
    forwarder: Forwarder
    cores: CorePool
    bypass: BypassRecorder
    redis: aioredis.Redis
    session: aiohttp.ClientSession
    metrics: HttpMetrics
    guard: EdgeGuard
    loops: Supervisor


def _state(request: Request) -> EdgeState:
    state: EdgeState = request.state.edge
    return state


async def _authenticate(state: EdgeState, request: Request, path: str) -> KeyIdentity:
    """The caller's identity; 401, or 403 (core's answer) unless the key may call models.

    Every route here calls a model or core's check of one, so each needs ``llm:call``; it is
    checked here, before anything is forwarded, and so also while failing open. ``path`` is
    core's route for the call (what a denial's audit row names).
    """
    identity = state.keys.authenticate(request.headers.get("authorization"))
    request_info(request).key_id = identity.key_id
    await _authorize(state, request, identity, LLM_CALL, path)
    return identity


async def _authorize(
    state: EdgeState,
    request: Request,
    identity: KeyIdentity,
    permission: str,
    path: str,
    api: ApiRequest | None = None,
) -> None:
    """403 unless the key may do ``permission``; a denial is published as an edge decision,
    once it has passed the rate limits (429 past them, and no event)."""
    try:
        state.keys.authorize(identity, permission)
    except PermissionDeniedError as exc:
        info = request_info(request)
        admission = await state.guard.admit(identity, info.client_ip, [], info.log)
        exc.headers.update(admission.headers)
        event = _decision_event(state, request, identity, path, EDGE_DENIED, exc.status, api)
        state.bypass.record_soon(event)
        raise


async def _proxy_api(request: Request, kind: ApiKind, path: str) -> Response:
    state = _state(request)
    info = request_info(request)
    identity = await _authenticate(state, request, path)
    raw = await read_json_body(
        request, state.settings.max_request_bytes, state.settings.body_read_timeout_ms / 1000
    )
    api = parse_api_request(kind, raw)
    # Offering the model tools takes ``tools:call`` too: checked here so a bypass checks it.
    for permission in call_permissions(api.body):
        await _authorize(state, request, identity, permission, path, api)
    info.log.update(model=api.model, stream=api.stream, bytes_in=len(raw))
    texts = user_texts(kind, api.body)
    try:
        admission = await state.guard.admit(identity, info.client_ip, texts, info.log)
    except BlockedError as exc:
        rules = tuple(sorted({str(finding.get("type")) for finding in exc.findings}))
        event = _decision_event(state, request, identity, path, EDGE_BLOCKED, exc.status, api)
        state.bypass.record_soon(replace(event, edge_findings=rules))
        raise
    return await _forward(
        state, request, identity, admission, "POST", path, api, may_bypass=not admission.deferred
    )


async def _forward(
    state: EdgeState,
    request: Request,
    identity: KeyIdentity,
    admission: Admission,
    method: str,
    path: str,
    api: ApiRequest | None = None,
    *,
    body: bytes | None = None,
    may_bypass: bool = True,
) -> Response:
    """Send to core (or past it) and arrange what must happen when the answer ends.

    ``body`` is sent when there is no ``api`` request; ``may_bypass=False`` never fails open.
    """
    info = request_info(request)
    started = time.time()
    user_agent = request.headers.get("user-agent")
    try:
        forwarded = await state.forwarder.forward(
            method,
            path,
            authorization=request.headers.get("authorization", ""),
            identity=identity,
            request_id=info.request_id,
            client_ip=info.client_ip,
            user_agent=user_agent,
            body=api.raw if api is not None else body,
            stream=api.stream if api is not None else False,
            receive=request.receive,
            findings=admission.findings,
            may_bypass=may_bypass,
        )
    except BypassError as exc:
        info.log["bypassed"] = exc.reason
        event = _bypass_event(
            state, info, identity, admission, path, api, started, exc.reason, user_agent
        )
        await state.bypass.record(replace(event, status=exc.error.status))
        exc.error.headers.update(admission.headers)
        raise exc.error from None
    response = forwarded.response
    response.headers.update(admission.headers)
    reason = forwarded.bypass_reason
    guard = state.guard
    # Only a model call's answer is charged: an analysis can hold a completion's usage.
    metered = api is not None and guard.meters_tokens(identity)
    if reason is not None:
        info.log["bypassed"] = reason
    elif not metered:
        return response
    if isinstance(response, RelayedStream):

        async def stream_ended(events: int, completed: bool) -> None:
            # The event first: nothing that happens after it can cost the request its event.
            if reason is not None:
                event = _bypass_event(
                    state, info, identity, admission, path, api, started, reason, user_agent
                )
                await state.bypass.record(
                    replace(
                        event,
                        status=200,
                        prompt_tokens=admission.prompt_tokens,
                        completion_tokens=events,
                    )
                )
            if metered:
                guard.charge(identity, events)

        response.on_end = stream_ended
        return response

    if reason is None:
        # The whole answer is here: its tokens are charged now (queued, nothing waits).
        if response.status_code == 200:
            guard.charge(identity, completion_tokens(bytes(response.body)))
        return response

    async def answered() -> None:
        # After the answer has been sent: the client does not wait for this.
        usage = response_usage(bytes(response.body)) if response.status_code == 200 else {}
        event = _bypass_event(
            state, info, identity, admission, path, api, started, reason, user_agent
        )
        await state.bypass.record(
            replace(
                event,
                status=response.status_code,
                prompt_tokens=usage.get("prompt_tokens", admission.prompt_tokens),
                completion_tokens=usage.get("completion_tokens", 0),
            )
        )
        if metered:
            guard.charge(identity, usage.get("completion_tokens", 0))

    response.background = BackgroundTask(answered)
    return response


def _bypass_event(
    state: EdgeState,
    info: RequestInfo,
    identity: KeyIdentity,
    admission: Admission,
    path: str,
    api: ApiRequest | None,
    started: float,
    reason: str,
    user_agent: str | None = None,
) -> BypassEvent:
    """The request's bypass event, under an id made here: the request id may be a trusted
    proxy's (the client's), so it is kept for correlation but never decides what is stored."""
    return BypassEvent(
        event_id=new_event_id(),
        request_id=info.request_id,
        occurred_at=started,
        edge_instance=state.settings.instance,
        route=path,
        reason=reason,
        status=0,
        key_id=identity.key_id,
        user=identity.user,
        workspace=identity.workspace,
        client_ip=info.client_ip,
        model=api.model if api is not None else None,
        stream=api.stream if api is not None else False,
        prompt_sha256=prompt_digest(api.body, api.raw) if api is not None else None,
        edge_findings=tuple(sorted({finding.type for finding in admission.findings})),
        role=identity.role,
        user_agent=user_agent,
    )


def _decision_event(
    state: EdgeState,
    request: Request,
    identity: KeyIdentity,
    path: str,
    reason: str,
    status: int,
    api: ApiRequest | None,
) -> BypassEvent:
    """The event of a refusal the edge made itself (``reason``: ``EDGE_BLOCKED`` or
    ``EDGE_DENIED``): who, when, which route and model, the status; never text."""
    info = request_info(request)
    return BypassEvent(
        kind=KIND_EDGE_DECISION,
        event_id=new_event_id(),
        request_id=info.request_id,
        occurred_at=time.time(),
        edge_instance=state.settings.instance,
        route=path,
        reason=reason,
        status=status,
        key_id=identity.key_id,
        user=identity.user,
        workspace=identity.workspace,
        role=identity.role,
        client_ip=info.client_ip,
        model=api.model if api is not None else None,
        stream=api.stream if api is not None else False,
        user_agent=request.headers.get("user-agent"),
    )


async def chat_completions(request: Request) -> Response:
    return await _proxy_api(request, "chat", "/v1/chat/completions")


async def completions(request: Request) -> Response:
    return await _proxy_api(request, "completion", "/v1/completions")


async def embeddings(request: Request) -> Response:
    return await _proxy_api(request, "embedding", "/v1/embeddings")


async def models(request: Request) -> Response:
    state = _state(request)
    identity = await _authenticate(state, request, "/v1/models")
    info = request_info(request)
    admission = await state.guard.admit(identity, info.client_ip, [], info.log)
    return await _forward(state, request, identity, admission, "GET", "/v1/models")


async def validate(request: Request) -> Response:
    """``POST /api/v1/validate``: core's verdict on a text or messages (its ``/api/v1/inspect``).

    Key check, body limit and rate limit as for any call, but no prefilter: asking for a
    verdict on an attack is the point, and core runs the same rules. No model is called, so
    no tokens are counted, and with no core the answer is 503 even when failing open.
    """
    state = _state(request)
    info = request_info(request)
    identity = await _authenticate(state, request, "/api/v1/inspect")
    raw = await read_json_body(
        request, state.settings.max_request_bytes, state.settings.body_read_timeout_ms / 1000
    )
    parse_inspect_request(raw)  # a malformed body is refused here, not carried to core
    info.log["bytes_in"] = len(raw)
    admission = await state.guard.admit(identity, info.client_ip, [], info.log)
    return await _forward(
        state, request, identity, admission, "POST", "/api/v1/inspect", body=raw, may_bypass=False
    )


async def analyze_output(request: Request) -> Response:
    """``POST /api/v1/output/analyze``: core's output guard on an answer the client sends.

    Checked and forwarded as :func:`validate` is (key, body limit, rate limit; no prefilter,
    no tokens counted, 503 without a core even when failing open).
    """
    state = _state(request)
    info = request_info(request)
    identity = await _authenticate(state, request, OUTPUT_ANALYZE)
    raw = await read_json_body(
        request, state.settings.max_request_bytes, state.settings.body_read_timeout_ms / 1000
    )
    parse_output_request(raw)  # a malformed body is refused here, not carried to core
    info.log["bytes_in"] = len(raw)
    admission = await state.guard.admit(identity, info.client_ip, [], info.log)
    return await _forward(
        state, request, identity, admission, "POST", OUTPUT_ANALYZE, body=raw, may_bypass=False
    )


async def health(request: Request) -> Response:
    """Liveness: the process answers."""
    return json_response({"status": "ok", "service": "edge"})


async def ready(request: Request) -> Response:
    """Readiness: whether this edge can serve — a key set is loaded, and a core is up or
    fail-open is on; 503 only when it cannot.

    What it serves without is listed in ``degraded`` (``redis``, a core by name, a crashed
    ``loop:…``) and in ``aegis_dependency_up``, for alerts: a Redis blip must not take every
    edge out of its load balancer. Cores are named ``core_0``, ``core_1``… in
    ``CORE_ENDPOINT``'s order, never by their internal address.
    """
    ok, body = await readiness(_state(request))
    return json_response(body, 200 if ok else 503)


async def readiness(state: EdgeState) -> tuple[bool, dict[str, object]]:
    """Whether the edge can serve, and the readiness answer; sets the dependency gauge."""
    redis_ok = await _redis_ok(state)
    cores = state.cores.snapshot()
    core_ok = state.cores.any_available
    fail_open = state.settings.fail_open_enabled
    down = state.metrics.dependencies.report(
        {"redis": redis_ok, **{name: value == "closed" for name, value in cores.items()}}
    )
    degraded = [*down, *(f"loop:{name}" for name in state.loops.failing())]
    checks = {
        "redis": "ok" if redis_ok else "unreachable",
        "keyset": "ok" if state.keys.loaded else "not_loaded",
        "core": "ok" if core_ok else ("bypassing" if fail_open else "unavailable"),
    }
    ok = state.keys.loaded and (core_ok or fail_open)
    body: dict[str, object] = {
        "status": "ready" if ok else "not_ready",
        "service": "edge",
        "degraded": degraded,
        "checks": checks,
        "cores": cores,
    }
    return ok, body


async def _redis_ok(state: EdgeState) -> bool:
    try:
        async with asyncio.timeout(_READY_TIMEOUT_S):
            return bool(await state.redis.ping())
    except (RedisError, OSError, TimeoutError):
        return False


API_ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/completions"): completions,
    ("POST", "/v1/embeddings"): embeddings,
    ("GET", "/v1/models"): models,
    ("POST", "/api/v1/validate"): validate,
    ("POST", OUTPUT_ANALYZE): analyze_output,
}


def service_routes(metrics: HttpMetrics) -> list[Route]:
    return [
        Route("/api/v1/health", health, methods=["GET"]),
        # Load balancers' customary path (the deploy guide's): the same answer, no auth, no
        # dependency called.
        Route("/health", health, methods=["GET"]),
        Route("/api/v1/ready", ready, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
    ]
