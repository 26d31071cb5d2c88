"""Bypass events: what the edge records for each request it sent past core, and core stores.

An event holds metadata and a hash, never text. The edge appends it to a Redis stream
(``{prefix}bypass``, one field ``event`` holding this JSON), or to a local spool while Redis
is unreachable; core consumes the stream with a consumer group into ``bypass_events``.

``prompt_sha256`` is the SHA-256 of the request's prompt field (``messages`` for chat,
``prompt`` for completions, ``input`` for embeddings) serialised as JSON with sorted keys, so
security staff can match it against a prompt they hold without the gateway keeping the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import orjson

from shared.hashing import sha256_hex

__all__ = [
    "BYPASS_GROUP",
    "BypassEvent",
    "BypassEventError",
    "bypass_stream_name",
    "prompt_digest",
]

BYPASS_GROUP: Final = "aegis-core"
_PROMPT_FIELDS: Final = ("messages", "prompt", "input")


def bypass_stream_name(prefix: str) -> str:
    """The Redis stream the edges append bypass events to."""
    return f"{prefix}bypass"


def prompt_digest(body: Mapping[str, Any] | None) -> str | None:
    """SHA-256 of the request's prompt field as sorted-key JSON; None when there is none."""
    if not body:
        return None
    for name in _PROMPT_FIELDS:
        if name in body:
            return sha256_hex(orjson.dumps(body[name], option=orjson.OPT_SORT_KEYS))
    return None


class BypassEventError(ValueError):
    """A stream entry that is not a valid bypass event."""


@dataclass(frozen=True, slots=True)
class BypassEvent:
    """One request the edge answered without core."""

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

    def encode(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def decode(cls, raw: bytes | str) -> BypassEvent:
        """Parse an event; raise :class:`BypassEventError` for anything malformed."""
        try:
            data = orjson.loads(raw)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            return cls(
                request_id=_text(data, "request_id"),
                occurred_at=float(data["occurred_at"]),
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
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise BypassEventError(f"malformed bypass event: {exc}") from exc


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
