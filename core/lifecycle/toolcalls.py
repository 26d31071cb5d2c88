"""Tool calls in a model's answer: each judged by the call gate, a refused one taken out.

:class:`CallHold` sits in the output chain (:class:`core.lifecycle.output.OutputChain`'s
``calls``) in front of its text members. Per answer, JSON and streamed alike, every tool
call is judged by :class:`core.tools.gate.CallGate` once its name and arguments are
complete; a refused call is removed from the answer before the agent sees any of it, and the
agent gets a refusal it can read:

* the assistant message's ``content`` gains one line per refused call
  (:func:`core.tools.gate.refusal_text`: which tool, its level, why, and that it did not run);
* when no call is left, ``finish_reason`` becomes ``"stop"`` (otherwise it stays
  ``"tool_calls"`` and the calls left are renumbered from 0);
* the answer (the stream's finishing chunk) carries ``aegis: {"scanner": "tool_gate",
  "type": <the first refusal's type>, "refused": [{"name", "level", "type"}, …]}``.

Why this shape: agent loops (the OpenAI SDK's, LangChain's, the Agents SDK) run every entry
of ``tool_calls`` and loop while ``finish_reason`` is ``"tool_calls"``; with the call gone
and ``"stop"`` they end the turn and show the message, whose text says what happened. A
fake tool call would be run (or fail) against a tool the agent may not have, and a
``content_filter`` finish is treated by several frameworks as an error with no text to
show. The message also goes back to the model with the next request, so it does not make
the same call again unaware of the refusal.

Streamed, the text keeps streaming; a call's deltas (its id, name, arguments) are held from
its first delta until its arguments are complete (the next call of that choice begins, the
choice finishes, or the stream ends), then sent as they came (the same events, byte for
byte, when nothing was refused) or dropped. The refusal's line is added to the finishing
chunk's delta, after any text the other members held back.

A call the gate holds (HIGH/CRITICAL with the approval workflow on, ``core.approvals``)
waits for a person through the ``hold`` hook: a JSON answer's held calls are decided in
:meth:`CallHold.settle` before it is judged; in a stream (``waits_in_stream``) the held
call and everything after it wait (:attr:`CallHold.holding`) until :meth:`CallHold.resolve`,
which the relay awaits while it sends keep-alives. Approved: the call goes on as sent;
rejected, expired or over the pending limit: refused like any other, saying why.

An answer without tool calls costs one ``bytes`` search (JSON) or one dict lookup per
streamed choice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from core.lifecycle.exchange import Exchange, OutputBlock
from core.tools.gate import (
    SCANNER,
    TOOL_APPROVAL_LIMIT,
    TOOL_APPROVAL_UNAVAILABLE,
    TOOL_EXPIRED,
    TOOL_HOLD,
    TOOL_REJECTED,
    CallGate,
    CallVerdict,
    Outcome,
    refusal_text,
)

__all__ = ["CallHold", "Held", "HoldHook", "decided_verdict"]

_TOOL_CALLS: Final = b'"tool_calls"'
_STOP: Final = "stop"


@dataclass(slots=True)
class Held:
    """A streamed chunk held back (or to send now): the parsed chunk, and the event's
    bytes when it is sent as the model sent it (``None``: synthesised or changed)."""

    chunk: dict[str, Any]
    raw: bytes | None = None  # the whole event, its blank line included
    payload: bytes | None = None  # the JSON after "data:"
    calls: tuple[int, ...] = ()  # the call indexes it carries (of its one choice)
    choice: int | None = None
    judged: bool = False  # a call's event, its texts already through the members


@dataclass(slots=True)
class _Call:
    name: list[str] = field(default_factory=list)
    arguments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Choice:
    """One choice's calls while it streams."""

    current: int | None = None
    calls: dict[int, _Call] = field(default_factory=dict)
    verdicts: dict[int, CallVerdict] = field(default_factory=dict)
    queue: list[Held] = field(default_factory=list)
    kept: int = 0  # calls sent so far: the next kept call's index
    renumber: dict[int, int] = field(default_factory=dict)
    # Kept calls whose texts the members changed: (name, arguments) to send instead, once.
    replaced: dict[int, tuple[str, str]] = field(default_factory=dict)
    replaced_sent: set[int] = field(default_factory=set)
    announced: bool = False

    @property
    def refused(self) -> list[CallVerdict]:
        return [v for v in self.verdicts.values() if v.outcome is not Outcome.ALLOW]


TextsHook = Callable[[int, int, str, str], tuple[str, str]]
# Waits for a person's decision on one held call (name, arguments, its verdict): the verdict
# to apply (core.approvals; ALLOW when approved, a refusal naming why otherwise).
HoldHook = Callable[[str, str, CallVerdict], Awaitable[CallVerdict]]


class CallHold:
    """The call gate over one answer (see the module doc).

    ``texts``, set by the stream that uses it, puts a kept call's whole name and arguments
    through the chain's other members at once (``(choice, index as sent, name, arguments)``
    → the texts to send): a complete call is judged like a JSON answer's, so when nothing
    changes its events go on as the model sent them.
    """

    def __init__(
        self, gate: CallGate, exchange: Exchange | None = None, hold: HoldHook | None = None
    ) -> None:
        self._gate = gate
        self._exchange = exchange
        self._choices: dict[int, _Choice] = {}
        self.texts: TextsHook | None = None
        self._hold_hook = hold
        # Streamed: whether a held call waits (set by the stream that has a hook), the calls
        # waiting per choice in order (number, name, arguments, the gate's verdict), and the
        # chunks that came after them.
        self.waits_in_stream = False
        self._waiting: dict[int, list[tuple[int, str, str, CallVerdict]]] = {}
        self._after: list[Held] = []
        # Decisions on held calls of a JSON answer (settle), by (name, arguments), in order.
        self._decided: dict[tuple[str, str], list[CallVerdict]] = {}

    # --- held calls (the approval workflow) -------------------------------------------------

    async def settle(self, body: bytes) -> None:
        """Before a JSON answer is judged: every call the gate holds waits for its decision
        (all of the answer's at once), which :meth:`judge_answer` then applies. Without a
        hold hook (or in a stream) a held call is refused (``tool_hold``)."""
        hook = self._hold_hook
        if hook is None or _TOOL_CALLS not in body:
            return
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return
        if not isinstance(answer, dict) or not isinstance(answer.get("choices"), list):
            return
        held: list[tuple[str, str, CallVerdict]] = []
        for choice in answer["choices"]:
            message = choice.get("message") if isinstance(choice, dict) else None
            calls = message.get("tool_calls") if isinstance(message, dict) else None
            for call in calls if isinstance(calls, list) else ():
                function = call.get("function") if isinstance(call, dict) else None
                if not isinstance(function, dict):
                    continue
                name, arguments = function.get("name"), function.get("arguments")
                name = name if isinstance(name, str) else ""
                arguments = arguments if isinstance(arguments, str) else ""
                verdict = self._gate.judge(name, arguments)
                if verdict.outcome is Outcome.HOLD:
                    held.append((name, arguments, verdict))
        if not held:
            return
        decisions = await asyncio.gather(*(hook(n, a, v) for n, a, v in held))
        for (name, arguments, _), decision in zip(held, decisions, strict=True):
            self._decided.setdefault((name, arguments), []).append(decision)

    # --- JSON -------------------------------------------------------------------------------

    def skips(self, data: bytes) -> bool:
        """Whether an answer (or a streamed event) ``data`` is nothing to this hold: no tool
        call in it, and no call held."""
        return not self._choices and _TOOL_CALLS not in data

    def judge_answer(
        self, answer: dict[str, Any]
    ) -> list[tuple[dict[str, Any], list[CallVerdict]]]:
        """Judge every call of a JSON answer and remove the refused ones; what
        :meth:`announce` needs to tell the agent (after the other members saw the answer):
        each choice with refusals and its verdicts."""
        found: list[tuple[dict[str, Any], list[CallVerdict]]] = []
        for choice in answer["choices"]:
            message = choice.get("message") if isinstance(choice, dict) else None
            calls = message.get("tool_calls") if isinstance(message, dict) else None
            if not isinstance(calls, list) or not calls:
                continue
            assert isinstance(message, dict)  # noqa: S101 - it holds the calls
            kept: list[Any] = []
            refused: list[CallVerdict] = []
            for call in calls:
                function = call.get("function") if isinstance(call, dict) else None
                if not isinstance(function, dict):
                    kept.append(call)
                    continue
                name, arguments = function.get("name"), function.get("arguments")
                verdict = self._judge(
                    name if isinstance(name, str) else "",
                    arguments if isinstance(arguments, str) else "",
                )
                if verdict.outcome is Outcome.ALLOW:
                    kept.append(call)
                else:
                    refused.append(verdict)
            if not refused:
                continue
            if kept:
                message["tool_calls"] = kept
            else:
                message.pop("tool_calls", None)
                choice["finish_reason"] = _STOP
            found.append((message, refused))
        return found

    def announce(
        self, answer: dict[str, Any], refusals: list[tuple[dict[str, Any], list[CallVerdict]]]
    ) -> None:
        """The refusals of :meth:`judge_answer` told: each message's content gains them, the
        answer the ``aegis`` object."""
        every: list[CallVerdict] = []
        for message, refused in refusals:
            message["content"] = _added(message.get("content"), refusal_text(refused))
            every.extend(refused)
        answer["aegis"] = _aegis(every)

    # --- streamed ---------------------------------------------------------------------------

    def feed(self, chunk: dict[str, Any], raw: bytes, payload: bytes) -> list[Held]:
        """A parsed event in; what to send now, in order. The calls' deltas are held until
        each call is complete; a choice's ``finish_reason`` releases (or drops) its calls
        before the chunk that carries it."""
        choices = chunk["choices"]
        if len(choices) == 1 and isinstance(choices[0], dict):
            choice = choices[0]
            delta = choice.get("delta")
            calls = delta.get("tool_calls") if isinstance(delta, dict) else None
            index = _index(choice, 0)
            if (
                isinstance(calls, list)
                and calls
                and choice.get("finish_reason") is None
                and isinstance(delta, dict)
                and set(delta) <= {"tool_calls", "role"}
            ):
                # The usual event: one choice's call delta and nothing else: held whole.
                return self._hold(
                    index, Held(chunk, raw, payload, _call_indexes(calls), index), calls
                )
            if not isinstance(calls, list) or not calls:
                if index not in self._choices or choice.get("finish_reason") is None:
                    return [Held(chunk, raw, payload)]
        out: list[Held] = []
        rest = []
        for position, choice in enumerate(choices):
            if not isinstance(choice, dict):
                rest.append(choice)
                continue
            index = _index(choice, position)
            delta = choice.get("delta")
            calls = delta.get("tool_calls") if isinstance(delta, dict) else None
            if isinstance(calls, list) and calls:
                assert isinstance(delta, dict)  # noqa: S101 - it held the calls
                held = _only_choice(chunk, {"index": index, "delta": {"tool_calls": calls}})
                out.extend(
                    self._hold(index, Held(held, None, None, _call_indexes(calls), index), calls)
                )
                choice = {**choice, "delta": {k: v for k, v in delta.items() if k != "tool_calls"}}
            if choice.get("finish_reason") is not None and index in self._choices:
                out.extend(self._complete(index))
            rest.append(choice)
        if self._waiting:
            self._after.append(Held({**chunk, "choices": rest}))  # sent after the decision
        else:
            out.append(Held({**chunk, "choices": rest}))
        return out

    def drain(self) -> list[Held]:
        """At the stream's end (or ``[DONE]``) without a finish: every call still held is
        judged and sent or dropped."""
        out: list[Held] = []
        waits, self.waits_in_stream = self.waits_in_stream, False
        try:
            # Nothing can wait any more: a call still held is refused (tool_hold).
            for index in list(self._choices):
                out.extend(self._complete(index))
        finally:
            self.waits_in_stream = waits
        return out

    def unannounced(self) -> list[tuple[int, list[CallVerdict]]]:
        """Choices whose refusals no finishing chunk carried (a stream cut short)."""
        found = []
        for index, state in self._choices.items():
            if not state.announced and state.refused:
                state.announced = True
                found.append((index, state.refused))
        return found

    def finish(self, chunk: dict[str, Any], texted: bool = False) -> bool:
        """On a chunk the other members have been through: where a choice finishes with
        refused calls, its delta gains the refusal's text, its ``finish_reason`` becomes
        ``"stop"`` when no call was sent, and the chunk gets the ``aegis`` object.
        ``texted``: whether text was sent before (the refusal goes on a new paragraph).
        True when the chunk was changed."""
        refused_all: list[CallVerdict] = []
        for position, choice in enumerate(chunk.get("choices") or ()):
            if not isinstance(choice, dict) or choice.get("finish_reason") is None:
                continue
            state = self._choices.get(_index(choice, position))
            if state is None or state.announced:
                continue
            refused = state.refused
            state.announced = True
            if not refused:
                continue
            refused_all.extend(refused)
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                delta = choice["delta"] = {}
            text = refusal_text(refused)
            if texted and not delta.get("content"):
                text = "\n\n" + text
            delta["content"] = _added(delta.get("content"), text)
            if state.kept == 0:
                choice["finish_reason"] = _STOP
        if refused_all:
            chunk["aegis"] = _aegis(refused_all)
        return bool(refused_all)

    # --- parts ------------------------------------------------------------------------------

    def _hold(self, index: int, held: Held, calls: list[Any]) -> list[Held]:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _Choice()
        out: list[Held] = []
        for position, call in enumerate(calls):
            if not isinstance(call, dict):
                continue
            number = call.get("index", position)
            number = number if isinstance(number, int) else position
            if state.current is not None and number != state.current:
                out.extend(self._judge_current(index, state))
            state.current = number
            record = state.calls.setdefault(number, _Call())
            function = call.get("function")
            if isinstance(function, dict):
                name, arguments = function.get("name"), function.get("arguments")
                if isinstance(name, str):
                    record.name.append(name)
                if isinstance(arguments, str):
                    record.arguments.append(arguments)
        state.queue.append(held)
        return out

    def _judge_current(self, index: int, state: _Choice) -> list[Held]:
        number = state.current
        if number is not None and number not in state.verdicts:
            record = state.calls.pop(number, _Call())
            name, arguments = "".join(record.name), "".join(record.arguments)
            waiting = self._waiting.get(index)
            if self.waits_in_stream:
                verdict = self._gate.judge(name, arguments)
                if verdict.outcome is Outcome.HOLD or waiting:
                    # Held for a person (or after one that is): decided in order by
                    # resolve(); the stream sends nothing more until then.
                    self._waiting.setdefault(index, []).append((number, name, arguments, verdict))
                    state.current = None
                    return self._release(state)
                verdict = self._recorded(verdict)
            else:
                verdict = self._judge(name, arguments)
            self._apply(index, state, number, name, arguments, verdict)
        state.current = None
        return self._release(state)

    def _apply(
        self,
        index: int,
        state: _Choice,
        number: int,
        name: str,
        arguments: str,
        verdict: CallVerdict,
    ) -> None:
        state.verdicts[number] = verdict
        if verdict.outcome is Outcome.ALLOW:
            state.renumber[number] = state.kept
            if self.texts is not None:
                passed = self.texts(index, state.kept, name, arguments)
                if passed != (name, arguments):
                    state.replaced[number] = passed
            state.kept += 1

    @property
    def holding(self) -> bool:
        """Whether a streamed call waits for a person: send nothing more until
        :meth:`resolve`."""
        return bool(self._waiting)

    async def resolve(self) -> list[Held]:
        """Wait for the decisions on the held calls of a stream (all at once), apply them in
        order, and return what may be sent now (the calls let through, then what the
        stream held after them)."""
        hook = self._hold_hook
        assert hook is not None  # noqa: S101 - only a stream with a hook holds
        waiting, self._waiting = self._waiting, {}
        held = [
            (index, entry)
            for index, entries in waiting.items()
            for entry in entries
            if entry[3].outcome is Outcome.HOLD
        ]
        decisions = await asyncio.gather(*(hook(e[1], e[2], e[3]) for _, e in held))
        decided = {(index, e[0]): d for (index, e), d in zip(held, decisions, strict=True)}
        out: list[Held] = []
        for index, entries in waiting.items():
            state = self._choices[index]
            for number, name, arguments, verdict in entries:
                final = self._recorded(decided.get((index, number), verdict))
                self._apply(index, state, number, name, arguments, final)
            out.extend(self._release(state))
        after, self._after = self._after, []
        return out + after

    def _complete(self, index: int) -> list[Held]:
        return self._judge_current(index, self._choices[index])

    def _release(self, state: _Choice) -> list[Held]:
        """The queue's head while every call its events carry is judged: kept calls as they
        came (renumbered if one before was dropped), refused ones gone."""
        out: list[Held] = []
        while state.queue and all(n in state.verdicts for n in state.queue[0].calls):
            held = state.queue.pop(0)
            held.judged = True
            dropped = [n for n in held.calls if state.verdicts[n].outcome is not Outcome.ALLOW]
            moved = any(state.renumber.get(n, n) != n for n in held.calls if n not in dropped)
            if not dropped and not moved and not any(n in state.replaced for n in held.calls):
                out.append(held)
                continue
            kept = _rewrite_calls(held, state)
            if kept is not None:
                out.append(kept)
        return out

    def _recorded(self, verdict: CallVerdict) -> CallVerdict:
        """``verdict`` (a final one) in the exchange's findings and output block."""
        exchange = self._exchange
        if exchange is not None:
            finding = verdict.finding
            if finding is not None:
                exchange.add_output_findings((finding,))
            if verdict.outcome is Outcome.REFUSE and exchange.output_block is None:
                exchange.output_block = OutputBlock(SCANNER, verdict.type or "tool_refused")
        return verdict

    def _judge(self, name: str, arguments: str) -> CallVerdict:
        verdict = self._gate.judge(name, arguments)
        if verdict.outcome is Outcome.HOLD:
            decided = self._decided.get((name, arguments))
            if decided:
                verdict = decided.pop(0)
            else:
                # Not waited for (a stream cannot wait yet): refused rather than let by.
                verdict = CallVerdict(
                    Outcome.REFUSE, verdict.name, verdict.level, verdict.permission, TOOL_HOLD
                )
        return self._recorded(verdict)


def decided_verdict(
    verdict: CallVerdict, status: str, reason: str | None = None, by: str | None = None
) -> CallVerdict:
    """The verdict on a held call once its approval ended with ``status`` (approved,
    rejected, expired, limit, unavailable): approved is let through as the model sent it;
    the rest are refusals the agent reads (a rejection names the admin's reason)."""
    if status == "approved":
        return CallVerdict(Outcome.ALLOW, verdict.name, verdict.level, verdict.permission)
    detail = None
    if status == "rejected":
        kind = TOOL_REJECTED
        who = f"an admin ({by})" if by else "an admin"
        detail = f"{who} rejected it" + (f": {reason}" if reason else "")
    elif status == "expired":
        kind = TOOL_EXPIRED
    elif status == "limit":
        kind = TOOL_APPROVAL_LIMIT
    else:
        kind = TOOL_APPROVAL_UNAVAILABLE
    return CallVerdict(
        Outcome.REFUSE, verdict.name, verdict.level, verdict.permission, kind, detail=detail
    )


def _added(content: object, text: str) -> str:
    return f"{content}\n\n{text}" if isinstance(content, str) and content else text


def _index(choice: dict[str, Any], position: int) -> int:
    index = choice.get("index", position)
    return index if isinstance(index, int) else position


def _call_indexes(calls: list[Any]) -> tuple[int, ...]:
    found = []
    for position, call in enumerate(calls):
        number = call.get("index", position) if isinstance(call, dict) else position
        found.append(number if isinstance(number, int) else position)
    return tuple(dict.fromkeys(found))


def _only_choice(chunk: dict[str, Any], choice: dict[str, Any]) -> dict[str, Any]:
    held = {k: v for k, v in chunk.items() if k not in ("choices", "usage")}
    held["choices"] = [{**choice, "logprobs": None, "finish_reason": None}]
    return held


def _rewrite_calls(held: Held, state: _Choice) -> Held | None:
    """``held`` without its refused calls and with the kept ones renumbered, a call whose
    texts the members changed sent whole in its first event; ``None`` when nothing of it is
    left to send."""
    choice = dict(held.chunk["choices"][0])
    delta = dict(choice.get("delta") or {})
    calls = []
    for position, call in enumerate(delta.get("tool_calls") or ()):
        number = call.get("index", position) if isinstance(call, dict) else position
        number = number if isinstance(number, int) else position
        if state.verdicts[number].outcome is not Outcome.ALLOW:
            continue
        call = {**call, "index": state.renumber[number]}
        replaced = state.replaced.get(number)
        if replaced is not None:
            function = {k: v for k, v in (call.get("function") or {}).items()}
            function.pop("name", None)
            function.pop("arguments", None)
            if number not in state.replaced_sent:
                state.replaced_sent.add(number)
                function["name"], function["arguments"] = replaced
            if function:
                call["function"] = function
            else:
                call.pop("function", None)
            if set(call) <= {"index"}:
                continue
        calls.append(call)
    if calls:
        delta["tool_calls"] = calls
    else:
        delta.pop("tool_calls", None)
        if not delta:
            return None
    choice["delta"] = delta
    return Held({**held.chunk, "choices": [choice]}, None, None, held.calls, held.choice, True)


def _aegis(refused: list[CallVerdict]) -> dict[str, Any]:
    return {
        "scanner": SCANNER,
        "type": refused[0].type,
        "refused": [verdict.as_dict() for verdict in refused],
    }
