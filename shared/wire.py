"""The wire contract shared by edge and core: headers, JSON codec, request parsing.

Both processes speak OpenAI's API unchanged plus ``X-Aegis-*`` headers. Bodies are parsed
once with orjson into an :class:`ApiRequest`, validated only as far as the gateway needs
(the model server validates the rest), and forwarded as the *original bytes*: the gateway
never re-serialises what it did not change.

    >>> body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    >>> req = parse_api_request("chat", body)
    >>> (req.kind, req.model, req.stream)
    ('chat', 'm', False)
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Final, Literal

import orjson

from shared.errors import InvalidRequestError, MalformedJsonError
from shared.extract import ScanText, user_texts

__all__ = [
    "HEADER_BYPASSED",
    "HEADER_CLIENT_IP",
    "HEADER_EDGE_FINDINGS",
    "HEADER_KEY_ID",
    "HEADER_MASKED",
    "HEADER_REQUEST_ID",
    "ApiKind",
    "ApiRequest",
    "dumps",
    "load_object",
    "loads",
    "new_request_id",
    "parse_api_request",
    "parse_inspect_request",
    "valid_request_id",
]

HEADER_REQUEST_ID: Final = "x-aegis-request-id"
HEADER_CLIENT_IP: Final = "x-aegis-client-ip"
HEADER_KEY_ID: Final = "x-aegis-key-id"
HEADER_BYPASSED: Final = "x-aegis-bypassed"
HEADER_EDGE_FINDINGS: Final = "x-aegis-edge-findings"
# On a response whose request was changed before the model saw it: the entity types masked.
HEADER_MASKED: Final = "x-aegis-masked"

_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_ROLES: Final = frozenset({"system", "developer", "user", "assistant", "tool", "function"})

ApiKind = Literal["chat", "completion", "embedding"]

dumps = orjson.dumps


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


# Request ids must be unique, not secret: a PRNG seeded from the OS saves a getrandom(2) call
# per request.
_ids = random.Random()  # noqa: S311 - uniqueness, not secrecy


def new_request_id() -> str:
    """A fresh request id: ``req_`` and 24 hex digits (96 random bits)."""
    return f"req_{_ids.getrandbits(96):024x}"


def valid_request_id(value: str | None) -> bool:
    """Whether a caller-supplied id is safe to adopt (short, no spaces or control characters)."""
    return value is not None and _REQUEST_ID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """A parsed OpenAI request: what the gateway reads of it, and the bytes to forward."""

    kind: ApiKind
    model: str
    stream: bool
    body: dict[str, Any]
    raw: bytes


def load_object(raw: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object; 400 (``invalid_json`` or schema) if not."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJsonError(f"The request body is not valid JSON: {exc.msg}.") from None
    if not isinstance(body, dict):
        raise InvalidRequestError("The request body must be a JSON object.")
    return body


def parse_api_request(kind: ApiKind, raw: bytes) -> ApiRequest:
    """Parse and check a request body; raise a 400 error naming the offending ``param``."""
    body = load_object(raw)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequestError(
            "'model' is required and must be a non-empty string.", param="model"
        )
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise InvalidRequestError("'stream' must be a boolean.", param="stream")
    if kind == "chat":
        _check_messages(body.get("messages"))
    elif kind == "completion":
        _check_prompt(body.get("prompt"))
    else:
        if stream:
            raise InvalidRequestError("Embeddings cannot be streamed.", param="stream")
        _check_embedding_input(body.get("input"))
    return ApiRequest(kind=kind, model=model, stream=stream, body=body, raw=raw)


def parse_inspect_request(raw: bytes) -> list[ScanText]:
    """The texts of an inspection request (``{"text": "..."}`` or ``{"messages": [...]}``).

    Core's ``/api/v1/inspect`` and the edge's ``/api/v1/validate`` both check a body with
    this, so a client's mistake is the same 400 whichever it reached.

        >>> [t.text for t in parse_inspect_request(b'{"text": "hi"}')]
        ['hi']
    """
    body = load_object(raw)
    text = body.get("text")
    if isinstance(text, str):
        return [ScanText(None, "user", text)] if text else []
    if isinstance(body.get("messages"), list):
        return user_texts("chat", body)
    raise InvalidRequestError('Send {"text": "..."} or {"messages": [...]}.', param="messages")


def _check_messages(messages: object) -> None:
    if not isinstance(messages, list) or not messages:
        raise InvalidRequestError("'messages' must be a non-empty array.", param="messages")
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if not isinstance(message, dict):
            raise InvalidRequestError(f"'{param}' must be an object.", param=param)
        role = message.get("role")
        if role not in _ROLES:
            raise InvalidRequestError(
                f"'{param}.role' must be one of: " + ", ".join(sorted(_ROLES)) + ".",
                param=f"{param}.role",
            )
        content = message.get("content")
        if content is None:
            # Assistant turns that only call tools carry no content.
            if role in ("assistant", "function") or "tool_calls" in message:
                continue
            raise InvalidRequestError(f"'{param}.content' is required.", param=f"{param}.content")
        if isinstance(content, str):
            continue
        if not isinstance(content, list):
            raise InvalidRequestError(
                f"'{param}.content' must be a string or an array of content parts.",
                param=f"{param}.content",
            )
        for part_index, part in enumerate(content):
            if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                part_param = f"{param}.content[{part_index}]"
                raise InvalidRequestError(
                    f"'{part_param}' must be an object with a 'type'.", param=part_param
                )


def _check_prompt(prompt: object) -> None:
    if isinstance(prompt, str):
        return
    if isinstance(prompt, list) and prompt:
        if all(isinstance(item, str) for item in prompt):
            return
        if all(isinstance(item, int) for item in prompt):
            return
        if all(isinstance(item, list) and all(isinstance(t, int) for t in item) for item in prompt):
            return
    raise InvalidRequestError(
        "'prompt' must be a string, an array of strings, or token arrays.", param="prompt"
    )


def _check_embedding_input(value: object) -> None:
    if isinstance(value, str) and value:
        return
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            return
        if all(isinstance(item, int) for item in value):
            return
        if all(isinstance(item, list) and all(isinstance(t, int) for t in item) for item in value):
            return
    raise InvalidRequestError(
        "'input' must be a non-empty string, an array of strings, or token arrays.", param="input"
    )
