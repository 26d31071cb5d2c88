"""The wire contract shared by edge and core: headers, JSON codec, request parsing.

Both processes speak OpenAI's API unchanged plus ``X-Aegis-*`` headers. Bodies are parsed
once with orjson into an :class:`ApiRequest`, validated only as far as the gateway needs
(the model server validates the rest), and forwarded as the *original bytes*: the gateway
never re-serialises what it did not change.

A body nested deeper than :data:`MAX_JSON_DEPTH` is refused at the door (400): orjson
reads 1,024 levels but writes only 254, so a deep body core has to re-serialise after
masking would otherwise fail there, and no OpenAI request needs more than a few levels
(a tool's JSON schema a dozen or so).

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
    "MAX_JSON_DEPTH",
    "MAX_MODEL_CHARS",
    "ApiKind",
    "ApiRequest",
    "OutputRequest",
    "dump_body",
    "dumps",
    "load_object",
    "loads",
    "new_request_id",
    "parse_api_request",
    "parse_inspect_request",
    "parse_output_request",
    "valid_request_id",
]

HEADER_REQUEST_ID: Final = "x-aegis-request-id"
HEADER_CLIENT_IP: Final = "x-aegis-client-ip"
HEADER_KEY_ID: Final = "x-aegis-key-id"
HEADER_BYPASSED: Final = "x-aegis-bypassed"
HEADER_EDGE_FINDINGS: Final = "x-aegis-edge-findings"
# On a response whose request was changed before the model saw it: the entity types masked.
HEADER_MASKED: Final = "x-aegis-masked"

# Arrays and objects inside one another, the body itself being level 1.
MAX_JSON_DEPTH: Final = 64
MAX_MODEL_CHARS: Final = 256
_COUNT_BRACKETS_BELOW: Final = 2048

_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# Content parts whose text the model server renders, and the key holding it.
_TEXT_PARTS: Final = {
    "text": "text",
    "input_text": "text",
    "output_text": "text",
    "refusal": "refusal",
}
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
    """A request body that must be a JSON object; 400 (``invalid_json`` or schema) if not.

    An object nested more than :data:`MAX_JSON_DEPTH` levels deep is a 400 too.
    """
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJsonError(f"The request body is not valid JSON: {exc.msg}.") from None
    if not isinstance(body, dict):
        raise InvalidRequestError("The request body must be a JSON object.")
    # Depth cannot exceed the number of brackets, and counting them is cheaper than the walk
    # on small bodies (0.7 µs a KB against 1.6 µs for a 1 KB chat body), not on large ones.
    if (
        len(raw) > _COUNT_BRACKETS_BELOW or raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH
    ) and _too_deep(body):
        raise InvalidRequestError(
            f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."
        )
    return body


def _too_deep(body: dict[str, Any]) -> bool:
    # Level by level, containers only: its cost grows with the number of arrays and objects,
    # not with bytes (1.6 µs for a 1 KB chat body, whose orjson.loads takes 1.1 µs, or for a
    # 100 KB prompt, where counting brackets would take 70 µs).
    level: list[Any] = [body]
    for _ in range(MAX_JSON_DEPTH):
        below: list[Any] = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                kind = type(child)
                if kind is dict or kind is list:
                    below.append(child)
        if not below:
            return False
        level = below
    return True


def dump_body(body: dict[str, Any]) -> bytes:
    """A request body changed by the gateway (masked), serialised to forward.

    :func:`load_object` bounds the depth, so this cannot fail on what it accepted; should
    orjson still refuse, it is the client's body that cannot be forwarded: a 400, not a 500.
    """
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        raise InvalidRequestError("The request body cannot be re-encoded as JSON.") from None


def parse_api_request(kind: ApiKind, raw: bytes) -> ApiRequest:
    """Parse and check a request body; raise a 400 error naming the offending ``param``."""
    body = load_object(raw)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequestError(
            "'model' is required and must be a non-empty string.", param="model"
        )
    # Control and invisible characters (str.isprintable: C0, C1, DEL, zero-width, line
    # separators) are never part of a model name, and no log or header writer should meet them.
    if len(model) > MAX_MODEL_CHARS or not model.isprintable():
        raise InvalidRequestError(
            f"'model' must be at most {MAX_MODEL_CHARS} characters, without control characters.",
            param="model",
        )
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise InvalidRequestError("'stream' must be a boolean.", param="stream")
    if kind == "chat":
        _check_messages(body.get("messages"))
        if "tools" in body:
            _check_tools(body["tools"])
        if "response_format" in body:
            _check_response_format(body["response_format"])
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


@dataclass(frozen=True, slots=True)
class OutputRequest:
    """An output analysis request (``POST /api/v1/output/analyze``), read as an answer.

    ``answer`` is a chat completion object: the one sent, or one choice whose message content
    is the text sent. ``field`` names where the answer sat in the body (``"text"`` or
    ``"output"``; ``None``: the body was the completion itself) and ``as_text`` whether it
    was a string; ``messages`` are those sent with an ``output`` (their system prompt is
    what the answer may not leak).
    """

    answer: dict[str, Any]
    field: Literal["text", "output"] | None = None
    as_text: bool = False
    messages: list[Any] | None = None


def parse_output_request(raw: bytes) -> OutputRequest:
    """An output analysis request: ``{"text": "..."}``, ``{"messages": [...], "output": ...}``
    (the output a string or a chat completion) or a chat completion (``{"choices": [...]}``).

    Core's ``/api/v1/output/analyze`` and the edge's both check a body with this, so a
    client's mistake is the same 400 whichever it reached.

        >>> parse_output_request(b'{"text": "hi"}').answer["choices"][0]["message"]["content"]
        'hi'
        >>> parse_output_request(b'{"choices": [{"message": {"content": null}}]}').field is None
        True
    """
    body = load_object(raw)
    if "choices" in body:
        _check_answer(body, "")
        return OutputRequest(body)
    if "output" in body:
        messages = body.get("messages")
        _check_messages(messages)
        output = body["output"]
        if isinstance(output, str):
            return OutputRequest(_text_answer(output), "output", True, messages)
        if not isinstance(output, dict):
            raise InvalidRequestError(
                "'output' must be a string or a chat completion object.", param="output"
            )
        _check_answer(output, "output.")
        return OutputRequest(output, "output", False, messages)
    if "text" in body:
        text = body["text"]
        if not isinstance(text, str):
            raise InvalidRequestError("'text' must be a string.", param="text")
        return OutputRequest(_text_answer(text), "text", True)
    raise InvalidRequestError(
        'Send {"text": "..."}, {"messages": [...], "output": ...} or a chat completion '
        '({"choices": [...]}).',
        param="text",
    )


def _text_answer(text: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}


def _check_answer(answer: dict[str, Any], prefix: str) -> None:
    """A chat (or text) completion's choices: every text the output guard reads a string."""
    choices = answer.get("choices")
    if not isinstance(choices, list):
        raise InvalidRequestError(f"'{prefix}choices' must be an array.", param=f"{prefix}choices")
    for index, choice in enumerate(choices):
        param = f"{prefix}choices[{index}]"
        if not isinstance(choice, dict):
            raise InvalidRequestError(f"'{param}' must be an object.", param=param)
        _check_string(choice, "text", f"{param}.text")
        message = choice.get("message")
        if message is None:
            continue
        if not isinstance(message, dict):
            raise InvalidRequestError(
                f"'{param}.message' must be an object.", param=f"{param}.message"
            )
        for key in ("content", "reasoning_content"):
            _check_string(message, key, f"{param}.message.{key}")
        tool_calls = message.get("tool_calls")
        if tool_calls is None:
            continue
        _check_tool_calls(tool_calls, f"{param}.message")
        for number, call in enumerate(tool_calls):
            _check_string(
                call["function"], "name", f"{param}.message.tool_calls[{number}].function.name"
            )


def _check_messages(messages: object) -> None:
    if not isinstance(messages, list) or not messages:
        raise InvalidRequestError("'messages' must be a non-empty array.", param="messages")
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if not isinstance(message, dict):
            raise InvalidRequestError(f"'{param}' must be an object.", param=param)
        role = message.get("role")
        if not isinstance(role, str) or role not in _ROLES:
            raise InvalidRequestError(
                f"'{param}.role' must be one of: " + ", ".join(sorted(_ROLES)) + ".",
                param=f"{param}.role",
            )
        # Every text the model server renders is scanned (shared.extract), so each must be
        # a string: anything else would reach the model unscanned.
        name = message.get("name")
        if name is not None and not isinstance(name, str):
            raise InvalidRequestError(f"'{param}.name' must be a string.", param=f"{param}.name")
        tool_calls = message.get("tool_calls")
        if tool_calls is not None:
            _check_tool_calls(tool_calls, param)
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
            part_param = f"{param}.content[{part_index}]"
            if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                raise InvalidRequestError(
                    f"'{part_param}' must be an object with a 'type'.", param=part_param
                )
            key = _TEXT_PARTS.get(part["type"])
            if key is not None and not isinstance(part.get(key), str):
                raise InvalidRequestError(
                    f"'{part_param}.{key}' must be a string.", param=f"{part_param}.{key}"
                )


def _check_string(holder: dict[str, Any], key: str, param: str) -> None:
    """``holder[key]``, when present and not null, must be a string."""
    value = holder.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidRequestError(f"'{param}' must be a string.", param=param)


def _check_tool_calls(tool_calls: object, param: str) -> None:
    if not isinstance(tool_calls, list):
        raise InvalidRequestError(
            f"'{param}.tool_calls' must be an array.", param=f"{param}.tool_calls"
        )
    for index, call in enumerate(tool_calls):
        call_param = f"{param}.tool_calls[{index}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict):
            raise InvalidRequestError(
                f"'{call_param}' must be an object with a 'function' object.", param=call_param
            )
        _check_string(function, "arguments", f"{call_param}.function.arguments")


def _check_tools(tools: object) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise InvalidRequestError("'tools' must be an array.", param="tools")
    for index, tool in enumerate(tools):
        param = f"tools[{index}]"
        function = tool.get("function") if isinstance(tool, dict) else None
        if function is None:
            continue  # a tool of another type: the model server decides
        if not isinstance(function, dict):
            raise InvalidRequestError(f"'{param}.function' must be an object.", param=param)
        _check_string(function, "description", f"{param}.function.description")
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, dict):
            raise InvalidRequestError(
                f"'{param}.function.parameters' must be an object.",
                param=f"{param}.function.parameters",
            )


def _check_response_format(response_format: object) -> None:
    if response_format is None:
        return
    if not isinstance(response_format, dict):
        raise InvalidRequestError("'response_format' must be an object.", param="response_format")
    schema = response_format.get("json_schema")
    if schema is None:
        return
    if not isinstance(schema, dict):
        raise InvalidRequestError(
            "'response_format.json_schema' must be an object.",
            param="response_format.json_schema",
        )
    _check_string(schema, "description", "response_format.json_schema.description")


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
