"""``POST /api/v1/output/analyze``: the output guard's verdict on an answer, no model called.

    {"text": "..."} | {"messages": [...], "output": "..." | {chat completion}}
      | {chat completion: "choices": [{"message": {"content", "tool_calls"}}], ...}  →
    {"decision": "allow"|"mask"|"block", "risk_score": 0..1, "findings": [...],
     "masked": {"text": ...} | {"output": ...} | {chat completion} | null,
     "latency_ms": {"output_guard": 0.41}}

The shape of ``/api/v1/inspect`` (:func:`core.routes.inspect.verdict_body`), for answers:
the caller's policy (``output_actions``, ``tools.allow``) applied by the output guard as to a
model's JSON answer (:mod:`core.lifecycle.analyze`). ``masked`` is the answer as it would be
sent, in the request's shape (the same text as sent when nothing was rewritten); ``null``
when blocked. For a chat completion every finding also names its text: ``choice``,
``field`` (``content``, ``reasoning_content``, ``text``, ``name``, ``arguments``) and, for a
tool call's, ``call`` (its index); offsets are in that text.

Any valid key with the ``llm:call`` permission may ask. With ``OUTPUT_SCAN_ENABLED=false``
the answer is 409 ``output_scan_disabled``: there is no guard to ask.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.lifecycle.analyze import OutputAnalysis, analyze_output, parse_analysis, scan_texts
from core.lifecycle.guard import OutputGuard
from core.lifecycle.run import start
from core.routes.inspect import verdict_body
from core.scanning.base import ScanRequest, Verdict
from core.scanning.pipeline import PipelineResult
from core.state import core_state
from shared.errors import OutputScanDisabledError
from shared.extract import user_texts
from shared.http import json_response

__all__ = ["PATH", "ROUTES", "analysis_body"]

PATH: Final = "/api/v1/output/analyze"


def analysis_body(analysis: OutputAnalysis) -> dict[str, Any]:
    """The wire form of an output analysis: :func:`core.routes.inspect.verdict_body`'s."""
    verdict = Verdict(
        analysis.decision, analysis.risk_score, tuple(f for _, f in analysis.findings)
    )
    latency = {OutputGuard.name: round(analysis.seconds * 1000, 3)}
    body = verdict_body(PipelineResult(verdict, latency), analysis.masked)
    if analysis.request.as_text:
        return body
    for rendered, (key, _) in zip(body["findings"], analysis.findings, strict=True):
        rendered["choice"] = key.choice
        rendered["field"] = key.field
        if key.call is not None:
            rendered["call"] = key.call
    return body


async def analyze(request: Request) -> Response:
    state = core_state(request)
    exchange, raw = await start(request, state)
    parsed = parse_analysis(raw, exchange)
    scanners = state.output
    if scanners is None:
        raise OutputScanDisabledError()
    policy = state.policies.resolve(exchange.key_id, exchange.workspace)
    answer_hash = None
    if state.audit is not None:
        hasher = state.audit.hasher
        answer_hash = hasher.answer(exchange)
        if parsed.messages:
            hasher.hash_texts(user_texts("chat", {"messages": parsed.messages}), exchange)

    def work() -> OutputAnalysis:
        return analyze_output(scanners, policy, parsed, exchange, answer_hash)

    runner = state.pipeline.runner
    if runner is None:
        analysis = work()
    else:
        # Off the event loop by size, a heavy one in a heavy-scan slot (or 503 core_busy).
        analysis = await runner.run(ScanRequest(scan_texts(parsed), exchange.key_id), work)
    return json_response(analysis_body(analysis))


ROUTES: Final = [Route(PATH, analyze, methods=["POST"])]
