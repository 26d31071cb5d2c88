"""Which texts of an OpenAI request the caller controls, and so must be scanned.

Everything a client sends is client-controlled, not only the last user turn: a system prompt,
an assistant turn or a tool result in ``messages`` can carry an injection as well as a user
message can, and so can every other field the model server renders into the prompt: a
message's ``name``, an assistant turn's tool-call arguments, tool and parameter descriptions,
a response format's description. :func:`user_texts` lists them all, each with where it came
from, and :func:`replace_texts` writes masked texts back to the same places.

    >>> body = {"messages": [{"role": "system", "content": "Be brief."},
    ...                      {"role": "user", "content": [{"type": "text", "text": "Hi"}]}]}
    >>> [(t.message_index, t.role, t.text) for t in user_texts("chat", body)]
    [(0, 'system', 'Be brief.'), (1, 'user', 'Hi')]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["ScanText", "replace_texts", "user_texts"]

# The roles a ScanText reports: "developer" is OpenAI's newer name for "system", and
# "function" its older name for "tool".
_ROLE_ALIASES: Final = {"developer": "system", "function": "tool"}
_KNOWN_ROLES: Final = frozenset({"system", "user", "assistant", "tool"})
# Content parts whose text the model server renders, and the key holding it.
_TEXT_PARTS: Final = {
    "text": "text",
    "input_text": "text",
    "output_text": "text",
    "refusal": "refusal",
}
# Tool and response-format definitions are the application's own instructions to the
# model, written like a system prompt: scanned as "system" (the rules block an attack in
# them; the classifier, which reads any instruction as one, only reports).
_DEFINITION_ROLE: Final = "system"

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ScanText:
    """One text to scan: its message index (``None`` for a prompt or input), role and text.

    ``role`` is ``"user"``, ``"system"``, ``"assistant"`` or ``"tool"`` for chat messages,
    ``"prompt"`` for a completion prompt and ``"input"`` for an embedding input; tool and
    response-format definitions are ``"system"``.

    A text that is not message content, a prompt or an input (a message's ``name``, a tool
    call's arguments, a description) has its ``path`` from the body's root, and a negative
    ``part`` unique within its message (or, with ``message_index`` ``None``, within the
    request): findings name only ``(message_index, part)``, and masking finds the text by
    them. A message's ``name`` is part -1, its tool call ``k``'s arguments part ``-2 - k``;
    request-level definitions are numbered -1, -2, … in request order.
    """

    message_index: int | None
    role: str
    text: str
    # Where the text sits: the index in a content-part list, or in a prompt/input list;
    # None for a plain string. With message_index it locates the text for replace_texts.
    part: int | None = None
    path: Path = ()


def user_texts(kind: str, body: Mapping[str, Any]) -> list[ScanText]:
    """The texts of a parsed request body that a scanner must look at, in request order.

    ``kind`` is ``shared.wire.ApiKind``: ``"chat"`` gives every message's string content,
    each text-bearing content part (``text``, ``input_text``, ``output_text``, ``refusal``)
    as its own text (same ``message_index``), the message's ``name`` and its tool calls'
    ``arguments``; then each function tool's ``description`` and every ``description`` in
    its ``parameters`` schema, and ``response_format.json_schema.description``.
    ``"completion"`` gives the prompt string or each string of a prompt list;
    ``"embedding"`` gives the input string or each string of an input list. Token-id prompts
    and inputs, images, audio, empty strings and anything malformed give nothing: this never
    raises, so it may run before or after ``parse_api_request`` validated the body.
    """
    if kind == "chat":
        texts = list(_chat_texts(body.get("messages")))
        if "tools" in body or "response_format" in body:
            texts.extend(_definition_texts(body))
        return texts
    if kind == "completion":
        return [ScanText(None, "prompt", text, part) for part, text in _strings(body.get("prompt"))]
    if kind == "embedding":
        return [ScanText(None, "input", text, part) for part, text in _strings(body.get("input"))]
    return []


def _chat_texts(messages: object) -> Iterator[ScanText]:
    if not isinstance(messages, list):
        return
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            continue
        role = message.get("role")
        role = _ROLE_ALIASES.get(role, role) if isinstance(role, str) else "user"
        if role not in _KNOWN_ROLES:
            role = "user"
        content = message.get("content")
        if isinstance(content, str):
            if content:
                yield ScanText(index, role, content)
        elif isinstance(content, list):
            for position, part in enumerate(content):
                key = _text_key(part)
                text = part.get(key) if key is not None else None
                if isinstance(text, str) and text:
                    yield ScanText(index, role, text, position)
        name = message.get("name")
        if name and isinstance(name, str):
            yield ScanText(index, role, name, -1, ("messages", index, "name"))
        calls = message.get("tool_calls")
        if calls and isinstance(calls, list):
            for number, call in enumerate(calls):
                function = call.get("function") if isinstance(call, Mapping) else None
                arguments = function.get("arguments") if isinstance(function, Mapping) else None
                if isinstance(arguments, str) and arguments:
                    path = ("messages", index, "tool_calls", number, "function", "arguments")
                    yield ScanText(index, role, arguments, -2 - number, path)


def _text_key(part: object) -> str | None:
    """The key of a content part's rendered text (``text``, ``refusal``), or None."""
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    return _TEXT_PARTS.get(kind) if isinstance(kind, str) else None


def _definition_texts(body: Mapping[str, Any]) -> list[ScanText]:
    found: list[tuple[Path, str]] = []
    tools = body.get("tools")
    if isinstance(tools, list):
        for number, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, Mapping) else None
            if not isinstance(function, Mapping):
                continue
            where: Path = ("tools", number, "function")
            description = function.get("description")
            if isinstance(description, str) and description:
                found.append(((*where, "description"), description))
            found.extend(_schema_descriptions(function.get("parameters"), (*where, "parameters")))
    response_format = body.get("response_format")
    schema = response_format.get("json_schema") if isinstance(response_format, Mapping) else None
    if isinstance(schema, Mapping):
        description = schema.get("description")
        if isinstance(description, str) and description:
            found.append((("response_format", "json_schema", "description"), description))
    return [
        ScanText(None, _DEFINITION_ROLE, text, -1 - number, path)
        for number, (path, text) in enumerate(found)
    ]


def _schema_descriptions(schema: object, root: Path) -> list[tuple[Path, str]]:
    """Every string under a ``description`` key in a JSON schema, depth first, in order.

    A property *named* ``description`` holds an object, not a string, and is walked like
    any other. Iterative: the depth is bounded at the door, but this must never raise.
    """
    found: list[tuple[Path, str]] = []
    pending: list[tuple[Path, object]] = [(root, schema)]
    while pending:
        path, node = pending.pop()
        if isinstance(node, Mapping):
            children = [((*path, key), value) for key, value in node.items()]
        elif isinstance(node, list):
            children = [((*path, i), value) for i, value in enumerate(node)]
        else:
            continue
        for child_path, value in reversed(children):
            if isinstance(value, str):
                if value and child_path[-1] == "description" and isinstance(node, Mapping):
                    found.append((child_path, value))
            elif isinstance(value, Mapping | list):
                pending.append((child_path, value))
    return found


def _strings(value: object) -> list[tuple[int | None, str]]:
    if isinstance(value, str):
        return [(None, value)] if value else []
    if isinstance(value, list):
        return [(i, item) for i, item in enumerate(value) if isinstance(item, str) and item]
    return []


def replace_texts(kind: str, body: dict[str, Any], replacements: Mapping[ScanText, str]) -> None:
    """Write new texts (masked ones) back where :func:`user_texts` found them, in place.

    >>> body = {"messages": [{"role": "user", "content": "my id 123"}]}
    >>> replace_texts("chat", body, {user_texts("chat", body)[0]: "my id ***"})
    >>> body["messages"][0]["content"]
    'my id ***'
    """
    for located, text in replacements.items():
        if located.path:
            holder: Any = body
            for step in located.path[:-1]:
                holder = holder[step]
            holder[located.path[-1]] = text
        elif kind == "chat" and located.message_index is not None:
            message = body["messages"][located.message_index]
            if located.part is None:
                message["content"] = text
            else:
                part = message["content"][located.part]
                part[_text_key(part) or "text"] = text
        elif kind in ("completion", "embedding"):
            field = "prompt" if kind == "completion" else "input"
            if located.part is None:
                body[field] = text
            else:
                body[field][located.part] = text
