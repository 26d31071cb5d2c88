"""PII and secrets in the model's answers: the input's recognizers, the policy's own actions.

:class:`OutputPiiGuard` is built once (lifespan) around the same :class:`PiiAnalyzer` that
scans requests, so an answer is read with the same recognizers, checksums and context words.
Per answer text it either checks the whole (:meth:`OutputPiiGuard.check`, a JSON answer) or
makes a :class:`core.scanning.stream.StreamGuard` for a streamed field
(:meth:`OutputPiiGuard.stream`). What happens to a value is the policy's ``output_actions``
(:meth:`core.scanning.policy.Policy.output_action`): by default masked like the input's
``mask`` (``*********5678``), secrets blocked. Findings are scanner ``output_pii``, with the
type, score and span, never the text.

**Cheap on ordinary answers.** The analyzer reads a text around its triggers, and for the
numbers family that is any run of three digits: dates, prices and versions bring every
number recognizer to a 4 KB answer (2.6 ms). :class:`PiiFinder` sends the analyzer only the
windows around a *strict* trigger: a run of nine digits or more (separated by at most three
of ``-. ()+``: every number the recognizers know has nine digits or more, the shortest a
landline ``02-123-4567``), a passport's letter and digits, an IBAN's start, an IPv4
address's four parts or an IPv6 one's two colons (not a clock's one), and the other
families' own triggers as the analyzer has them (``@``, a name's label or title or a
name-like word in running text, a key's prefix or key word), each with the reach around it
that the analyzer gives its family (:data:`REACH` for numbers: the value and its context
words). What the analyzer finds in those windows is what it finds in the whole text
(``tests/core/test_output_pii.py`` checks it on the labelled sets). A 4 KB answer with
dates, prices and versions costs ~20 µs; one with two values ~1.3 ms, nearly all of it
Presidio reading those two windows.

**What a stream holds back** (:meth:`PiiFinder.pending`): the last word (it may grow into an
address or a key; a name may be followed by its title — once whole, a word no title can make
a name, lower-case or one that opens sentences, is not held), a run of digits that may go on, and
from a strict trigger (less :data:`LOOKBACK`: a name before its title) to three words after it
(the words that may still change a number's score). Two values are findings before they are
whole, since they are longer than the window: a private key's ``BEGIN`` line with no ``END``
yet (to the end of the text) and a JWT's first two segments at the end of the text. Values
longer than the window that show nothing of what they are within it (a connection string
whose ``user:password`` part is longer than the window before its ``@``) may pass in part.

**Placeholders pass.** ``<PHONE_NUMBER_1>`` (:mod:`core.pii.pseudonyms`) is the request's own
value, put back after this guard; nothing inside one is a finding.

    >>> guard = OutputPiiGuard.build()
    >>> guard.check("연락처는 010-1234-5678, 담당 <PERSON_1> 님입니다.").text
    '연락처는 *********5678, 담당 <PERSON_1> 님입니다.'
    >>> guard.check("key AKIAIOSFODNN7EXAMPLE").blocked.type
    'AWS_ACCESS_KEY'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Final

import re2
from presidio_analyzer import RecognizerResult

from core.pii.analyzer import (
    _FAMILIES,
    PiiAnalyzer,
    PiiScan,
    build_analyzer,
    join_windows,
    original_offset,
)
from core.pii.entities import NUMBER_ENTITIES, SCAN_LIMIT
from core.pii.masking import Masker
from core.pii.names import FUNCTION_WORDS, NAME_TRIGGER
from core.pii.nlp import context_words
from core.pii.person import RUNNING_NAME_TRIGGER
from core.pii.windows import Windows
from core.scanning.policy import DEFAULT_POLICY, Policy
from core.scanning.stream import DEFAULT_WINDOW, Hit, StreamGuard
from shared.findings import Finding
from shared.rulepack import re2_options

__all__ = [
    "LOOKBACK",
    "REACH",
    "SCANNER",
    "OutputCheck",
    "OutputPiiGuard",
    "PiiFinder",
]

SCANNER: Final = "output_pii"
# Characters around a number's strict trigger given to the analyzer, as the analyzer reads
# around a run of digits: the value (the trigger is in it; an IBAN goes on ~30 characters
# past it) and the 120 characters each side that its context words come from.
REACH: Final = 160
# How far before a trigger its value may begin: a name before its title (up to three Latin
# words, or four Hangul syllables, and a space).
LOOKBACK: Final = 24
# Words after a trigger that may still change a value's score (the analyzer reads three;
# the fourth shows that the third is whole).
_WORDS_AFTER: Final = 4
# Longer than any trigger that is not a run of digits: a trigger begun in text already sent.
_OVERLAP: Final = 32
# How far back a stream looks for a private key's BEGIN line (the context it keeps).
_KEY_LOOKBACK: Final = 200

# Runs of nine digits or more; a passport (M123A4567, M12345678); an IBAN's country, check
# digits and two groups (Presidio's pattern ignores case). Their windows reach REACH.
_NUMBER_TRIGGER: Final = (
    r"[0-9](?:[-. ()+]{0,3}[0-9]){8,}"
    r"|[MSRODmsrod][0-9]{3}"
    r"|[A-Za-z]{2}[0-9]{2}(?:[ -]?[A-Za-z0-9]{4}){2}"
)
# An IPv4 address has four parts; an IPv6 one two colons with hex between, or "::" (the
# analyzer's trigger, one colon, is every clock time).
_IP_TRIGGER: Final = (
    r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]|::"
)


@dataclass(frozen=True, slots=True)
class _Strict:
    """A family's strict trigger and the text around it its recognizers read; ``holds``:
    whether a stream holds the words after it back (:meth:`PiiFinder.pending`)."""

    trigger: re2._Regexp
    before: int
    after: int
    holds: bool = True


def _strict_triggers() -> tuple[_Strict, ...]:
    """The number and IP families' strict triggers, the others' own (core.pii.analyzer)."""
    triggers = [_Strict(re2.compile(_NUMBER_TRIGGER, re2_options()), REACH, REACH)]
    for family in _FAMILIES:
        if set(family.entities) == set(NUMBER_ENTITIES):
            continue
        if family.entities == ["IP_ADDRESS"]:
            trigger = re2.compile(_IP_TRIGGER, re2_options())
        elif family.entities == ["PERSON"]:
            # A name after a label or before a title; a name-like word in running text holds
            # nothing after it: its particle is in its word, and the last words of a stream
            # are held anyway (_last_words).
            triggers.append(
                _Strict(re2.compile(NAME_TRIGGER, re2_options()), family.before, family.after)
            )
            trigger = re2.compile(RUNNING_NAME_TRIGGER, re2_options())
            triggers.append(_Strict(trigger, family.before, family.after, holds=False))
            continue
        else:
            trigger = re2.compile(family.trigger.pattern, re2_options())
        triggers.append(_Strict(trigger, family.before, family.after))
    return tuple(triggers)


_TRIGGERS: Final = _strict_triggers()
# Any strict trigger, in one pass.
_STRICT: Final = re2.compile(
    "|".join(f"(?:{strict.trigger.pattern})" for strict in _TRIGGERS), re2_options()
)
# The strict triggers that hold the words after them back in a stream.
_HOLDING: Final = re2.compile(
    "|".join(f"(?:{strict.trigger.pattern})" for strict in _TRIGGERS if strict.holds),
    re2_options(),
)
# A run of digits still open at the end of the text (it may go on: a separator or two may
# still be followed by digits), or an IBAN's start.
# Each part can be matched one way only: an alphanumeric run is not split into groups in
# every possible way on the way to a failing \Z (that backtracking is exponential).
_OPEN_NUMBER: Final = re.compile(
    r"(?:(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ -]?[A-Za-z0-9]{4})*(?:[ -]?[A-Za-z0-9]{1,3})?"
    r"[ -]?|(?<![0-9])[0-9]+(?:[-. ()+]{1,3}[0-9]+)*[-. ()+]{0,3})\Z"
)
# Only the end of the text matters: what lies more than the window before it goes anyway.
_OPEN_REACH: Final = 96
_DIGIT_NEAR_END: Final = re.compile(r"[0-9][^0-9]{0,14}\Z")
# Words before the last one that may be a name, the last one its title (or the start of
# one): capitalised Latin words, always (a title may still follow), or Hangul of two to
# four syllables when the last word may be a title.
_LATIN_NAME_WORD: Final = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s\Z")
_LATIN_NAME: Final = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")
_HANGUL_NAME_WORD: Final = re.compile(r"(?<![가-힣])[가-힣]{2,4}\s?\Z")
# The Hangul labels and titles of core.pii.names, and every start of one.
_HANGUL_TRIGGERS: Final = frozenset(
    word for word in NAME_TRIGGER.split("|") if word and all("가" <= c <= "힣" for c in word)
)
_LONGEST_TITLE: Final = max(map(len, _HANGUL_TRIGGERS))
_TITLE_STARTS: Final = frozenset(word[:n] for word in _HANGUL_TRIGGERS for n in range(1, len(word)))
_LAST_SPACE: Final = re.compile(r".*\s", re.DOTALL)
_KEY_BEGIN: Final = re.compile(
    r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
)
_KEY_END: Final = re.compile(
    r"-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
)
# A JWT whose signature has not arrived yet, at the end of a streamed text: two segments
# of base64 JSON are one already, and a JWT is longer than the window.
_OPEN_JWT: Final = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_.-]*\Z")
# core.pii.pseudonyms' placeholders.
_PLACEHOLDER: Final = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9]+>")
# Between two windows given to the analyzer in one text (as the analyzer joins its own).
_OPEN_SCORE: Final = 0.95


class PiiFinder:
    """The analyzer, given only the windows around strict triggers; and for a stream, what
    must still be held back. One per process, shared (it keeps no state)."""

    def __init__(self, analyzer: PiiAnalyzer) -> None:
        self._analyzer = analyzer

    def scan(self, text: str) -> PiiScan:
        """What ``analyzer.scan(text)`` finds, read around strict triggers only, less
        anything inside a placeholder, plus a private key block not ended yet."""
        data = text.encode("utf-8", "surrogatepass")
        if _STRICT.search(data) is None:
            return PiiScan([])
        windows = _merged(
            span
            for strict in _TRIGGERS
            for span in Windows(
                text, strict.trigger, before=strict.before, after=strict.after, data=data
            )
        )
        if len(windows) == 1 and windows[0] == (0, len(text)):
            scan = self._analyzer.scan(text)
        else:
            scan = _scan_joined(self._analyzer, text, windows)
        results = scan.results
        if "<" in text and results:
            results = _outside_placeholders(text, results)
        if "PRIVATE KEY" in text:
            results = _with_open_key_blocks(text, results)
        if "eyJ" in text:
            results = _with_open_jwt(text, results)
        return PiiScan(results, scan.stopped_at)

    def pending(self, text: str, start: int) -> int:
        """Where ``text[start:]`` stops being final (see the module doc); ``len(text)`` if all
        of it is."""
        end = len(text)
        hold = _last_words(text, start)
        if _DIGIT_NEAR_END.search(text, max(start, end - 16)) is not None:
            number = _OPEN_NUMBER.search(text, max(0, start - _OVERLAP, end - _OPEN_REACH))
            if number is not None:
                hold = min(hold, _run_start(text, number.start(), 64))
        for trigger_start, trigger_end in _spans(_HOLDING, text, max(0, start - _OVERLAP)):
            if trigger_end <= start:
                continue
            if len(context_words(text, trigger_end, trigger_end, 0, _WORDS_AFTER)) < _WORDS_AFTER:
                hold = min(hold, _run_start(text, max(0, trigger_start - LOOKBACK), 64))
                break  # the first open trigger holds everything after it
        if "PRIVATE KEY" in text:
            for begin in _KEY_BEGIN.finditer(text, max(0, start - _KEY_LOOKBACK)):
                if _KEY_END.search(text, begin.end()) is None:
                    hold = min(hold, begin.start())
                    break
        return hold

    def hot(self, text: str, start: int, end: int) -> bool:
        """Whether a strict trigger ends after ``start`` and starts before ``end`` (a value
        needs one, and lies within :data:`LOOKBACK` before it and a few words after), or
        begins the word ``start`` is in (a long token let through in pieces)."""
        lower = min(max(0, start - _OVERLAP), _run_start(text, start))
        for _, trigger_end in _spans(_STRICT, text, lower, min(len(text), end + LOOKBACK)):
            if trigger_end > start:
                return True
        return False


@dataclass(frozen=True, slots=True)
class OutputCheck:
    """A whole answer text checked: ``text`` as it may be sent (values rewritten), every
    finding (``allow``-ed ones too), and ``blocked``, the first value whose action is
    ``block`` (then nothing of the text may be sent)."""

    text: str
    findings: tuple[Finding, ...] = ()
    blocked: Finding | None = None


class OutputPiiGuard:
    """The output PII and secrets guard: built once, checks answers per the request's
    policy (``output_actions``)."""

    name: ClassVar[str] = SCANNER

    def __init__(self, analyzer: PiiAnalyzer, masker: Masker | None = None) -> None:
        """``analyzer``: the one the input scanner uses; ``masker``: the request side's (its
        hash salt), a plain :class:`Masker` if none."""
        self._finder = PiiFinder(analyzer)
        self._masker = masker or Masker()

    @classmethod
    def build(cls) -> OutputPiiGuard:
        """A guard with its own analyzer (tests, tools; core shares the input's)."""
        return cls(build_analyzer())

    @property
    def finder(self) -> PiiFinder:
        return self._finder

    def check(self, text: str, policy: Policy = DEFAULT_POLICY) -> OutputCheck:
        """``text`` (a JSON answer's field) with its values rewritten per ``policy``."""
        detector = _PolicyDetector(self._finder, self._masker, policy)
        hits = detector.detect(text)
        if not hits:
            return OutputCheck(text)
        findings = tuple(hit.finding for hit in hits)
        blocked = next((hit.finding for hit in hits if hit.action == "block"), None)
        if blocked is not None:
            return OutputCheck("", findings, blocked)
        rewrites = [
            (hit.finding, hit.action)
            for hit in hits
            if hit.action in ("mask", "redact", "hash") and hit.finding.start is not None
        ]
        return OutputCheck(self._masker.apply(text, rewrites), findings)

    def stream(
        self, policy: Policy = DEFAULT_POLICY, *, window: int = DEFAULT_WINDOW
    ) -> StreamGuard:
        """A guard for one streamed field of an answer, per ``policy``."""
        return StreamGuard(_PolicyDetector(self._finder, self._masker, policy), window=window)


class _PolicyDetector:
    """:class:`core.scanning.stream.Detector` of PII and secrets with one policy's actions."""

    def __init__(self, finder: PiiFinder, masker: Masker, policy: Policy) -> None:
        self._finder = finder
        self._masker = masker
        self._policy = policy
        self._actions: dict[str, str] = {}

    def pending(self, text: str, start: int) -> int:
        return self._finder.pending(text, start)

    def hot(self, text: str, start: int, end: int) -> bool:
        return self._finder.hot(text, start, end)

    def detect(self, text: str) -> list[Hit]:
        scan = self._finder.scan(text)
        hits: list[Hit] = []
        if scan.stopped_at is not None:
            finding = Finding(SCANNER, SCAN_LIMIT, 1.0)
            hits.append(Hit(finding, self._action(SCAN_LIMIT)))
        for result in scan.results:
            finding = Finding(
                SCANNER, result.entity_type, round(result.score, 4), result.start, result.end
            )
            hits.append(Hit(finding, self._action(result.entity_type)))
        return hits

    def render(self, hit: Hit, value: str) -> str:
        finding = Finding(hit.finding.scanner, hit.finding.type, hit.finding.score, 0, len(value))
        return self._masker.apply(value, [(finding, hit.action)])

    def _action(self, entity: str) -> str:
        action = self._actions.get(entity)
        if action is None:
            action = self._actions[entity] = self._policy.output_action(entity)
        return action


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans in order, those that overlap or touch made one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _scan_joined(analyzer: PiiAnalyzer, text: str, windows: list[tuple[int, int]]) -> PiiScan:
    """The analyzer's scan of ``windows`` of ``text`` joined in one text, offsets mapped back."""
    joined, offsets = join_windows(text, windows)
    scan = analyzer.scan(joined)
    for result in scan.results:
        result.start = original_offset(offsets, result.start)
        result.end = original_offset(offsets, result.end - 1) + 1
    stopped_at = None if scan.stopped_at is None else original_offset(offsets, scan.stopped_at)
    return PiiScan(scan.results, stopped_at)


def _outside_placeholders(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    spans = [match.span() for match in _PLACEHOLDER.finditer(text)]
    if not spans:
        return results
    return [
        result
        for result in results
        if not any(start <= result.start and result.end <= end for start, end in spans)
    ]


def _with_open_key_blocks(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """``results`` and, for a private key's ``BEGIN`` line that no finding covers, a
    ``PRIVATE_KEY`` finding to its ``END`` line, or to the end of the text."""
    extra = []
    for begin in _KEY_BEGIN.finditer(text):
        if any(r.start <= begin.start() < r.end for r in results):
            continue
        end = _KEY_END.search(text, begin.end())
        extra.append(
            RecognizerResult(
                "PRIVATE_KEY",
                begin.start(),
                len(text) if end is None else end.end(),
                _OPEN_SCORE,
            )
        )
    if not extra:
        return results
    kept = [r for r in results if not any(e.start <= r.start < e.end for e in extra)]
    return sorted([*kept, *extra], key=lambda r: r.start)


def _with_open_jwt(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """``results`` and a ``JWT`` finding for the start of one that ends the text (two of its
    three segments), unless a finding covers it."""
    run = _run_start(text, len(text), reach=2048)
    if "eyJ" not in text[run:]:
        return results
    jwt = _OPEN_JWT.search(text, run)
    if jwt is None or any(r.start <= jwt.start() < r.end for r in results):
        return results
    kept = [r for r in results if r.end <= jwt.start()]
    return [*kept, RecognizerResult("JWT", jwt.start(), len(text), _OPEN_SCORE)]


def _spans(
    pattern: re2._Regexp, text: str, pos: int, endpos: int | None = None
) -> Iterator[tuple[int, int]]:
    """The spans of ``pattern.finditer(text, pos, endpos)``, found faster.

    pyre2 encodes the whole text given it and counts its characters up to ``pos`` on every
    call; a stream's buffer is mostly the text already sent kept as context. This gives RE2
    only ``text[pos - 1 : endpos + 1]``: the character on each side keeps what ``^`` and
    ``\\b`` read there (RE2 has no look-around; these patterns look no further), and as bytes
    when it is ASCII, whose offsets need no mapping back. The two searches of each streamed
    piece (:meth:`PiiFinder.pending`, :meth:`PiiFinder.hot`) went from ~4 µs to ~2 µs each
    on a 260-character buffer, and the guarded chain's cost per event of ``bench.output``'s
    answer, in one process, from 28-32 to 24-25 µs; ``python -m bench.output``'s added
    per-chunk latency moved less than its run-to-run noise (0.09-0.12 ms).
    """
    end = len(text) if endpos is None else min(endpos, len(text))
    first = max(0, pos - 1)
    part = text[first : end + 1]
    data: str | bytes = part.encode("ascii") if part.isascii() else part
    for match in pattern.finditer(data, pos - first, end - first):
        start, stop = match.span()
        yield first + start, first + stop


def _run_start(text: str, position: int, reach: int = 200) -> int:
    """Where the run of non-space characters that ``position`` is in (or ends) begins,
    looking back at most ``reach`` characters."""
    floor = max(0, position - reach)
    space = _LAST_SPACE.match(text, floor, position)
    return floor if space is None else space.end()


def _last_words(text: str, start: int) -> int:
    """Where the last word begins (with its trailing space: a title may follow), or the
    first of the words before it that may be a name (see _LATIN_NAME_WORD)."""
    stripped = len(text.rstrip())
    space = _LAST_SPACE.match(text, start, stripped)
    last = space.end() if space is not None else start
    if stripped < len(text) and not _may_be_name(text[last:stripped]):
        # A whole word ("report ", "Sure. ") that no title can make a name: all is final.
        return len(text)
    cut = last
    for _ in range(2):
        word = _LATIN_NAME_WORD.search(text, max(start, cut - 40), cut)
        if word is None or word.group().rstrip() in FUNCTION_WORDS:
            break  # "The " opens a sentence; it begins no name (core.pii.names)
        cut = word.start()
    if cut == last and last > start and _may_be_title(text[last:stripped]):
        word = _HANGUL_NAME_WORD.search(text, max(start, last - 6), last)
        if word is not None:
            cut = word.start()
    return cut


def _may_be_name(word: str) -> bool:
    """Whether a whole word may be (the end of) a name a title may still follow: a
    capitalised Latin word that opens no sentence, or any word with Hangul in it."""
    if _LATIN_NAME.fullmatch(word) is not None:
        return word not in FUNCTION_WORDS
    return any("가" <= char <= "힣" for char in word)


def _may_be_title(word: str) -> bool:
    """Whether ``word`` is, begins with, or may still grow into a Hangul label or title."""
    if word in _TITLE_STARTS:
        return True
    if not word or not "가" <= word[0] <= "힣":
        return False  # every title is Hangul (the ordinary case: an English word, at once)
    return any(word[:n] in _HANGUL_TRIGGERS for n in range(1, min(len(word), _LONGEST_TITLE) + 1))
