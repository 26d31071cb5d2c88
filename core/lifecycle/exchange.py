"""What one request did: :class:`Exchange`, filled stage by stage, read by the sinks.

Each stage of :mod:`core.lifecycle` writes what it learned here (who called, what the
scanners found and the policy decided, what was masked, what the model server answered and
how long each stage took); the end-of-request sinks (the access log line, metrics, the
audit trail) read it once the response is over. It holds metadata only: never a prompt, an
answer or a masked value, so nothing in it can leak text into a log or a row. The texts are
represented by keyed hashes (HMAC-SHA-256 under ``AUDIT_HASH_KEY``, :mod:`core.audit.hashing`),
made while the stages hold the text.

    >>> exchange = Exchange("req-1", "/v1/chat/completions")
    >>> exchange.model, exchange.stream = "m", True
    >>> exchange.mask_counts = {"KR_RRN": 1}
    >>> exchange.usage = Usage.parse(b'{"usage": {"prompt_tokens": 12, "completion_tokens": 3}}')
    >>> exchange.log_fields()  # doctest: +NORMALIZE_WHITESPACE
    {'model': 'm', 'stream': True, 'masked': ['KR_RRN'],
     'prompt_tokens': 12, 'completion_tokens': 3}
"""

from __future__ import annotations

import contextlib
import hmac
import re
import time
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from core.scanning.base import Decision, Verdict
from shared.findings import Finding
from shared.keyset import KeyIdentity

__all__ = ["Exchange", "OutputBlock", "Usage"]

_USAGE_KEY: Final = b'"usage"'
_COUNT_KEYS: Final = tuple(
    (name, f'"{name}"'.encode()) for name in ("prompt_tokens", "completion_tokens", "total_tokens")
)
_NUMBER: Final = re.compile(rb"\s*:\s*([0-9]{1,12})")
_USAGE_OBJECT: Final = re.compile(rb"\s*:\s*\{")
# How far after the "usage" key its numbers may sit (the object is small).
_USAGE_SPAN: Final = 512


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the model server reported them (``usage`` of a JSON answer, or of a
    stream's usage chunk)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None

    @classmethod
    def parse(cls, data: bytes) -> Usage | None:
        """The last ``usage`` object in ``data`` (a JSON answer, or a stream's last bytes),
        read without parsing the whole answer; ``None`` when there is none (or it is null).

        >>> Usage.parse(b'data: {"choices": [], "usage": {"prompt_tokens": 5, '
        ...             b'"completion_tokens": 7, "total_tokens": 12}}')
        Usage(prompt_tokens=5, completion_tokens=7, total_tokens=12)
        >>> Usage.parse(b'{"usage": null}') is None
        True
        """
        at = data.rfind(_USAGE_KEY)
        # Inside a string the quotes would be escaped: this is a key.
        if at < 0 or (at > 0 and data[at - 1] == 0x5C):
            return None
        opening = _USAGE_OBJECT.match(data, at + len(_USAGE_KEY))
        if opening is None:
            return None
        start = opening.end()
        close = data.find(b"}", start, start + _USAGE_SPAN)
        if close >= 0 and data.find(b"{", start, close) < 0:
            # The usual flat object: parsed as it is.
            with contextlib.suppress(orjson.JSONDecodeError):
                usage = orjson.loads(data[start - 1 : close + 1])
                return cls(
                    _count(usage.get("prompt_tokens")),
                    _count(usage.get("completion_tokens")),
                    _count(usage.get("total_tokens")),
                )
        counts: dict[str, int] = {}
        for name, key in _COUNT_KEYS:
            found = data.find(key, start, start + _USAGE_SPAN)
            if found >= 0 and (number := _NUMBER.match(data, found + len(key))) is not None:
                counts[name] = int(number.group(1))
        return cls(**counts) if counts else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class OutputBlock:
    """Why an answer was cut: the scanner and the type of what it found (never the text)."""

    scanner: str
    type: str

    def as_dict(self) -> dict[str, str]:
        return {"scanner": self.scanner, "type": self.type}


@dataclass(slots=True, eq=False)
class Exchange:
    """One request through core: identity, route, input and output verdicts, upstream status,
    tokens, stage timings. Text never lives here (see the module doc)."""

    request_id: str
    route: str
    started: float = 0.0  # time.perf_counter() at the start; stage timings count from it
    # Who: set by the authenticate stage.
    key_id: str | None = None
    user: str | None = None
    role: str | None = None
    workspace: str | None = None
    identity: KeyIdentity | None = None
    # What: set by the parse stage.
    model: str | None = None
    stream: bool = False
    bytes_in: int | None = None
    edge_findings: tuple[str, ...] = ()
    prompt_tokens_estimate: int | None = None
    # The input: the policy's verdict, and what was done (a dry run records, does nothing).
    input_verdict: Verdict | None = None
    scanner_ms: dict[str, float] | None = None
    action: Decision | None = None
    dry_run: bool = False
    # Masked or pseudonymised values, counted by entity type (never the values).
    mask_counts: dict[str, int] | None = None
    pseudonym_counts: dict[str, int] | None = None
    # The model server's answer.
    upstream_status: int | None = None
    usage: Usage | None = None
    stream_events: int | None = None
    stream_completed: bool | None = None
    # The output: filled by the output chain's members (add_output_findings), in order.
    output_findings: list[Finding] = field(default_factory=list)
    output_decision: Decision | None = None
    output_block: OutputBlock | None = None
    # Seconds per stage ("authenticate", "input_scan", "upstream", "output", …): stage_ms.
    stage_s: dict[str, float] | None = None
    status: int | None = None
    # Where from: set by begin (the client IP as the middleware resolved it).
    client_ip: str | None = None
    user_agent: str | None = None
    # The audit trail's keyed hashes of the texts (core.audit.hashing), never the texts:
    # the user's instruction, the rest of the prompt, and the answer (a running HMAC fed by
    # the output chain while the answer passes; response_hash when it was hashed at once).
    instruction_hash: bytes | None = None
    context_hash: bytes | None = None
    response_hash: bytes | None = None
    response_mac: hmac.HMAC | None = None
    # What an admin call changed, as (operation, target) pairs: "key_create", "key_abc
    # user=bob"; recorded as the audit row's findings (stage "admin").
    admin_changes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.started:
            self.started = time.perf_counter()

    def identify(self, identity: KeyIdentity) -> None:
        self.identity = identity
        self.key_id = identity.key_id
        self.user = identity.user
        self.role = identity.role
        self.workspace = identity.workspace

    def timed(self, stage: str, since: float) -> float:
        """Add the time from ``since`` (``perf_counter``) until now to ``stage``; now."""
        now = time.perf_counter()
        stages = self.stage_s
        if stages is None:
            self.stage_s = {stage: now - since}
        else:
            stages[stage] = stages.get(stage, 0.0) + now - since
        return now

    @property
    def stage_ms(self) -> dict[str, float]:
        """Milliseconds per stage, in the order the stages ran."""
        return {stage: int(s * 1_000_000) / 1000 for stage, s in (self.stage_s or {}).items()}

    @property
    def blocked(self) -> bool:
        """Whether the request (input) or the answer (output) was refused."""
        return self.action is Decision.BLOCK or self.output_block is not None

    @property
    def bypassed(self) -> bool:
        """Whether the policy's block or mask was not enforced (a dry run only records)."""
        verdict = self.input_verdict
        return self.dry_run and verdict is not None and verdict.decision is not Decision.ALLOW

    def add_output_findings(self, findings: tuple[Finding, ...] | list[Finding]) -> None:
        """What an output member found (the types, scores and places; the text stays out).
        Appended, not copied: a hostile answer streamed can have tens of thousands, a few
        at a time (20,000 cost 0.55 s of the event loop as a growing tuple)."""
        self.output_findings.extend(findings)

    def log_fields(self) -> dict[str, Any]:
        """The access log line's fields (``key_id`` apart: the line has its own)."""
        fields: dict[str, Any] = {}
        if self.user is not None:
            fields["user"] = self.user
            fields["workspace"] = self.workspace
        if self.model is not None:
            fields["model"] = self.model
            fields["stream"] = self.stream
        if self.bytes_in is not None:
            fields["bytes_in"] = self.bytes_in
        if self.edge_findings:
            fields["edge_findings"] = list(self.edge_findings)
        verdict = self.input_verdict
        if verdict is not None:
            fields["decision"] = verdict.decision.value
            fields["risk_score"] = verdict.risk_score
            if verdict.findings:
                fields["findings"] = sorted(
                    f"{scanner}:{kind}" for scanner, kind in verdict.by_type()
                )
            if verdict.dropping:
                # The tool results a drop policy removed, by message index.
                fields["dropped"] = sorted({f.message_index or 0 for f in verdict.dropping})
            if self.bypassed:
                fields["dry_run"] = True
        if self.mask_counts:
            fields["masked"] = sorted(self.mask_counts)
        if self.upstream_status is not None:
            fields["upstream_status"] = self.upstream_status
        usage = self.usage
        if usage is not None:
            if usage.prompt_tokens is not None:
                fields["prompt_tokens"] = usage.prompt_tokens
            if usage.completion_tokens is not None:
                fields["completion_tokens"] = usage.completion_tokens
        if self.stream_completed is False:
            fields["stream_completed"] = False
        if self.output_findings:
            fields["output_findings"] = sorted(
                {f"{f.scanner}:{f.type}" for f in self.output_findings}
            )
        if self.output_block is not None:
            fields["output_blocked"] = f"{self.output_block.scanner}:{self.output_block.type}"
        if self.stage_s:
            fields["stage_ms"] = self.stage_ms
        return fields
