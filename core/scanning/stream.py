"""One streamed text field guarded as it arrives: a bounded hold-back window. Pure: no I/O.

An answer streamed in small pieces may split a value across them (``010-12``, ``34-5678``).
:class:`StreamGuard` holds back the tail of the text that may still be, or still change, a
value, and sends everything before it at once, already rewritten. What is held, the detector
says (:class:`Detector`, see :mod:`core.scanning.output.pii`): the last word (it may grow
into an address or a key), a run of digits that may go on, and around anything that may be a
value, the value and the few words after it that could still change its score. The rule
that bounds it: nothing is held longer than ``window`` characters (``OUTPUT_STREAM_WINDOW``,
64 by default) after it arrived, so no answer is ever buffered whole.

Each step:

* the cut: the text before ``max(pending, end - window)`` goes, the rest waits;
* only when the part that goes (or what is held, if the window forced the cut) may hold a
  value (:meth:`Detector.hot`, one cheap regular-expression pass) is the detector's real
  analysis run, on that part with the text held after it and up to :data:`CONTEXT_KEPT`
  characters sent before it as context; ordinary prose costs no analysis at all;
* a value found across the cut holds the cut back to its start, unless the window forced
  the cut there: then the part of it that goes is sent as ``*`` (a value longer than the
  window, say a long token, is masked piece by piece and the next pieces stay masked);
* a value whose action is ``block`` ends the stream: the step sends the text before the
  value, carries the finding, and nothing more is sent.

Findings carry offsets in the whole field's text, never the text.

    >>> from core.scanning.output.pii import OutputPiiGuard
    >>> guard = OutputPiiGuard.build().stream()
    >>> steps = [guard.feed(piece) for piece in ("전화 010-", "1234-56", "78로 연락 주세요. 감사")]
    >>> "".join(step.text for step in [*steps, guard.flush()])
    '전화 *********5678로 연락 주세요. 감사'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from shared.findings import Finding

__all__ = [
    "CONTEXT_KEPT",
    "DEFAULT_WINDOW",
    "MAX_KEPT",
    "MIN_WINDOW",
    "Detector",
    "Hit",
    "StreamGuard",
    "StreamStep",
]

# At most this many characters are held back after they arrived (OUTPUT_STREAM_WINDOW).
DEFAULT_WINDOW: Final = 64
# A smaller window would cut ordinary values (a phone number, an e-mail address) in pieces.
MIN_WINDOW: Final = 16
# Characters already sent that are kept as context for the analysis: the context enhancer
# reads up to 120 characters before a value (core.pii.nlp), and windows stretch to words.
CONTEXT_KEPT: Final = 200
# A value the window cut stays in the buffer from its start, so that the next pieces are
# still known to be part of it, up to this many characters (a private key block is ~8 KB).
MAX_KEPT: Final = 8800
# Masking actions; "allow" reports, "block" ends the stream.
_REWRITES: Final = frozenset({"mask", "redact", "hash"})
_SPACE: Final = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Hit:
    """A value a detector found (offsets in the text it was given) and its action:
    ``mask``, ``redact``, ``hash``, ``allow`` (reported only) or ``block``."""

    finding: Finding
    action: str


class Detector(Protocol):
    """What the window asks of a detector; every offset is in ``text``."""

    def pending(self, text: str, start: int) -> int:
        """Where the text from ``start`` on stops being final: the start of the first value,
        or context of a value, that more text could still change (``len(text)``: none)."""
        ...

    def hot(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` may hold (part of) a value: if not, it goes as it is."""
        ...

    def detect(self, text: str) -> Sequence[Hit]:
        """The values in ``text``, in order, none overlapping another."""
        ...

    def render(self, hit: Hit, value: str) -> str:
        """What is sent in place of ``value`` (the whole of ``hit``'s span)."""
        ...


@dataclass(frozen=True, slots=True)
class StreamStep:
    """What one piece let through: ``text`` (rewritten) to send now, the ``findings`` first
    seen in it, and ``blocked``, the finding that ended the stream, on the step that did."""

    text: str = ""
    findings: tuple[Finding, ...] = ()
    blocked: Finding | None = None


class StreamGuard:
    """Guards one streamed text field (a choice's ``content``, a tool call's arguments)."""

    def __init__(self, detector: Detector, *, window: int = DEFAULT_WINDOW) -> None:
        if window < 1:
            raise ValueError("window must be at least 1 character")
        self._detector = detector
        self._window = window
        self._buffer = ""  # the text from offset self._base on
        self._base = 0
        self._sent = 0  # the text before this offset has been let through
        self._cut_value: int | None = None  # start of a value the window cut, if any
        self._reported: set[tuple[str, int | None]] = set()
        self._blocked: Finding | None = None

    @property
    def blocked(self) -> Finding | None:
        """The finding that ended the stream, if one did."""
        return self._blocked

    @property
    def held(self) -> int:
        """How many characters fed are not sent yet."""
        return self._base + len(self._buffer) - self._sent

    def feed(self, delta: str, *, hold: int = 0) -> StreamStep:
        """The text that may be sent now that ``delta`` arrived; ``hold`` more characters at
        the end are kept back for another guard of the same text (one that must see what
        follows, e.g. the leakage detector's ``pending``)."""
        if self._blocked is not None or not delta:
            return StreamStep()
        self._buffer += delta
        return self._release(final=False, hold=hold)

    def flush(self) -> StreamStep:
        """The rest of the text, at the end of the field."""
        if self._blocked is not None:
            return StreamStep()
        return self._release(final=True, hold=0)

    def _release(self, *, final: bool, hold: int) -> StreamStep:
        buffer = self._buffer
        start = self._sent - self._base
        end = len(buffer)
        forced = final
        if final:
            cut = end
        else:
            pending = self._detector.pending(buffer, start)
            floor = end - self._window
            forced = pending < floor
            cut = max(start, pending, floor)
        cut = min(cut, end - hold) if hold > 0 else cut
        if cut <= start:
            return StreamStep()
        if self._cut_value is None and not self._detector.hot(
            buffer, start, end if forced else cut
        ):
            self._advance(cut)
            return StreamStep(buffer[start:cut])
        return self._settle(buffer, start, cut, forced)

    def _settle(self, buffer: str, start: int, cut: int, forced: bool) -> StreamStep:
        """The part ``[start, cut)`` with the detector's values in it rewritten."""
        hits = self._detector.detect(buffer)
        # A value across the cut waits whole; if the window forced the cut, a value that
        # text follows already goes whole, and one still growing goes in pieces.
        for hit in hits:
            finding = hit.finding
            if (
                finding.start is None
                or finding.end is None
                or not finding.start < cut < finding.end
            ):
                continue
            if not forced and finding.start >= start:
                cut = finding.start
            elif forced and finding.end < len(buffer):
                cut = finding.end
            break
        if cut <= start:
            return StreamStep()
        parts: list[str] = []
        findings: list[Finding] = []
        done = start  # the part before this is in `parts`
        cut_value: int | None = None
        for hit in hits:
            finding = hit.finding
            if finding.start is None or finding.end is None:  # no span: the whole text
                findings.extend(self._report(hit, self._base))
                if hit.action == "block":
                    return self._block(finding, "".join(parts), findings)
                continue
            if finding.end <= start or finding.start >= cut:
                continue  # sent before, or waits
            first = max(finding.start, start)
            last = min(finding.end, cut)
            findings.extend(self._report(hit, self._base))
            if hit.action == "block":
                parts.append(buffer[done:first])
                return self._block(finding, "".join(parts), findings)
            parts.append(buffer[done:first])
            if hit.action not in _REWRITES:
                parts.append(buffer[first:last])
            elif first == finding.start and last == finding.end:
                parts.append(self._detector.render(hit, buffer[first:last]))
            else:  # a piece of a value the window cut
                parts.append("*" * (last - first))
            done = last
            if finding.end > cut:
                cut_value = self._base + finding.start
        if self._cut_value is not None and not any(_covers(hit, start) for hit in hits):
            # The rest of a value the window cut that the detector no longer sees whole (a
            # token grown past its pattern's longest): masked to its end (whitespace).
            rest = _SPACE.search(buffer, start, cut)
            last = rest.start() if rest is not None else cut
            if done == start and last > start:
                parts.append("*" * (last - start))
                done = last
                if rest is None:
                    cut_value = self._cut_value
        parts.append(buffer[done:cut])
        self._cut_value = cut_value
        self._advance(cut)
        return StreamStep("".join(parts), tuple(findings))

    def _report(self, hit: Hit, base: int) -> list[Finding]:
        """``hit``'s finding with offsets in the whole field, the first time it is seen."""
        finding = hit.finding
        start = None if finding.start is None else base + finding.start
        key = (finding.type, start)
        if key in self._reported:
            return []
        self._reported.add(key)
        if finding.start is None or finding.end is None:
            return [finding]
        return [dataclasses.replace(finding, start=start, end=base + finding.end)]

    def _block(self, finding: Finding, text: str, findings: list[Finding]) -> StreamStep:
        start = finding.start
        self._blocked = (
            finding
            if start is None or finding.end is None
            else dataclasses.replace(
                finding, start=self._base + start, end=self._base + finding.end
            )
        )
        self._buffer = ""
        return StreamStep(text, tuple(findings), self._blocked)

    def _advance(self, cut: int) -> None:
        """Marks the text before ``cut`` sent; keeps what the analysis needs of it."""
        self._sent = self._base + cut
        keep_from = cut - CONTEXT_KEPT
        if self._cut_value is not None:
            keep_from = min(keep_from, self._cut_value - self._base)
        keep_from = max(keep_from, cut - MAX_KEPT)
        if keep_from <= 0:
            return
        space = _SPACE.search(self._buffer, keep_from, cut)
        drop = space.end() if space is not None else keep_from
        self._buffer = self._buffer[drop:]
        self._base += drop


def _covers(hit: Hit, position: int) -> bool:
    finding = hit.finding
    return (
        finding.start is not None
        and finding.end is not None
        and finding.start < position <= finding.end
    )
