"""Which texts of an OpenAI request the caller controls, and so must be scanned.

Everything a client sends is client-controlled, not only the last user turn: a system prompt,
an assistant turn or a tool result in ``messages`` can carry an injection as well as a user
message can. :func:`user_texts` lists them all, each with where it came from.

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


@dataclass(frozen=True, slots=True)
class ScanText:
    """One text to scan: its message index (``None`` for a prompt or input), role and text.

    ``role`` is ``"user"``, ``"system"``, ``"assistant"`` or ``"tool"`` for chat messages,
    ``"prompt"`` for a completion prompt and ``"input"`` for an embedding input.
    """

    message_index: int | None
    role: str
    text: str
    # Where the text sits: the index in a content-part list, or in a prompt/input list;
    # None for a plain string. With message_index it locates the text for replace_texts.
    part: int | None = None


def user_texts(kind: str, body: Mapping[str, Any]) -> list[ScanText]:
    """The texts of a parsed request body that a scanner must look at, in request order.

    ``kind`` is ``shared.wire.ApiKind``: ``"chat"`` gives every message's string content,
    and each ``{"type": "text"}`` content part as its own text (same ``message_index``);
    ``"completion"`` gives the prompt string or each string of a prompt list; ``"embedding"``
    gives the input string or each string of an input list. Token-id prompts and inputs,
    images, audio, empty strings and anything malformed give nothing: this never raises, so it
    may run before or after ``parse_api_request`` validated the body.
    """
    if kind == "chat":
        return list(_chat_texts(body.get("messages")))
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
                if isinstance(part, Mapping) and part.get("type") == "text":
                    text = part.get("text")
                    if isinstance(text, str) and text:
                        yield ScanText(index, role, text, position)


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
        if kind == "chat" and located.message_index is not None:
            message = body["messages"][located.message_index]
            if located.part is None:
                message["content"] = text
            else:
                message["content"][located.part]["text"] = text
        elif kind in ("completion", "embedding"):
            field = "prompt" if kind == "completion" else "input"
            if located.part is None:
                body[field] = text
            else:
                body[field][located.part] = text
