"""The OpenAI-compatible API on core: authenticate, parse, call the model server.

This is the seam where the input and output pipelines plug in: a parsed
:class:`shared.wire.ApiRequest` goes in before the upstream call, the upstream's answer
comes out after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from starlette.requests import Request
from starlette.responses import Response

from core.pii.masking import Masker
from core.pii.pseudonyms import Pseudonyms
from core.pii.restore import StreamRewriter, restore_json_answer
from core.scanning.base import ScanRequest
from core.scanning.pipeline import PipelineResult
from core.scanning.policy import Policy
from core.state import CoreState, core_state
from shared import wire
from shared.errors import BlockedError
from shared.extract import ScanText, replace_texts, user_texts
from shared.findings import Finding
from shared.http import Handler, read_json_body, request_info
from shared.keyset import KeyIdentity
from shared.relay import RelayedStream
from shared.wire import ApiKind, parse_api_request

__all__ = ["API_ROUTES", "ScannedInput", "authenticate", "scan_input"]

_LLM_CALL = "llm:call"
_log = structlog.get_logger("aegis.core.openai")


def authenticate(state: CoreState, request: Request) -> KeyIdentity:
    """The caller's identity, bound to the request's log; 401/403 unless it may call models."""
    identity = state.keys.authenticate(request.headers.get("authorization"))
    info = request_info(request)
    info.key_id = identity.key_id
    info.log.update(user=identity.user, workspace=identity.workspace)
    state.keys.authorize(identity, _LLM_CALL)
    return identity


@dataclass(frozen=True, slots=True)
class ScannedInput:
    """The pipeline's result under the caller's policy, and whether that policy only records."""

    result: PipelineResult
    dry_run: bool
    policy: Policy
    masker: Masker

    def masked_texts(
        self, texts: Sequence[ScanText], pseudonyms: Pseudonyms | None = None
    ) -> dict[ScanText, str]:
        """The new text of every text with findings to rewrite; placeholders for
        ``pseudonymize`` are made in ``pseudonyms`` (without them, those values are masked)."""
        by_place: dict[tuple[int | None, int | None], list[Finding]] = {}
        for finding in self.result.verdict.masking:
            by_place.setdefault((finding.message_index, finding.part), []).append(finding)
        masked: dict[ScanText, str] = {}
        for text in texts:
            findings = by_place.get((text.message_index, text.part))
            if findings:
                masked[text] = self.masker.apply(
                    text.text, [(f, self.policy.action(f) or "mask") for f in findings], pseudonyms
                )
        return masked


async def scan_input(
    state: CoreState, identity: KeyIdentity, texts: Sequence[ScanText]
) -> ScannedInput:
    """Run the input pipeline under the policy of the caller's key and workspace."""
    policy = state.policies.resolve(identity.key_id, identity.workspace)
    result = await state.pipeline.run(
        ScanRequest(tuple(texts), key_id=identity.key_id, workspace=identity.workspace), policy
    )
    dry_run = state.settings.dry_run if policy.dry_run is None else policy.dry_run
    return ScannedInput(result, dry_run, policy, state.masker)


def _upstream_headers(state: CoreState, request_id: str, *, json_body: bool) -> dict[str, str]:
    headers = dict(state.upstream_headers)
    headers[wire.HEADER_REQUEST_ID] = request_id
    # vLLM uses X-Request-Id as its own request id: one id across all hops' logs.
    headers["x-request-id"] = request_id
    if json_body:
        headers["content-type"] = "application/json"
    return headers


async def _call(request: Request, kind: ApiKind, path: str) -> Response:
    state = core_state(request)
    identity = authenticate(state, request)
    info = request_info(request)
    raw = await read_json_body(
        request, state.settings.max_request_bytes, state.settings.body_read_timeout_ms / 1000
    )
    api = parse_api_request(kind, raw)
    info.log.update(model=api.model, stream=api.stream, bytes_in=len(raw))
    edge_findings = _edge_findings(request, info.trusted_peer)
    if edge_findings:
        info.log["edge_findings"] = edge_findings
    # No scanner configured (INPUT_SCAN_ENABLED=false): nothing to extract or decide.
    texts = user_texts(kind, api.body) if state.pipeline.scanners else []
    body = api.raw
    masked_types: list[str] = []
    pseudonyms: Pseudonyms | None = None
    if texts:
        scanned = await scan_input(state, identity, texts)
        verdict = scanned.result.verdict
        info.log.update(decision=verdict.decision.value, risk_score=verdict.risk_score)
        if verdict.findings:
            info.log["findings"] = sorted({f"{f.scanner}:{f.type}" for f in verdict.findings})
        if verdict.blocked:
            if scanned.dry_run:
                _log.warning("request_would_block", dry_run=True)
            else:
                raise BlockedError([finding.as_dict() for finding in verdict.findings])
        elif verdict.masking:
            if scanned.dry_run:
                _log.warning("request_would_mask", dry_run=True)
            else:
                # This request's placeholders, if its policy pseudonymises: in memory, for
                # this call only.
                pseudonyms = Pseudonyms()
                replace_texts(kind, api.body, scanned.masked_texts(texts, pseudonyms))
                body = wire.dump_body(api.body)
                masked_types = sorted({finding.type for finding in verdict.masking})
    response = await state.upstream.send(
        "POST",
        state.settings.upstream_url + path,
        headers=_upstream_headers(state, info.request_id, json_body=True),
        body=body,
        stream=api.stream,
        receive=request.receive,
    )
    if pseudonyms:
        response = _restored(response, pseudonyms)
    if masked_types:
        # The client learns that what the model answered was not exactly what it sent.
        response.headers[wire.HEADER_MASKED] = ",".join(masked_types)
    return response


def _restored(response: Response, pseudonyms: Pseudonyms) -> Response:
    """The model's answer with the request's placeholders turned back into its values."""
    if isinstance(response, RelayedStream):
        response.transform = StreamRewriter(pseudonyms)
        return response
    if response.status_code != 200:
        return response
    passed = {k: v for k, v in response.headers.items() if k != "content-length"}
    return Response(
        restore_json_answer(bytes(response.body), pseudonyms),
        status_code=response.status_code,
        headers=passed,
    )


def _edge_findings(request: Request, trusted_peer: bool) -> list[str]:
    """Finding types the edge reported, believed only from a trusted peer (an edge)."""
    raw = request.headers.get(wire.HEADER_EDGE_FINDINGS)
    if not raw or not trusted_peer:
        return []
    try:
        findings = wire.loads(raw)
        return [str(item["type"]) for item in findings if isinstance(item, dict)]
    except (ValueError, KeyError, TypeError):
        return []


async def chat_completions(request: Request) -> Response:
    return await _call(request, "chat", "/v1/chat/completions")


async def completions(request: Request) -> Response:
    return await _call(request, "completion", "/v1/completions")


async def embeddings(request: Request) -> Response:
    return await _call(request, "embedding", "/v1/embeddings")


async def models(request: Request) -> Response:
    state = core_state(request)
    authenticate(state, request)
    info = request_info(request)
    return await state.upstream.send(
        "GET",
        state.settings.upstream_url + "/v1/models",
        headers=_upstream_headers(state, info.request_id, json_body=False),
    )


API_ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/completions"): completions,
    ("POST", "/v1/embeddings"): embeddings,
    ("GET", "/v1/models"): models,
}
