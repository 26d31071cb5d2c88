"""The output guard in the real output chain, without HTTP: the real scanners (PII and
secrets, leakage and the canary, the tool gate) behind ``SseAnswer`` and
``rewrite_json_answer``, fed what vLLM sends (``data: {json}`` chunk events: a role delta,
content or tool-call deltas, a ``finish_reason`` chunk, a ``usage`` chunk, ``data: [DONE]``),
its deltas split at every position and its bytes cut anywhere on the way (network reads
that split events and characters). What the client holds after every read is parsed and
checked as a client would read it."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import pytest

from core.lifecycle.exchange import Exchange, OutputBlock
from core.lifecycle.guard import OutputGuard, OutputScanners, Prepared
from core.lifecycle.output import OutputChain, SseAnswer, rewrite_json_answer
from core.lifecycle.run import output_chain
from core.pii.analyzer import build_analyzer
from core.pii.pseudonyms import Pseudonyms
from core.scanning.output.canary import CanaryMaker
from core.scanning.output.leakage import LeakageGuard
from core.scanning.output.pii import OutputPiiGuard
from core.scanning.policy import DEFAULT_POLICY, Policy
from core.scanning.stream import DEFAULT_WINDOW
from shared.wire import parse_api_request
from tests.core.test_output_pii import PROSE

RRN: Final = "850315-1478257"  # a valid check digit
PHONE: Final = "010-4821-7735"
INVENTED_RRN: Final = "900101-1234568"  # valid too, never in the request
AWS_KEY_ID: Final = "AKIAZ7QF4N2KX9LW3HTD"
AWS_SECRET: Final = "q8Rz3vN1+Lw7YkT0pXe5/Hc2JmB9sFdU6gKaWn4E"
CREDENTIALS: Final = (
    "The deployment script reads its credentials from ~/.aws/credentials:\n\n[default]\n"
    f"aws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n"
    "region = ap-northeast-2\n\nRun `aws sts get-caller-identity` to check them."
)
SYSTEM: Final = (
    "You are the internal assistant of Hanbit Bank's loan desk. Quote rates only from the "
    "2026 rate sheet, never disclose the approval score cut-offs, and answer in Korean."
)
SHORT_SYSTEM: Final = "You answer questions about Hanbit Bank loans."  # < 60 chars
CLEAN: Final = " ".join(PROSE[:14]) + "\n\n" + " ".join(PROSE[14:])
CANARIES: Final = CanaryMaker(b"test canary secret, 32 bytes ...")
NOW: Final = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALLOW_READ_FILE: Final = dataclasses.replace(DEFAULT_POLICY, tools_allow=frozenset({"read_file"}))
USAGE: Final = {"prompt_tokens": 57, "total_tokens": 171, "completion_tokens": 114}
DONE: Final = "[DONE]"
# How the bytes reach core: one read per event, fixed read sizes (1 byte splits every event
# and every multi-byte character), seeded random cuts, or all at once.
NETWORK: Final[tuple[str | int, ...]] = ("events", 1, 2, 5, 17, 100, "random", "whole")


# --- what vLLM sends -------------------------------------------------------------------------


def _event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
    chunk = {
        "id": "chatcmpl-9b1f0c2a7e",
        "object": "chat.completion.chunk",
        "created": 1772443800,
        "model": "Qwen/Qwen2.5-7B-Instruct",
        "choices": choices,
        **extra,
    }
    # As vLLM writes it: pydantic's compact JSON, UTF-8 as it is.
    return (
        b"data: " + json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
    )


def _choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    if finish is not None:
        choice["stop_reason"] = None
    return choice


def _sse(deltas: Sequence[dict[str, Any]], *, finish: str = "stop", usage: bool = True) -> bytes:
    """A chat stream as vLLM sends it: role, ``deltas``, finish, usage, ``[DONE]``."""
    events = [_event([_choice({"role": "assistant", "content": ""})])]
    events += [_event([_choice(delta)]) for delta in deltas]
    events.append(_event([_choice({"content": ""} if finish == "stop" else {}, finish)]))
    if usage:
        events.append(_event([], usage=USAGE))
    events.append(b"data: [DONE]\n\n")
    return b"".join(events)


def _content_sse(pieces: Sequence[str], **kwargs: Any) -> bytes:
    return _sse([{"content": piece} for piece in pieces if piece], **kwargs)


def _tool_sse(name: str, pieces: Sequence[str], *, name_pieces: int = 1) -> bytes:
    """One tool call: id, type and name first (``name_pieces``: the name in that many
    deltas), then the arguments in ``pieces``, finish ``tool_calls``."""
    step = -(-len(name) // name_pieces)
    names = [name[i : i + step] for i in range(0, len(name), step)]
    deltas: list[dict[str, Any]] = [
        {
            "tool_calls": [
                {
                    "id": "chatcmpl-tool-4f2a9d",
                    "type": "function",
                    "index": 0,
                    "function": {"name": names[0]},
                }
            ]
        }
    ]
    deltas += [{"tool_calls": [{"index": 0, "function": {"name": part}}]} for part in names[1:]]
    deltas += [
        {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
        for piece in pieces
        if piece
    ]
    return _sse(deltas, finish="tool_calls")


def _pieces(text: str, cuts: Sequence[int]) -> list[str]:
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(text)}), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _splits(text: str, value: str) -> Iterator[list[int]]:
    """Where to cut ``text`` into deltas: 2 pieces at every position; 3 pieces at every pair
    of positions in and around ``value`` (of a value longer than 20 characters, its first 16
    and last 4); 10 pieces, 1 or 2 characters apart, at every shift over ``value``; 40
    seeded random 10-piece cuts."""
    start = text.index(value)
    end = start + len(value)
    for cut in range(1, len(text)):
        yield [cut]
    head = range(max(1, start - 2), min(len(text), start + 16))
    tail = range(max(start + 16, end - 4), min(len(text), end + 3))
    for pair in itertools.combinations([*head, *tail], 2):
        yield list(pair)
    for step in (1, 2):
        for shift in range(start - 9 * step, end + 1):
            yield [shift + k * step for k in range(9)]
    rng = random.Random(f"{text}:{value}")
    for _ in range(40):
        yield rng.sample(range(1, len(text)), 9)


def _reads(data: bytes, mode: str | int, seed: int) -> list[bytes]:
    """``data`` cut into network reads (see NETWORK)."""
    if mode == "whole":
        return [data]
    if mode == "events":
        return [event + b"\n\n" for event in data.split(b"\n\n")[:-1]]
    if mode == "random":
        rng = random.Random(seed)
        cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, len(data) // 40 + 2)))
        return [data[a:b] for a, b in itertools.pairwise([0, *cuts, len(data)])]
    assert isinstance(mode, int)
    return [data[i : i + mode] for i in range(0, len(data), mode)]


# --- the chain, and what the client holds -----------------------------------------------------


@pytest.fixture(scope="module")
def scanners() -> OutputScanners:
    """The output guard's parts as core's lifespan builds them (one analyzer)."""
    return OutputScanners(
        OutputPiiGuard(build_analyzer()), DEFAULT_WINDOW, LeakageGuard(), CANARIES
    )


def _exchange() -> Exchange:
    return Exchange("req-1", "/v1/chat/completions")


def _guard(
    scanners: OutputScanners,
    exchange: Exchange,
    policy: Policy = DEFAULT_POLICY,
    prepared: Prepared | None = None,
) -> OutputGuard:
    return scanners.member(exchange, policy, prepared or Prepared())


def _chain(
    scanners: OutputScanners, exchange: Exchange, policy: Policy = DEFAULT_POLICY
) -> OutputChain:
    return output_chain(_guard(scanners, exchange, policy), None)


def _relay(chain: OutputChain, exchange: Exchange, reads: Sequence[bytes]) -> list[bytes]:
    """What the client holds after each read that sent it something, and after the end;
    reading stops once the chain ended the stream, as the relay does."""
    answer = SseAnswer(chain, exchange)
    sent = b""
    held: list[bytes] = []
    for data in reads:
        out = answer.feed(data)
        if out:
            sent += out
            held.append(sent)
        if answer.finished:
            assert answer.feed(b'data: {"choices":[]}\n\n') == b""
            break
    sent += answer.end()
    held.append(sent)
    return held


def _parse(stream: bytes) -> list[Any]:
    """The events a client reads (a JSON object, or ``"[DONE]"``); only whole events."""
    assert stream == b"" or stream.endswith(b"\n\n"), stream[-40:]
    events: list[Any] = []
    for raw in stream.split(b"\n\n")[:-1]:
        assert raw.startswith(b"data: "), raw
        payload = raw[6:]
        events.append(DONE if payload == b"[DONE]" else json.loads(payload))
    return events


def _deltas(events: list[Any]) -> Iterator[dict[str, Any]]:
    for event in events:
        if isinstance(event, dict):
            for choice in event["choices"]:
                yield choice.get("delta") or {}


def _content(events: list[Any]) -> str:
    return "".join(delta.get("content") or "" for delta in _deltas(events))


def _calls(events: list[Any]) -> list[dict[str, Any]]:
    return [call for delta in _deltas(events) for call in delta.get("tool_calls") or []]


def _arguments(events: list[Any]) -> str:
    return "".join(call.get("function", {}).get("arguments") or "" for call in _calls(events))


def _without_text(event: Any) -> Any:
    """An event less its texts (content, tool-call name and arguments): what must pass as the
    model sent it, whatever the guard held back and released later."""
    if not isinstance(event, dict):
        return event
    event = json.loads(json.dumps(event))
    for choice in event["choices"]:
        delta = choice.get("delta") or {}
        delta.pop("content", None)
        calls = []
        for call in delta.pop("tool_calls", None) or []:
            call.get("function", {}).pop("arguments", None)
            if call.keys() - {"index"} != {"function"} or call["function"]:
                calls.append(call)  # not just a place for arguments released at the finish
        if calls:
            delta["tool_calls"] = calls
    return event


def _assert_ends(events: list[Any], block: dict[str, str] | None) -> None:
    """Exactly one ``[DONE]``, last; a block is the chunk just before it."""
    assert events.count(DONE) == 1 and events[-1] == DONE
    filtered = [e for e in events[:-1] if "aegis" in e or _finishes(e) == "content_filter"]
    if block is None:
        assert filtered == []
        return
    assert filtered == [events[-2]]
    assert events[-2]["choices"] == [{"index": 0, "delta": {}, "finish_reason": "content_filter"}]
    assert events[-2]["aegis"] == block
    assert events[-2]["id"] == "chatcmpl-9b1f0c2a7e"


def _finishes(event: dict[str, Any]) -> str | None:
    return next((c.get("finish_reason") for c in event["choices"] if c.get("finish_reason")), None)


# --- 1. values split anywhere are never sent unmasked ----------------------------------------

MASKED = [
    pytest.param(
        f"확인해 보니 고객님의 주민등록번호는 {RRN}이고, 환불은 3영업일 안에 처리됩니다.",
        RRN,
        RRN[8:],
        id="rrn",
    ),
    pytest.param(
        f"담당자 연락처는 {PHONE}입니다. 평일 오전 9시부터 연락 주세요.",
        PHONE,
        PHONE[:9],
        id="phone",
    ),
]
BLOCKED = [
    pytest.param(CREDENTIALS, AWS_KEY_ID, "AWS_ACCESS_KEY", id="aws-key-id-and-secret"),
    pytest.param(
        f"Sure, here it is: aws_secret_access_key = {AWS_SECRET}\nKeep it safe.",
        AWS_SECRET,
        "GENERIC_SECRET",
        id="aws-secret-key",
    ),
]


@pytest.mark.parametrize(("text", "value", "hidden"), MASKED)
def test_a_value_split_anywhere_is_never_sent_unmasked(
    scanners: OutputScanners, text: str, value: str, hidden: str
) -> None:
    """Split over 2, 3 or 10 deltas at every position and the bytes cut anywhere, all the
    client ever holds is a prefix of the masked answer (the whole-answer check's), and the
    part of the value its mask hides is nowhere in the bytes it received."""
    expected = scanners.pii.check(text).text
    assert value not in expected and hidden not in expected
    for number, cuts in enumerate(_splits(text, value)):
        exchange = _exchange()
        stream = _content_sse(_pieces(text, cuts))
        mode = NETWORK[number % len(NETWORK)]
        held = _relay(_chain(scanners, exchange), exchange, _reads(stream, mode, number))
        for sent in held:
            assert hidden.encode() not in sent, (cuts, mode)
            assert expected.startswith(_content(_parse(sent))), (cuts, mode)
        events = _parse(held[-1])
        assert _content(events) == expected, (cuts, mode)
        _assert_ends(events, None)
        assert exchange.output_block is None
        assert {f.type for f in exchange.output_findings} >= {
            "KR_RRN" if value == RRN else "PHONE_NUMBER"
        }


@pytest.mark.parametrize(("text", "value", "entity"), BLOCKED)
def test_a_secret_split_anywhere_ends_the_stream_before_it(
    scanners: OutputScanners, text: str, value: str, entity: str
) -> None:
    """Split over 2, 3 or 10 deltas at every position and the bytes cut anywhere, no part of
    the secret is sent: the client holds a prefix of the text before it, then a
    ``content_filter`` chunk with ``aegis`` {scanner, type}, one ``[DONE]`` and nothing more."""
    start = text.index(value)
    before = text[:start]
    secrets = [s for s in (AWS_KEY_ID, AWS_SECRET) if s in text]
    pieces = {s[i : i + 6].encode() for s in secrets for i in range(len(s) - 5)}
    for number, cuts in enumerate(_splits(text, value)):
        exchange = _exchange()
        stream = _content_sse(_pieces(text, cuts))
        mode = NETWORK[number % len(NETWORK)]
        held = _relay(_chain(scanners, exchange), exchange, _reads(stream, mode, number))
        for sent in held:
            assert not any(piece in sent for piece in pieces), (cuts, mode)
            assert before.startswith(_content(_parse(sent))), (cuts, mode)
        events = _parse(held[-1])
        _assert_ends(events, {"scanner": "output_pii", "type": entity})
        assert not any("usage" in e for e in events if isinstance(e, dict))
        assert exchange.output_block == OutputBlock("output_pii", entity)


# --- 2. a clean stream passes as the model wrote it --------------------------------------------


def _chunkings(text: str) -> Iterator[tuple[str, list[str]]]:
    yield "one-delta", [text]
    yield "chars", list(text)
    for size in (2, 7, 16):
        yield f"size-{size}", [text[i : i + size] for i in range(0, len(text), size)]
    yield "words", re.findall(r"\S*\s*", text)
    rng = random.Random(7)
    cuts, position = [], 0
    while position < len(text):
        position += rng.randint(3, 7)  # devupstream's fixture model's pieces
        cuts.append(position)
    yield "3-7", _pieces(text, cuts)


@pytest.mark.parametrize("mode", NETWORK, ids=str)
def test_a_clean_stream_arrives_as_the_model_sent_it(
    scanners: OutputScanners, mode: str | int
) -> None:
    """Korean and English prose full of numbers (dates, prices, versions, times) arrives
    with content identical to the model's, whatever the deltas and reads; every event less
    its text (ids, roles, logprobs, ``finish_reason``, the ``usage`` chunk) is the model's."""
    for name, pieces in _chunkings(CLEAN):
        if mode == 1 and name == "chars":
            continue  # 600 KB read byte by byte: the other reads cover it
        exchange = _exchange()
        stream = _content_sse(pieces)
        held = _relay(_chain(scanners, exchange), exchange, _reads(stream, mode, len(pieces)))
        events = _parse(held[-1])
        upstream = _parse(stream)
        assert _content(events) == CLEAN, name
        assert [_without_text(e) for e in events] == [_without_text(e) for e in upstream], name
        assert events[-2] == upstream[-2] == {**upstream[-2], "usage": USAGE}
        assert _finishes(events[-3]) == "stop"
        assert not exchange.output_findings and exchange.output_block is None


def test_a_clean_stream_flows_on_while_it_arrives(scanners: OutputScanners) -> None:
    """Nothing is buffered whole: after each delta the client lags the model by at most the
    window, and a clean stream without a usage chunk ends as the model's did."""
    exchange = _exchange()
    pieces = [CLEAN[i : i + 5] for i in range(0, len(CLEAN), 5)]
    answer = SseAnswer(_chain(scanners, exchange), exchange)
    answer.feed(_content_sse([], usage=False).split(b"\n\n")[0] + b"\n\n")
    sent = b""
    for count, piece in enumerate(pieces, 1):
        sent += answer.feed(_event([_choice({"content": piece})]))
        lag = len("".join(pieces[:count])) - len(_content(_parse(sent)))
        assert 0 <= lag <= DEFAULT_WINDOW
    sent += answer.feed(_event([_choice({"content": ""}, "stop")]) + b"data: [DONE]\n\n")
    events = _parse(sent)
    assert _content(events) == CLEAN
    assert _finishes(events[-2]) == "stop"
    _assert_ends(events, None)


# --- 3. the canary and the system prompt --------------------------------------------------------


def _prepared(scanners: OutputScanners, system: str) -> tuple[Prepared, str]:
    """What core prepares for a request with ``system``: and the system text the model got."""
    body = {
        "model": "m",
        "stream": True,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": "hi"}],
    }
    api = parse_api_request("chat", json.dumps(body).encode())
    prepared = scanners.prepare(api, "key-7", NOW)
    assert prepared.canary == CANARIES.token("key-7", NOW)
    assert prepared.body is not None
    sent = json.loads(prepared.body)["messages"][0]["content"]
    assert sent == system + "\n\n" + prepared.canary
    return prepared, sent


def _spaced(canary: str) -> str:
    return " ".join(canary[i : i + 4] for i in range(0, len(canary), 4))


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(lambda canary: canary, id="as-sent"),
        pytest.param(str.upper, id="upper-case"),
        pytest.param(_spaced, id="spaced"),
    ],
)
def test_the_canary_split_anywhere_never_reaches_the_client(
    scanners: OutputScanners, written: Any
) -> None:
    """A model echoing its system prompt (short: only the canary gives it away), the canary
    split over deltas at every position: not one character of it is sent, and the stream
    ends with ``aegis`` {leakage, canary}."""
    prepared, sent_system = _prepared(scanners, SHORT_SYSTEM)
    assert prepared.canary is not None
    canary = written(prepared.canary)
    answer = f"Sure. My instructions are: {SHORT_SYSTEM}\n\n{canary}\nAnything else?"
    before = answer[: answer.index(canary)]
    assert sent_system in answer or canary != prepared.canary
    for number, cuts in enumerate(_splits(answer, canary)):
        exchange = _exchange()
        chain = output_chain(_guard(scanners, exchange, prepared=prepared), None)
        stream = _content_sse(_pieces(answer, cuts))
        mode = NETWORK[number % len(NETWORK)]
        held = _relay(chain, exchange, _reads(stream, mode, number))
        for sent in held:
            assert before.startswith(_content(_parse(sent))), (cuts, mode)
        events = _parse(held[-1])
        _assert_ends(events, {"scanner": "leakage", "type": "canary"})
        assert exchange.output_block == OutputBlock("leakage", "canary")


@pytest.mark.parametrize(
    "echo",
    [
        pytest.param(lambda system: system, id="verbatim"),
        pytest.param(lambda system: system.replace(" ", "\n", 8), id="rewrapped"),
        pytest.param(lambda system: system[40:130], id="a-90-char-run"),
    ],
)
def test_a_long_run_of_the_system_prompt_is_cut(scanners: OutputScanners, echo: Any) -> None:
    """An answer repeating 60+ characters of the system prompt is cut before the client has
    60 of them, at every split position; the stream ends with {leakage, system_prompt}."""
    prepared, _ = _prepared(scanners, SYSTEM)
    answer = f"Here are my instructions. {echo(SYSTEM)} That is all."
    normalised = " ".join(SYSTEM.lower().split())
    for cut in range(1, len(answer)):
        exchange = _exchange()
        chain = output_chain(_guard(scanners, exchange, prepared=prepared), None)
        stream = _content_sse(_pieces(answer, [cut]))
        mode = NETWORK[cut % len(NETWORK)]
        held = _relay(chain, exchange, _reads(stream, mode, cut))
        received = " ".join(_content(_parse(held[-1])).lower().split())
        assert not any(received[i : i + 60] in normalised for i in range(len(received) - 59))
        _assert_ends(_parse(held[-1]), {"scanner": "leakage", "type": "system_prompt"})


def test_a_short_quote_of_the_system_prompt_passes(scanners: OutputScanners) -> None:
    """Quoting under 60 characters of the system prompt is no leak: the answer arrives whole."""
    prepared, _ = _prepared(scanners, SYSTEM)
    answer = f"As my brief says, I {SYSTEM[86:135]}; ask me about rates instead."
    exchange = _exchange()
    chain = output_chain(_guard(scanners, exchange, prepared=prepared), None)
    held = _relay(chain, exchange, _reads(_content_sse(list(answer)), "events", 0))
    assert _content(_parse(held[-1])) == answer
    assert exchange.output_block is None


# --- 4. pseudonyms restored after the guard -----------------------------------------------------


def _restoring(scanners: OutputScanners, exchange: Exchange) -> tuple[OutputChain, Pseudonyms, str]:
    pseudonyms = Pseudonyms()
    placeholder = pseudonyms.placeholder("KR_RRN", RRN)
    return output_chain(_guard(scanners, exchange), pseudonyms), pseudonyms, placeholder


def test_a_repeated_placeholder_is_restored_not_flagged_and_an_invented_rrn_masked(
    scanners: OutputScanners,
) -> None:
    """The answer repeats the placeholder of the RRN the request sent and invents another:
    the client gets its own RRN back, unmasked and not a finding, and the invented one
    masked, at every split position of the answer."""
    exchange = _exchange()
    _, _, placeholder = _restoring(scanners, exchange)
    answer = (
        f"고객님의 주민등록번호 {placeholder}로 조회했습니다. "
        f"배우자 주민등록번호 {INVENTED_RRN}도 함께 확인했습니다."
    )
    masked = scanners.pii.check(answer).text
    assert placeholder in masked and INVENTED_RRN not in masked
    expected = masked.replace(placeholder, RRN)
    invented_at = answer.index(INVENTED_RRN)
    splits = {
        tuple(sorted(cuts))
        for cuts in itertools.chain(_splits(answer, placeholder), _splits(answer, INVENTED_RRN))
    }
    for number, cuts in enumerate(sorted(splits)):
        exchange = _exchange()
        chain, _, _ = _restoring(scanners, exchange)
        stream = _content_sse(_pieces(answer, cuts))
        mode = NETWORK[number % len(NETWORK)]
        held = _relay(chain, exchange, _reads(stream, mode, number))
        for sent in held:
            assert expected.startswith(_content(_parse(sent))), (cuts, mode)
            assert INVENTED_RRN[8:].encode() not in sent
        events = _parse(held[-1])
        assert _content(events) == expected, (cuts, mode)
        _assert_ends(events, None)
        assert [(f.type, f.start) for f in exchange.output_findings] == [("KR_RRN", invented_at)]


def test_a_json_answer_repeating_the_placeholder_gets_the_value_back(
    scanners: OutputScanners,
) -> None:
    """The same in a JSON answer: restored where repeated, masked where invented."""
    exchange = _exchange()
    chain, _, placeholder = _restoring(scanners, exchange)
    content = f"주민등록번호 {placeholder} 확인, 다른 번호 {INVENTED_RRN}는 없습니다."
    body = _json_answer({"role": "assistant", "content": content})
    answer = json.loads(rewrite_json_answer(body, chain, exchange))
    expected = scanners.pii.check(content).text.replace(placeholder, RRN)
    assert answer["choices"][0]["message"]["content"] == expected
    assert RRN in expected and INVENTED_RRN[8:] not in expected
    assert [f.type for f in exchange.output_findings] == ["KR_RRN"]


# --- 5. tool calls ---------------------------------------------------------------------------

READ_ARGS: Final = json.dumps({"path": "README.md", "encoding": "utf-8"})
PYTHON_ARGS: Final = json.dumps({"code": "import os; os.system('rm -rf /')"})
SECRET_ARGS: Final = json.dumps(
    {"path": "/home/deploy/.aws/credentials", "content": CREDENTIALS}, ensure_ascii=False
)


def _tool_relay(
    scanners: OutputScanners, stream: bytes, policy: Policy, mode: str | int, seed: int
) -> tuple[list[bytes], Exchange]:
    exchange = _exchange()
    return _relay(
        _chain(scanners, exchange, policy), exchange, _reads(stream, mode, seed)
    ), exchange


@pytest.mark.parametrize(
    ("name", "name_pieces"),
    [
        pytest.param("execute_python", 1, id="execute_python"),
        pytest.param("execute_python", 3, id="execute_python-name-in-pieces"),
        pytest.param("read", 1, id="a-prefix-of-an-allowed-name"),
        pytest.param("read_file_unsafe", 1, id="an-allowed-name-then-more"),
        pytest.param("read_file_unsafe", 4, id="an-allowed-name-then-more-in-pieces"),
    ],
)
def test_a_call_to_a_tool_not_allowed_is_cut_before_its_arguments(
    scanners: OutputScanners, name: str, name_pieces: int
) -> None:
    """Under ``tools.allow: [read_file]`` a streamed call to another tool ends the stream
    before any of its arguments is sent, whatever the deltas and reads."""
    for number, cut in enumerate(range(1, len(PYTHON_ARGS))):
        stream = _tool_sse(name, _pieces(PYTHON_ARGS, [cut, cut + 3]), name_pieces=name_pieces)
        mode = NETWORK[number % len(NETWORK)]
        held, exchange = _tool_relay(scanners, stream, ALLOW_READ_FILE, mode, number)
        for sent in held:
            assert _arguments(_parse(sent)) == "", (cut, mode)
            assert b"rm -rf" not in sent
        events = _parse(held[-1])
        _assert_ends(events, {"scanner": "tool_gate", "type": "tool_not_allowed"})
        assert exchange.output_block == OutputBlock("tool_gate", "tool_not_allowed")


def test_an_allowed_tool_call_passes_as_the_model_sent_it(scanners: OutputScanners) -> None:
    """A ``read_file`` call passes whole under the allow-list: the same name, id, type and
    arguments, ``finish_reason: tool_calls`` and the usage chunk unchanged."""
    for number, cut in enumerate(range(1, len(READ_ARGS))):
        stream = _tool_sse("read_file", _pieces(READ_ARGS, [cut, cut + 5]))
        mode = NETWORK[number % len(NETWORK)]
        held, exchange = _tool_relay(scanners, stream, ALLOW_READ_FILE, mode, number)
        events, upstream = _parse(held[-1]), _parse(stream)
        assert _arguments(events) == READ_ARGS, (cut, mode)
        assert [_without_text(e) for e in events] == [_without_text(e) for e in upstream]
        first = _calls(events)[0]
        assert first["id"] == "chatcmpl-tool-4f2a9d" and first["function"]["name"] == "read_file"
        assert _finishes(events[-3]) == "tool_calls" and events[-2]["usage"] == USAGE
        assert exchange.output_block is None


@pytest.mark.parametrize(
    ("arguments", "value", "entity"),
    [
        pytest.param(SECRET_ARGS, AWS_KEY_ID, "AWS_ACCESS_KEY", id="credentials-file"),
        pytest.param(
            json.dumps({"aws_secret_access_key": AWS_SECRET, "region": "ap-northeast-2"}),
            AWS_SECRET,
            "GENERIC_SECRET",
            id="secret-key-field",
        ),
    ],
)
def test_a_secret_in_tool_arguments_is_cut(
    scanners: OutputScanners, arguments: str, value: str, entity: str
) -> None:
    """A call to an allowed tool whose arguments carry an AWS secret ends before any of the
    secret is sent, split anywhere: its arguments reach the client only up to the secret."""
    before = arguments[: arguments.index(value)]
    pieces = {value[i : i + 6].encode() for i in range(len(value) - 5)}
    for number, cuts in enumerate(_splits(arguments, value)):
        if number % 3:
            continue  # a third of the splits: each costs a whole tool call
        stream = _tool_sse("write_file", _pieces(arguments, cuts))
        mode = NETWORK[number % len(NETWORK)]
        held, exchange = _tool_relay(scanners, stream, DEFAULT_POLICY, mode, number)
        for sent in held:
            assert not any(piece in sent for piece in pieces), (cuts, mode)
            assert before.startswith(_arguments(_parse(sent))), (cuts, mode)
        _assert_ends(_parse(held[-1]), {"scanner": "output_pii", "type": entity})
        assert exchange.output_block == OutputBlock("output_pii", entity)


# --- 6. JSON answers ------------------------------------------------------------------------


def _json_answer(message: dict[str, Any], finish: str = "stop", **choice: Any) -> bytes:
    answer = {
        "id": "chatcmpl-9b1f0c2a7e",
        "object": "chat.completion",
        "created": 1772443800,
        "model": "Qwen/Qwen2.5-7B-Instruct",
        "choices": [
            {
                "index": 0,
                "message": {"tool_calls": [], **message},
                "logprobs": None,
                "finish_reason": finish,
                "stop_reason": None,
                **choice,
            }
        ],
        "usage": USAGE,
        "prompt_logprobs": None,
    }
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def _tool_message(name: str, arguments: str) -> dict[str, Any]:
    call = {"id": "chatcmpl-tool-4f2a9d", "type": "function"}
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{**call, "function": {"name": name, "arguments": arguments}}],
    }


def _rewritten(
    scanners: OutputScanners, body: bytes, policy: Policy = DEFAULT_POLICY
) -> tuple[bytes, Exchange]:
    exchange = _exchange()
    return rewrite_json_answer(body, _chain(scanners, exchange, policy), exchange), exchange


@pytest.mark.parametrize(
    ("body", "policy", "block"),
    [
        pytest.param(
            _json_answer({"role": "assistant", "content": CREDENTIALS}),
            DEFAULT_POLICY,
            OutputBlock("output_pii", "AWS_ACCESS_KEY"),
            id="secret-in-content",
        ),
        pytest.param(
            _json_answer(_tool_message("execute_python", PYTHON_ARGS), "tool_calls"),
            ALLOW_READ_FILE,
            OutputBlock("tool_gate", "tool_not_allowed"),
            id="tool-not-allowed",
        ),
        pytest.param(
            _json_answer(_tool_message("write_file", SECRET_ARGS), "tool_calls"),
            DEFAULT_POLICY,
            OutputBlock("output_pii", "AWS_ACCESS_KEY"),
            id="secret-in-tool-arguments",
        ),
    ],
)
def test_a_blocked_json_answer_has_no_text_and_says_why(
    scanners: OutputScanners, body: bytes, policy: Policy, block: OutputBlock
) -> None:
    """A JSON answer cut by the guard keeps its id, model and usage, has its choice emptied
    with ``finish_reason: content_filter`` and ``aegis`` {scanner, type}, and none of what
    was found (nor the tool call) in its bytes."""
    rewritten, exchange = _rewritten(scanners, body, policy)
    answer, upstream = json.loads(rewritten), json.loads(body)
    assert answer["choices"] == [
        {
            "index": 0,
            "finish_reason": "content_filter",
            "message": {"role": "assistant", "content": ""},
        }
    ]
    assert answer["aegis"] == block.as_dict()
    assert {k: v for k, v in answer.items() if k not in ("choices", "aegis")} == {
        k: v for k, v in upstream.items() if k != "choices"
    }
    for gone in (AWS_KEY_ID, AWS_SECRET, "rm -rf", "execute_python", "tool_calls"):
        assert gone.encode() not in rewritten
    assert exchange.output_block == block


def test_a_json_answer_with_a_value_is_masked_and_nothing_else_changes(
    scanners: OutputScanners,
) -> None:
    """The RRN and the phone number are masked as the whole-answer check masks them; every
    other field of the answer is the model's."""
    content = f"주민등록번호는 {RRN}이고, 연락처는 {PHONE}입니다. 3영업일 안에 처리됩니다."
    body = _json_answer({"role": "assistant", "content": content})
    rewritten, exchange = _rewritten(scanners, body)
    answer, upstream = json.loads(rewritten), json.loads(body)
    masked = answer["choices"][0]["message"].pop("content")
    upstream["choices"][0]["message"].pop("content")
    assert masked == scanners.pii.check(content).text
    assert RRN[8:] not in masked and PHONE[:9] not in masked
    assert answer == upstream
    assert {f.type for f in exchange.output_findings} == {"KR_RRN", "PHONE_NUMBER"}
    assert exchange.output_block is None


@pytest.mark.parametrize(
    ("body", "policy"),
    [
        pytest.param(_json_answer({"role": "assistant", "content": CLEAN}), DEFAULT_POLICY,
                     id="clean-prose"),
        pytest.param(
            _json_answer(
                {"role": "assistant", "content": PROSE[3]},
                logprobs={"content": [{"token": "파", "logprob": -1.2e-05, "bytes": [237]}]},
            ),
            DEFAULT_POLICY,
            id="with-logprobs",
        ),
        pytest.param(_json_answer(_tool_message("read_file", READ_ARGS), "tool_calls"),
                     ALLOW_READ_FILE, id="allowed-tool-call"),
    ],
)  # fmt: skip
def test_a_json_answer_with_nothing_found_is_returned_as_it_is(
    scanners: OutputScanners, body: bytes, policy: Policy
) -> None:
    """An answer the guard finds nothing in is the model's bytes, not a re-encoding of them
    (a logprob of ``-1.2e-05`` stays written so), and the route keeps the model's response."""
    rewritten, exchange = _rewritten(scanners, body, policy)
    assert rewritten is body
    assert not exchange.output_findings and exchange.output_block is None


def test_a_json_answer_echoing_the_canary_is_cut(scanners: OutputScanners) -> None:
    """A JSON answer holding the canary (its system prompt short) is cut by the leakage guard."""
    prepared, sent_system = _prepared(scanners, SHORT_SYSTEM)
    exchange = _exchange()
    chain = output_chain(_guard(scanners, exchange, prepared=prepared), None)
    body = _json_answer({"role": "assistant", "content": f"My instructions: {sent_system}"})
    rewritten = rewrite_json_answer(body, chain, exchange)
    assert prepared.canary is not None and prepared.canary.encode() not in rewritten
    assert json.loads(rewritten)["aegis"] == {"scanner": "leakage", "type": "canary"}
