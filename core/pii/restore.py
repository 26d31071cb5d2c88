"""Rewriting the text of a model's answer: OpenAI JSON bodies and server-sent event streams.

The fields rewritten are the ones a model writes: a chat choice's ``content`` and
``reasoning_content`` and its tool calls' ``function.arguments``, and a completion choice's
``text``. Tool-call arguments are JSON text inside a JSON string, so what is put into them
goes through ``escape_in_arguments``.

:class:`StreamRewriter` works on SSE as it arrives: it cuts the byte stream into events
(``data: {...}`` then a blank line), rewrites each chunk's fields through one
:class:`TextRestorer` per field, so that a value split across chunks is handled, and at the
end of a choice (its ``finish_reason``), or of the stream, flushes what was held back. Events
it cannot read (comments, errors, ``[DONE]``) pass through unchanged and in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import orjson

from core.pii.pseudonyms import Pseudonyms, TextRestorer

__all__ = ["StreamRewriter", "escape_in_arguments", "restore_json_answer"]

_EVENT_END: Final = re.compile(rb"\r?\n\r?\n")
_TEXT_FIELDS: Final = ("content", "reasoning_content", "text")


def escape_in_arguments(value: str) -> str:
    """``value`` as it must appear inside a JSON string (tool-call arguments are JSON)."""
    return orjson.dumps(value).decode()[1:-1]


def restore_json_answer(body: bytes, pseudonyms: Pseudonyms) -> bytes:
    """A JSON answer with this request's placeholders restored; anything that is not a JSON
    object with ``choices`` (an error, another API's answer) is returned as it is."""
    if not _may_hold_placeholder(body):
        return body
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if not isinstance(answer, dict) or not isinstance(answer.get("choices"), list):
        return body
    for choice in answer["choices"]:
        if not isinstance(choice, dict):
            continue
        for holder in (choice, choice.get("message")):
            if isinstance(holder, dict):
                for key in _TEXT_FIELDS:
                    value = holder.get(key)
                    if isinstance(value, str) and value:
                        holder[key] = pseudonyms.restore(value)
                for _, function in _tool_calls(holder):
                    arguments = function["arguments"]
                    function["arguments"] = pseudonyms.restore(arguments, escape_in_arguments)
    return orjson.dumps(answer)


def _may_hold_placeholder(data: bytes) -> bool:
    """Whether JSON ``data`` can hold (part of) a placeholder: a "<", written as it is or
    escaped. Most streamed tokens do not, and then pass without being parsed."""
    return b"<" in data or b"\\u003c" in data or b"\\u003C" in data


def _tool_calls(holder: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """``(index, function)`` of a message's or delta's tool calls that carry arguments; the
    index is the call's own (streamed calls carry one) or its position."""
    calls = holder.get("tool_calls")
    if not isinstance(calls, list):
        return []
    functions = []
    for position, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and isinstance(function.get("arguments"), str):
            index = call.get("index", position)
            functions.append((index if isinstance(index, int) else position, function))
    return functions


class StreamRewriter:
    """Restores placeholders in an SSE answer chunk by chunk (see the module doc)."""

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        self._pseudonyms = pseudonyms
        self._pending = b""
        # One restorer per streamed field: (choice index, field name or tool call index).
        self._restorers: dict[tuple[int, str | int], TextRestorer] = {}
        self._template: dict[str, Any] | None = None  # the last chunk, for a closing event

    def feed(self, chunk: bytes) -> bytes:
        """The events completed by ``chunk``, rewritten; an unfinished event waits."""
        data = self._pending + chunk
        out = []
        position = 0
        for end in _EVENT_END.finditer(data):
            out.append(self._event(data[position : end.start()], data[end.start() : end.end()]))
            position = end.end()
        self._pending = data[position:]
        return b"".join(out)

    def end(self) -> bytes:
        """At the end of the stream: anything still held, and an unfinished last event."""
        return self._flush_all() + self._pending

    def _event(self, event: bytes, terminator: bytes) -> bytes:
        if not event.startswith(b"data:"):
            return event + terminator
        payload = event[5:].strip()
        if payload == b"[DONE]":
            return self._flush_all() + event + terminator
        if not self._holding and not _may_hold_placeholder(payload):
            # Nothing to restore and nothing held back: the event passes as it came.
            return event + terminator
        try:
            chunk = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return event + terminator
        if not isinstance(chunk, dict) or not isinstance(chunk.get("choices"), list):
            return event + terminator
        self._template = chunk
        for choice in chunk["choices"]:
            if isinstance(choice, dict):
                self._rewrite_choice(choice)
        return b"data: " + orjson.dumps(chunk) + terminator

    def _rewrite_choice(self, choice: dict[str, Any]) -> None:
        index = choice.get("index", 0)
        index = index if isinstance(index, int) else 0
        delta = choice.get("delta")
        for field in _TEXT_FIELDS:
            holder = choice if field == "text" else delta
            value = holder.get(field) if isinstance(holder, dict) else None
            if isinstance(value, str) and value:
                holder[field] = self._restorer(index, field).feed(value)  # type: ignore[index]
        if isinstance(delta, dict):
            for number, function in _tool_calls(delta):
                restorer = self._restorer(index, number, escape_in_arguments)
                function["arguments"] = restorer.feed(function["arguments"])
        if choice.get("finish_reason") is not None:
            for key in [key for key in self._restorers if key[0] == index]:
                held = self._restorers.pop(key).flush()
                if held:
                    _put(choice, key[1], held)

    @property
    def _holding(self) -> bool:
        return any(restorer.holding for restorer in self._restorers.values())

    def _restorer(
        self, index: int, field: str | int, escape: Callable[[str], str] | None = None
    ) -> TextRestorer:
        restorer = self._restorers.get((index, field))
        if restorer is None:
            restorer = self._restorers[(index, field)] = TextRestorer(self._pseudonyms, escape)
        return restorer

    def _flush_all(self) -> bytes:
        """One closing event carrying every held-back tail (a stream cut before its
        ``finish_reason``, or a model that never sent one)."""
        choices: dict[int, dict[str, Any]] = {}
        for (index, field), restorer in self._restorers.items():
            held = restorer.flush()
            if held:
                choice = choices.setdefault(index, {"index": index, "finish_reason": None})
                _put(choice, field, held)
        self._restorers.clear()
        if not choices or self._template is None:
            return b""
        chunk = {k: v for k, v in self._template.items() if k not in ("choices", "usage")}
        chunk["choices"] = list(choices.values())
        return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _put(choice: dict[str, Any], field: str | int, text: str) -> None:
    """Appends held-back ``text`` to a choice's ``field`` (a text field, or a tool call's
    arguments by the call's index)."""
    if field == "text":
        choice["text"] = (choice.get("text") or "") + text
        return
    delta = choice.get("delta")
    if not isinstance(delta, dict):
        delta = choice["delta"] = {}
    if isinstance(field, str):
        delta[field] = (delta.get(field) or "") + text
    else:
        calls = delta.get("tool_calls")
        if not isinstance(calls, list):
            calls = delta["tool_calls"] = []
        calls.append({"index": field, "function": {"arguments": text}})
