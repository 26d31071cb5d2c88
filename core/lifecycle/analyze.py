"""Output analysis: the output guard on an answer a client sends, with no model called.

``POST /api/v1/output/analyze`` (:mod:`core.routes.output`) reads the body into a
:class:`shared.wire.OutputRequest` (a chat completion, or a text made one) and
:func:`analyze_output` runs the same output chain a model's JSON answer goes through
(:func:`core.lifecycle.run.output_chain`: the output guard under the caller's policy, PII
and secrets with its ``output_actions``, relayed injection, system-prompt leakage, the tool
gate). Unlike a live answer, every text is judged even after one was blocked, so the caller
sees all the findings; the decision is the answer's:

* ``block`` when a member would have ended the answer (:attr:`OutputAnalysis.block`, the
  first such finding), and then there is no rewritten answer;
* ``mask`` when a text came out changed (a value masked, redacted or hashed);
* ``allow`` otherwise (findings an ``allow`` action or a report-only injection left in).

Leakage is judged against the system prompt of the ``messages`` sent with the answer; there
is no canary (the client has none: core adds one only to what it sends a model). What the
call found is recorded in the request's exchange as a model answer's would be (output
findings, the block, the decision, the ``output`` stage's time), so the access line and
``aegis_output_findings_total`` / ``aegis_output_blocked_total`` count it.

    >>> from core.scanning.output.leakage import LeakageGuard
    >>> from core.scanning.output.pii import OutputPiiGuard
    >>> from core.scanning.policy import DEFAULT_POLICY
    >>> from shared.wire import parse_output_request
    >>> scanners = OutputScanners(OutputPiiGuard.build(), 64, LeakageGuard(), None)
    >>> request = parse_output_request('{"text": "연락처는 010-1234-5678입니다."}'.encode())
    >>> exchange = Exchange("req-1", "/api/v1/output/analyze")
    >>> analysis = analyze_output(scanners, DEFAULT_POLICY, request, exchange)
    >>> analysis.decision.value, analysis.masked
    ('mask', {'text': '연락처는 *********5678입니다.'})
    >>> [f"{finding.scanner}:{finding.type}" for finding in exchange.output_findings]
    ['output_pii:PHONE_NUMBER']
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final

from core.lifecycle.exchange import Exchange, OutputBlock
from core.lifecycle.guard import OutputScanners, Prepared
from core.lifecycle.output import AnswerBlocked, AnswerTransform, TextKey, answer_texts
from core.lifecycle.run import output_chain
from core.scanning.base import Decision
from core.scanning.output.canary import system_prompt
from core.scanning.policy import Policy
from shared.extract import ScanText
from shared.findings import Finding
from shared.wire import OutputRequest, parse_output_request

__all__ = ["OutputAnalysis", "analyze_output", "parse_analysis", "scan_texts"]

STAGE: Final = "output"


@dataclass(frozen=True, slots=True)
class OutputAnalysis:
    """What the output guard made of an answer.

    ``findings`` pairs each finding with the text it was found in (its offsets are in that
    text); ``answer`` is the answer as it would be sent (values rewritten), ``None`` when it
    is blocked; ``request`` says where the answer sat in the body, for :attr:`masked`.
    """

    decision: Decision
    findings: tuple[tuple[TextKey, Finding], ...]
    block: OutputBlock | None
    answer: dict[str, Any] | None
    request: OutputRequest
    seconds: float

    @property
    def risk_score(self) -> float:
        return round(max((finding.score for _, finding in self.findings), default=0.0), 4)

    @property
    def masked(self) -> dict[str, Any] | None:
        """The answer as it would reach the client, in the request's shape: ``{"text": ...}``
        or ``{"output": ...}`` (a string or the completion, as sent), or the whole
        completion; ``None`` when blocked (nothing of it would be sent)."""
        answer = self.answer
        if answer is None:
            return None
        request = self.request
        if request.as_text:
            answer = answer["choices"][0]["message"]["content"]
        return answer if request.field is None else {request.field: answer}


def parse_analysis(raw: bytes, exchange: Exchange) -> OutputRequest:
    """An output analysis request (400 in OpenAI's shape if it is not one,
    :func:`shared.wire.parse_output_request`), its size in ``exchange``."""
    started = time.perf_counter()
    request = parse_output_request(raw)
    exchange.bytes_in = len(raw)
    exchange.timed("parse", started)
    return request


def scan_texts(request: OutputRequest) -> tuple[ScanText, ...]:
    """The answer's texts as scan texts: what :class:`core.scanning.base.CpuRunner` sizes
    the work by."""
    return tuple(
        ScanText(None, "assistant", holder[field])
        for _, holder, field in answer_texts(request.answer)
    )


def analyze_output(
    scanners: OutputScanners,
    policy: Policy,
    request: OutputRequest,
    exchange: Exchange,
    answer_hash: AnswerTransform | None = None,
) -> OutputAnalysis:
    """Judge ``request``'s answer under ``policy`` (see the module doc); the answer is
    rewritten in place. Findings, the block and the decision go into ``exchange``;
    ``answer_hash`` (the audit trail's) sees the answer as sent."""
    started = time.perf_counter()
    prompt = system_prompt(request.messages) if request.messages else ""
    guard = scanners.member(exchange, policy, Prepared(prompt))
    chain = output_chain(guard, None, answer_hash)
    findings: list[tuple[TextKey, Finding]] = []
    block: OutputBlock | None = None
    changed = False
    for key, holder, field in answer_texts(request.answer):
        before = len(exchange.output_findings)
        text = holder[field]
        try:
            rewritten = chain.answer(key, text)
        except AnswerBlocked as blocked:
            block = block or blocked.block
        else:
            if rewritten != text:
                holder[field] = rewritten
                changed = True
        findings.extend((key, finding) for finding in exchange.output_findings[before:])
    if block is not None:
        decision = Decision.BLOCK
    elif changed:
        decision = Decision.MASK
    else:
        decision = Decision.ALLOW
    exchange.output_block = block
    exchange.output_decision = decision
    now = exchange.timed(STAGE, started)
    return OutputAnalysis(
        decision,
        tuple(findings),
        block,
        None if block is not None else request.answer,
        request,
        now - started,
    )
