"""A streamed answer field through the output guard's hold-back window: values split across
chunks anywhere are never sent unmasked, a secret stops the stream before any of it is sent,
and clean text arrives byte-identical, promptly, with a bounded amount held back."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.pii.analyzer import build_analyzer
from core.scanning.output.pii import OutputPiiGuard
from core.scanning.stream import DEFAULT_WINDOW, StreamGuard, StreamStep
from shared.findings import Finding
from tests.core.test_output_pii import AWS_KEY_ID, AWS_SECRET, PLACEHOLDERS, PROSE, RRN

PHONE = "010-1234-5678"
# Each case: the answer, the value split, and what of it must never be sent (for a masked
# value: the part its mask hides; for a secret: all of it).
MASKED = [
    pytest.param(
        f"고객님의 주민등록번호는 {RRN} 입니다. 확인 부탁드립니다.", RRN, RRN[8:], id="rrn"
    ),
    pytest.param(f"담당자 연락처는 {PHONE} 입니다. 감사합니다.", PHONE, PHONE[:9], id="phone"),
]
BLOCKED = [
    pytest.param(
        f"키는 다음과 같습니다.\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\n"
        f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n",
        AWS_KEY_ID,
        id="aws-key-pair",
    ),
    pytest.param(f"Sure, here it is: aws_secret_access_key = {AWS_SECRET}\n", AWS_SECRET,
                 id="aws-secret-key"),
]  # fmt: skip


@pytest.fixture(scope="module")
def guard() -> OutputPiiGuard:
    return OutputPiiGuard(build_analyzer())


def _pieces(text: str, cuts: Sequence[int]) -> list[str]:
    bounds = [0, *sorted(set(cuts)), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _stream(guard: StreamGuard, pieces: Sequence[str]) -> tuple[list[str], list[StreamStep]]:
    """What the client has received after each step (the flush last), and the steps."""
    received: list[str] = []
    steps: list[StreamStep] = []
    sent = ""
    for piece in pieces:
        step = guard.feed(piece)
        steps.append(step)
        sent += step.text
        received.append(sent)
    step = guard.flush()
    steps.append(step)
    received.append(sent + step.text)
    return received, steps


def _splits(text: str, value: str) -> list[list[int]]:
    """Cut positions: 2 chunks at every position of the text; 3 chunks at every pair of
    positions in and around the value; 10 chunks, the value cut in 10 at every shift."""
    start = text.index(value)
    end = start + len(value)
    around = range(max(1, start - 2), min(len(text), end + 3))
    cuts = [[i] for i in range(1, len(text))]
    cuts += [[i, j] for i, j in itertools.combinations(around, 2)]
    size = max(1, len(value) // 10)
    for shift in range(-size, size + 1):
        cuts.append([start + shift + k * size for k in range(1, 10)])
    return [[c for c in cut if 0 < c < len(text)] for cut in cuts]


def _check_masked(guard: OutputPiiGuard, text: str, hidden: str, cuts: list[int]) -> None:
    expected = guard.check(text).text
    received, steps = _stream(guard.stream(), _pieces(text, cuts))
    for sent in received:
        assert expected.startswith(sent), (cuts, sent)
        assert hidden not in sent
    assert received[-1] == expected
    assert not any(step.blocked for step in steps)


def _check_blocked(guard: OutputPiiGuard, text: str, cuts: list[int]) -> None:
    blocked = guard.check(text).blocked
    assert blocked is not None and blocked.start is not None
    before = text[: blocked.start]
    stream = guard.stream()
    received, steps = _stream(stream, _pieces(text, cuts))
    for sent in received:
        assert before.startswith(sent), (cuts, sent)
    assert received[-1] == before
    ends = [step.blocked for step in steps if step.blocked is not None]
    assert ends == [stream.blocked]
    assert stream.blocked is not None
    assert (stream.blocked.type, stream.blocked.start) == (blocked.type, blocked.start)


@pytest.mark.parametrize(("text", "value", "hidden"), MASKED)
def test_a_value_split_anywhere_is_never_sent_unmasked(
    guard: OutputPiiGuard, text: str, value: str, hidden: str
) -> None:
    """Split over 2, 3 or 10 chunks at every position, all the client ever holds is a prefix
    of the masked answer: the hidden part of the value never reaches it."""
    assert hidden not in guard.check(text).text
    for cuts in _splits(text, value):
        _check_masked(guard, text, hidden, cuts)


@pytest.mark.parametrize(("text", "value"), BLOCKED)
def test_a_secret_split_anywhere_stops_the_stream_before_it(
    guard: OutputPiiGuard, text: str, value: str
) -> None:
    """Split over 2, 3 or 10 chunks at every position, the stream sends exactly the text
    before the secret, then ends with the finding; no character of the secret is sent."""
    for cuts in _splits(text, value):
        _check_blocked(guard, text, cuts)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_ten_random_chunks(guard: OutputPiiGuard, data: st.DataObject) -> None:
    """Any 10 chunks: masked values and secrets hold as above."""
    masked = [(str(p.values[0]), str(p.values[2])) for p in MASKED]
    blocked = [(str(p.values[0]), None) for p in BLOCKED]
    text, hidden = data.draw(st.sampled_from(masked + blocked))
    cuts = data.draw(st.lists(st.integers(1, len(text) - 1), min_size=9, max_size=9, unique=True))
    if hidden is not None:
        _check_masked(guard, text, hidden, cuts)
    else:
        _check_blocked(guard, text, cuts)


def test_nothing_is_sent_after_a_block(guard: OutputPiiGuard) -> None:
    """Once blocked, further pieces and the flush send nothing."""
    stream = guard.stream()
    step = stream.feed(f"key {AWS_KEY_ID} and then some text after it, long enough to pass. ")
    assert step.blocked is not None and step.text == "key "
    assert step.findings == (step.blocked,)
    assert stream.feed("more text") == StreamStep()
    assert stream.flush() == StreamStep()


_CLEAN = st.lists(st.sampled_from([*PROSE, *PLACEHOLDERS]), min_size=1, max_size=6).map(
    lambda sentences: " ".join(sentences)
)


def _random_pieces(data: st.DataObject, text: str, largest: int = 12) -> list[str]:
    pieces = []
    position = 0
    while position < len(text):
        size = data.draw(st.integers(1, largest))
        pieces.append(text[position : position + size])
        position += size
    return pieces


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_CLEAN, data=st.data())
def test_clean_text_arrives_byte_identical(
    guard: OutputPiiGuard, text: str, data: st.DataObject
) -> None:
    """Prose with numbers and placeholders, chunked any way, arrives exactly as sent, with
    no finding."""
    received, steps = _stream(guard.stream(), _random_pieces(data, text))
    assert received[-1] == text
    assert [finding for step in steps for finding in step.findings] == []


_VALUES = [
    RRN,
    PHONE,
    "+82 10 9876 5432",
    "kim.minsu@agency.go.kr",
    "4111 1111 1111 1111",
    "성명: 홍길동",
    "김민수 님",
    "Dr. Jane Park",
    "211.45.190.33",
    "110-123-456789 계좌로",
    AWS_KEY_ID,
    "<PHONE_NUMBER_1>",
    "02-123-4567",
    "900101 1234568",
    "DE89 3704 0044 0532 0130 00",
    "fe80::1",
    "John Smith 님",
    "이도현 팀장님께",
    "password=Ab3dE5gH9jK2mN4pQ",
    "postgres://admin:S3cretPassw0rd@db.internal:5432/app",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "연락처",
    "1588-1234",
    "12",
]
# Joined by spaces, line breaks or nothing at all (values glued to words and to each other).
_MIXED = st.builds(
    lambda parts, joiner: joiner.join(parts),
    st.lists(st.sampled_from([*PROSE, *_VALUES]), min_size=1, max_size=6),
    st.sampled_from([" ", "\n", ""]),
)


def _spans(findings: Sequence[Finding]) -> list[tuple[str, int | None, int | None]]:
    return [(f.type, f.start, f.end) for f in findings]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_MIXED, data=st.data())
def test_a_stream_is_checked_as_the_whole_answer(
    guard: OutputPiiGuard, text: str, data: st.DataObject
) -> None:
    """Chunked any way, a stream sends what checking the whole answer gives, and reports the
    same findings at the same offsets; where the whole answer is blocked, the stream sends
    the text before the first secret and stops there."""
    checked = guard.check(text)
    stream = guard.stream()
    received, steps = _stream(stream, _random_pieces(data, text))
    findings = [finding for step in steps for finding in step.findings]
    if checked.blocked is None:
        assert received[-1] == checked.text
        assert _spans(findings) == _spans(checked.findings)
    else:
        assert stream.blocked is not None
        # Where it starts, and what it is; its end may not have arrived when it blocks.
        assert (stream.blocked.type, stream.blocked.start) == (
            checked.blocked.type,
            checked.blocked.start,
        )
        assert checked.blocked.start is not None
        assert guard.check(text[: checked.blocked.start]).text == received[-1]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1234567890" * 50, id="digits"),
        pytest.param("A" * 500, id="one-long-word"),
        pytest.param(" ".join(PROSE) * 3, id="prose"),
        pytest.param(f"연락처 {PHONE} " * 40, id="values"),
    ],
)
def test_what_is_held_is_bounded_by_the_window(guard: OutputPiiGuard, text: str) -> None:
    """Never more than the window (and the piece that just came) is held back: no answer is
    buffered whole, however it looks."""
    stream = guard.stream()
    for piece in _pieces(text, range(5, len(text), 5)):
        stream.feed(piece)
        assert stream.held <= DEFAULT_WINDOW + len(piece)
    assert PHONE not in "".join(_stream(guard.stream(), _pieces(text, range(7, len(text), 7)))[0])


@pytest.mark.parametrize("text", [p for p in PROSE if p.isascii()])
def test_prose_flows_on_at_once(guard: OutputPiiGuard, text: str) -> None:
    """In prose with numbers only the last words wait: at most a word or two is held."""
    stream = guard.stream()
    for piece in _pieces(text, range(4, len(text), 4)):
        stream.feed(piece)
        assert stream.held <= 24, text


def test_a_smaller_window_holds_less(guard: OutputPiiGuard) -> None:
    """``window`` bounds the hold-back (OUTPUT_STREAM_WINDOW); text still arrives whole."""
    text = " ".join(PROSE)
    stream = guard.stream(window=16)
    sent = ""
    for piece in _pieces(text, range(3, len(text), 3)):
        sent += stream.feed(piece).text
        assert stream.held <= 16 + len(piece)
    assert sent + stream.flush().text == text
    with pytest.raises(ValueError, match="window"):
        guard.stream(window=0)


def test_hold_keeps_back_the_tail_for_another_guard(guard: OutputPiiGuard) -> None:
    """``feed(delta, hold=n)`` never sends the last ``n`` characters fed."""
    text = " ".join(PROSE[:5])
    stream = guard.stream()
    fed = 0
    sent = ""
    for piece in _pieces(text, range(6, len(text), 6)):
        sent += stream.feed(piece, hold=22).text
        fed += len(piece)
        assert len(sent) <= fed - 22 or len(sent) == 0
    assert sent + stream.flush().text == text


def test_findings_carry_offsets_in_the_whole_field(guard: OutputPiiGuard) -> None:
    """A streamed finding's offsets are in the whole text, as for a checked one."""
    text = f"{PROSE[0]} 연락처는 {PHONE} 이고 주민번호는 {RRN} 입니다. {PROSE[14]}"
    _, steps = _stream(guard.stream(), _pieces(text, range(5, len(text), 5)))
    findings = [finding for step in steps for finding in step.findings]
    assert [(f.type, text[f.start : f.end]) for f in findings if f.start is not None] == [
        ("PHONE_NUMBER", PHONE),
        ("KR_RRN", RRN),
    ]


def test_a_long_run_costs_little(guard: OutputPiiGuard) -> None:
    """What is held is found without backtracking: a long run of letters and digits (an
    IBAN's start, then no end) costs a stream little CPU per piece."""

    text = "kr15" + "a1b2c3d4" * 40 + ". The end."
    stream = guard.stream()
    slowest = 0.0
    for piece in _pieces(text, range(5, len(text), 5)):
        started = time.thread_time()
        stream.feed(piece)
        slowest = max(slowest, time.thread_time() - started)
    assert slowest < 0.05
