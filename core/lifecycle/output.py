"""The output chain: transforms of a model's answer that work on its text, JSON and SSE alike.

The answer is parsed here, once, into the texts a model writes, each named by a
:class:`TextKey` (a choice's index, a field, and for a tool call its index):

    TextKey(0, "content")                chat: message.content / delta.content
    TextKey(0, "reasoning_content")      chat: reasoning_content
    TextKey(0, "text")                   completion: choice.text
    TextKey(0, "name", call=1)           tool call 1's function.name
    TextKey(0, "arguments", call=1)      tool call 1's function.arguments (JSON source text)

A member of the chain is an :class:`AnswerTransform` (subclass it; the defaults pass
everything on). The chain hands each member, in order, what the member before it let
through:

``feed(key, delta) -> str``
    The next piece of ``key``'s text as it streams. Return what may be sent now; a member
    may hold back a tail (a placeholder, a secret that could still be completing) and
    return it later.
``flush(key) -> str``
    ``key``'s text is complete (its choice has a ``finish_reason``, or the stream ended):
    return all that is held for it.
``answer(key, text) -> str``
    The JSON-answer hook: a field's whole text at once (by default ``feed`` + ``flush``).
``skips(data) -> bool``
    The fast path: ``True`` when a raw JSON chunk (or answer) ``data`` holds nothing for
    this member *and* it holds nothing back; when every member skips, the event passes
    byte for byte, unparsed. The default is ``False`` (parse everything).

To end the answer, a member raises :class:`AnswerBlocked` (scanner, type; never the text):
a stream then gets a last chunk with ``finish_reason: "content_filter"`` and an ``aegis``
object ``{"scanner", "type"}``, then ``data: [DONE]``, and the model server's connection is
closed (:class:`SseAnswer` says ``finished``, :class:`shared.relay.RelayedStream` stops
reading), so generation stops; a JSON answer gets every choice emptied with that
``finish_reason`` and the same ``aegis`` object. What was already sent stays sent.

Order matters: the output guard runs before pseudonym restore, so values the request
pseudonymised and the answer repeats are restored after the guard, not flagged by it.
Members are made per request (they hold per-key state); the list is built in one place,
``core.lifecycle.run.output_chain``: adding a member is adding one line there.

With no member the answer is not touched at all: no chain, no parsing
(``core.lifecycle.run`` leaves the relayed bytes alone).

    >>> class Upper(AnswerTransform):
    ...     def feed(self, key: TextKey, delta: str) -> str:
    ...         return delta.upper()
    >>> chain = OutputChain([Upper()])
    >>> stream = SseAnswer(chain)
    >>> stream.feed(b'data: {"choices": [{"index": 0, "delta": {"content": "hi"}}]}\\n\\n')
    b'data: {"choices":[{"index":0,"delta":{"content":"HI"}}]}\\n\\n'
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import orjson

from core.lifecycle.exchange import Exchange, OutputBlock
from core.lifecycle.toolcalls import CallHold, Held
from core.scanning.base import CpuRunner
from core.tools.gate import refusal_text

__all__ = [
    "AnswerBlocked",
    "AnswerTransform",
    "OutputChain",
    "SseAnswer",
    "TextKey",
    "answer_texts",
    "blocked_answer",
    "rewrite_json_answer",
]

_EVENT_END: Final = re.compile(rb"\r?\n\r?\n")
# Fields a model writes: on the delta or message (chat), or on the choice (completion).
_MESSAGE_FIELDS: Final = ("content", "reasoning_content")
_CONTENT_FILTER: Final = "content_filter"
# The shape nearly every event of a streamed chat answer has, as vLLM writes it (pydantic's
# compact JSON, fields in order): one choice, index 0, whose delta is its content (after the
# first chunk's role) and which does not finish. No "[" outside the choices: one choices
# array, one choice, nothing else that holds text. SseAnswer._content_only reads it.
_CONTENT_ONLY: Final = re.compile(
    rb'(\{[^\[]*"choices":\[\{"index":0,"delta":\{(?:"role":"assistant",)?"content":)'
    rb'("(?:[^"\\]|\\.)*+")'
    rb'(\},(?:"logprobs":null,)?"finish_reason":null(?:,"stop_reason":null)?\}\][^\[]*\})',
    re.DOTALL,
)
# A streamed answer whose checks took more CPU time than this in one read (on the event
# loop) is checked off the loop from then on, the rest of that read included
# (SseAnswer.offloading).
# An ordinary event takes 0.05-0.1 ms (bench.output); text built to be slow to check (dense
# PII-like values) 2-100 ms per read, and a 256 KB answer of it held the loop for 1-6 s.
OFFLOAD_AFTER_S: Final = 0.002


@dataclass(frozen=True, slots=True)
class TextKey:
    """Which text of an answer: a choice's ``field``, or a tool call's (``call`` set)."""

    choice: int
    field: str  # content | reasoning_content | text | name | arguments
    call: int | None = None


_CONTENT: Final = TextKey(0, "content")


class AnswerBlocked(Exception):
    """Raised by a member to end the answer: what was found, never the text."""

    def __init__(self, scanner: str, type: str) -> None:
        super().__init__(f"{scanner}:{type}")
        self.block = OutputBlock(scanner, type)


class AnswerTransform:
    """A member of the output chain (see the module doc); the defaults change nothing."""

    name: ClassVar[str] = "transform"

    def feed(self, key: TextKey, delta: str) -> str:
        return delta

    def flush(self, key: TextKey) -> str:
        return ""

    def answer(self, key: TextKey, text: str) -> str:
        return self.feed(key, text) + self.flush(key)

    def skips(self, data: bytes) -> bool:
        return False


class OutputChain:
    """Members in order; each gets what the one before let through. ``calls``, the tool
    calls' gate (:class:`core.lifecycle.toolcalls.CallHold`), sees the answer before them:
    a refused call never reaches a member, a held one reaches them when it is let go."""

    def __init__(
        self, members: Sequence[AnswerTransform] = (), calls: CallHold | None = None
    ) -> None:
        self.members = tuple(members)
        self.calls = calls

    def __bool__(self) -> bool:
        return bool(self.members) or self.calls is not None

    def feed(self, key: TextKey, delta: str) -> str:
        for member in self.members:
            if not delta:
                break  # the members after one that held everything get nothing yet
            delta = member.feed(key, delta)
        return delta

    def flush(self, key: TextKey) -> str:
        text = ""
        for member in self.members:
            if text:
                text = member.feed(key, text)
            text += member.flush(key)
        return text

    def answer(self, key: TextKey, text: str) -> str:
        for member in self.members:
            text = member.answer(key, text)
        return text

    def skips(self, data: bytes) -> bool:
        return all(member.skips(data) for member in self.members)


def rewrite_json_answer(body: bytes, chain: OutputChain, exchange: Exchange | None = None) -> bytes:
    """A JSON answer through the chain (:meth:`AnswerTransform.answer` per text); anything
    that is not a JSON object with ``choices`` (an error, embeddings) is returned as it is,
    and so is an answer every member skips or that no member changed."""
    started = time.perf_counter()
    try:
        return _rewrite_json(body, chain, exchange)
    finally:
        if exchange is not None:
            exchange.timed("output", started)


def _rewrite_json(body: bytes, chain: OutputChain, exchange: Exchange | None) -> bytes:
    calls = chain.calls
    if chain.skips(body) and (calls is None or calls.skips(body)):
        return body
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    if not isinstance(answer, dict) or not isinstance(answer.get("choices"), list):
        return body
    refusals = calls.judge_answer(answer) if calls is not None else None
    changed = bool(refusals)
    try:
        for key, holder, field in answer_texts(answer):
            text = chain.answer(key, holder[field])
            if text != holder[field]:
                holder[field] = text
                changed = True
    except AnswerBlocked as blocked:
        if exchange is not None:
            exchange.output_block = blocked.block
        return orjson.dumps(blocked_answer(answer, blocked.block))
    if refusals:
        assert calls is not None  # noqa: S101 - it refused them
        calls.announce(answer, refusals)
    # Nothing rewritten: the model's bytes, not a re-encoding (orjson writes a logprob of
    # 1e-05 as 0.00001, drops the spaces of a pretty-printed body).
    return orjson.dumps(answer) if changed else body


def answer_texts(answer: dict[str, Any]) -> Iterator[tuple[TextKey, dict[str, Any], str]]:
    """Every non-empty text of a JSON answer (an object with ``choices``), in order, as
    ``(key, holder, field)``: the text is ``holder[field]``, and a rewritten one goes there."""
    for index, choice in _choices(answer):
        yield from _texts(index, choice, choice.get("message"))


def blocked_answer(answer: dict[str, Any], block: OutputBlock) -> dict[str, Any]:
    """``answer`` with every choice's text gone, ``finish_reason: "content_filter"`` and an
    ``aegis`` object saying what was found (the answer's ids, model and usage kept)."""
    choices = []
    for index, choice in _choices(answer):
        emptied: dict[str, Any] = {"index": index, "finish_reason": _CONTENT_FILTER}
        if "message" in choice:
            emptied["message"] = {"role": "assistant", "content": ""}
        else:
            emptied["text"] = ""
        choices.append(emptied)
    return {**answer, "choices": choices, "aegis": block.as_dict()}


def _choices(answer: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for position, choice in enumerate(answer["choices"]):
        if isinstance(choice, dict):
            index = choice.get("index", position)
            yield (index if isinstance(index, int) else position), choice


def _texts(
    index: int, choice: dict[str, Any], holder: object
) -> Iterator[tuple[TextKey, dict[str, Any], str]]:
    """``(key, dict, field)`` of each non-empty text of a choice and its message or delta
    (``holder``): the place to read and write it."""
    value = choice.get("text")
    if isinstance(value, str) and value:
        yield TextKey(index, "text"), choice, "text"
    if not isinstance(holder, dict):
        return
    for field in _MESSAGE_FIELDS:
        value = holder.get(field)
        if isinstance(value, str) and value:
            yield TextKey(index, field), holder, field
    calls = holder.get("tool_calls")
    if not isinstance(calls, list):
        return
    for position, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict):
            continue
        number = call.get("index", position)
        number = number if isinstance(number, int) else position
        for field in ("name", "arguments"):
            value = function.get(field)
            if isinstance(value, str) and value:
                yield TextKey(index, field, number), function, field


class SseAnswer:
    """A streamed answer through the chain: a :class:`shared.relay.StreamTransform`.

    It cuts the bytes into events (``data: {...}`` then a blank line), passes each text
    delta through the chain, and at a choice's ``finish_reason`` (or the stream's end)
    flushes what the members hold. Events it cannot read (comments, errors, ``[DONE]``)
    pass through unchanged and in order; so does an event every member :meth:`skips`. A
    ``data: {`` event that is not JSON is dropped: its text could not be checked.
    """

    def __init__(
        self,
        chain: OutputChain,
        exchange: Exchange | None = None,
        runner: CpuRunner | None = None,
        *,
        offload_after_s: float = OFFLOAD_AFTER_S,
    ) -> None:
        self._chain = chain
        self._runner = runner
        self._offload_after_s = offload_after_s
        # True once a read took longer than OFFLOAD_AFTER_S: the relay then awaits
        # feed_offloaded, which runs feed on a scan thread (runner's), for the rest.
        self.offloading = False
        self._calls = chain.calls
        if self._calls is not None and chain.members:
            self._calls.texts = self._call_texts
        self._texted = False  # (with a call gate) whether any text was sent yet
        self._exchange = exchange
        self._pending = b""
        self._backlog = b""  # what arrived after a held tool call, until it is decided
        # The keys of each choice that have had text, in order, until flushed.
        self._open: dict[int, dict[TextKey, None]] = {}
        self._template: dict[str, Any] | None = None  # the last chunk, for a closing event
        self._template_payload: bytes | None = None  # or its bytes, not parsed yet
        self.finished = False  # set when a member ended the answer: read no more

    def feed(self, chunk: bytes) -> bytes:
        """The events completed by ``chunk``, through the chain; an unfinished event waits."""
        if self.finished:
            return b""
        started = time.perf_counter()
        # CPU time, not wall time: a process the machine preempted for a while is not slow
        # to check (with wall time, one busy moment moved ordinary streams off the loop).
        worked = time.thread_time()
        data = self._pending + chunk
        out = []
        position = 0
        calls = self._calls
        try:
            for start, end in _event_ends(data):
                out.append(self._event(data[position:start], data[start:end]))
                position = end
                if calls is not None and calls.holding:
                    # A tool call waits for a person: the rest waits with it (resolve).
                    self._backlog, position = data[position:], len(data)
                    break
                if (
                    not self.offloading
                    and self._runner is not None
                    and time.thread_time() - worked > self._offload_after_s
                ):
                    # Slow to check: the rest of this read (kept in _pending), and every
                    # read after it, go through feed_offloaded.
                    self.offloading = True
                    break
        except AnswerBlocked as blocked:
            out.append(self._block(blocked.block))
            position = len(data)
        self._pending = data[position:]
        if self._exchange is not None:
            self._exchange.timed("output", started)
        return b"".join(out)

    async def feed_offloaded(self, chunk: bytes) -> bytes:
        """:meth:`feed` on one of the runner's scan threads (see ``offloading``)."""
        assert self._runner is not None  # noqa: S101 - offloading needs one
        return await self._runner.offload(lambda: self.feed(chunk))

    async def end_offloaded(self) -> bytes:
        """:meth:`end` on one of the runner's scan threads (see ``offloading``)."""
        assert self._runner is not None  # noqa: S101 - offloading needs one
        return await self._runner.offload(self.end)

    @property
    def holding(self) -> bool:
        """Whether a tool call waits for a person's decision: the relay then awaits
        :meth:`resolve` (sending keep-alives) before it feeds or ends anything."""
        return self._calls is not None and self._calls.holding

    async def resolve(self) -> bytes:
        """Once the held calls are decided: what to send now (the calls let through, the
        chunks after them, and the events that arrived meanwhile, through the chain)."""
        calls = self._calls
        assert calls is not None  # noqa: S101 - only a call gate holds
        try:
            released = b"".join(self._send(held, b"\n\n") for held in await calls.resolve())
        except AnswerBlocked as blocked:
            self._backlog = b""
            return self._block(blocked.block)
        backlog, self._backlog = self._backlog, b""
        return released + (self.feed(backlog) if backlog else b"")

    def end(self) -> bytes:
        """At the end of the stream: anything still held, and the last event if no blank
        line ended it (:meth:`_unfinished`)."""
        if self.finished:
            return b""
        # Whole events a feed left for feed_offloaded (offloading), if the stream ended first.
        head = self.feed(b"") if self.offloading and self._pending else b""
        if self.finished:
            return head
        rest, self._pending = self._pending, b""
        try:
            return head + self._drain() + self._unfinished(rest) + self._flush_all()
        except AnswerBlocked as blocked:
            return head + self._block(blocked.block)

    def _unfinished(self, rest: bytes) -> bytes:
        """The stream's last event when no blank line ended it (the model server broke off):
        checked like any other if it is whole; dropped if its JSON was cut short, since the
        text in it was never checked (it used to go out as it came)."""
        event = rest.strip()
        return self._event(event, b"\n\n") if event else b""

    def _event(self, event: bytes, terminator: bytes) -> bytes:
        if not event.startswith(b"data:"):
            return event + terminator
        payload = event[5:].strip()
        if payload == b"[DONE]":
            return self._drain() + self._flush_all() + event + terminator
        calls = self._calls
        skipped = calls is None or calls.skips(payload)
        if skipped and self._chain.skips(payload):
            if calls is not None and not self._texted:
                self._texted = _has_content(payload)
            return event + terminator
        if skipped:
            fast = self._content_only(event, payload, terminator)
            if fast is not None:
                return fast
        try:
            chunk = orjson.loads(payload)
        except orjson.JSONDecodeError:
            # Text no member could read: not sent unchecked (no client could parse it either).
            return b"" if payload.startswith(b"{") else event + terminator
        if not isinstance(chunk, dict) or not isinstance(chunk.get("choices"), list):
            return event + terminator
        if skipped:
            return self._emit(chunk, event + terminator, terminator)
        assert calls is not None  # noqa: S101 - not skipped
        return b"".join(
            self._send(held, terminator) for held in calls.feed(chunk, event + terminator, payload)
        )

    def _content_only(self, event: bytes, payload: bytes, terminator: bytes) -> bytes | None:
        """An event of the :data:`_CONTENT_ONLY` shape through the chain without parsing it
        into objects: its one text is read from its bytes, and what the members let through
        is written back between the same bytes; ``None`` for any other event (parsed, as
        :meth:`_emit` does). A core idle between vLLM's chunks runs each event cold, 5-7
        times slower than back to back, and parsing the chunk into objects and writing it
        again was a third of the output guard's cost per event: in-process, with the thread
        idle 2 ms before each event, the guarded chain went from 155 to 121 µs p50 (24 to
        22 µs back to back); ``python -m bench.output --requests 300 --chunks 200``, added
        per-chunk latency p50 0.107-0.124 -> 0.086 and 0.094 ms (two runs)."""
        shape = _CONTENT_ONLY.fullmatch(payload)
        if shape is None:
            return None
        try:
            text = orjson.loads(shape[2])
        except orjson.JSONDecodeError:
            return None
        if not text:
            return event + terminator  # no text: nothing for the members, as in _emit
        self._template, self._template_payload = None, payload
        if self._calls is not None:
            self._texted = True
        self._open.setdefault(0, {})[_CONTENT] = None
        passed = self._chain.feed(_CONTENT, text)
        if passed == text:
            return event + terminator
        return b"data: " + shape[1] + orjson.dumps(passed) + shape[3] + terminator

    def _last_chunk(self) -> dict[str, Any] | None:
        """The last chunk seen (for a closing event's id, model and object)."""
        if self._template_payload is not None:
            self._template = orjson.loads(self._template_payload)
            self._template_payload = None
        return self._template

    def _send(self, held: Held, terminator: bytes) -> bytes:
        """A chunk the call gate lets go: as the model sent it when no member changes it."""
        if held.judged:
            # A call's event: its texts went through the members whole (_call_texts).
            if held.raw is not None:
                return held.raw
            return b"data: " + orjson.dumps(held.chunk) + terminator
        if held.raw is not None and held.payload is not None and self._chain.skips(held.payload):
            return held.raw
        return self._emit(held.chunk, held.raw, terminator)

    def _call_texts(self, choice: int, call: int, name: str, arguments: str) -> tuple[str, str]:
        """A complete call's name and arguments through the members, as a JSON answer's."""
        chain = self._chain
        if name:
            name = chain.answer(TextKey(choice, "name", call), name)
        if arguments:
            arguments = chain.answer(TextKey(choice, "arguments", call), arguments)
        return name, arguments

    def _emit(self, chunk: dict[str, Any], raw: bytes | None, terminator: bytes) -> bytes:
        """A parsed chunk through the members; ``raw`` (the event as the model server wrote
        it) goes on instead when none of them changed it."""
        self._template, self._template_payload = chunk, None
        calls = self._calls
        changed = False
        for index, choice in _choices(chunk):
            if calls is not None and not self._texted:
                delta = choice.get("delta")
                self._texted = isinstance(delta, dict) and bool(delta.get("content"))
            changed = self._rewrite_choice(index, choice) or changed
        if calls is not None:
            changed = calls.finish(chunk, self._texted) or changed
        if not changed and raw is not None:
            # Every member passed the text as it was (the audit trail's hash does): the
            # event goes on as the model server wrote it, not written again.
            return raw
        return b"data: " + orjson.dumps(chunk) + terminator

    def _drain(self) -> bytes:
        """Calls still held at the stream's end: judged, sent or dropped, and the agent told
        of a refusal no finishing chunk carried."""
        calls = self._calls
        if calls is None:
            return b""
        out = [self._send(held, b"\n\n") for held in calls.drain()]
        for index, refused in calls.unannounced():
            template = self._last_chunk() or {}
            chunk = {k: v for k, v in template.items() if k not in ("choices", "usage")}
            chunk["choices"] = [
                {"index": index, "delta": {"content": refusal_text(refused)}, "finish_reason": None}
            ]
            out.append(b"data: " + orjson.dumps(chunk) + b"\n\n")
        return b"".join(out)

    def _rewrite_choice(self, index: int, choice: dict[str, Any]) -> bool:
        """Puts a choice's texts through the chain; whether any of them changed."""
        chain = self._chain
        changed = False
        opened = self._open.setdefault(index, {})
        for key, holder, field in _texts(index, choice, choice.get("delta")):
            opened[key] = None
            text = holder[field]
            passed = chain.feed(key, text)
            if passed != text:
                holder[field] = passed
                changed = True
        if choice.get("finish_reason") is not None:
            for key in self._open.pop(index, {}):
                held = chain.flush(key)
                if held:
                    _put(choice, key, held)
                    changed = True
        return changed

    def _flush_all(self) -> bytes:
        """One closing event carrying every held-back tail (a stream cut before its
        ``finish_reason``, or a model that never sent one)."""
        choices: dict[int, dict[str, Any]] = {}
        for index, keys in self._open.items():
            for key in keys:
                held = self._chain.flush(key)
                if held:
                    choice = choices.setdefault(index, {"index": index, "finish_reason": None})
                    _put(choice, key, held)
        self._open.clear()
        template = self._last_chunk()
        if not choices or template is None:
            return b""
        chunk = {k: v for k, v in template.items() if k not in ("choices", "usage")}
        chunk["choices"] = list(choices.values())
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    def _block(self, block: OutputBlock) -> bytes:
        """The answer's end: a ``content_filter`` chunk for every choice seen, ``[DONE]``."""
        self.finished = True
        if self._exchange is not None:
            self._exchange.output_block = block
        template = self._last_chunk() or {}
        completion = template.get("object") == "text_completion"
        indexes = sorted(self._open) or [0]
        chunk = {k: v for k, v in template.items() if k not in ("choices", "usage")}
        chunk["choices"] = [
            {"index": index, "text": "", "finish_reason": _CONTENT_FILTER}
            if completion
            else {"index": index, "delta": {}, "finish_reason": _CONTENT_FILTER}
            for index in indexes
        ]
        chunk["aegis"] = block.as_dict()
        self._open.clear()
        return b"data: " + orjson.dumps(chunk) + b"\n\ndata: [DONE]\n\n"


def _has_content(payload: bytes) -> bool:
    """Whether a chunk's bytes hold a non-empty ``content`` (compact or with one space)."""
    for key in (b'"content":"', b'"content": "'):
        at = payload.find(key)
        if at != -1 and payload[at + len(key) : at + len(key) + 1] not in (b'"', b""):
            return True
    return False


def _event_ends(data: bytes) -> Iterator[tuple[int, int]]:
    r"""Where each event's terminating blank line starts and ends in ``data``, in order: what
    ``_EVENT_END.finditer`` finds, faster.

    A stream without carriage returns (vLLM's) is cut with ``bytes.find``; the regex, which
    also takes CRLF, runs only where a CR appears. Measured in-process on an audit-only chain
    (100 events of 41 characters), the regex was a third of the chain's CPU; with this and
    events passed on unwritten when no member changed them, 9.2 → 6.4 µs per event.
    ``tests/core/test_sse_events.py`` checks it against the regex.

    >>> list(_event_ends(b"data: 1\n\ndata: 2\n\n"))
    [(7, 9), (16, 18)]
    >>> list(_event_ends(b"data: 1\r\n\r\ndata: 2\n"))
    [(7, 11)]
    """
    if b"\r" in data:
        for found in _EVENT_END.finditer(data):
            yield found.start(), found.end()
        return
    start = data.find(b"\n\n")
    while start != -1:
        yield start, start + 2
        start = data.find(b"\n\n", start + 2)


def _put(choice: dict[str, Any], key: TextKey, text: str) -> None:
    """Appends held-back ``text`` to ``key``'s place in a choice."""
    if key.field == "text":
        choice["text"] = (choice.get("text") or "") + text
        return
    delta = choice.get("delta")
    if not isinstance(delta, dict):
        delta = choice["delta"] = {}
    if key.call is None:
        delta[key.field] = (delta.get(key.field) or "") + text
        return
    calls = delta.get("tool_calls")
    if not isinstance(calls, list):
        calls = delta["tool_calls"] = []
    for call in calls:
        if isinstance(call, dict) and call.get("index") == key.call:
            function = call.setdefault("function", {})
            function[key.field] = (function.get(key.field) or "") + text
            return
    calls.append({"index": key.call, "function": {key.field: text}})
