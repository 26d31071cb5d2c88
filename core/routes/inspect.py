"""``POST /api/v1/inspect``: run the input pipeline on a text or messages, return the verdict.

    {"messages": [...]} | {"text": "..."}  →
    {"decision": "allow"|"mask"|"block", "risk_score": 0..1, "findings": [...],
     "masked": null, "latency_ms": {"regex": 0.12, ...}}

Any valid key with the ``llm:call`` permission may ask; nothing is forwarded to the model and
the text is not kept.
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.pii.pseudonyms import Pseudonyms
from core.routes.openai import authenticate, scan_input
from core.scanning.pipeline import PipelineResult
from core.state import core_state
from shared.extract import replace_texts
from shared.http import json_response, read_json_body, request_info
from shared.wire import parse_inspect_request

__all__ = ["ROUTES", "verdict_body"]


def verdict_body(result: PipelineResult, masked: dict[str, Any] | None = None) -> dict[str, Any]:
    """The wire form of a pipeline result (DESIGN.md's inspection API)."""
    verdict = result.verdict
    return {
        "decision": verdict.decision.value,
        "risk_score": verdict.risk_score,
        "findings": [finding.as_dict() for finding in verdict.findings],
        "masked": masked,
        "latency_ms": result.latency_ms,
    }


async def inspect(request: Request) -> Response:
    state = core_state(request)
    identity = authenticate(state, request)
    raw = await read_json_body(
        request, state.settings.max_request_bytes, state.settings.body_read_timeout_ms / 1000
    )
    texts = parse_inspect_request(raw)
    scanned = await scan_input(state, identity, texts)
    result = scanned.result
    request_info(request).log.update(
        decision=result.verdict.decision.value, risk_score=result.verdict.risk_score
    )
    masked: dict[str, Any] | None = None
    if result.verdict.masking and not result.verdict.blocked:
        # What the model would be sent: the same shape as the request, values masked.
        replacements = scanned.masked_texts(texts, Pseudonyms())
        body = orjson.loads(raw)
        if isinstance(body.get("text"), str):
            masked = {"text": replacements.get(texts[0], body["text"])}
        else:
            replace_texts("chat", body, replacements)
            masked = {"messages": body["messages"]}
    return json_response(verdict_body(result, masked))


ROUTES: Final = [Route("/api/v1/inspect", inspect, methods=["POST"])]
