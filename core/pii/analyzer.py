"""The PII analyzer: Presidio's ``AnalyzerEngine``, offline, Korean recognizers for every text.

:func:`build_analyzer` makes it once at start: the :class:`BlankNlpEngine` (nothing
downloaded), and the project's recognizers registered for both ``en`` and ``ko``, so that a
Korean number in an English sentence (or the reverse) is found whatever language a request
is analysed in. Findings below ``FINDING_SCORE`` are candidates, not findings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final

import re2
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UsSsnRecognizer,
)

from core.pii.nlp import LANGUAGES, BlankNlpEngine
from core.pii.recognizers import (
    AegisEmailRecognizer,
    AegisKrBankAccountRecognizer,
    AegisKrBrnRecognizer,
    AegisKrDriverLicenseRecognizer,
    AegisKrFrnRecognizer,
    AegisKrHealthInsuranceRecognizer,
    AegisKrPassportRecognizer,
    AegisKrPhoneRecognizer,
    AegisKrRrnRecognizer,
)
from core.pii.secrets import secret_recognizers
from shared.rulepack import re2_options

__all__ = ["FINDING_SCORE", "PiiAnalyzer", "build_analyzer", "candidate_windows"]

FINDING_SCORE: Final = 0.5


def _credit_card(language: str) -> EntityRecognizer:
    return CreditCardRecognizer(
        supported_language=language,
        context=["credit", "card", "visa", "mastercard", "카드", "신용카드", "카드번호", "결제"],
    )


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
    _credit_card,
    _language_only(IpRecognizer),
    _language_only(IbanRecognizer),
    _language_only(UsSsnRecognizer),
)


# A superset of what every recognizer needs to see before it can match: three digits in a
# row (every number recognised has a run of 3 or more), a dotted quad's start (IPv4), "@"
# (e-mail, URL credentials), IPv6 colons, the fixed prefixes of tokens and keys, and the key
# words of the generic secret. Texts without any (most prose) skip Presidio,
# whose spaCy tokenisation alone costs about a millisecond per kilobyte. RE2: one linear
# pass, ~10 µs per KB (Python's re takes ~260 µs on this alternation).
_CANDIDATE: Final = re2.compile(
    r"[0-9]{3}|[0-9]\.[0-9]{1,3}\.[0-9]|@|[0-9A-Fa-f]:[0-9A-Fa-f]|::|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|"
    r"github_pat_|glpat-|xox[abposr]-|eyJ|PRIVATE KEY|"
    r"(?i:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential)|"
    r"비밀번호|패스워드|비번|토큰|시크릿|인증키|api키",
    re2_options(),
)


class PiiAnalyzer:
    """Finds PII in a text; one Presidio engine, built once."""

    def __init__(self, engine: AnalyzerEngine) -> None:
        self._engine = engine

    def analyze(self, text: str) -> list[RecognizerResult]:
        """Findings (score >= FINDING_SCORE), with offsets exact in ``text``.

        Only the windows around candidates (see :data:`_CANDIDATE`) are analysed: a text
        with none costs one RE2 pass, and a long document with a phone number near its end
        is tokenised around that number only. Windows reach whole words and enough text for
        the context words before a value.
        """
        results: list[RecognizerResult] = []
        for start, end in candidate_windows(text):
            window = text[start:end]
            language = "ko" if any("\uac00" <= ch <= "\ud7a3" for ch in window) else "en"
            for result in self._engine.analyze(
                text=window, language=language, score_threshold=FINDING_SCORE
            ):
                result.start += start
                result.end += start
                results.append(result)
        return _without_overlaps(results)


# Characters of context before a candidate, and of value after it (a private key block is
# long); windows closer than _MERGE_GAP are analysed as one.
_BEFORE: Final = 160
_AFTER: Final = 160
_AFTER_KEY_BLOCK: Final = 8600
_MERGE_GAP: Final = 64
_WORD_STRETCH: Final = 200


def candidate_windows(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of ``text`` worth analysing, merged and in order.

    >>> candidate_windows("no numbers here")
    []
    >>> candidate_windows("call 010-1234-5678")
    [(0, 18)]
    """
    windows: list[tuple[int, int]] = []
    for match in _CANDIDATE.finditer(text):
        after = _AFTER_KEY_BLOCK if match.group(0) == "PRIVATE KEY" else _AFTER
        if windows and match.end() + after <= windows[-1][1]:
            continue  # inside the window already open (numbers come in runs)
        start = max(0, match.start() - _BEFORE)
        end = min(len(text), match.end() + after)
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
    kept: list[RecognizerResult] = []
    for result in sorted(results, key=lambda r: (-r.score, r.start - r.end, r.start)):
        if all(result.end <= other.start or other.end <= result.start for other in kept):
            kept.append(result)
    return sorted(kept, key=lambda r: (r.start, r.end))


def build_analyzer() -> PiiAnalyzer:
    # Presidio logs every analysis at INFO and decision details (with text) at DEBUG: our
    # logs carry hashes and metadata only.
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(name).setLevel(logging.WARNING)
    nlp_engine = BlankNlpEngine()
    nlp_engine.load()
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
        context_aware_enhancer=LemmaContextAwareEnhancer(
            context_prefix_count=5, context_suffix_count=3
        ),
    )
    return PiiAnalyzer(engine)
