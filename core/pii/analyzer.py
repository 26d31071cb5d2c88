"""The PII analyzer: Presidio's ``AnalyzerEngine``, offline, Korean recognizers for every text.

:func:`build_analyzer` makes it once at start: no NLP pipeline (nothing downloaded, no
tokenising; context words are read from the text, see :mod:`core.pii.nlp`), and the
project's recognizers registered alike for ``en`` and ``ko``, so that a Korean number in an
English sentence (or the reverse) is found whatever language a text is analysed in.
Findings below ``FINDING_SCORE`` are candidates, not findings.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import re2
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.predefined_recognizers import IbanRecognizer

from core.pii.entities import NUMBER_ENTITIES, SECRET_ENTITIES
from core.pii.names import NAME_TRIGGER, AegisPersonRecognizer
from core.pii.nlp import LANGUAGES, WINDOW_SEPARATOR, TextNlpEngine, WordContextEnhancer
from core.pii.person import RUNNING_NAME_TRIGGER, AegisRunningNameRecognizer
from core.pii.recognizers import (
    AegisCreditCardRecognizer,
    AegisEmailRecognizer,
    AegisIpRecognizer,
    AegisKrBankAccountDigitsRecognizer,
    AegisKrBankAccountRecognizer,
    AegisKrBrnRecognizer,
    AegisKrDriverLicenseRecognizer,
    AegisKrFrnRecognizer,
    AegisKrHealthInsuranceRecognizer,
    AegisKrPassportRecognizer,
    AegisKrPhoneRecognizer,
    AegisKrRrnRecognizer,
    AegisUsSsnRecognizer,
)
from core.pii.secrets import secret_recognizers
from core.pii.windows import AFTER_KEY_BLOCK, Trigger, Windows
from shared.rulepack import re2_options

__all__ = [
    "FINDING_SCORE",
    "PiiAnalyzer",
    "PiiScan",
    "build_analyzer",
    "candidate_windows",
    "join_windows",
    "original_offset",
    "work_budget",
]

FINDING_SCORE: Final = 0.5


def _language_only(cls: Callable[..., EntityRecognizer]) -> Callable[[str], EntityRecognizer]:
    return lambda language: cls(supported_language=language)


_RECOGNIZERS: Final[Sequence[Callable[[str], EntityRecognizer]]] = (
    AegisKrRrnRecognizer,
    AegisKrFrnRecognizer,
    AegisKrPhoneRecognizer,
    AegisKrBrnRecognizer,
    AegisKrPassportRecognizer,
    AegisKrDriverLicenseRecognizer,
    AegisKrBankAccountDigitsRecognizer,
    AegisKrBankAccountRecognizer,
    AegisKrHealthInsuranceRecognizer,
    AegisEmailRecognizer,
    AegisPersonRecognizer,
    AegisRunningNameRecognizer,
    AegisCreditCardRecognizer,
    AegisIpRecognizer,
    _language_only(IbanRecognizer),
    AegisUsSsnRecognizer,
)


# What the recognizers of a family need to see before they can match: a run of three digits
# (every number recognised has one), "@" (e-mail), a dotted quad's start or IPv6 colons, the
# fixed prefixes of tokens and keys and the key words of the generic secret, a name's labels
# and titles.
_KEY_MARKERS: Final = (
    r"AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|eyJ|PRIVATE KEY|://|"
    r"(?i:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential)|"
    r"비밀번호|패스워드|비번|토큰|시크릿|인증키|api키"
)
_IP_TRIGGER: Final = r"[0-9]\.[0-9]{1,3}\.[0-9]|[0-9A-Fa-f]:[0-9A-Fa-f]|::"


@dataclass(frozen=True, slots=True)
class _Family:
    """Recognizers that share a trigger, and how much text around a trigger they need.

    Each family analyses only the windows around its own triggers, so a long text full of
    phone numbers is not also read through by the e-mail, IP and secret patterns.
    """

    entities: list[str]
    trigger: Trigger
    before: int  # characters of context before a trigger (the enhancer reads 120)
    after: int  # characters of value and context after it
    # At most this many characters per call into the engine (the budget is checked between
    # calls); a longer window is cut into pieces sharing ``overlap`` characters: more than
    # a value and its context words.
    piece: int = 4096
    overlap: int = 640


_FAMILIES: Final = (
    _Family(
        entities=list(NUMBER_ENTITIES),
        trigger=re2.compile(r"[0-9]{3,}", re2_options()),
        before=160,
        after=160,
    ),
    # An address has no spaces, and windows are stretched to whitespace: a few characters
    # on each side of "@" reach all of it.
    _Family(entities=["EMAIL_ADDRESS"], trigger=re2.compile("@", re2_options()), before=8, after=8),
    _Family(
        entities=["IP_ADDRESS"],
        trigger=re2.compile(_IP_TRIGGER, re2_options()),
        before=64,
        after=48,
    ),
    # A name sits right after its label or before its title, or is a name-like word in
    # running text (core.pii.person: a surname syllable and two more, two capitalised words).
    _Family(
        entities=["PERSON"],
        trigger=re2.compile(f"{NAME_TRIGGER}|{RUNNING_NAME_TRIGGER}", re2_options()),
        before=24,
        after=40,
    ),
    # A private key block is up to 8 KB: pieces overlap by more than that.
    _Family(
        entities=list(SECRET_ENTITIES),
        trigger=re2.compile(_KEY_MARKERS, re2_options()),
        before=160,
        after=160,
        piece=32768,
        overlap=AFTER_KEY_BLOCK + 320,
    ),
)
# Any family's trigger, in one RE2 pass (~2 µs per KB of prose; Python's re takes ~260 µs
# on this alternation): a text without any (most prose) never reaches Presidio.
_CANDIDATE: Final = re2.compile(
    "|".join(f"(?:{family.trigger.pattern})" for family in _FAMILIES), re2_options()
)
# Between two windows analysed in one call: no pattern matches across a line break, a unit
# separator and a line break, and context words stop at the unit separator (core.pii.nlp).
_SEPARATOR: Final = "\n" + WINDOW_SEPARATOR + "\n"


class PiiAnalyzer:
    """Finds PII in a text; one Presidio engine, built once."""

    def __init__(self, engine: AnalyzerEngine) -> None:
        self._engine = engine

    def analyze(self, text: str) -> list[RecognizerResult]:
        """Findings (score >= FINDING_SCORE), with offsets exact in ``text``: :meth:`scan`'s."""
        return self.scan(text).results

    def scan(self, text: str) -> PiiScan:
        """Findings (score >= FINDING_SCORE), with offsets exact in ``text``, and where the
        analysis stopped if the text's work budget ran out first.

        A text with no candidate at all (see :data:`_CANDIDATE`) costs one RE2 pass. Else
        each family of recognizers analyses the windows around its own triggers
        (:class:`core.pii.windows.Windows`), joined into one text a few kilobytes at a
        time: a long document with a phone number near its end is read around that number
        only. Each piece is charged to the text's budget (:func:`work_budget`); once it is
        spent the rest is not read, and :attr:`PiiScan.stopped_at` says from where.
        """
        data = text.encode("utf-8", "surrogatepass")
        if _CANDIDATE.search(data) is None:
            return PiiScan([])
        deadline = time.thread_time() + work_budget(len(text))
        stopped_at: int | None = None
        results: list[RecognizerResult] = []
        for family in _FAMILIES:
            windows = Windows(
                text,
                family.trigger,
                before=family.before,
                after=family.after,
                piece=family.piece,
                overlap=family.overlap,
                data=data,
            )
            for group in _groups(windows, family.piece):
                if time.thread_time() >= deadline:
                    first = group[0][0]
                    stopped_at = first if stopped_at is None else min(stopped_at, first)
                    break
                joined, offsets = join_windows(text, group)
                found = self._engine.analyze(
                    text=joined,
                    language="ko",
                    entities=family.entities,
                    score_threshold=FINDING_SCORE,
                )
                for result in found:
                    result.start = original_offset(offsets, result.start)
                    result.end = original_offset(offsets, result.end - 1) + 1
                    results.append(result)
        return PiiScan(_without_overlaps(results), stopped_at)


@dataclass(frozen=True, slots=True)
class PiiScan:
    """What :meth:`PiiAnalyzer.scan` found in one text.

    ``stopped_at`` is ``None`` when every candidate was analysed; else the text from that
    offset on holds candidates that were not (the text's work budget was spent), and
    may hold values not found.
    """

    results: list[RecognizerResult]
    stopped_at: int | None = None


# The CPU time (of the thread analysing) a text may cost: a floor that no ordinary text
# comes near, and beyond it a share per character, so that the cost of any text grows
# linearly with its length, whatever it holds (python -m bench.hostile measures it). Costs
# per character differ a hundredfold between shapes of text (backtracking, validation per
# value), so the meter is the clock, not an estimate; an ordinary text never comes near its
# budget, so its findings never depend on the machine's speed.
#
# The densest ordinary text we know, 64 KB with a value every 60 characters, takes ~40 ms on
# a quick machine and 90-155 ms on the 2-core VM (2026-12-07): a 0.1 s floor, then a 0.15 s
# one, cut it short (a false PII_SCAN_LIMIT block), so texts up to 512 KB get 0.2 s. From
# there the floor is 0.15 s: a group of windows may run ~30 ms past the deadline, and
# issue 12 bounds a hostile megabyte at 0.2 s (0.2 s floor: 201-232 ms per MB measured).
BUDGET_FLOOR_S: Final = 0.2
FLOOR_CHARS: Final = 512 * 1024
LARGE_FLOOR_S: Final = 0.15
BUDGET_PER_CHAR_S: Final = 100e-9


def work_budget(length: int) -> float:
    """Seconds of CPU time the analysis of a text of ``length`` characters may take.

    >>> [round(work_budget(n), 3) for n in (10_000, 512 * 1024, 1_000_000, 3_000_000)]
    [0.2, 0.2, 0.15, 0.3]
    """
    if length <= FLOOR_CHARS:
        return BUDGET_FLOOR_S
    return max(LARGE_FLOOR_S, BUDGET_PER_CHAR_S * length)


def candidate_windows(
    text: str, trigger: Trigger = _CANDIDATE, before: int = 160, after: int = 160
) -> list[tuple[int, int]]:
    """``[start, end)`` spans of ``text`` around ``trigger``'s matches, merged and in order.

    >>> candidate_windows("no numbers here")
    []
    >>> candidate_windows("call 010-1234-5678")
    [(0, 18)]
    """
    return list(Windows(text, trigger, before=before, after=after))


def _groups(windows: Iterable[tuple[int, int]], piece: int) -> Iterator[list[tuple[int, int]]]:
    """The windows in groups of at most ``piece`` characters joined, in order."""
    group: list[tuple[int, int]] = []
    size = 0
    for span in windows:
        length = span[1] - span[0] + len(_SEPARATOR)
        if group and size + length > piece:
            yield group
            group, size = [], 0
        group.append(span)
        size += length
    if group:
        yield group


def join_windows(text: str, windows: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The windows' text joined by :data:`_SEPARATOR`, and for each window (its offset in
    the joined text, its offset in ``text``)."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = 0
    for start, end in windows:
        if parts:
            parts.append(_SEPARATOR)
            position += len(_SEPARATOR)
        offsets.append((position, start))
        parts.append(text[start:end])
        position += end - start
    return "".join(parts), offsets


def original_offset(offsets: list[tuple[int, int]], position: int) -> int:
    """``position`` in the joined text (:func:`join_windows`) as an offset in the original
    text; a position in a separator maps to the end of the window before it."""
    index = max(0, bisect.bisect_right(offsets, position, key=lambda offset: offset[0]) - 1)
    joined_start, start = offsets[index]
    return start + max(0, position - joined_start)


def _without_overlaps(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Where findings overlap, the strongest (then the longest) wins: one span, one entity,
    so a GitHub token is not also a generic secret and masking never overlaps itself.

    Findings are taken apart into clusters that overlap among themselves (most are alone),
    and each cluster is settled on its own: the same outcome as settling all at once, in
    time that grows with the findings' number, not its square."""
    kept: list[RecognizerResult] = []
    cluster: list[RecognizerResult] = []
    reach = -1
    for result in sorted(results, key=lambda r: (r.start, r.end)):
        if cluster and result.start >= reach:
            kept.extend(_settle(cluster))
            cluster = []
        cluster.append(result)
        reach = max(reach, result.end) if len(cluster) > 1 else result.end
    kept.extend(_settle(cluster))
    return kept


def _settle(results: list[RecognizerResult]) -> list[RecognizerResult]:
    if len(results) < 2:
        return results
    kept: list[RecognizerResult] = []  # in order of start, none overlapping
    starts: list[int] = []
    for result in sorted(results, key=lambda r: (-r.score, r.start - r.end, r.start)):
        index = bisect.bisect_right(starts, result.start)
        if index and kept[index - 1].end > result.start:
            continue
        if index < len(kept) and kept[index].start < result.end:
            continue
        kept.insert(index, result)
        starts.insert(index, result.start)
    return kept


# A value or trigger of every family, so that every recognizer runs once.
_WARMUP_TEXT: Final = (
    "성명: 홍길동, 김민수 님, Dr. Jane Park. 주민번호 900101-1234568, 010-1234-5678, "
    "hong@example.com, 192.168.0.1, DE89 3704 0044 0532 0130 00, password=Ab3dE5gH9jK2mN4p"
)


def build_analyzer() -> PiiAnalyzer:
    """The analyzer, built and warmed up once per process (a second or so)."""
    # Presidio logs every analysis at INFO and decision details (with text) at DEBUG: our
    # logs carry hashes and metadata only.
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(name).setLevel(logging.WARNING)
    nlp_engine = TextNlpEngine()
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    for language in LANGUAGES:
        for make in _RECOGNIZERS:
            registry.add_recognizer(make(language))
        for recognizer in secret_recognizers(language):
            registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=list(LANGUAGES),
        # Korean puts the telling word after the value as often as before it
        # ("110-123-456789로 입금"): look 5 tokens back and 3 ahead.
        context_aware_enhancer=WordContextEnhancer(context_prefix_count=5, context_suffix_count=3),
    )
    analyzer = PiiAnalyzer(engine)
    # Presidio compiles each pattern on its first use: do it now, not in a request's budget.
    analyzer.analyze(_WARMUP_TEXT)
    return analyzer
