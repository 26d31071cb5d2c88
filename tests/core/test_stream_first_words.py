"""A streamed answer's first words flow at once: a capitalised word that opens a sentence
("The", "Sure") is no name, so the guard does not hold it back for a title that may follow;
a real name before its title is still masked wherever the stream is cut."""

from __future__ import annotations

import pytest

from core.lifecycle.guard import OutputScanners, Prepared
from core.lifecycle.output import SseAnswer
from core.lifecycle.run import output_chain
from core.pii.analyzer import build_analyzer
from core.pii.names import AegisPersonRecognizer
from core.scanning.output.leakage import LeakageGuard
from core.scanning.output.pii import OutputPiiGuard
from core.scanning.policy import DEFAULT_POLICY
from core.scanning.stream import DEFAULT_WINDOW
from tests.core.test_output_guard_chain import (
    CANARIES,
    _choice,
    _content,
    _event,
    _exchange,
    _parse,
)


@pytest.fixture(scope="module")
def scanners() -> OutputScanners:
    return OutputScanners(
        OutputPiiGuard(build_analyzer()), DEFAULT_WINDOW, LeakageGuard(), CANARIES
    )


def _stream(scanners: OutputScanners, text: str, size: int) -> list[str]:
    """The text the client has after each piece of ``size`` characters, and at the end."""
    exchange = _exchange()
    answer = SseAnswer(output_chain(scanners.member(exchange, DEFAULT_POLICY, Prepared()), None))
    sent = b""
    seen = []
    for i in range(0, len(text), size):
        sent += answer.feed(_event([_choice({"content": text[i : i + size]})]))
        seen.append(_content(_parse(sent)))
    sent += answer.feed(_event([_choice({"content": ""}, "stop")]) + b"data: [DONE]\n\n")
    seen.append(_content(_parse(sent)))
    return seen


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The quarterly report shows revenue grew.", "The "),
        ("Sure. Here is the summary you asked for.", "Sure. "),
        ("Yes, the office opens in March.", "Yes, "),
    ],
)
def test_the_first_word_of_a_sentence_is_sent_with_the_first_piece(
    scanners: OutputScanners, text: str, first: str
) -> None:
    seen = _stream(scanners, text, 6)
    assert seen[0] == first
    assert seen[-1] == text


@pytest.mark.parametrize("size", [1, 2, 3, 5, 6, 7])
def test_a_name_before_its_title_is_never_sent_whatever_the_cut(
    scanners: OutputScanners, size: int
) -> None:
    text = "The report is from John Smith 씨 and Laura Chen 님, sent today."
    for offset in range(size):
        seen = _stream(scanners, "." * offset + text, size)
        assert all("John" not in s and "Smith" not in s and "Laura" not in s for s in seen), seen
        assert seen[-1].endswith("sent today.")


def test_a_function_word_before_a_name_is_not_part_of_it() -> None:
    results = AegisPersonRecognizer().analyze("The Smith 씨가 왔습니다.", ["PERSON"])
    assert [("The Smith 씨가 왔습니다."[r.start : r.end]) for r in results] == ["Smith"]
