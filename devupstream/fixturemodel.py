"""Model ``aegis-dev-fixture``: canned answers that misbehave, read from ``fixtures/*.json``.

A chat request whose last user message is ``fixture:NAME`` is answered with fixture NAME, so
tests (and a person trying Aegis) get a model that leaks a resident registration number, an
AWS key or its system prompt, or calls a dangerous tool, without the request containing any
of it. A fixture file holds ``about`` (one line for people) and any of:

- ``content``:    the assistant's text;
- ``echo``:       ``"system"``: the text is the request's system message(s), verbatim;
- ``tool_calls``: a list of ``{"name": ..., "arguments": {...}}`` (an object, sent as its JSON,
  or a string, sent as it is).

Streamed, the text and each call's arguments are cut into pieces of 3 to 7 characters whose
sizes are drawn from a hash of the fixture's name: always the same for one fixture, different
between fixtures, so values are split at many positions. A call streams as OpenAI and vLLM
stream it: a first delta with ``index``, ``id``, ``type``, the function's ``name`` and empty
``arguments``, then deltas carrying fragments of the arguments.

>>> pieces("clean", "abcdefghijklmnopqrstuvwxyz")
['abc', 'defg', 'hijk', 'lmnopqr', 'stuvw', 'xyz']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

__all__ = [
    "FIXTURES_DIR",
    "FIXTURE_MODEL",
    "MAX_PIECE",
    "MIN_PIECE",
    "Answer",
    "Fixture",
    "FixtureError",
    "ToolCall",
    "completion_choices",
    "fixture_name",
    "known",
    "load_fixtures",
    "pieces",
    "stream_choices",
]

FIXTURE_MODEL: Final = "aegis-dev-fixture"
FIXTURES_DIR: Final = Path(__file__).resolve().parent / "fixtures"
MIN_PIECE: Final = 3
MAX_PIECE: Final = 7
_REQUEST: Final = re.compile(r"\s*fixture:([A-Za-z0-9_-]+)\s*")
_ECHO_SOURCES: Final = ("system",)
_SYSTEM_ROLES: Final = ("system", "developer")


class FixtureError(ValueError):
    """A request the fixture model cannot answer (unknown fixture, no system message)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One function call of an answer; ``arguments`` is the JSON text the model sends."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What the fixture model answers one request: text and/or tool calls."""

    name: str
    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"

    def message(self) -> dict[str, Any]:
        """The ``message`` of a JSON chat completion."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in self.tool_calls
            ]
        return message

    @property
    def generated(self) -> str:
        """Everything the model generated, for the token count."""
        return " ".join([self.content or "", *(call.arguments for call in self.tool_calls)])


@dataclass(frozen=True, slots=True)
class Fixture:
    """One fixture file, checked when loaded."""

    name: str
    content: str | None
    echo: str | None
    tool_calls: tuple[ToolCall, ...]

    @classmethod
    def parse(cls, name: str, data: object) -> Fixture:
        if not isinstance(data, dict):
            raise ValueError(f"fixture {name}: not a JSON object")
        unknown = set(data) - {"about", "content", "echo", "tool_calls"}
        if unknown:
            raise ValueError(f"fixture {name}: unknown fields {sorted(unknown)}")
        content = data.get("content")
        echo = data.get("echo")
        if content is not None and not isinstance(content, str):
            raise ValueError(f"fixture {name}: content must be a string")
        if echo is not None and echo not in _ECHO_SOURCES:
            raise ValueError(f"fixture {name}: echo must be one of {list(_ECHO_SOURCES)}")
        if content is not None and echo is not None:
            raise ValueError(f"fixture {name}: content and echo exclude each other")
        raw_calls = data.get("tool_calls", [])
        if not isinstance(raw_calls, list):
            raise ValueError(f"fixture {name}: tool_calls must be a list")
        calls = tuple(_tool_call(name, index, raw) for index, raw in enumerate(raw_calls))
        if content is None and echo is None and not calls:
            raise ValueError(f"fixture {name}: needs content, echo or tool_calls")
        return cls(name, content, echo, calls)

    def answer(self, messages: object) -> Answer:
        """The answer to a request with ``messages``; raises :class:`FixtureError` for an
        echo fixture asked without a system message."""
        content = self.content
        if self.echo == "system":
            systems = [
                _text_of(m.get("content"))
                for m in (messages if isinstance(messages, list) else [])
                if isinstance(m, dict) and m.get("role") in _SYSTEM_ROLES
            ]
            if not systems:
                raise FixtureError(f"fixture {self.name} repeats the system message: send one")
            content = "\n".join(systems)
        return Answer(self.name, content, self.tool_calls)


def _tool_call(name: str, index: int, raw: object) -> ToolCall:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ValueError(f"fixture {name}: tool_calls[{index}] needs a name")
    arguments = raw.get("arguments", {})
    if not isinstance(arguments, str):
        arguments = orjson.dumps(arguments).decode()
    ident = "call_" + hashlib.sha256(f"{name}:{index}".encode()).hexdigest()[:24]
    return ToolCall(ident, raw["name"], arguments)


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "")
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def load_fixtures(directory: Path = FIXTURES_DIR) -> dict[str, Fixture]:
    """Every ``*.json`` fixture in ``directory`` by name; a broken file raises ValueError."""
    fixtures: dict[str, Fixture] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"fixture {path.name}: not JSON ({exc})") from exc
        fixtures[path.stem] = Fixture.parse(path.stem, data)
    return fixtures


def fixture_name(prompt: str) -> str | None:
    """The NAME of a ``fixture:NAME`` prompt, or None.

    >>> fixture_name("fixture:pii_ko"), fixture_name(" fixture:clean\\n"), fixture_name("hi")
    ('pii_ko', 'clean', None)
    """
    match = _REQUEST.fullmatch(prompt)
    return match.group(1) if match else None


def pieces(seed: str, text: str) -> list[str]:
    """``text`` cut into pieces of MIN_PIECE to MAX_PIECE characters (a shorter text is one
    piece), their sizes drawn from a hash of ``seed``: the same cut for the same seed."""
    sizes = _sizes(seed)
    out: list[str] = []
    position = 0
    while len(text) - position > MAX_PIECE:
        # Never leave a tail shorter than MIN_PIECE.
        size = min(next(sizes), len(text) - position - MIN_PIECE)
        out.append(text[position : position + size])
        position += size
    if position < len(text) or not out:
        out.append(text[position:])
    return out


def _sizes(seed: str) -> Iterator[int]:
    counter = 0
    while True:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        for byte in digest:
            yield MIN_PIECE + byte % (MAX_PIECE - MIN_PIECE + 1)
        counter += 1


def stream_choices(answer: Answer) -> list[dict[str, Any]]:
    """The ``choices[0]`` of each chunk of a streamed chat answer, the last one carrying
    ``finish_reason``."""
    deltas: list[dict[str, Any]] = []
    if answer.content is not None:
        deltas.extend({"content": piece} for piece in pieces(answer.name, answer.content))
    for index, call in enumerate(answer.tool_calls):
        deltas.append(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": ""},
                    }
                ]
            }
        )
        deltas.extend(
            {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            for piece in pieces(f"{answer.name}:tool:{index}", call.arguments)
            if piece
        )
    if deltas:
        deltas[0] = {"role": "assistant", **deltas[0]}
    else:
        deltas.append({"role": "assistant", "content": ""})
    choices: list[dict[str, Any]] = [
        {"index": 0, "delta": delta, "logprobs": None, "finish_reason": None} for delta in deltas
    ]
    choices.append(
        {"index": 0, "delta": {}, "logprobs": None, "finish_reason": answer.finish_reason}
    )
    return choices


def completion_choices(answer: Answer) -> list[dict[str, Any]]:
    """The ``choices[0]`` of each chunk of a streamed text completion."""
    choices: list[dict[str, Any]] = [
        {"index": 0, "text": piece, "logprobs": None, "finish_reason": None}
        for piece in pieces(answer.name, answer.content or "")
    ]
    choices.append({"index": 0, "text": "", "logprobs": None, "finish_reason": "stop"})
    return choices


def known(fixtures: Mapping[str, Fixture]) -> str:
    """The fixtures' names, for an error message."""
    return ", ".join(sorted(fixtures))
