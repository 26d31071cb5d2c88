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
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import re2
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.predefined_recognizers import IbanRecognizer

from core.pii.entities import NUMBER_ENTITIES, SECRET_ENTITIES
from core.pii.names import NAME_TRIGGER, AegisPersonRecognizer
from core.pii.nlp import LANGUAGES, WINDOW_SEPARATOR, TextNlpEngine, WordContextEnhancer
from core.pii.recognizers import (
    AegisCreditCardRecognizer,
    AegisEmailRecognizer,
    AegisIpRecognizer,
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
from shared.rulepack import re2_options

__all__ = ["FINDING_SCORE", "PiiAnalyzer", "build_analyzer", "candidate_windows"]

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
    AegisKrBankAccountRecognizer,
    AegisKrHealthInsuranceRecognizer,
    AegisEmailRecognizer,
    AegisPersonRecognizer,
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
    trigger: re.Pattern[str] | re2._Regexp
    before: int  # characters of context before a trigger (the enhancer reads 120)
    after: int  # characters of value and context after it


_FAMILIES: Final = (
    _Family(
        entities=list(NUMBER_ENTITIES),
        # Python's re: a plain class is fast there, and RE2's wrapper costs microseconds per
        # match, which a table of numbers has by the hundred.
        trigger=re.compile(r"[0-9]{3,}"),
        before=160,
        after=160,
    ),
    # An address has no spaces, and windows are stretched to whitespace: a few characters
    # on each side of "@" reach all of it.
    _Family(entities=["EMAIL_ADDRESS"], trigger=re.compile("@"), before=8, after=8),
    _Family(entities=["IP_ADDRESS"], trigger=re.compile(_IP_TRIGGER), before=64, after=48),
    # A name sits right after its label or before its title.
    _Family(
        entities=["PERSON"], trigger=re2.compile(NAME_TRIGGER, re2_options()), before=24, after=40
    ),
    _Family(
        entities=list(SECRET_ENTITIES),
        trigger=re2.compile(_KEY_MARKERS, re2_options()),
        before=160,
        after=160,
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
        """Findings (score >= FINDING_SCORE), with offsets exact in ``text``.

        A text with no candidate at all (see :data:`_CANDIDATE`) costs one RE2 pass. Else
        each family of recognizers analyses the windows around its own triggers, joined
        into one text: a long document with a phone number near its end is read around
        that number only. Windows reach whole words and the context words before a value.
        """
        if _CANDIDATE.search(text) is None:
            return []
        results: list[RecognizerResult] = []
        for family in _FAMILIES:
            windows = candidate_windows(text, family.trigger, family.before, family.after)
            if not windows:
                continue
            joined, offsets = _join(text, windows)
            for result in self._engine.analyze(
                text=joined,
                language="ko",
                entities=family.entities,
                score_threshold=FINDING_SCORE,
            ):
                result.start = _original(offsets, result.start)
                result.end = _original(offsets, result.end - 1) + 1
                results.append(result)
        return _without_overlaps(results)


def _join(text: str, windows: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
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


def _original(offsets: list[tuple[int, int]], position: int) -> int:
    """``position`` in the joined text as an offset in the original text."""
    index = bisect.bisect_right(offsets, position, key=lambda offset: offset[0]) - 1
    joined_start, start = offsets[index]
    return start + position - joined_start


# Windows closer than _MERGE_GAP are analysed as one; a private key block is long.
_AFTER_KEY_BLOCK: Final = 8600
_MERGE_GAP: Final = 64
_WORD_STRETCH: Final = 200


def candidate_windows(
    text: str,
    trigger: re.Pattern[str] | re2._Regexp = _CANDIDATE,
    before: int = 160,
    after: int = 160,
) -> list[tuple[int, int]]:
    """``[start, end)`` spans of ``text`` around ``trigger``'s matches, merged and in order.

    >>> candidate_windows("no numbers here")
    []
    >>> candidate_windows("call 010-1234-5678")
    [(0, 18)]
    """
    windows: list[tuple[int, int]] = []
    for match in trigger.finditer(text):
        reach = _AFTER_KEY_BLOCK if match.group(0) == "PRIVATE KEY" else after
        if windows and match.end() + reach <= windows[-1][1]:
            continue  # inside the window already open (numbers come in runs)
        start = max(0, match.start() - before)
        end = min(len(text), match.end() + reach)
        # Never cut a word (or a number) in two: a cut number could match as a shorter one.
        floor = max(0, start - _WORD_STRETCH)
        while start > floor and not text[start - 1].isspace():
            start -= 1
        ceiling = min(len(text), end + _WORD_STRETCH)
        while end < ceiling and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1] + _MERGE_GAP:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _without_overlaps(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Where findings overlap, the strongest (then the longest) wins: one span, one entity,
    so a GitHub token is not also a generic secret and masking never overlaps itself."""
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


def build_analyzer() -> PiiAnalyzer:
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
    return PiiAnalyzer(engine)
