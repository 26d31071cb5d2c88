"""The parts of a text worth analysing: windows around a trigger's matches, found lazily.

Recognizers only match near their family's trigger (a run of digits, "@", a label), so the
analyzer reads the text around the triggers, not all of it. :class:`Windows` finds those
spans in one pass over the text, in time linear in its length however many triggers it
holds, and hands them out as it goes, so that an analysis that stops early (its budget
spent, see :mod:`core.pii.analyzer`) has not paid for the rest:

* a window is ``before`` characters before a match to ``after`` characters after it,
  stretched to whole words (a number cut in two could match as a shorter one); windows
  closer than :data:`MERGE_GAP` are one;
* matches inside a window already open are skipped by searching on from near its end, and
  where triggers are dense the search jumps to one near the furthest that still joins the
  window, instead of visiting each (a text of nothing but triggers has a million);
* a window longer than ``piece`` characters is handed out in pieces that share ``overlap``
  characters (more than any value and its context words), cut at whitespace.

RE2's Python wrapper converts a ``str`` to UTF-8 and counts characters up to the start
position on every search, which is quadratic over a text's matches; :class:`_Search` gives
it the UTF-8 once and converts offsets as the search moves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, TypeAlias

import re2

__all__ = ["AFTER_KEY_BLOCK", "MERGE_GAP", "Trigger", "Windows"]

Trigger: TypeAlias = re.Pattern[str] | re2._Regexp

MERGE_GAP: Final = 64
# A private key block is up to 8 KB: its window reaches past all of it.
AFTER_KEY_BLOCK: Final = 8600
_KEY_BLOCK: Final = "PRIVATE KEY"
# A window never grows more than this to reach whole words.
_WORD_STRETCH: Final = 200
# Longer than any trigger except a digit run, whose search finds its rest anyway.
_LONGEST_TRIGGER: Final = 32
# Where triggers are dense, a match this close to the furthest start that still joins the
# window is looked for first: found, every match before it is inside the window.
_PROBE: Final = 32
_LAST_SPACE: Final = re.compile(r".*\s", re.DOTALL)
_NOT_SPACE: Final = re.compile(r"\S*")


class Windows:
    """The ``[start, end)`` spans around ``trigger``'s matches in ``text``, in order (see the
    module doc); ``data`` is the text's UTF-8, when the caller has it already.

    >>> list(Windows("call 010-1234-5678 now", re.compile("[0-9]{3,}"), before=8, after=8))
    [(0, 22)]
    """

    def __init__(
        self,
        text: str,
        trigger: Trigger,
        *,
        before: int,
        after: int,
        piece: int | None = None,
        overlap: int = 0,
        data: bytes | None = None,
    ) -> None:
        self._text = text
        self._trigger = trigger
        self._before = before
        self._after = after
        self._piece = piece or len(text) + 1
        self._overlap = overlap
        self._data = data

    def __iter__(self) -> Iterator[tuple[int, int]]:
        text, before, after = self._text, self._before, self._after
        search = _Search(self._trigger, text, self._data)
        blocks = _KEY_BLOCK in self._trigger.pattern
        start = end = -1  # the window open, if any
        position = 0
        while (span := search(position)) is not None:
            reach = AFTER_KEY_BLOCK if text[span[0] : span[1]] == _KEY_BLOCK else after
            first = _word_start(text, max(0, span[0] - before))
            last = _word_end(text, min(len(text), span[1] + reach))
            dense = end >= 0 and first <= end + MERGE_GAP
            if dense:
                end = max(end, last)
            else:
                if end >= 0:
                    yield from self._cut(start, end)
                start, end = first, last
            # A match ending before the window's end less `after` adds nothing to it: search
            # on from there, or, where matches come close together, from one close to the
            # furthest start that still joins the window, when there is one.
            position = max(span[0] + 1, end - after - _LONGEST_TRIGGER)
            joins = end + MERGE_GAP + before
            while dense and joins - _PROBE > position and end - start <= self._piece:
                probe = search(joins - _PROBE, joins)
                if probe is None:
                    break
                if probe[1] == joins:  # cut short by the bound: the whole match
                    probe = search(probe[0]) or probe
                end = max(end, _word_end(text, min(len(text), probe[1] + after)))
                position = max(probe[0] + 1, end - after - _LONGEST_TRIGGER)
                joins = end + MERGE_GAP + before
            # A key block skipped over (one starting before `position`) reaches further.
            while (
                blocks
                and (block := text.rfind(_KEY_BLOCK, span[0] + 1, position + len(_KEY_BLOCK) - 1))
                >= 0
            ):
                last = _word_end(text, min(len(text), block + len(_KEY_BLOCK) + AFTER_KEY_BLOCK))
                if last <= end:
                    break
                end = last
                position = max(position, end - after - _LONGEST_TRIGGER)
            # Hand out the finished pieces of a long window now.
            while end - start > self._piece:
                piece, start = self._next_cut(start)
                yield piece
        if end >= 0:
            yield from self._cut(start, end)

    def _cut(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        while end - start > self._piece:
            piece, start = self._next_cut(start)
            yield piece
        yield start, end

    def _next_cut(self, start: int) -> tuple[tuple[int, int], int]:
        """The piece starting at ``start``, and where the next one starts."""
        cut = _word_start(self._text, start + self._piece)
        if cut <= start + self._overlap:  # no whitespace near: cut mid-word
            cut = start + self._piece
        return (start, cut), max(start + 1, _word_start(self._text, cut - self._overlap))


def _word_start(text: str, position: int) -> int:
    """``position`` moved back to the start of its word (at most _WORD_STRETCH)."""
    floor = max(0, position - _WORD_STRETCH)
    space = _LAST_SPACE.match(text, floor, position)
    return floor if space is None else space.end()


def _word_end(text: str, position: int) -> int:
    """``position`` moved on to the end of its word (at most _WORD_STRETCH)."""
    word = _NOT_SPACE.match(text, position, min(len(text), position + _WORD_STRETCH))
    return position if word is None else word.end()


class _Search:
    """``trigger.search(text, position, endpos)``, with RE2 given the text's UTF-8 once
    (see the module doc); offsets in characters, converted from the last one converted,
    so a search that moves on through the text costs time linear in it."""

    def __init__(self, trigger: Trigger, text: str, data: bytes | None = None) -> None:
        self._text = text
        self._data = b""
        if isinstance(trigger, re.Pattern):
            self._python: re.Pattern[str] | None = trigger
        else:
            self._python = None
            self._re2 = trigger
            self._data = text.encode("utf-8", "surrogatepass") if data is None else data
        self._ascii = len(self._data) == len(text)
        self._char = self._byte = 0  # the last offsets converted, in characters and bytes

    def __call__(self, position: int, endpos: int | None = None) -> tuple[int, int] | None:
        end = len(self._text) if endpos is None else min(endpos, len(self._text))
        if position >= end:
            return None
        if self._python is not None:
            match = self._python.search(self._text, position, end)
            return None if match is None else match.span()
        if self._ascii:
            found = self._re2.search(self._data, position, end)
            return None if found is None else found.span()
        high = len(self._data) if end == len(self._text) else self._to_byte(end)
        found = self._re2.search(self._data, self._to_byte(position), high)
        if found is None:
            return None
        return self._to_char(found.start()), self._to_char(found.end())

    def _to_byte(self, char: int) -> int:
        if char >= self._char:
            self._byte += len(self._text[self._char : char].encode("utf-8", "surrogatepass"))
        else:
            self._byte -= len(self._text[char : self._char].encode("utf-8", "surrogatepass"))
        self._char = char
        return self._byte

    def _to_char(self, byte: int) -> int:
        if byte >= self._byte:
            self._char += len(self._data[self._byte : byte].decode("utf-8", "surrogatepass"))
        else:
            self._char -= len(self._data[byte : self._byte].decode("utf-8", "surrogatepass"))
        self._byte = byte
        return self._char
