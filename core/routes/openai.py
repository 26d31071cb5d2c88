"""The OpenAI-compatible API on core: parse, run the request's stages, answer.

The stages (authenticate → parse → input scan → decide → upstream → output chain → sinks)
live in :mod:`core.lifecycle`; a handler reads the body, names the API and path, and
returns what :func:`core.lifecycle.run.call_model` gives it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.lifecycle.input import authenticate, authorize_call, edge_findings, parse_call
from core.lifecycle.run import begin, call_model, start
from core.lifecycle.upstream import upstream_headers
from core.state import core_state
from shared import wire
from shared.http import Handler, request_info
from shared.wire import ApiKind

__all__ = ["API_ROUTES"]


async def _call(request: Request, kind: ApiKind, path: str) -> Response:
    state = core_state(request)
    exchange, raw = await start(request, state)
    info = request_info(request)
    call = parse_call(
        kind,
        raw,
        exchange,
        # No scanner configured (INPUT_SCAN_ENABLED=false): nothing to extract or decide.
        extract=bool(state.pipeline.scanners),
        edge_findings=edge_findings(
            request.headers.get(wire.HEADER_EDGE_FINDINGS), info.trusted_peer
        ),
    )
    authorize_call(state.keys, call.api, exchange)
    return await call_model(state, call, exchange, path, request.receive)


async def chat_completions(request: Request) -> Response:
    return await _call(request, "chat", "/v1/chat/completions")


async def completions(request: Request) -> Response:
    return await _call(request, "completion", "/v1/completions")


async def embeddings(request: Request) -> Response:
    return await _call(request, "embedding", "/v1/embeddings")


async def models(request: Request) -> Response:
    state = core_state(request)
    exchange = begin(request, state)
    authenticate(state.keys, request.headers.get("authorization"), exchange)
    return await state.upstream.send(
        "GET",
        state.settings.upstream_url + "/v1/models",
        headers=upstream_headers(state.upstream_headers, exchange.request_id, json_body=False),
    )


API_ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/completions"): completions,
    ("POST", "/v1/embeddings"): embeddings,
    ("GET", "/v1/models"): models,
}
