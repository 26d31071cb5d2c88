"""The output chain (core.lifecycle.output) on its own: members see the answer's text, in
order, JSON and streamed; a member can hold text back, and can end the answer. Last, a
chain that ends a stream through the real relay closes the model server's connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import MutableMapping
from typing import Any

import orjson
import pytest
from starlette.responses import Response

from core.lifecycle import output
from core.lifecycle.exchange import Exchange
from core.lifecycle.guard import OutputScanners, Prepared
from core.lifecycle.output import (
    AnswerBlocked,
    AnswerTransform,
    OutputChain,
    SseAnswer,
    TextKey,
    rewrite_json_answer,
)
from core.lifecycle.run import attach_output, output_chain
from core.pii.analyzer import build_analyzer
from core.pii.pseudonyms import Pseudonyms
from core.pii.restore import PseudonymRestore
from core.scanning.base import CpuRunner
from core.scanning.output.leakage import LeakageGuard
from core.scanning.output.pii import OutputPiiGuard
from core.scanning.policy import DEFAULT_POLICY
from core.scanning.stream import DEFAULT_WINDOW
from shared.errors import UpstreamUnreachableError
from shared.relay import Relay, RelayedStream, RelayErrors, open_session
from tests.conftest import Upstream

EMAIL = "hong@example.com"
SECRET = "AKIAIOSFODNN7EXAMPLE"


class Seen(AnswerTransform):
    """Records the text it is given per key, and passes it on unchanged."""

    def __init__(self) -> None:
        self.texts: dict[TextKey, str] = {}

    def feed(self, key: TextKey, delta: str) -> str:
        self.texts[key] = self.texts.get(key, "") + delta
        return delta


class HoldAll(AnswerTransform):
    """Holds every text back until its key is flushed (the worst case of a hold-back window)."""

    def __init__(self) -> None:
        self.held: dict[TextKey, str] = {}

    def feed(self, key: TextKey, delta: str) -> str:
        self.held[key] = self.held.get(key, "") + delta
        return ""

    def flush(self, key: TextKey) -> str:
        return self.held.pop(key, "")


class Cut(AnswerTransform):
    """Ends the answer once the text so far of a key contains ``word``."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.texts: dict[TextKey, str] = {}

    def feed(self, key: TextKey, delta: str) -> str:
        self.texts[key] = self.texts.get(key, "") + delta
        if self.word in self.texts[key]:
            raise AnswerBlocked("test_guard", "secret_word")
        return delta


def _chunk(delta: dict[str, Any], finish: str | None = None, index: int = 0) -> bytes:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _stream(pieces: list[str], *, finish: bool = True) -> bytes:
    events = [_chunk({"content": piece}) for piece in pieces]
    if finish:
        events.append(_chunk({}, "stop"))
    events.append(b"data: [DONE]\n\n")
    return b"".join(events)


def _through(transform: SseAnswer, stream: bytes, size: int) -> bytes:
    out = [transform.feed(stream[i : i + size]) for i in range(0, len(stream), size)]
    out.append(transform.end())
    return b"".join(out)


def _events(stream: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(e[6:]) for e in stream.split(b"\n\n") if e.startswith(b"data: {")]


def _content(stream: bytes) -> str:
    return "".join(
        choice.get("delta", {}).get("content") or ""
        for event in _events(stream)
        for choice in event.get("choices", [])
    )


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_members_see_the_text_not_the_bytes(size: int) -> None:
    """However the bytes are cut, a member gets the text of each field, in order."""
    seen = Seen()
    stream = _stream(["Hello", ", wor", "ld"])
    out = _through(SseAnswer(OutputChain([seen])), stream, size)
    assert seen.texts == {TextKey(0, "content"): "Hello, world"}
    assert _content(out) == "Hello, world"
    assert out.endswith(b"data: [DONE]\n\n")


def test_the_guard_runs_before_restore_and_sees_placeholders() -> None:
    """A member placed before pseudonym restore sees the placeholder, the client the value."""
    pseudonyms = Pseudonyms()
    pseudonyms.placeholder("EMAIL_ADDRESS", EMAIL)
    guard = Seen()
    chain = OutputChain([guard, PseudonymRestore(pseudonyms)])
    out = _through(SseAnswer(chain), _stream(["mail <EMAIL_", "ADDRESS_1> now"]), 7)
    assert guard.texts[TextKey(0, "content")] == "mail <EMAIL_ADDRESS_1> now"
    assert _content(out) == f"mail {EMAIL} now"


def test_held_text_is_released_at_finish_and_passes_the_next_members() -> None:
    """What a member holds comes out at the choice's finish_reason, through the members after
    it (restore still turns the placeholder into the value), in the finishing chunk."""
    pseudonyms = Pseudonyms()
    pseudonyms.placeholder("EMAIL_ADDRESS", EMAIL)
    chain = OutputChain([HoldAll(), PseudonymRestore(pseudonyms)])
    out = _through(SseAnswer(chain), _stream(["to <EMAIL_ADDRESS_1>", " ok"]), 9)
    events = _events(out)
    assert _content(out) == f"to {EMAIL} ok"
    assert events[-1]["choices"][0]["finish_reason"] == "stop"
    assert events[-1]["choices"][0]["delta"]["content"] == f"to {EMAIL} ok"


def test_held_text_without_a_finish_reason_comes_before_done() -> None:
    out = _through(SseAnswer(OutputChain([HoldAll()])), _stream(["a", "b"], finish=False), 4)
    assert _content(out) == "ab"
    assert out.endswith(b"data: [DONE]\n\n")
    assert _events(out)[-1]["id"] == "c1"


def test_tool_call_names_and_arguments_are_keys_of_their_own() -> None:
    """Streamed tool calls reach members per call: the function's name and its arguments."""
    seen = Seen()
    call = {"index": 1, "id": "t", "function": {"name": "read_file", "arguments": '{"pa'}}
    stream = (
        _chunk({"tool_calls": [call]})
        + _chunk({"tool_calls": [{"index": 1, "function": {"arguments": 'th": "/x"}'}}]})
        + _chunk({}, "tool_calls")
        + b"data: [DONE]\n\n"
    )
    _through(SseAnswer(OutputChain([seen])), stream, 11)
    assert seen.texts == {
        TextKey(0, "name", call=1): "read_file",
        TextKey(0, "arguments", call=1): '{"path": "/x"}',
    }


@pytest.mark.parametrize("size", [1, 3, 64, 10_000])
def test_a_member_ends_the_stream_with_content_filter(size: int) -> None:
    """A block mid-stream: the text before it was sent, then one content_filter chunk with
    the aegis object (no text), then [DONE], and nothing of what followed."""
    exchange = Exchange("req", "/v1/chat/completions")
    transform = SseAnswer(OutputChain([Cut(SECRET)]), exchange)
    stream = _stream(["key: ", SECRET[:8], SECRET[8:], " and more", " text"])
    out = [transform.feed(stream[i : i + size]) for i in range(0, len(stream), size)]
    assert transform.finished
    assert transform.end() == b""
    sent = b"".join(out)
    assert sent.endswith(b"data: [DONE]\n\n") and sent.count(b"[DONE]") == 1
    last = _events(sent)[-1]
    assert last["choices"] == [{"index": 0, "delta": {}, "finish_reason": "content_filter"}]
    assert last["aegis"] == {"scanner": "test_guard", "type": "secret_word"}
    assert (last["id"], last["model"]) == ("c1", "m")
    assert SECRET[8:] not in _content(sent) and "more" not in _content(sent)
    assert _content(sent).startswith("key: ")
    assert exchange.output_block is not None and exchange.blocked
    # After the block nothing more is sent, whatever arrives.
    assert transform.feed(_chunk({"content": "late"})) == b""


def test_a_completion_stream_block_has_the_completion_shape() -> None:
    event = b'data: {"object": "text_completion", "choices": [{"index": 0, "text": "xx"}]}\n\n'
    out = SseAnswer(OutputChain([Cut("xx")])).feed(event)
    assert _events(out)[-1]["choices"] == [
        {"index": 0, "text": "", "finish_reason": "content_filter"}
    ]


def test_events_every_member_skips_pass_byte_for_byte() -> None:
    """Events without a placeholder pass unparsed (not re-encoded) through pseudonym restore."""
    pseudonyms = Pseudonyms()
    pseudonyms.placeholder("EMAIL_ADDRESS", EMAIL)
    event = b'data: {"choices": [{"index": 0, "delta": {"content": "plain"}}]}\n\n'
    comment = b": keep-alive\n\n"
    chain = OutputChain([PseudonymRestore(pseudonyms)])
    assert _through(SseAnswer(chain), comment + event, 3) == comment + event


def test_json_answers_go_through_answer_per_field() -> None:
    """A JSON answer: each text of each choice, tool calls' arguments included, through the
    chain in order; an error body is left as it is."""
    pseudonyms = Pseudonyms()
    pseudonyms.placeholder("EMAIL_ADDRESS", EMAIL)
    guard = Seen()
    chain = OutputChain([guard, PseudonymRestore(pseudonyms)])
    call = {"id": "t", "function": {"name": "send", "arguments": '{"to": "<EMAIL_ADDRESS_1>"}'}}
    answer = {
        "choices": [
            {"index": 0, "message": {"content": "sent to <EMAIL_ADDRESS_1>", "tool_calls": [call]}}
        ],
        "usage": {"completion_tokens": 3},
    }
    out = orjson.loads(rewrite_json_answer(orjson.dumps(answer), chain))
    message = out["choices"][0]["message"]
    assert message["content"] == f"sent to {EMAIL}"
    assert orjson.loads(message["tool_calls"][0]["function"]["arguments"]) == {"to": EMAIL}
    assert guard.texts[TextKey(0, "content")] == "sent to <EMAIL_ADDRESS_1>"
    assert TextKey(0, "arguments", call=0) in guard.texts
    error = b'{"error": {"message": "overloaded"}}'
    assert rewrite_json_answer(error, chain) is error


def test_a_blocked_json_answer_keeps_ids_and_usage_but_no_text() -> None:
    exchange = Exchange("req", "/v1/chat/completions")
    answer = {
        "id": "a1",
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": f"k {SECRET}"}}],
        "usage": {"completion_tokens": 5},
    }
    out = orjson.loads(
        rewrite_json_answer(orjson.dumps(answer), OutputChain([Cut(SECRET)]), exchange)
    )
    assert out["choices"] == [
        {
            "index": 0,
            "finish_reason": "content_filter",
            "message": {"role": "assistant", "content": ""},
        }
    ]
    assert (out["id"], out["usage"], out["aegis"]["scanner"]) == (
        "a1",
        answer["usage"],
        "test_guard",
    )
    assert SECRET.encode() not in orjson.dumps(out)
    assert exchange.output_block is not None


async def test_an_empty_chain_leaves_the_answer_alone() -> None:
    """No member: the same response object, its bytes untouched (the pass-through path)."""
    response = Response(b'{"choices": []}', media_type="application/json")
    assert await attach_output(response, OutputChain(), Exchange("r", "/v1/x")) is response


async def _relayed(
    upstream: Upstream, body: dict[str, Any], transform: SseAnswer
) -> list[dict[str, Any]]:
    """``body`` streamed by the development upstream through the real relay and
    ``transform``: the body messages the client gets."""
    session = open_session(max_connections=4, connect_timeout_ms=2000, read_timeout_ms=10_000)
    relay = Relay(session, RelayErrors(unreachable=UpstreamUnreachableError))
    sent: list[dict[str, Any]] = []
    try:
        response = await relay.send(
            "POST",
            upstream.url + "/v1/chat/completions",
            headers={"content-type": "application/json"},
            body=orjson.dumps(body),
            stream=True,
        )
        assert isinstance(response, RelayedStream)
        response.transform = transform

        async def receive() -> dict[str, Any]:
            await asyncio.Event().wait()  # the client stays
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        await response({"type": "http", "method": "POST", "path": "/"}, receive, send)
    finally:
        await session.close()
    return [m for m in sent if m["type"] == "http.response.body"]


async def test_a_block_closes_the_model_servers_connection(upstream: Upstream) -> None:
    """Through the real relay: once a member ends the stream, no more is read, the client's
    stream ends with [DONE], and the model server sees its request cancelled (generation
    stops) rather than completed."""
    words = " ".join(f"word{n}" for n in range(40)) + " STOPWORD " + "tail " * 40
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": words}],
        "stream": True,
        "devupstream": {"chunks": 60, "delay_ms": 20},
    }
    before = upstream.stats
    cancelled, completed = before.cancelled, before.completed
    bodies = await _relayed(upstream, body, SseAnswer(OutputChain([Cut("STOPWORD")])))
    assert bodies[-1]["more_body"] is False
    streamed = b"".join(m["body"] for m in bodies)
    assert streamed.endswith(b"data: [DONE]\n\n")
    assert b"tail" not in streamed
    assert _events(streamed)[-1]["choices"][0]["finish_reason"] == "content_filter"
    deadline = time.monotonic() + 5
    while upstream.stats.cancelled == cancelled and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert upstream.stats.cancelled == cancelled + 1
    assert upstream.stats.completed == completed


@pytest.mark.parametrize("delay_ms", [0, 5], ids=["reads-of-many-events", "an-event-a-read"])
async def test_a_stream_checked_off_the_loop_is_guarded_the_same(
    upstream: Upstream, delay_ms: int
) -> None:
    """A stream whose checks prove slow goes on through the output guard on a scan thread
    (here from its first event): the client gets what the guard on the event loop sends,
    values masked, whether a read holds many events or one, and the answer ends as usual."""
    text = " ".join(
        f"고객 {n}번의 연락처는 010-{4821 + n}-7735 이고 주민등록번호는 850315-1478257 입니다."
        for n in range(12)
    )
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": text}],
        "stream": True,
        "devupstream": {"chunks": 150, "delay_ms": delay_ms},
    }
    scanners = OutputScanners(
        OutputPiiGuard(build_analyzer()), DEFAULT_WINDOW, LeakageGuard(), None
    )
    runner = CpuRunner()
    streams = {}
    try:
        for offload_after_s in (0.0, float("inf")):
            exchange = Exchange("req-1", "/v1/chat/completions")
            chain = output_chain(scanners.member(exchange, DEFAULT_POLICY, Prepared()), None)
            answer = SseAnswer(chain, exchange, runner, offload_after_s=offload_after_s)
            bodies = await _relayed(upstream, body, answer)
            streams[offload_after_s] = b"".join(m["body"] for m in bodies)
            assert answer.offloading is (offload_after_s == 0.0)
            assert {f.type for f in exchange.output_findings} == {"PHONE_NUMBER", "KR_RRN"}
    finally:
        runner.close()
    offloaded, inline = streams[0.0], streams[float("inf")]
    assert _content(offloaded) == _content(inline)
    assert "850315-1478257" not in _content(offloaded) and "7735" in _content(offloaded)
    assert offloaded.endswith(b"data: [DONE]\n\n")


async def test_a_read_left_part_way_for_the_scan_thread_is_guarded_at_the_end() -> None:
    """A stream that arrives in one read and proves slow at its first event: what the read
    held after it is checked by ``feed_offloaded``, or by ``end`` if the stream is over
    first; either way the client gets what the guard on the event loop sends."""
    text = "연락처는 010-4821-7735 이고 주민등록번호는 850315-1478257 입니다. " * 6
    pieces = [text[i : i + 5] for i in range(0, len(text), 5)]
    stream = b"".join(
        b"data: "
        + orjson.dumps({"id": "c", "object": "chat.completion.chunk", "choices": [choice]})
        + b"\n\n"
        for choice in [
            {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None},
            *({"index": 0, "delta": {"content": p}, "finish_reason": None} for p in pieces),
            {"index": 0, "delta": {}, "finish_reason": "stop"},
        ]
    )
    stream += b"data: [DONE]\n\n"
    scanners = OutputScanners(
        OutputPiiGuard(build_analyzer()), DEFAULT_WINDOW, LeakageGuard(), None
    )
    runner = CpuRunner()

    def answer(offload_after_s: float) -> SseAnswer:
        exchange = Exchange("req-1", "/v1/chat/completions")
        chain = output_chain(scanners.member(exchange, DEFAULT_POLICY, Prepared()), None)
        return SseAnswer(chain, exchange, runner, offload_after_s=offload_after_s)

    try:
        inline = answer(float("inf"))
        expected = inline.feed(stream) + inline.end()
        offloaded = answer(0.0)
        first = offloaded.feed(stream)
        assert offloaded.offloading and len(_events(first)) == 1
        via_thread = first + await offloaded.feed_offloaded(b"") + await offloaded.end_offloaded()
        at_end = answer(0.0)
        via_end = at_end.feed(stream) + at_end.end()
    finally:
        runner.close()
    assert "850315-1478257" not in _content(expected) and "7735" in _content(expected)
    assert via_thread == expected
    assert via_end == expected


@pytest.mark.parametrize("whole", [True, False], ids=["whole-last-event", "cut-last-event"])
def test_a_last_event_without_its_blank_line_is_checked_or_dropped(whole: bool) -> None:
    """A model server that breaks off leaves a last event no blank line ended: a whole one
    is checked like any other (its value masked), one cut short is dropped, never sent
    unchecked."""
    first = {"index": 0, "delta": {"role": "assistant", "content": "확인했습니다. "}}
    last = {"index": 0, "delta": {"content": "주민등록번호는 850315-1478257 입니다."}}
    events = [
        b"data: " + orjson.dumps({"id": "c", "choices": [choice]}) for choice in (first, last)
    ]
    stream = events[0] + b"\n\n" + (events[1] if whole else events[1][:-12])
    scanners = OutputScanners(
        OutputPiiGuard(build_analyzer()), DEFAULT_WINDOW, LeakageGuard(), None
    )
    exchange = Exchange("req-1", "/v1/chat/completions")
    answer = SseAnswer(output_chain(scanners.member(exchange, DEFAULT_POLICY, Prepared()), None))
    sent = answer.feed(stream) + answer.end()
    assert b"1478257" not in sent
    assert all(part.startswith(b"data: {") for part in sent.split(b"\n\n") if part)
    if whole:
        assert _content(sent) == "확인했습니다. 주민등록번호는 850315-1****** 입니다."
    else:
        assert _content(sent) == "확인했습니다. "


def test_an_event_that_is_not_json_is_dropped_not_sent_unchecked() -> None:
    """A ``data: {`` event whose JSON is broken cannot be checked: it is dropped, and the
    events around it go on as usual."""
    good = b"data: " + orjson.dumps(
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "다음 안내입니다. "}}]}
    )
    broken = b'data: {"id":"c","choices":[{"index":0,"delta":{"content":"850315-1478257 '
    scanners = OutputScanners(
        OutputPiiGuard(build_analyzer()), DEFAULT_WINDOW, LeakageGuard(), None
    )
    exchange = Exchange("req-1", "/v1/chat/completions")
    answer = SseAnswer(output_chain(scanners.member(exchange, DEFAULT_POLICY, Prepared()), None))
    sent = answer.feed(good + b"\n\n" + broken + b"\n\n" + good + b"\n\ndata: [DONE]\n\n")
    sent += answer.end()
    assert b"1478257" not in sent
    assert _content(sent) == "다음 안내입니다. 다음 안내입니다. "
    assert sent.endswith(b"data: [DONE]\n\n")


class Upper(AnswerTransform):
    """Changes every text it is given (so every event it sees is written again)."""

    def feed(self, key: TextKey, delta: str) -> str:
        return delta.upper()


TRICKY = 'a "quoted" \\ back\\slash, \n [brackets] {"content":"x"} 한국어 😀 \u2028 end'
HEAD = {"id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1, "model": "m[1]x"}


def _vllm(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1, "model": "m"} | {
        "choices": choices,
        **extra,
    }


def _open(delta: dict[str, Any], index: int = 0, **extra: Any) -> dict[str, Any]:
    return {"index": index, "delta": delta, "logprobs": None, "finish_reason": None, **extra}


@pytest.mark.parametrize(
    ("chunk", "fast"),
    [
        pytest.param(_vllm([_open({"content": TRICKY})]), True, id="content"),
        pytest.param(_vllm([_open({"role": "assistant", "content": "Hi"})]), True, id="role"),
        pytest.param(_vllm([_open({"content": "x"}, stop_reason=None)]), True, id="stop-reason"),
        pytest.param(
            _vllm([_open({"content": "x"})], usage={"prompt_tokens": 3}), True, id="usage"
        ),
        pytest.param(HEAD | {"choices": [_open({"content": "x"})]}, False, id="bracket-in-head"),
        pytest.param(
            _vllm([_open({"content": "a"}), _open({"content": "b"}, 1)]), False, id="two-choices"
        ),
        pytest.param(_vllm([_open({"content": "x"}, 1)]), False, id="index-1"),
        pytest.param(
            _vllm([_open({"content": "x", "reasoning_content": "think"})]), False, id="reasoning"
        ),
        pytest.param(
            _vllm([_open({"reasoning_content": "think", "content": "x"})]),
            False,
            id="reasoning-1st",
        ),
        pytest.param(
            _vllm([{"index": 0, "delta": {"content": "x"}, "finish_reason": "stop"}]),
            False,
            id="finishing",
        ),
        pytest.param(
            _vllm([_open({"content": "x"}) | {"logprobs": {"content": []}}]), False, id="logprobs"
        ),
    ],
)
def test_every_chunk_shape_is_read_and_written_alike(chunk: dict[str, Any], fast: bool) -> None:
    """Chunks of the shape nearly every streamed event has are read from their bytes, the rest
    parsed (``_CONTENT_ONLY`` says which); either way every text reaches the members and the
    client gets the chunk with each text as the members let it through, the rest unchanged."""
    payload = orjson.dumps(chunk)
    assert (output._CONTENT_ONLY.fullmatch(payload) is not None) is fast
    seen = Seen()
    out = SseAnswer(OutputChain([seen, Upper()])).feed(b"data: " + payload + b"\n\n")
    expected = orjson.loads(payload)
    texts = {}
    for choice in expected["choices"]:
        delta = choice["delta"]
        for field in ("content", "reasoning_content"):
            if field in delta:
                texts[TextKey(choice["index"], field)] = delta[field]
                delta[field] = delta[field].upper()
    assert _events(out) == [expected]
    assert seen.texts == texts


def test_a_block_after_chunks_read_from_their_bytes_names_the_stream() -> None:
    """The content_filter chunk that ends a stream of such chunks carries the stream's id and
    model (read from the last chunk's bytes)."""
    stream = b"".join(
        b"data: " + orjson.dumps(_vllm([_open({"content": piece})])) + b"\n\n"
        for piece in ["one ", "two ", "secret"]
    )
    out = SseAnswer(OutputChain([Cut("secret")])).feed(stream)
    last = _events(out)[-1]
    assert (last["id"], last["model"], last["object"]) == (
        "chatcmpl-7",
        "m",
        "chat.completion.chunk",
    )
    assert last["choices"][0]["finish_reason"] == "content_filter"
    assert _content(out) == "one two "
