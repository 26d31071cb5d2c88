"""The windows the PII analyzer reads: around every trigger, whole, in pieces that overlap."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from core.pii.analyzer import _FAMILIES
from core.pii.windows import AFTER_KEY_BLOCK, Windows

# Pieces of text that trigger one family or another, alone, repeated or glued together.
_PIECES = [
    "a",
    " ",
    "1",
    "23",
    "456",
    "@",
    "성명: ",
    "님",
    "Dr. ",
    "password=",
    "PRIVATE KEY",
    "x" * 50,
    "   ",
    "홍길동",
    "1.2.3.4",
    "::",
    "\n",
    "010-1234-5678 ",
    "a@b.co",
]


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(_PIECES) * rng.choice([1, 1, 1, 5, 30]) for _ in range(rng.randrange(1, 300))
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("family", _FAMILIES, ids=[family.entities[0] for family in _FAMILIES])
def test_every_trigger_is_read_with_its_context(family) -> None:  # type: ignore[no-untyped-def]
    """Whatever the triggers' density, each match's ``before`` characters and ``after``
    characters (a key block's whole reach) lie inside one window."""
    for text in _random_texts(400, seed=len(family.entities)):
        windows = list(Windows(text, family.trigger, before=family.before, after=family.after))
        assert windows == sorted(windows)
        assert all(a[1] + 64 < b[0] for a, b in itertools.pairwise(windows))
        for match in family.trigger.finditer(text):
            reach = AFTER_KEY_BLOCK if match.group() == "PRIVATE KEY" else family.after
            low = max(0, match.start() - family.before)
            high = min(len(text), match.end() + reach)
            assert any(start <= low and high <= end for start, end in windows), (text, match)


def test_a_long_window_comes_in_overlapping_pieces_cut_at_whitespace() -> None:
    """A window longer than a piece is handed out in pieces of at most that size, each
    sharing ``overlap`` characters or more with the next, cut between words."""
    text = " ".join(f"{n:07d}" for n in range(20_000))  # one window of 160 KB
    pieces = list(
        Windows(text, re.compile("[0-9]{3,}"), before=160, after=160, piece=4096, overlap=640)
    )
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    for (start, end), (next_start, next_end) in itertools.pairwise(pieces):
        assert end - start <= 4096 and next_start <= end - 640 and next_end > end
        assert text[end - 1] == " " and (next_start == 0 or text[next_start - 1] == " ")


def test_windows_are_found_lazily() -> None:
    """The first piece of a megabyte of triggers is handed out before the rest is searched:
    an analysis that stops early has not paid for the rest."""
    text = "성명: " * 300_000
    family = next(family for family in _FAMILIES if family.entities == ["PERSON"])
    windows = iter(Windows(text, family.trigger, before=24, after=40, piece=4096, overlap=640))
    first = next(windows)
    assert first[0] == 0 and first[1] <= 4096
