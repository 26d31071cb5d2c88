"""Edge events: what the edge records for each request it sent past core (a *bypass*), and
for each request it refused on its own (an *edge decision*); core consumes both.

``kind`` tells them apart: ``bypass`` (the default, so events from older edges decode as
they were written) or ``edge_decision``, a request the edge answered itself with a refusal
core never saw: a prefilter block (400 ``aegis_blocked``; ``reason`` ``prefilter_block``,
the rule ids in ``edge_findings``) or a permission denial (403 ``permission_denied``;
``reason`` ``permission_denied``). Core stores bypasses in ``bypass_events`` for security
staff to review; an edge decision is not a bypass and becomes an audit row only (see
:mod:`core.bypass.consumer`). Rate limits (429) and unknown keys (401) are not events.

An event holds metadata and a hash, never text. The edge appends it to a Redis stream
(``{prefix}bypass``, one field ``event`` holding this JSON), or to a local spool while Redis
is unreachable; core consumes the stream with a consumer group into ``bypass_events``.

Each event has an ``event_id`` the edge makes when it builds the event (``evt_`` and 128
random bits): core stores each event id once, so a spool replayed twice or a redelivered
entry is one row. The request id is kept for correlation only. It may come from a trusted
proxy's ``X-Aegis-Request-Id``, that is from the client, so it must not decide what is
stored: five requests sharing one id are five rows.

:meth:`BypassEvent.encode` writes the *storable* form: control characters (NUL included) are
removed from every text, texts are cut to ``MAX_TEXT_CHARS`` (findings to ``MAX_FINDINGS``
of ``MAX_FINDING_CHARS``) and numbers clamped to PostgreSQL's ``integer``, so whatever a
client sent, the event the edge writes is one PostgreSQL accepts.

``prompt_sha256`` is the SHA-256 of the request's prompt field (``messages`` for chat,
``prompt`` for completions, ``input`` for embeddings) serialised as JSON with sorted keys, so
security staff can match it against a prompt they hold without the gateway keeping the text.
A prompt field that cannot be serialised again (nested deeper than orjson writes, 254
levels) is hashed as the request's raw bytes instead: the event is written all the same.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

import orjson

from shared.hashing import sha256_hex

__all__ = [
    "BYPASS_GROUP",
    "EDGE_BLOCKED",
    "EDGE_DENIED",
    "KIND_BYPASS",
    "KIND_EDGE_DECISION",
    "MAX_FINDINGS",
    "MAX_FINDING_CHARS",
    "MAX_TEXT_CHARS",
    "BypassEvent",
    "BypassEventError",
    "bypass_stream_name",
    "new_event_id",
    "prompt_digest",
]

BYPASS_GROUP: Final = "aegis-core"
KIND_BYPASS: Final = "bypass"
KIND_EDGE_DECISION: Final = "edge_decision"
_KINDS: Final = frozenset({KIND_BYPASS, KIND_EDGE_DECISION})
EDGE_BLOCKED: Final = "prefilter_block"
"""The ``reason`` of an edge decision that a prefilter rule blocked the request (400)."""
EDGE_DENIED: Final = "permission_denied"
"""The ``reason`` of an edge decision that the key lacks a permission the call needs (403)."""
MAX_TEXT_CHARS: Final = 256
MAX_FINDINGS: Final = 64
MAX_FINDING_CHARS: Final = 64
_INT_MAX: Final = 2**31 - 1  # PostgreSQL integer
_LATEST: Final = 253_402_300_799.0  # 9999-12-31T23:59:59Z, the last time Python's datetime holds
_PROMPT_FIELDS: Final = ("messages", "prompt", "input")
# C0 and C1 controls, DEL, and lone surrogates (UTF-8 cannot encode them).
_UNSTORABLE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def bypass_stream_name(prefix: str) -> str:
    """The Redis stream the edges append bypass events to."""
    return f"{prefix}bypass"


def new_event_id() -> str:
    """A fresh event id: ``evt_`` and 32 hex digits (128 random bits)."""
    return "evt_" + secrets.token_hex(16)


def prompt_digest(body: Mapping[str, Any] | None, raw: bytes = b"") -> str | None:
    """SHA-256 of the request's prompt field as sorted-key JSON; None when there is none.

    Never raises: a field orjson cannot write again (too deeply nested) is hashed as ``raw``,
    the request's bytes, so an odd body can never cost its request the bypass event.
    """
    if not body:
        return None
    for name in _PROMPT_FIELDS:
        if name in body:
            try:
                return sha256_hex(orjson.dumps(body[name], option=orjson.OPT_SORT_KEYS))
            except (TypeError, ValueError, RecursionError):  # orjson.JSONEncodeError among them
                return sha256_hex(raw)
    return None


class BypassEventError(ValueError):
    """A stream entry that is not a valid bypass event."""


@dataclass(frozen=True, slots=True)
class BypassEvent:
    """One request the edge answered without core: past it (``kind`` ``bypass``) or with a
    refusal of its own (``kind`` ``edge_decision``).

    ``event_id`` is made when the event is (the default), and kept by :func:`dataclasses.replace`.
    ``role`` and ``user_agent`` go to the audit row only (``bypass_events`` has no column
    for them).
    """

    request_id: str
    occurred_at: float  # Unix time, seconds
    edge_instance: str
    route: str
    reason: str
    status: int
    key_id: str | None = None
    user: str | None = None
    workspace: str | None = None
    client_ip: str | None = None
    model: str | None = None
    stream: bool = False
    prompt_sha256: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    edge_findings: tuple[str, ...] = field(default=())
    event_id: str = field(default_factory=new_event_id)
    kind: str = KIND_BYPASS
    role: str | None = None
    user_agent: str | None = None

    @property
    def is_bypass(self) -> bool:
        """Whether the request went past core (rather than being refused at the edge)."""
        return self.kind == KIND_BYPASS

    def storable(self) -> BypassEvent:
        """This event with every field in the form PostgreSQL stores (see the module doc)."""
        occurred_at = self.occurred_at
        if not (math.isfinite(occurred_at) and 0.0 <= occurred_at <= _LATEST):
            occurred_at = 0.0
        return replace(
            self,
            request_id=_required(self.request_id),
            occurred_at=occurred_at,
            edge_instance=_required(self.edge_instance),
            route=_required(self.route),
            reason=_required(self.reason),
            status=_clamp(self.status, 999),
            key_id=_clean(self.key_id),
            user=_clean(self.user),
            workspace=_clean(self.workspace),
            client_ip=_clean(self.client_ip),
            model=_clean(self.model),
            prompt_sha256=_clean(self.prompt_sha256),
            prompt_tokens=_clamp(self.prompt_tokens, _INT_MAX),
            completion_tokens=_clamp(self.completion_tokens, _INT_MAX),
            edge_findings=tuple(
                _required(item, MAX_FINDING_CHARS) for item in self.edge_findings[:MAX_FINDINGS]
            ),
            event_id=_required(self.event_id),
            kind=_required(self.kind),
            role=_clean(self.role),
            user_agent=_clean(self.user_agent),
        )

    def encode(self) -> bytes:
        """The storable form as JSON (what the edge writes to the stream or its spool)."""
        return orjson.dumps(asdict(self.storable()))

    @classmethod
    def decode(cls, raw: bytes | str) -> BypassEvent:
        """Parse an event; raise :class:`BypassEventError` for anything malformed.

        Types and the time are checked; texts are taken as they are (PostgreSQL is the judge
        of what it stores). An event from an edge older than event ids is keyed on
        ``request:{request_id}``, as such events were stored before; one without a ``kind``
        is a bypass. An unknown ``kind`` is malformed: it must not be stored as a bypass.
        """
        try:
            data = orjson.loads(raw)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            request_id = _text(data, "request_id")
            occurred_at = float(data["occurred_at"])
            if not (math.isfinite(occurred_at) and 0.0 <= occurred_at <= _LATEST):
                raise ValueError("occurred_at out of range")
            event_id = _optional_text(data, "event_id")
            kind = data.get("kind") or KIND_BYPASS
            if kind not in _KINDS:
                raise ValueError("unknown kind")
            return cls(
                request_id=request_id,
                occurred_at=occurred_at,
                edge_instance=_text(data, "edge_instance"),
                route=_text(data, "route"),
                reason=_text(data, "reason"),
                status=int(data["status"]),
                key_id=_optional_text(data, "key_id"),
                user=_optional_text(data, "user"),
                workspace=_optional_text(data, "workspace"),
                client_ip=_optional_text(data, "client_ip"),
                model=_optional_text(data, "model"),
                stream=bool(data.get("stream", False)),
                prompt_sha256=_optional_text(data, "prompt_sha256"),
                prompt_tokens=int(data.get("prompt_tokens") or 0),
                completion_tokens=int(data.get("completion_tokens") or 0),
                edge_findings=tuple(str(item) for item in data.get("edge_findings") or ()),
                event_id=event_id or f"request:{request_id}",
                kind=kind,
                role=_optional_text(data, "role"),
                user_agent=_optional_text(data, "user_agent"),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise BypassEventError(f"malformed bypass event: {type(exc).__name__}") from exc


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string")
    return value


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    return value


def _clean(value: str | None, limit: int = MAX_TEXT_CHARS) -> str | None:
    if value is None:
        return None
    return _UNSTORABLE.sub("", value)[:limit]


def _required(value: str, limit: int = MAX_TEXT_CHARS) -> str:
    return _clean(value, limit) or "-"


def _clamp(value: int, highest: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return min(max(number, 0), highest)
