"""``POST /api/v1/inspect``: run the input pipeline on a text or messages, return the verdict.

    {"messages": [...]} | {"text": "..."}  →
    {"decision": "allow"|"mask"|"block", "risk_score": 0..1, "findings": [...],
     "masked": null, "latency_ms": {"regex": 0.12, ...}}

Any valid key with the ``llm:call`` permission may ask; nothing is forwarded to the model and
the text is not kept.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.routes.openai import authenticate, scan_input
from core.scanning.pipeline import PipelineResult
from core.state import core_state
from shared.http import json_response, read_json_body, request_info
from shared.wire import parse_inspect_request

__all__ = ["ROUTES", "verdict_body"]


def verdict_body(result: PipelineResult) -> dict[str, Any]:
    """The wire form of a pipeline result (DESIGN.md's inspection API)."""
    verdict = result.verdict
    return {
        "decision": verdict.decision.value,
        "risk_score": verdict.risk_score,
        "findings": [finding.as_dict() for finding in verdict.findings],
        "masked": None,
        "latency_ms": result.latency_ms,
    }


async def inspect(request: Request) -> Response:
    state = core_state(request)
    identity = authenticate(state, request)
    raw = await read_json_body(request, state.settings.max_request_bytes)
    texts = parse_inspect_request(raw)
    result = (await scan_input(state, identity, texts)).result
    request_info(request).log.update(
        decision=result.verdict.decision.value, risk_score=result.verdict.risk_score
    )
    return json_response(verdict_body(result))


ROUTES: Final = [Route("/api/v1/inspect", inspect, methods=["POST"])]
