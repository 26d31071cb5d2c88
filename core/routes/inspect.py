"""``POST /api/v1/inspect``: run the input stages on a text or messages, return the verdict.

    {"messages": [...]} | {"text": "..."}  →
    {"decision": "allow"|"mask"|"block", "risk_score": 0..1, "findings": [...],
     "masked": null, "latency_ms": {"regex": 0.12, ...}}

Any valid key with the ``llm:call`` permission may ask. The stages are those of a model call
(:mod:`core.lifecycle`: authenticate → parse → input scan → decide), without the upstream:
nothing is forwarded to the model and the text is not kept.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.lifecycle.input import InputScan, decide, parse_inspection
from core.lifecycle.run import run_input, start
from core.pii.pseudonyms import Pseudonyms
from core.scanning.base import MANY_FINDINGS
from core.scanning.pipeline import PipelineResult
from core.state import core_state
from shared import wire
from shared.extract import ScanText, replace_texts
from shared.findings import Finding
from shared.http import json_response

__all__ = ["ROUTES", "verdict_body"]


def verdict_body(result: PipelineResult, masked: dict[str, Any] | None = None) -> dict[str, Any]:
    """The wire form of a pipeline result (DESIGN.md's inspection API)."""
    verdict = result.verdict
    return {
        "decision": verdict.decision.value,
        "risk_score": verdict.risk_score,
        "findings": [_finding(finding, verdict.dropping) for finding in verdict.findings],
        "masked": masked,
        "latency_ms": result.latency_ms,
    }


def _finding(finding: Finding, dropping: tuple[Finding, ...]) -> dict[str, Any]:
    """A finding's wire form; one whose text a ``drop`` policy removed says so."""
    data = finding.as_dict()
    if dropping and finding in dropping:
        data["action"] = "dropped"
    return data


def _masked_preview(scan: InputScan, texts: list[ScanText], raw: bytes) -> dict[str, Any]:
    """What the model would be sent: the same shape as the request, values masked."""
    replacements = scan.masked_texts(texts, Pseudonyms())
    body = orjson.loads(raw)
    if isinstance(body.get("text"), str):
        return {"text": replacements.get(texts[0], body["text"])}
    replace_texts("chat", body, replacements)
    return {"messages": body["messages"]}


async def inspect(request: Request) -> Response:
    state = core_state(request)
    exchange, raw = await start(request, state)
    texts = parse_inspection(raw, exchange)
    if state.audit is not None:
        state.audit.hasher.hash_texts(texts, exchange)
    scan = await run_input(state, texts, exchange)
    # Decided as for a model call (a dry run logs what it would do); nothing is enforced.
    decide(scan, exchange)
    verdict = scan.result.verdict
    masked = None
    if (verdict.masking or verdict.dropping) and not verdict.blocked:
        masked = _masked_preview(scan, texts, raw)
    if len(verdict.findings) > MANY_FINDINGS:
        # Thousands of findings' wire form (~10 ms for 12,000) on a worker thread, not in one
        # step of the event loop.
        body = await asyncio.to_thread(lambda: wire.dumps(verdict_body(scan.result, masked)))
        return Response(body, media_type="application/json")
    return json_response(verdict_body(scan.result, masked))


ROUTES: Final = [Route("/api/v1/inspect", inspect, methods=["POST"])]
