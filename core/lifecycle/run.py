"""A model call through core, stage by stage, and the request's end.

    begin ─ authenticate ─ parse ─ input scan ─ decide ─ (mask) ─ upstream ─ output chain
      └──────────────── once the response is over: sinks, access line ────────────────┘

:func:`begin` opens the request's :class:`~core.lifecycle.exchange.Exchange` and arranges
for the sinks to read it when the response is over; the route authenticates and parses
(:mod:`core.lifecycle.input`), then :func:`call_model` runs the rest and returns the
response to send. :func:`output_chain` is the one place the output chain's members are
listed, in order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive

from core.approvals.service import Approvals
from core.lifecycle.exchange import Exchange
from core.lifecycle.guard import OutputGuard
from core.lifecycle.input import (
    Call,
    InputScan,
    authenticate,
    decide,
    enforce,
    mask,
    scan_input,
)
from core.lifecycle.output import (
    AnswerTransform,
    OutputChain,
    SseAnswer,
    rewrite_json_answer,
)
from core.lifecycle.toolcalls import CallHold, HoldHook, decided_verdict
from core.lifecycle.upstream import send_upstream, upstream_headers
from core.pii.pseudonyms import Pseudonyms
from core.pii.restore import PseudonymRestore
from core.scanning.base import CpuRunner, Decision
from core.scanning.policy import Policy
from core.state import CoreState
from core.tools.gate import HOLD_LEVELS, CallVerdict
from shared import wire
from shared.extract import ScanText, user_texts
from shared.http import read_json_body, request_info
from shared.relay import DisconnectGuard, RelayedStream

__all__ = ["attach_output", "begin", "call_model", "output_chain", "run_input"]

_log = structlog.get_logger("aegis.core.openai")

# A JSON answer up to this many bytes is checked on the event loop (4 KB of prose: ~0.1 ms;
# 8 KB of the densest hostile text: ~4 ms), a longer one on a scan thread: 1 MB of hostile
# text took the output guard 0.2-0.5 s, which the loop, and every request on it, waited out.
ANSWER_INLINE_BYTES: Final = 8192


def begin(request: Request, state: CoreState) -> Exchange:
    """The request's exchange. When the response is over, the process's sinks read it and
    its fields join the access line (``key_id`` included)."""
    info = request_info(request)
    exchange = Exchange(info.request_id, request.scope["path"], started=info.started)
    exchange.client_ip = info.client_ip
    exchange.user_agent = request.headers.get("user-agent")
    sinks = state.sinks

    def finish(status: int, elapsed: float) -> None:
        exchange.status = status
        info.key_id = exchange.key_id
        info.log.update(exchange.log_fields())
        for sink in sinks:
            sink(exchange)

    info.on_finish = finish
    return exchange


async def start(request: Request, state: CoreState) -> tuple[Exchange, bytes]:
    """The first stages of every scanned route: the exchange (:func:`begin`), the caller
    authenticated (401/403 unless it may call models), and the body read within the size
    and time limits (413/408)."""
    exchange = begin(request, state)
    authenticate(state.keys, request.headers.get("authorization"), exchange)
    request_info(request).key_id = exchange.key_id  # for the request's other log lines
    started = time.perf_counter()
    settings = state.settings
    raw = await read_json_body(
        request, settings.max_request_bytes, settings.body_read_timeout_ms / 1000
    )
    exchange.timed("read", started)
    return exchange, raw


async def run_input(
    state: CoreState, texts: Sequence[ScanText], exchange: Exchange, policy: Policy | None = None
) -> InputScan:
    """The input scan of ``texts`` under the caller's policy (key, workspace, global)."""
    if policy is None:
        policy = state.policies.resolve(exchange.key_id, exchange.workspace)
    return await scan_input(
        state.pipeline,
        policy,
        state.masker,
        texts,
        exchange,
        default_dry_run=state.settings.dry_run,
    )


async def call_model(
    state: CoreState, call: Call, exchange: Exchange, path: str, receive: Receive
) -> Response:
    """Scan, decide, mask, send to the model server at ``path``, and put its answer through
    the output chain; a block is raised (403) before anything is sent."""
    policy = state.policies.resolve(exchange.key_id, exchange.workspace)
    audit = state.audit
    if audit is not None:
        # Hashed while the texts are in hand (none extracted when no scanner runs).
        audit.hasher.hash_texts(call.texts or user_texts(call.api.kind, call.api.body), exchange)
    # No text, or no scanner configured (nothing was extracted): nothing to decide.
    scan = await run_input(state, call.texts, exchange, policy) if call.texts else None
    action = decide(scan, exchange)
    if exchange.bypassed and exchange.input_verdict is not None:
        verdict = exchange.input_verdict
        would = "block" if verdict.blocked else "mask"
        _log.warning(f"request_would_{would}", dry_run=True)
    await enforce(action, scan)
    body = call.api.raw
    pseudonyms: Pseudonyms | None = None
    masked_types: tuple[str, ...] = ()
    if action is Decision.MASK and scan is not None:
        masked = mask(call, scan, exchange)
        body, pseudonyms, masked_types = masked.body, masked.pseudonyms, masked.types
    guard: OutputGuard | None = None
    output = state.output
    if output is not None and call.api.kind != "embedding":
        # The system prompt as the model sees it (masked), and the key's canary added to it.
        prepared = output.prepare(call.api, exchange.key_id or "", datetime.now(UTC))
        if prepared.body is not None:
            body = prepared.body
        guard = output.member(exchange, policy, prepared)
    response = await send_upstream(
        state.upstream,
        state.settings.upstream_url + path,
        upstream_headers(state.upstream_headers, exchange.request_id, json_body=True),
        body,
        exchange,
        stream=call.api.stream,
        receive=receive,
    )
    # The audit trail hashes every answer, also where nothing else reads it (no output
    # guard, nothing pseudonymised): parsing a 4 KB JSON answer for it costs ~10 µs.
    answer_hash = None
    if audit is not None and call.api.kind != "embedding":
        answer_hash = audit.hasher.answer(exchange)
    calls = None
    if state.tools is not None and call.api.kind == "chat":
        identity = exchange.identity
        permissions = identity.permissions if identity is not None else frozenset()
        approvals = state.approvals
        gate = state.tools.gate(
            exchange.workspace,
            permissions,
            policy.tools_allow,
            hold_levels=HOLD_LEVELS if approvals is not None else frozenset(),
        )
        hook = _hold_hook(approvals, exchange) if approvals is not None else None
        calls = CallHold(gate, exchange, hook)
        if isinstance(response, RelayedStream):
            # Streamed: the text goes on, a held call (and what follows it) waits, with
            # keep-alives, inside the relay (SseAnswer.resolve).
            calls.waits_in_stream = hook is not None
            response.keepalive_s = state.settings.approval_keepalive_interval
        elif hook is not None and response.status_code == 200:
            # A held call waits for a person; a client that leaves ends the wait (its
            # request is closed as expired, reason client_gone).
            async with DisconnectGuard(receive):
                await calls.settle(bytes(response.body))
    chain = output_chain(guard, pseudonyms, answer_hash, calls)
    response = await attach_output(response, chain, exchange, state.pipeline.runner)
    if masked_types:
        # The client learns that what the model answered was not exactly what it sent.
        response.headers[wire.HEADER_MASKED] = ",".join(masked_types)
    return response


def _hold_hook(approvals: Approvals, exchange: Exchange) -> HoldHook:
    """Waits for the decision on one held call of this request's answer."""

    async def hold(name: str, arguments: str, verdict: CallVerdict) -> CallVerdict:
        held = await approvals.hold(
            tool=name,
            level=verdict.level.value,
            arguments=arguments,
            user_id=exchange.user or "",
            workspace=exchange.workspace or "",
            exchange_id=exchange.request_id,
        )
        return decided_verdict(verdict, held.status, held.reason, held.responded_by)

    return hold


def output_chain(
    guard: OutputGuard | None,
    pseudonyms: Pseudonyms | None,
    answer_hash: AnswerTransform | None = None,
    calls: CallHold | None = None,
) -> OutputChain:
    """This request's output transforms, in the order they see the answer: the audit
    trail's hash of the answer first (the model's text, :class:`core.audit.hashing.AnswerHash`;
    it changes nothing), then a member that judges the text (the output guard) before
    pseudonym restore, so that values the request pseudonymised are restored after it, not
    flagged. Add a member here. ``calls``, the tool calls' gate, sees the answer before all
    of them (a refused call reaches none)."""
    members: list[AnswerTransform] = []
    if answer_hash is not None:
        members.append(answer_hash)
    if guard is not None:
        members.append(guard)
    if pseudonyms:
        members.append(PseudonymRestore(pseudonyms))
    return OutputChain(members, calls)


async def attach_output(
    response: Response, chain: OutputChain, exchange: Exchange, runner: CpuRunner | None = None
) -> Response:
    """The model's answer through ``chain``: a stream gets it as its transform (on
    ``runner``'s threads once its checks prove slow), a JSON answer (200) is rewritten now,
    on the event loop up to :data:`ANSWER_INLINE_BYTES` and on ``runner``'s threads beyond;
    with an empty chain the answer is not touched at all."""
    if not chain:
        return response
    if isinstance(response, RelayedStream):
        # A stream whose checks prove slow goes on off the event loop (SseAnswer.offloading).
        response.transform = SseAnswer(chain, exchange, runner)
        return response
    if response.status_code != 200:
        return response
    body = bytes(response.body)
    if runner is None:
        rewritten = rewrite_json_answer(body, chain, exchange)
    else:
        rewritten = await runner.run_sized(
            len(body),
            lambda: rewrite_json_answer(body, chain, exchange),
            inline_chars=ANSWER_INLINE_BYTES,
        )
    if rewritten is body:
        return response
    passed = {k: v for k, v in response.headers.items() if k != "content-length"}
    return Response(rewritten, status_code=response.status_code, headers=passed)
