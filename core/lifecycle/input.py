"""The input stages: authenticate → parse → input scan → decide → mask.

Each is a function of plain values (a key registry, a body, a pipeline and a policy) that
records what it learned in the request's :class:`core.lifecycle.exchange.Exchange`, so it can
be called and tested without HTTP. A refusal is raised as the error the client gets (401,
403, 400; a block is :class:`shared.errors.BlockedError`), after the exchange has it.

The texts (:class:`Call`, :class:`InputScan`) live as long as the request's handler; the
exchange only counts and names what they held.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from core.keys.registry import KeyRegistry
from core.lifecycle.exchange import Exchange
from core.pii.masking import Masker
from core.pii.pseudonyms import Pseudonyms
from core.scanning.base import MANY_FINDINGS, Decision, ScanRequest
from core.scanning.pipeline import Pipeline, PipelineResult
from core.scanning.policy import DROPPED_NOTICE, Policy
from shared import wire
from shared.errors import BlockedError
from shared.extract import ScanText, replace_texts, user_texts
from shared.findings import Finding
from shared.keyset import KeyIdentity
from shared.permissions import LLM_CALL, call_permissions
from shared.wire import ApiKind, ApiRequest, parse_api_request, parse_inspect_request

__all__ = [
    "LLM_CALL",
    "Call",
    "InputScan",
    "Masked",
    "authenticate",
    "authorize_call",
    "decide",
    "edge_findings",
    "enforce",
    "mask",
    "parse_call",
    "parse_inspection",
    "scan_input",
]

_PSEUDONYMIZE: Final = "pseudonymize"


def authenticate(
    keys: KeyRegistry,
    authorization: str | None,
    exchange: Exchange,
    permission: str = LLM_CALL,
) -> KeyIdentity:
    """The caller's identity, recorded in ``exchange``; 401 for an unknown key, 403 unless
    its role grants ``permission``."""
    started = time.perf_counter()
    identity = keys.authenticate(authorization)
    exchange.identify(identity)
    keys.authorize(identity, permission)
    exchange.timed("authenticate", started)
    return identity


def authorize_call(keys: KeyRegistry, api: ApiRequest, exchange: Exchange) -> None:
    """403 unless the authenticated caller may make this call: one that offers the model
    tools needs ``tools:call`` (``shared.permissions.call_permissions``)."""
    identity = exchange.identity
    if identity is None:
        raise RuntimeError("authorize_call before authenticate")
    for permission in call_permissions(api.body):
        keys.authorize(identity, permission)


@dataclass(slots=True)
class Call:
    """A parsed API request and the texts its scanners read (none when no scanner runs)."""

    api: ApiRequest
    texts: list[ScanText]


def parse_call(
    kind: ApiKind,
    raw: bytes,
    exchange: Exchange,
    *,
    extract: bool = True,
    edge_findings: tuple[str, ...] = (),
) -> Call:
    """The request body read as ``kind`` (400 in OpenAI's shape if it is not one), and with
    ``extract`` the texts to scan; model, stream flag, size and an estimate of the prompt's
    tokens (UTF-8 bytes / 4) go into ``exchange``."""
    started = time.perf_counter()
    api = parse_api_request(kind, raw)
    exchange.model = api.model
    exchange.stream = api.stream
    exchange.bytes_in = len(raw)
    exchange.edge_findings = edge_findings
    texts = user_texts(kind, api.body) if extract else []
    if texts:
        exchange.prompt_tokens_estimate = (
            sum(len(t.text.encode("utf-8", "surrogatepass")) for t in texts) // 4
        )
    else:
        exchange.prompt_tokens_estimate = len(raw) // 4
    exchange.timed("parse", started)
    return Call(api, texts)


def parse_inspection(raw: bytes, exchange: Exchange) -> list[ScanText]:
    """The texts of an inspection request (``{"text": ...}`` or ``{"messages": [...]}``; 400
    otherwise), its size in ``exchange``."""
    started = time.perf_counter()
    texts = parse_inspect_request(raw)
    exchange.bytes_in = len(raw)
    exchange.timed("parse", started)
    return texts


def edge_findings(header: str | None, trusted_peer: bool) -> tuple[str, ...]:
    """Finding types the edge reported, believed only from a trusted peer (an edge).

    >>> edge_findings('[{"scanner": "prefilter", "type": "en.x"}]', True)
    ('en.x',)
    >>> edge_findings('[{"scanner": "prefilter", "type": "en.x"}]', False)
    ()
    """
    if not header or not trusted_peer:
        return ()
    try:
        findings = wire.loads(header)
        return tuple(str(item["type"]) for item in findings if isinstance(item, dict))
    except (ValueError, KeyError, TypeError):
        return ()


@dataclass(frozen=True, slots=True)
class InputScan:
    """The pipeline's result under the caller's policy, and whether that policy only records."""

    result: PipelineResult
    dry_run: bool
    policy: Policy
    masker: Masker

    def masked_texts(
        self, texts: Sequence[ScanText], pseudonyms: Pseudonyms | None = None
    ) -> dict[ScanText, str]:
        """The new text of every text with findings to rewrite; placeholders for
        ``pseudonymize`` are made in ``pseudonyms`` (without them, those values are masked).
        A tool result with injection the policy drops becomes :data:`DROPPED_NOTICE`."""
        by_place: dict[tuple[int | None, int | None], list[Finding]] = {}
        for finding in self.result.verdict.masking:
            by_place.setdefault((finding.message_index, finding.part), []).append(finding)
        dropped = {
            (finding.message_index, finding.part) for finding in self.result.verdict.dropping
        }
        masked: dict[ScanText, str] = {}
        for text in texts:
            place = (text.message_index, text.part)
            if place in dropped:
                masked[text] = DROPPED_NOTICE
                continue
            findings = by_place.get(place)
            if findings:
                masked[text] = self.masker.apply(
                    text.text, [(f, self.policy.action(f) or "mask") for f in findings], pseudonyms
                )
        return masked


async def scan_input(
    pipeline: Pipeline,
    policy: Policy,
    masker: Masker,
    texts: Sequence[ScanText],
    exchange: Exchange,
    *,
    default_dry_run: bool = False,
) -> InputScan:
    """Run the input pipeline over ``texts`` under ``policy`` (the caller's, resolved);
    findings, verdict and each scanner's time go into ``exchange``. ``policy.dry_run``, when
    set, overrides the process's ``default_dry_run``."""
    started = time.perf_counter()
    result = await pipeline.run(
        ScanRequest(tuple(texts), key_id=exchange.key_id, workspace=exchange.workspace), policy
    )
    dry_run = default_dry_run if policy.dry_run is None else policy.dry_run
    exchange.input_verdict = result.verdict
    exchange.scanner_ms = result.latency_ms
    exchange.dry_run = dry_run
    exchange.timed("input_scan", started)
    return InputScan(result, dry_run, policy, masker)


def decide(scan: InputScan | None, exchange: Exchange) -> Decision:
    """What is done with the request: ``block``, ``mask`` or ``allow`` (``hold`` is the
    approval workflow's, not decided yet). A dry run decides ``allow`` (the exchange keeps
    the policy's verdict: ``exchange.bypassed``); no scan (no scanner, no text) is ``allow``."""
    action = Decision.ALLOW
    if scan is not None and not scan.dry_run:
        verdict = scan.result.verdict
        if verdict.blocked:
            action = Decision.BLOCK
        elif verdict.masking or verdict.dropping:
            action = Decision.MASK
    exchange.action = action
    return action


async def enforce(action: Decision, scan: InputScan | None) -> None:
    """Raise the refusal of a ``block`` (403 ``aegis_blocked`` with the findings); a
    ``hold`` is refused the same way until the approval workflow exists (fail closed)."""
    if action in (Decision.BLOCK, Decision.HOLD):
        findings = scan.result.verdict.findings if scan is not None else ()
        if len(findings) > MANY_FINDINGS:
            # Their wire form on a worker thread, not in one step of the event loop.
            raise BlockedError(await asyncio.to_thread(_wire_forms, findings))
        raise BlockedError(_wire_forms(findings))


def _wire_forms(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [finding.as_dict() for finding in findings]


@dataclass(frozen=True, slots=True)
class Masked:
    """The body to send the model, this request's placeholders (``None`` if none were made)
    and the entity types masked (for the ``X-Aegis-Masked`` header)."""

    body: bytes
    pseudonyms: Pseudonyms | None
    types: tuple[str, ...]


def mask(call: Call, scan: InputScan, exchange: Exchange) -> Masked:
    """The request with its findings masked, redacted, hashed or pseudonymised as the policy
    says; how many values of each type went which way is counted in ``exchange``."""
    started = time.perf_counter()
    # This request's placeholders, if its policy pseudonymises: in memory, for this call only.
    pseudonyms = Pseudonyms()
    api = call.api
    replace_texts(api.kind, api.body, scan.masked_texts(call.texts, pseudonyms))
    masking = scan.result.verdict.masking
    counts = Counter(finding.type for finding in masking)
    pseudonymised = Counter(
        finding.type for finding in masking if scan.policy.action(finding) == _PSEUDONYMIZE
    )
    exchange.mask_counts = dict(counts)
    exchange.pseudonym_counts = dict(pseudonymised) or None
    masked = Masked(wire.dump_body(api.body), pseudonyms or None, tuple(sorted(counts)))
    exchange.timed("mask", started)
    return masked
