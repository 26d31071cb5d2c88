"""Reversible pseudonymisation: placeholders per request, and their values restored in JSON
answers and in streams however the model's chunks cut them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from core.pii.pseudonyms import MAX_HELD, Pseudonyms, TextRestorer
from core.pii.restore import restore_json_answer, restoring_stream

EMAIL = "hong@example.com"
RRN = "900101-1234568"


@pytest.fixture
def pseudonyms() -> Pseudonyms:
    made = Pseudonyms()
    assert made.placeholder("EMAIL_ADDRESS", EMAIL) == "<EMAIL_ADDRESS_1>"
    assert made.placeholder("KR_RRN", RRN) == "<KR_RRN_1>"
    return made


def test_same_value_same_placeholder_and_numbers_per_type(pseudonyms: Pseudonyms) -> None:
    assert pseudonyms.placeholder("EMAIL_ADDRESS", EMAIL) == "<EMAIL_ADDRESS_1>"
    assert pseudonyms.placeholder("EMAIL_ADDRESS", "kim@example.com") == "<EMAIL_ADDRESS_2>"
    assert pseudonyms.placeholder("KR_RRN", "000101-3234567") == "<KR_RRN_2>"
    assert EMAIL not in repr(pseudonyms)  # never the values in a log line


def test_only_this_requests_placeholders_are_restored(pseudonyms: Pseudonyms) -> None:
    text = "to <EMAIL_ADDRESS_1>, not <EMAIL_ADDRESS_9> or <b>, id <KR_RRN_1>."
    assert pseudonyms.restore(text) == f"to {EMAIL}, not <EMAIL_ADDRESS_9> or <b>, id {RRN}."
    assert Pseudonyms().restore(text) == text


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 100])
def test_a_placeholder_cut_anywhere_is_restored_whole(pseudonyms: Pseudonyms, size: int) -> None:
    restorer = TextRestorer(pseudonyms)
    sent = [restorer.feed(piece) for piece in _pieces("메일 <EMAIL_ADDRESS_1> 로 보내 <a", size)]
    sent.append(restorer.flush())
    assert "".join(sent) == f"메일 {EMAIL} 로 보내 <a"
    # No piece ever carries part of the placeholder to the client.
    assert not any("<E" in piece or "S_1>" in piece for piece in sent)


def test_held_back_text_is_bounded(pseudonyms: Pseudonyms) -> None:
    """ "<" followed by a long run of capitals is not a placeholder: it is released."""
    restorer = TextRestorer(pseudonyms)
    assert restorer.feed("x <") == "x "
    assert restorer.feed("A" * MAX_HELD) == "<" + "A" * MAX_HELD
    assert restorer.feed("a < b") == "a < b"


def test_json_answers_are_restored(pseudonyms: Pseudonyms) -> None:
    answer = {
        "id": "chatcmpl-1",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "sent to <EMAIL_ADDRESS_1>",
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "send",
                                "arguments": '{"to": "<EMAIL_ADDRESS_1>", "q": "<KR_RRN_1>"}',
                            },
                        }
                    ],
                },
                "finish_reason": "stop",
            }
        ],
    }
    restored = orjson.loads(restore_json_answer(orjson.dumps(answer), pseudonyms))
    message = restored["choices"][0]["message"]
    assert message["content"] == f"sent to {EMAIL}"
    assert orjson.loads(message["tool_calls"][0]["function"]["arguments"]) == {
        "to": EMAIL,
        "q": RRN,
    }
    completion = {"choices": [{"index": 0, "text": "<KR_RRN_1>", "finish_reason": "stop"}]}
    assert orjson.loads(restore_json_answer(orjson.dumps(completion), pseudonyms)) == {
        "choices": [{"index": 0, "text": RRN, "finish_reason": "stop"}]
    }
    error = b'{"error": {"message": "<KR_RRN_1>"}}'
    assert restore_json_answer(error, pseudonyms) == error


def test_values_with_quotes_stay_valid_json_in_tool_arguments() -> None:
    pseudonyms = Pseudonyms()
    placeholder = pseudonyms.placeholder("CONNECTION_PASSWORD", 'pa"ss\\word')
    answer = {
        "choices": [
            {"message": {"tool_calls": [{"function": {"arguments": f'{{"p": "{placeholder}"}}'}}]}}
        ]
    }
    restored = orjson.loads(restore_json_answer(orjson.dumps(answer), pseudonyms))
    arguments = restored["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert orjson.loads(arguments) == {"p": 'pa"ss\\word'}


def _chat_events(pieces: list[str], *, finish: bool = True) -> bytes:
    events = []
    for number, piece in enumerate(pieces):
        delta: dict[str, Any] = {"content": piece}
        if number == 0:
            delta["role"] = "assistant"
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        events.append(b"data: " + orjson.dumps(chunk) + b"\n\n")
    if finish:
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        events.append(b"data: " + orjson.dumps(chunk) + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return b"".join(events)


def _streamed_text(stream: bytes) -> tuple[str, list[dict[str, Any]]]:
    chunks = [
        orjson.loads(event[6:]) for event in stream.split(b"\n\n") if event.startswith(b"data: {")
    ]
    text = "".join(
        choice.get("delta", {}).get("content") or choice.get("text") or ""
        for chunk in chunks
        for choice in chunk.get("choices", [])
    )
    return text, chunks


def _rewrite(pseudonyms: Pseudonyms, stream: bytes, size: int) -> bytes:
    rewriter = restoring_stream(pseudonyms)
    out = [rewriter.feed(stream[i : i + size]) for i in range(0, len(stream), size)]
    out.append(rewriter.end())
    return b"".join(out)


@pytest.mark.parametrize("byte_size", [1, 7, 64, 100_000])
@pytest.mark.parametrize("piece_size", [1, 4, 50])
def test_streams_are_restored_whatever_the_cuts(
    pseudonyms: Pseudonyms, byte_size: int, piece_size: int
) -> None:
    """Placeholders split across events, events split across network chunks: the client
    reads the values, every event is whole JSON, and the stream still ends with [DONE]."""
    said = "메일 <EMAIL_ADDRESS_1> 와 번호 <KR_RRN_1> 확인했습니다 <b>"
    stream = _chat_events(_pieces(said, piece_size))
    restored = _rewrite(pseudonyms, stream, byte_size)
    text, chunks = _streamed_text(restored)
    assert text == f"메일 {EMAIL} 와 번호 {RRN} 확인했습니다 <b>"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert restored.endswith(b"data: [DONE]\n\n")


def test_a_stream_without_finish_reason_is_flushed_before_done(pseudonyms: Pseudonyms) -> None:
    stream = _chat_events(["메일 <EMAIL", "_ADDRESS_1"], finish=False)
    text, chunks = _streamed_text(_rewrite(pseudonyms, stream, 10))
    assert text == "메일 <EMAIL_ADDRESS_1"  # not a placeholder after all: released as it was
    assert chunks[-1]["id"] == "c"


def test_a_cut_stream_still_gets_what_was_held(pseudonyms: Pseudonyms) -> None:
    """The model server broke off mid-placeholder: what it had sent reaches the client."""
    rewriter = restoring_stream(pseudonyms)
    stream = _chat_events(["to <EMAIL_ADD"], finish=False).replace(b"data: [DONE]\n\n", b"")
    text, _ = _streamed_text(rewriter.feed(stream) + rewriter.end())
    assert text == "to <EMAIL_ADD"


def test_completion_streams_and_foreign_events_pass(pseudonyms: Pseudonyms) -> None:
    events = [
        b": keep-alive comment\n\n",
        b'data: {"choices": [{"index": 0, "text": "id <KR_", "finish_reason": null}]}\n\n',
        b'data: {"choices": [{"index": 0, "text": "RRN_1>", "finish_reason": "length"}]}\n\n',
        b'data: {"error": {"message": "overloaded"}}\n\n',
        b"data: [DONE]\n\n",
    ]
    restored = _rewrite(pseudonyms, b"".join(events), 5)
    assert restored.startswith(b": keep-alive comment\n\n")
    assert b'data: {"error": {"message": "overloaded"}}\n\n' in restored
    text, _ = _streamed_text(restored)
    assert text == f"id {RRN}"


def test_streamed_tool_call_arguments_are_restored(pseudonyms: Pseudonyms) -> None:
    def event(arguments: str, finish: str | None = None) -> bytes:
        call = {"index": 0, "function": {"arguments": arguments}}
        chunk = {
            "choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": finish}]
        }
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    stream = event('{"to": "<EMAIL_') + event('ADDRESS_1>"') + event("}", "tool_calls")
    restored = _rewrite(pseudonyms, stream + b"data: [DONE]\n\n", 9)
    arguments = "".join(
        call["function"]["arguments"]
        for event in restored.split(b"\n\n")
        if event.startswith(b"data: {")
        for call in orjson.loads(event[6:])["choices"][0]["delta"].get("tool_calls", [])
    )
    assert orjson.loads(arguments) == {"to": EMAIL}


def test_events_without_a_placeholder_pass_as_they_came(pseudonyms: Pseudonyms) -> None:
    """Most streamed tokens hold no "<": they are passed on byte for byte, not re-encoded."""
    event = b'data: {"choices": [{"index": 0, "delta": {"content": "plain text"}}]}\n\n'
    assert _rewrite(pseudonyms, event + b"data: [DONE]\n\n", 7) == event + b"data: [DONE]\n\n"
    answer = b'{"choices": [{"message": {"content": "no placeholder"}}]}'
    assert restore_json_answer(answer, pseudonyms) is answer
