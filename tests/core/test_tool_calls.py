"""Tool calls through the output chain (core.lifecycle.toolcalls): a refused call is taken
out of the answer and the agent told, JSON and streamed, whatever the chunking; an allowed
call passes byte for byte; held calls never hold the text back."""

from __future__ import annotations

import itertools
import random
from typing import Any, Final

import orjson
import pytest

from core.lifecycle.exchange import Exchange, OutputBlock
from core.lifecycle.output import AnswerTransform, OutputChain, SseAnswer, rewrite_json_answer
from core.lifecycle.toolcalls import CallHold
from core.tools.arguments import Egress
from core.tools.catalogue import load_catalogue
from core.tools.gate import CallGate
from shared.permissions import role_permissions

CATALOGUE: Final = load_catalogue()
PYTHON_ARGS: Final = '{"code": "import os; os.system(\'rm -rf /\')"}'
READ_ARGS: Final = '{"path": "README.md"}'
WRITE_ARGS: Final = '{"path": "notes.md", "text": "hello"}'
USAGE: Final = {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}


def _hold(role: str = "developer", exchange: Exchange | None = None) -> CallHold:
    return CallHold(CallGate(CATALOGUE, role_permissions(role), Egress.parse("")), exchange)


def _event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    chunk.update(choices=choices, **extra)
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _delta(delta: dict[str, Any], finish: str | None = None) -> bytes:
    return _event([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])


def _stream(content: str | None, calls: list[tuple[str, str]], finish: str) -> list[bytes]:
    """Events as vLLM streams them: the text in pieces, each call's id/name delta, then its
    arguments in pieces, the finish, a usage chunk, ``[DONE]``."""
    events = []
    if content:
        events += [_delta({"role": "assistant", "content": content[:5]})]
        events += [_delta({"content": content[i : i + 5]}) for i in range(5, len(content), 5)]
    for number, (name, arguments) in enumerate(calls):
        first = {"index": number, "id": f"call-{number}", "type": "function"}
        events.append(
            _delta({"tool_calls": [{**first, "function": {"name": name, "arguments": ""}}]})
        )
        events += [
            _delta(
                {"tool_calls": [{"index": number, "function": {"arguments": arguments[i : i + 4]}}]}
            )
            for i in range(0, len(arguments), 4)
        ]
    events.append(_delta({}, finish))
    events.append(_event([], usage=USAGE))
    events.append(b"data: [DONE]\n\n")
    return events


def _relay(data: bytes, chain: OutputChain, cuts: list[int]) -> bytes:
    answer = SseAnswer(chain)
    out = []
    for a, b in itertools.pairwise([0, *cuts, len(data)]):
        out.append(answer.feed(data[a:b]))
    out.append(answer.end())
    return b"".join(out)


def _cuts(data: bytes, seed: int) -> list[int]:
    rng = random.Random(seed)
    return sorted(rng.sample(range(1, len(data)), min(12, len(data) - 1)))


def _parsed(data: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(e[6:]) for e in data.split(b"\n\n") if e.startswith(b"data: {")]


def _answer(events: list[dict[str, Any]]) -> tuple[str, dict[int, dict[str, str]], str | None]:
    """The client's view: the text, each call's name and arguments by index, the finish."""
    text, finish = "", None
    calls: dict[int, dict[str, str]] = {}
    for event in events:
        for choice in event["choices"]:
            delta = choice.get("delta") or {}
            text += delta.get("content") or ""
            for call in delta.get("tool_calls") or ():
                record = calls.setdefault(call["index"], {"name": "", "arguments": ""})
                function = call.get("function") or {}
                record["name"] += function.get("name") or ""
                record["arguments"] += function.get("arguments") or ""
            finish = choice.get("finish_reason") or finish
    return text, calls, finish


@pytest.mark.parametrize("members", [0, 1], ids=["gate-alone", "with-a-member"])
@pytest.mark.parametrize("seed", range(4))
def test_a_refused_streamed_call_is_removed_and_the_agent_told(members: int, seed: int) -> None:
    """A developer's execute_python call never reaches the client, however the bytes are
    cut; the text before it arrives, then the refusal, finish ``stop``, and the ``aegis``
    object; the finding and the block are recorded."""
    exchange = Exchange("r", "/v1/chat/completions")
    chain = OutputChain([AnswerTransform()] * members, _hold("developer", exchange))
    data = b"".join(_stream("Let me run that.", [("execute_python", PYTHON_ARGS)], "tool_calls"))
    out = _relay(data, chain, _cuts(data, seed))
    assert b'"function"' not in out and b'"tool_calls"' not in out
    assert b"os.system" not in out and b"call-0" not in out
    events = _parsed(out)
    text, calls, finish = _answer(events)
    assert calls == {} and finish == "stop"
    assert text.startswith("Let me run that.\n\n[Aegis] The tool call execute_python (CRITICAL)")
    assert "tools:call" in text
    aegis = next(event["aegis"] for event in events if "aegis" in event)
    assert aegis == {
        "scanner": "tool_gate",
        "type": "tool_permission",
        "refused": [{"name": "execute_python", "level": "CRITICAL", "type": "tool_permission"}],
    }
    assert events[-1]["usage"] == USAGE and out.endswith(b"data: [DONE]\n\n")
    assert [f.type for f in exchange.output_findings] == ["tool_permission:execute_python"]
    assert exchange.output_block == OutputBlock("tool_gate", "tool_permission")


@pytest.mark.parametrize("members", [0, 1], ids=["gate-alone", "with-a-member"])
@pytest.mark.parametrize("seed", range(4))
def test_an_allowed_streamed_call_passes_byte_for_byte(members: int, seed: int) -> None:
    """A developer's read_file call (LOW) arrives exactly as the model sent it."""
    exchange = Exchange("r", "/v1/chat/completions")
    chain = OutputChain([AnswerTransform()] * members, _hold("developer", exchange))
    data = b"".join(_stream("Reading it.", [("read_file", READ_ARGS)], "tool_calls"))
    assert _relay(data, chain, _cuts(data, seed)) == data
    assert not exchange.output_findings and exchange.output_block is None


def test_a_refused_call_between_allowed_ones_is_dropped_and_the_rest_renumbered() -> None:
    """read_file, write_file (refused to a developer), read_file: the client gets calls 0
    and 1 (the second read renumbered), finish ``tool_calls`` and the refusal's text."""
    chain = OutputChain([], _hold("developer"))
    calls = [("read_file", READ_ARGS), ("write_file", WRITE_ARGS), ("read_file", READ_ARGS)]
    data = b"".join(_stream(None, calls, "tool_calls"))
    text, received, finish = _answer(_parsed(_relay(data, chain, [])))
    assert finish == "tool_calls"
    assert received == {0: {"name": "read_file", "arguments": READ_ARGS}} | {
        1: {"name": "read_file", "arguments": READ_ARGS}
    }
    assert text.startswith("[Aegis] The tool call write_file (HIGH) was refused")
    assert b"notes.md" not in _relay(data, OutputChain([], _hold("developer")), [])


def test_a_call_is_let_go_when_the_next_begins_and_text_is_never_held() -> None:
    """Fed event by event: text passes at once while a call is held, a complete call goes
    out as soon as the next call starts, not at the finish."""
    answer = SseAnswer(OutputChain([], _hold("developer")))
    events = _stream(None, [("read_file", READ_ARGS), ("read_file", READ_ARGS)], "tool_calls")
    first_call_events = 1 + len(range(0, len(READ_ARGS), 4))
    sent = [answer.feed(event) for event in events[:first_call_events]]
    assert sent == [b""] * first_call_events
    text = _delta({"content": "meanwhile"})
    assert answer.feed(text) == text
    assert answer.feed(events[first_call_events]) == b"".join(events[:first_call_events])


def test_an_ai_developers_dangerous_code_is_refused_by_its_arguments() -> None:
    """An ai-developer may call execute_python, but not with ``os.system('rm -rf /')``."""
    exchange = Exchange("r", "/v1/chat/completions")
    data = b"".join(_stream(None, [("execute_python", PYTHON_ARGS)], "tool_calls"))
    text, calls, finish = _answer(
        _parsed(_relay(data, OutputChain([], _hold("ai-developer", exchange)), []))
    )
    assert calls == {} and finish == "stop" and "dangerous command pattern" in text
    assert exchange.output_block == OutputBlock("tool_gate", "tool_shell_pattern")


def test_a_stream_cut_before_its_finish_still_drops_the_call_and_tells() -> None:
    """The model's stream ends without a finish: the held call is judged at the end."""
    events = _stream(None, [("execute_python", PYTHON_ARGS)], "tool_calls")[:-3]
    out = _relay(b"".join(events), OutputChain([], _hold("developer")), [])
    text, calls, _ = _answer(_parsed(out))
    assert calls == {} and "execute_python (CRITICAL) was refused" in text


def _json(message: dict[str, Any], finish: str) -> bytes:
    answer = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
        ],
        "usage": USAGE,
    }
    return orjson.dumps(answer, option=orjson.OPT_INDENT_2)


def _call(name: str, arguments: str, number: int = 0) -> dict[str, Any]:
    return {
        "id": f"call-{number}",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def test_a_refused_json_call_is_removed_and_the_agent_told() -> None:
    """JSON: the refused call is gone, the message's content explains, finish ``stop``."""
    exchange = Exchange("r", "/v1/chat/completions")
    body = _json(
        {"content": None, "tool_calls": [_call("execute_python", PYTHON_ARGS)]}, "tool_calls"
    )
    answer = orjson.loads(rewrite_json_answer(body, OutputChain([], _hold("developer", exchange))))
    choice = answer["choices"][0]
    assert "tool_calls" not in choice["message"] and choice["finish_reason"] == "stop"
    assert choice["message"]["content"].startswith("[Aegis] The tool call execute_python")
    assert answer["aegis"]["type"] == "tool_permission" and answer["usage"] == USAGE
    assert exchange.output_block == OutputBlock("tool_gate", "tool_permission")


def test_a_json_answer_keeps_its_allowed_calls_and_its_text() -> None:
    """JSON: text, then the refusal; the allowed call stays, finish ``tool_calls``."""
    calls = [_call("write_file", WRITE_ARGS, 0), _call("read_file", READ_ARGS, 1)]
    body = _json({"content": "Working on it.", "tool_calls": calls}, "tool_calls")
    answer = orjson.loads(rewrite_json_answer(body, OutputChain([], _hold("developer"))))
    message = answer["choices"][0]["message"]
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["read_file"]
    assert message["content"].startswith("Working on it.\n\n[Aegis] The tool call write_file")
    assert answer["choices"][0]["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("members", [0, 1], ids=["gate-alone", "with-a-member"])
def test_an_allowed_json_answer_is_the_models_bytes(members: int) -> None:
    """JSON: an answer whose calls all pass is returned as the very bytes the model sent."""
    body = _json({"content": None, "tool_calls": [_call("read_file", READ_ARGS)]}, "tool_calls")
    chain = OutputChain([AnswerTransform()] * members, _hold("developer"))
    assert rewrite_json_answer(body, chain) is body
    plain = _json({"content": "no calls here"}, "stop")
    assert rewrite_json_answer(plain, chain) is plain


class _Masking(AnswerTransform):
    """Replaces ``README`` in any text, streamed or whole (a stand-in for PII masking)."""

    def feed(self, key: Any, delta: str) -> str:
        return delta.replace("README", "******")


def test_a_call_a_member_rewrites_is_sent_whole_in_its_first_event() -> None:
    """Held until complete, a kept call's texts go through the other members at once: when
    one changes them, the call is sent whole in its first event, its later events dropped."""
    chain = OutputChain([_Masking()], _hold("developer"))
    data = b"".join(_stream("Reading.", [("read_file", READ_ARGS)], "tool_calls"))
    events = _parsed(_relay(data, chain, []))
    text, calls, finish = _answer(events)
    assert calls == {0: {"name": "read_file", "arguments": '{"path": "******.md"}'}}
    assert (text, finish) == ("Reading.", "tool_calls")
    carrying = [
        e for e in events if any(c.get("delta", {}).get("tool_calls") for c in e["choices"])
    ]
    assert (
        len(carrying) == 1 and carrying[0]["choices"][0]["delta"]["tool_calls"][0]["id"] == "call-0"
    )
