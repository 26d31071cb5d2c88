"""Held tool calls in a stream (the approval workflow, core.lifecycle.toolcalls): the text
before a held call goes out at once; the call and everything after it wait for the
decision, then go on in order, however the bytes are cut: approved, the calls arrive as the
model sent them; rejected, the call is dropped, the rest renumbered, and the finish tells
why. The decision comes from a plain async function in place of core.approvals."""

from __future__ import annotations

import itertools
from typing import Final

import pytest

from core.lifecycle.exchange import Exchange
from core.lifecycle.output import AnswerTransform, OutputChain, SseAnswer
from core.lifecycle.toolcalls import CallHold, decided_verdict
from core.tools.arguments import Egress
from core.tools.gate import HOLD_LEVELS, CallGate, CallVerdict
from shared.permissions import role_permissions
from tests.core.test_tool_calls import (
    CATALOGUE,
    READ_ARGS,
    USAGE,
    WRITE_ARGS,
    _answer,
    _cuts,
    _parsed,
    _stream,
)

CALLS: Final = [("read_file", READ_ARGS), ("write_file", WRITE_ARGS), ("read_file", READ_ARGS)]


def _hold(status: str, asked: list[str], exchange: Exchange) -> CallHold:
    gate = CallGate(
        CATALOGUE, role_permissions("ai-developer"), Egress.parse(""), hold_levels=HOLD_LEVELS
    )

    async def decide(name: str, arguments: str, verdict: CallVerdict) -> CallVerdict:
        asked.append(name)
        return decided_verdict(verdict, status, "not on Fridays", "boss")

    hold = CallHold(gate, exchange, decide)
    hold.waits_in_stream = True
    return hold


async def _relay(data: bytes, answer: SseAnswer, cuts: list[int]) -> tuple[bytes, bytes]:
    """What the relay sends: (before the first decision, all of it)."""
    out: list[bytes] = []
    before: bytes | None = None
    for a, b in itertools.pairwise([0, *cuts, len(data)]):
        out.append(answer.feed(data[a:b]))
        while answer.holding:
            if before is None:
                before = b"".join(out)
            out.append(await answer.resolve())
    out.append(answer.end())
    whole = b"".join(out)
    return (before if before is not None else whole), whole


@pytest.mark.parametrize("members", [0, 1], ids=["gate-alone", "with-a-member"])
@pytest.mark.parametrize("seed", range(6))
async def test_an_approved_call_waits_then_every_call_arrives(members: int, seed: int) -> None:
    asked: list[str] = []
    exchange = Exchange("r", "/v1/chat/completions")
    chain = OutputChain([AnswerTransform()] * members, _hold("approved", asked, exchange))
    data = b"".join(_stream("Writing it down.", CALLS, "tool_calls"))
    before, out = await _relay(data, SseAnswer(chain), _cuts(data, seed))
    assert asked == ["write_file"]
    assert b"notes.md" not in before and b'"finish_reason":"tool_calls"' not in before
    assert _answer(_parsed(before))[0] == "Writing it down."
    text, calls, finish = _answer(_parsed(out))
    assert text == "Writing it down." and finish == "tool_calls"
    assert calls == {n: {"name": name, "arguments": args} for n, (name, args) in enumerate(CALLS)}
    assert out.endswith(b"data: [DONE]\n\n") and _parsed(out)[-1]["usage"] == USAGE
    assert [f.type for f in exchange.output_findings] == ["tool_level:write_file"]


@pytest.mark.parametrize("seed", range(6))
async def test_a_rejected_call_is_dropped_and_the_finish_says_why(seed: int) -> None:
    asked: list[str] = []
    exchange = Exchange("r", "/v1/chat/completions")
    chain = OutputChain([], _hold("rejected", asked, exchange))
    data = b"".join(_stream(None, CALLS, "tool_calls"))
    _, out = await _relay(data, SseAnswer(chain), _cuts(data, seed))
    events = _parsed(out)
    text, calls, finish = _answer(events)
    assert calls == {0: {"name": "read_file", "arguments": READ_ARGS}} | {
        1: {"name": "read_file", "arguments": READ_ARGS}
    }
    assert finish == "tool_calls" and b"notes.md" not in out
    assert text.endswith("it was not run: an admin (boss) rejected it: not on Fridays.")
    assert next(e["aegis"] for e in events if "aegis" in e)["type"] == "tool_rejected"
    assert exchange.output_block is not None and exchange.output_block.type == "tool_rejected"
