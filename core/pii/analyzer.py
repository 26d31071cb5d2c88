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

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UsSsnRecognizer,
)

from core.pii.nlp import LANGUAGES, BlankNlpEngine
from core.pii.recognizers import (
    EmailRecognizer,
    KrBrnRecognizer,
    KrFrnRecognizer,
    KrPassportRecognizer,
    KrPhoneRecognizer,
    KrRrnRecognizer,
)
from core.pii.secrets import secret_recognizers

__all__ = ["FINDING_SCORE", "PiiAnalyzer", "build_analyzer"]

FINDING_SCORE: Final = 0.5


def _credit_card(language: str) -> EntityRecognizer:
    return CreditCardRecognizer(
        supported_language=language,
        context=["credit", "card", "visa", "mastercard", "카드", "신용카드", "카드번호", "결제"],
    )


def _language_only(cls: Callable[..., EntityRecognizer]) -> Callable[[str], EntityRecognizer]:
    return lambda language: cls(supported_language=language)


_RECOGNIZERS: Final[Sequence[Callable[[str], EntityRecognizer]]] = (
    KrRrnRecognizer,
    KrFrnRecognizer,
    KrPhoneRecognizer,
    KrBrnRecognizer,
    KrPassportRecognizer,
    EmailRecognizer,
    _credit_card,
    _language_only(IpRecognizer),
    _language_only(IbanRecognizer),
    _language_only(UsSsnRecognizer),
)


class PiiAnalyzer:
    """Finds PII in a text; one Presidio engine, built once."""

    def __init__(self, engine: AnalyzerEngine) -> None:
        self._engine = engine

    def analyze(self, text: str) -> list[RecognizerResult]:
        """Findings (score >= FINDING_SCORE), with offsets exact in ``text``."""
        language = "ko" if any("\uac00" <= ch <= "\ud7a3" for ch in text) else "en"
        results = self._engine.analyze(text=text, language=language, score_threshold=FINDING_SCORE)
        return _without_overlaps(results)


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
        registry=registry, nlp_engine=nlp_engine, supported_languages=list(LANGUAGES)
    )
    return PiiAnalyzer(engine)
