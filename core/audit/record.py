"""The audit row and its hash chain (pure: no I/O).

:func:`record_from_exchange` turns a finished request's
:class:`~core.lifecycle.exchange.Exchange` into an :class:`AuditRecord`: who, what route,
what was decided and found (scanner, type, score: never text), the three HMACs of the
texts, tokens, timings, status, client IP, user agent. :func:`sanitize` is the door every
record passes before it is chained: texts lose control characters and surrogates and are
cut to their column's size, numbers are clamped into their column's range, so PostgreSQL
never refuses a row for its content (a NUL byte in a header, an absurd token count).

The chain, one per writer (a core process, ``writer_id`` made at start-up)::

    payload_n  = canonical(record_n, writer_id, seq=n)      the row's fields, fixed order
    row_hash_n = SHA-256(row_hash_{n-1} || payload_n)        row_hash_0 = 32 zero bytes

Each row stores ``seq``, ``prev_hash`` (its predecessor's ``row_hash``) and ``row_hash``.
Changing a row changes its hash; deleting or inserting one breaks ``seq`` or the next row's
``prev_hash``; deleting the newest rows leaves the chain short of its head
(``audit_chain_heads``, written with the rows). :func:`canonical` depends only on values
that survive a round trip through PostgreSQL unchanged, so :mod:`core.audit.verify`
recomputes every hash from the stored columns.

    >>> chain = Chain("00000000-0000-4000-8000-000000000001")
    >>> first = chain.link(sanitize(AuditRecord.example()))
    >>> second = chain.link(sanitize(AuditRecord.example()))
    >>> (first.seq, second.seq, second.prev_hash == first.row_hash)
    (1, 2, True)
    >>> row_hash(first.prev_hash, first.payload) == first.row_hash
    True
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import orjson

from core.lifecycle.exchange import Exchange
from core.scanning.base import Decision

__all__ = [
    "ACTIONS",
    "GENESIS",
    "AuditRecord",
    "Chain",
    "LinkedRow",
    "action_of",
    "canonical",
    "decision_of",
    "from_payload",
    "record_from_exchange",
    "row_hash",
    "sanitize",
]

VERSION: Final = 1
GENESIS: Final = bytes(32)
# Routes by the action they are recorded as; any other path is recorded as itself.
ACTIONS: Final = {
    "/v1/chat/completions": "chat",
    "/v1/completions": "completion",
    "/v1/embeddings": "embedding",
    "/v1/models": "models",
    "/api/v1/inspect": "inspect",
    "/api/v1/output/analyze": "output_analyze",
}
ADMIN_PREFIX: Final = "/api/v1/admin/"
"""Every admin API call is recorded as the action ``admin`` (what it changed: its findings)."""
MAX_FINDINGS: Final = 64
MAX_STAGES: Final = 32
_TEXT_LIMITS: Final = {
    "request_id": 128,
    "user_id": 256,
    "workspace_id": 256,
    "key_id": 128,
    "role": 64,
    "action": 128,
    "model": 256,
    "decision": 16,
    "user_agent": 512,
    "name": 128,
}
_INT4: Final = (-(2**31), 2**31 - 1)
# 2000-01-01 .. 9999-12-31 in microseconds since the Unix epoch (PostgreSQL's range, and then some).
_TS_RANGE: Final = (946_684_800_000_000, 253_402_300_799_000_000)
_UNSTORABLE: Final = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# A UUID as str(uuid.UUID(...)) writes it: such a log id needs no parsing to be checked.
_CANONICAL_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SORTED: Final = orjson.OPT_SORT_KEYS


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One request's audit row, before it is chained. No field holds prompt or answer text:
    ``*_hash`` are HMAC-SHA-256 digests (:mod:`core.audit.hashing`), ``findings`` a list of
    ``{"stage", "scanner", "type", "score", "count"}``."""

    log_id: str
    timestamp_us: int  # microseconds since the Unix epoch, UTC: when the request finished
    request_id: str
    user_id: str | None
    workspace_id: str | None
    key_id: str | None
    role: str | None
    action: str
    model: str | None
    decision: str
    dry_run: bool
    findings: tuple[Mapping[str, Any], ...]
    instruction_hash: bytes | None
    context_hash: bytes | None
    response_hash: bytes | None
    tokens_estimated: int | None
    tokens_used: int | None
    latency_ms: float | None
    stage_ms: Mapping[str, float] | None
    status: int | None
    ip_address: str | None
    user_agent: str | None
    bypassed: bool = False

    @classmethod
    def example(cls, **changes: Any) -> AuditRecord:
        """A plausible record, for examples, tests and the benchmark."""
        fields: dict[str, Any] = {
            "log_id": str(uuid.UUID(int=1, version=4)),
            "timestamp_us": 1_767_225_600_000_000,
            "request_id": "req-1",
            "user_id": "alice",
            "workspace_id": "payments",
            "key_id": "k_1",
            "role": "developer",
            "action": "chat",
            "model": "m",
            "decision": "mask",
            "dry_run": False,
            "findings": ({"stage": "input", "scanner": "pii", "type": "KR_RRN", "score": 0.9},),
            "instruction_hash": bytes(range(32)),
            "context_hash": None,
            "response_hash": bytes(32),
            "tokens_estimated": 12,
            "tokens_used": 30,
            "latency_ms": 12.5,
            "stage_ms": {"authenticate": 0.01, "input_scan": 1.2},
            "status": 200,
            "ip_address": "10.0.0.7",
            "user_agent": "OpenAI/Python 1.60",
        }
        fields.update(changes)
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class LinkedRow:
    """A record with its place in its writer's chain, and the exact bytes hashed."""

    record: AuditRecord
    writer_id: str
    seq: int
    prev_hash: bytes
    row_hash: bytes
    payload: bytes


def row_hash(prev_hash: bytes, payload: bytes) -> bytes:
    """SHA-256 of the predecessor's hash followed by the row's canonical bytes."""
    return hashlib.sha256(prev_hash + payload).digest()


class Chain:
    """A writer's chain: gives each record the next ``seq`` and links it to the last one."""

    def __init__(self, writer_id: str, seq: int = 0, last_hash: bytes = GENESIS) -> None:
        self.writer_id = writer_id
        self.seq = seq
        self.last_hash = last_hash

    def link(self, record: AuditRecord) -> LinkedRow:
        """The next link; ``record`` must have passed :func:`sanitize`."""
        seq = self.seq + 1
        payload = canonical(record, self.writer_id, seq)
        prev = self.last_hash
        digest = hashlib.sha256(prev + payload).digest()
        self.seq, self.last_hash = seq, digest
        return LinkedRow(record, self.writer_id, seq, prev, digest, payload)


def canonical(record: AuditRecord, writer_id: str, seq: int) -> bytes:
    """The bytes a row's hash covers: every field in a fixed order as one JSON array
    (object keys sorted, hashes in hex, the IP as its packed bytes in hex). Equal for the
    record as written and as read back from PostgreSQL (jsonb reorders keys and respells
    numbers; they are parsed and written again here).

    >>> canonical(AuditRecord.example(findings=(), stage_ms=None), "w", 1)[:24]
    b'[1,"w",1,"00000000-0000-'
    """
    ip = record.ip_address
    return orjson.dumps(
        [
            VERSION,
            writer_id,
            seq,
            record.log_id,
            record.timestamp_us,
            record.request_id,
            record.user_id,
            record.workspace_id,
            record.key_id,
            record.role,
            record.action,
            record.model,
            record.decision,
            record.dry_run,
            record.findings,
            _hex(record.instruction_hash),
            _hex(record.context_hash),
            _hex(record.response_hash),
            record.tokens_estimated,
            record.tokens_used,
            record.latency_ms,
            record.stage_ms,
            record.status,
            None if ip is None else ipaddress.ip_address(ip).packed.hex(),
            record.user_agent,
            record.bypassed,
        ],
        option=_SORTED,
    )


def _hex(value: bytes | None) -> str | None:
    return None if value is None else value.hex()


def from_payload(payload: bytes) -> tuple[AuditRecord, str, int]:
    """The record, writer id and seq that :func:`canonical` wrote as ``payload`` (a spool
    line's, a dead letter's); ``ValueError`` if it is not one.

    >>> record = AuditRecord.example()
    >>> from_payload(canonical(record, "w", 7)) == (record, "w", 7)
    True
    """
    try:
        fields = orjson.loads(payload)
        (
            version,
            writer_id,
            seq,
            log_id,
            timestamp_us,
            request_id,
            user_id,
            workspace_id,
            key_id,
            role,
            action,
            model,
            decision,
            dry_run,
            findings,
            instruction_hash,
            context_hash,
            response_hash,
            tokens_estimated,
            tokens_used,
            latency_ms,
            stage_ms,
            status,
            ip,
            user_agent,
            bypassed,
        ) = fields
        if version != VERSION or not isinstance(seq, int) or not isinstance(writer_id, str):
            raise ValueError("not an audit payload")
        record = AuditRecord(
            log_id=log_id,
            timestamp_us=timestamp_us,
            request_id=request_id,
            user_id=user_id,
            workspace_id=workspace_id,
            key_id=key_id,
            role=role,
            action=action,
            model=model,
            decision=decision,
            dry_run=dry_run,
            findings=tuple(findings),
            instruction_hash=_unhex(instruction_hash),
            context_hash=_unhex(context_hash),
            response_hash=_unhex(response_hash),
            tokens_estimated=tokens_estimated,
            tokens_used=tokens_used,
            latency_ms=latency_ms,
            stage_ms=stage_ms,
            status=status,
            ip_address=None if ip is None else str(ipaddress.ip_address(bytes.fromhex(ip))),
            user_agent=user_agent,
            bypassed=bypassed,
        )
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise ValueError("not an audit payload") from exc
    return record, writer_id, seq


def _unhex(value: str | None) -> bytes | None:
    return None if value is None else bytes.fromhex(value)


# --- the door -------------------------------------------------------------------------------


def sanitize(record: AuditRecord) -> AuditRecord:
    """``record`` as PostgreSQL will store it unchanged: texts without control characters or
    surrogates and cut to size, integers within ``integer``, floats finite and rounded, an IP
    that is one, findings and stages bounded. Returns ``record`` itself when it was fine.

    >>> odd = AuditRecord.example(user_agent="curl\\x00/8", tokens_used=10**30, ip_address="x")
    >>> clean = sanitize(odd)
    >>> (clean.user_agent, clean.tokens_used, clean.ip_address)
    ('curl/8', 2147483647, None)
    """
    changes: dict[str, Any] = {}
    for name, limit in _TEXT_LIMITS.items():
        if name == "name":
            continue
        value = getattr(record, name)
        clean = _text(value, limit)
        if clean is not value:
            changes[name] = clean
    if not (changes.get("request_id", record.request_id) or ""):
        changes["request_id"] = "-"
    for name in ("tokens_estimated", "tokens_used", "status"):
        value = getattr(record, name)
        clean_int = _int4(value)
        if clean_int is not value:
            changes[name] = clean_int
    latency = _number(record.latency_ms, 3)
    if latency is not record.latency_ms:
        changes["latency_ms"] = latency
    if record.ip_address is not None:
        try:
            address = _address(record.ip_address)
        except TypeError:  # unhashable, so no address either
            address = None
        if address != record.ip_address:
            changes["ip_address"] = address
    low, high = _TS_RANGE
    if not isinstance(record.timestamp_us, int) or not low <= record.timestamp_us <= high:
        changes["timestamp_us"] = min(max(int(_number(record.timestamp_us, 0) or low), low), high)
    log_id = record.log_id
    if not (isinstance(log_id, str) and _CANONICAL_UUID.fullmatch(log_id)):
        try:
            log_id = str(uuid.UUID(log_id))
        except (ValueError, TypeError, AttributeError):
            log_id = str(uuid.uuid4())
        if log_id != record.log_id:
            changes["log_id"] = log_id
    findings = _findings(record.findings)
    if findings != record.findings:
        changes["findings"] = findings
    stages = _stages(record.stage_ms)
    if stages != record.stage_ms:
        changes["stage_ms"] = stages
    for name in ("instruction_hash", "context_hash", "response_hash"):
        value = getattr(record, name)
        if value is not None and (not isinstance(value, bytes) or len(value) != 32):
            changes[name] = None
    for name in ("dry_run", "bypassed"):
        if not isinstance(getattr(record, name), bool):
            changes[name] = bool(getattr(record, name))
    return replace(record, **changes) if changes else record


@functools.lru_cache(maxsize=4096)
def _address(value: object) -> str | None:
    """``value`` as PostgreSQL's ``inet`` will store it, or None when it is no IP address.
    Cached: a request's row checks its client's address, and clients repeat (parsing one
    cost 5-7 µs of the door's 20-35 µs per row)."""
    try:
        return str(ipaddress.ip_address(value))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None


def _text(value: object, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if len(value) > limit:
        value = value[:limit]
    if _UNSTORABLE.search(value):
        value = _UNSTORABLE.sub("", value)
    return value


def _int4(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value):
            value = int(value)
        else:
            return None
    low, high = _INT4
    return value if low <= value <= high else min(max(value, low), high)


def _number(value: object, digits: int) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    rounded = round(number, digits)
    return value if rounded == value and isinstance(value, float) else rounded


def _findings(findings: Sequence[Mapping[str, Any]] | None) -> tuple[Mapping[str, Any], ...]:
    clean: list[Mapping[str, Any]] = []
    for finding in (findings or ())[:MAX_FINDINGS]:
        if not isinstance(finding, Mapping):
            continue
        item: dict[str, Any] = {
            key: _text(finding.get(key), _TEXT_LIMITS["name"])
            for key in ("stage", "scanner", "type")
        }
        score = finding.get("score")
        item["score"] = None if score is None else _number(score, 4)
        count = finding.get("count")
        if count is not None:
            item["count"] = _int4(count)
        clean.append(item)
    return tuple(clean)


def _stages(stages: Mapping[str, float] | None) -> dict[str, float] | None:
    if stages is None:
        return None
    clean: dict[str, float] = {}
    for name, value in list(stages.items())[:MAX_STAGES]:
        number = _number(value, 3)
        key = _text(name, _TEXT_LIMITS["name"])
        if number is not None and key:
            clean[key] = number
    return clean


# --- from a request -------------------------------------------------------------------------


def action_of(route: str) -> str:
    """The action a route is recorded as.

    >>> action_of("/v1/chat/completions"), action_of("/api/v1/output/analyze")
    ('chat', 'output_analyze')
    >>> action_of("/api/v1/admin/keys/key_1/revoke")
    'admin'
    """
    if route.startswith(ADMIN_PREFIX):
        return "admin"
    return ACTIONS.get(route, route)


def decision_of(exchange: Exchange) -> str:
    """What the gateway decided: ``block`` (input or answer refused), the policy's verdict
    in a dry run (``dry_run`` says nothing was enforced), ``hold``, ``error`` (a refusal
    for any other reason: no key, a bad body, the model server failing), ``mask`` (values
    rewritten in the request or the answer), else ``allow``.

    >>> exchange = Exchange("r", "/v1/chat/completions")
    >>> exchange.status = 401
    >>> decision_of(exchange)
    'error'
    """
    if exchange.blocked:
        return Decision.BLOCK.value
    verdict = exchange.input_verdict
    if exchange.bypassed and verdict is not None:
        return verdict.decision.value
    if exchange.action is Decision.HOLD:
        return Decision.HOLD.value
    status = exchange.status or 0
    if status >= 400 or status < 100:
        return "error"
    if (
        exchange.action is Decision.MASK
        or exchange.output_decision is Decision.MASK
        or exchange.mask_counts
    ):
        return Decision.MASK.value
    return Decision.ALLOW.value


def _findings_of(exchange: Exchange) -> tuple[dict[str, Any], ...]:
    """Findings by (stage, scanner, type): the highest score and how many."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(stage: str, scanner: str, kind: str, score: float | None, count: int = 1) -> None:
        key = (stage, scanner, kind)
        item = merged.get(key)
        if item is None:
            merged[key] = {
                "stage": stage,
                "scanner": scanner,
                "type": kind,
                "score": score,
                "count": count,
            }
            return
        item["count"] += count
        if score is not None and (item["score"] is None or score > item["score"]):
            item["score"] = score

    for kind in exchange.edge_findings:
        add("edge", "prefilter", kind, None)
    verdict = exchange.input_verdict
    if verdict is not None:
        for (scanner, kind), counted in verdict.by_type().items():
            add("input", scanner, kind, counted.score, counted.count)
    for finding in exchange.output_findings:
        add("output", finding.scanner, finding.type, finding.score)
    for operation, target in exchange.admin_changes:
        add("admin", operation, target, None)
    return tuple(merged.values())


def record_from_exchange(
    exchange: Exchange, finished_at: float, latency_s: float | None = None
) -> AuditRecord:
    """The audit record of a finished request (``finished_at``: ``time.time()`` when it
    ended; ``latency_s``: how long it took)."""
    usage = exchange.usage
    used: int | None = None
    if usage is not None:
        used = usage.total_tokens
        if used is None and (
            usage.prompt_tokens is not None or usage.completion_tokens is not None
        ):
            used = (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
    mac = exchange.response_mac
    return AuditRecord(
        log_id=str(uuid.uuid4()),
        timestamp_us=int(finished_at * 1_000_000),
        request_id=exchange.request_id,
        user_id=exchange.user,
        workspace_id=exchange.workspace,
        key_id=exchange.key_id,
        role=exchange.role,
        action=action_of(exchange.route),
        model=exchange.model,
        decision=decision_of(exchange),
        dry_run=exchange.bypassed,
        findings=_findings_of(exchange),
        instruction_hash=exchange.instruction_hash,
        context_hash=exchange.context_hash,
        response_hash=exchange.response_hash if mac is None else mac.digest(),
        tokens_estimated=exchange.prompt_tokens_estimate,
        tokens_used=used,
        latency_ms=None if latency_s is None else round(latency_s * 1000, 3),
        stage_ms=exchange.stage_ms if exchange.stage_s else None,
        status=exchange.status,
        ip_address=exchange.client_ip,
        user_agent=exchange.user_agent,
    )
