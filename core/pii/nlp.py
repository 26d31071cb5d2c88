"""Presidio's NLP side without an NLP pipeline: context words read from the text itself.

Every Aegis recognizer is a pattern (plus validation); what Presidio's NLP engine adds for
them is context: the words around a match, compared with each recognizer's context words.
Presidio's ``SpacyNlpEngine`` downloads a model (``en_core_web_lg``) when none is
installed, and even a blank spaCy pipeline costs about a millisecond per kilobyte to
tokenise, more than all the recognizers together; its context enhancer then compares
*lemmas*, which blank pipelines do not set, so context silently changes nothing.

So :class:`TextNlpEngine` runs nothing (no tokens, no entities), and
:class:`WordContextEnhancer` takes the words before and after each match from the text
(words start with a letter: numbers are values, not context; English and Korean stop
words are skipped) and matches context words as lower-cased substrings, as Presidio does,
so that "주민번호는" supports "주민번호" and "RRN:900101-…" supports "rrn". The scoring is
Presidio's: a supported score rises by ``context_similarity_factor``, to at least
``min_score_with_context_similarity``. No named-entity model is used or needed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.ko.stop_words import STOP_WORDS as KO_STOP_WORDS

__all__ = ["LANGUAGES", "WINDOW_SEPARATOR", "TextNlpEngine", "WordContextEnhancer", "context_words"]

LANGUAGES: Final = ("en", "ko")

# Both languages' stop words for every text: requests mix them.
_STOP_WORDS: Final = frozenset(EN_STOP_WORDS) | frozenset(KO_STOP_WORDS)
# A word starts with a letter (any script) and runs over letters and digits.
_WORD: Final = re.compile(r"[^\W\d_]\w*")
# Context never reaches across this character: the analyzer joins separate parts of a text
# with it (ASCII's unit separator, which ordinary text does not contain).
WINDOW_SEPARATOR: Final = "\x1f"
# Characters read on each side of a match for its context words: enough for a few words of
# English with stop words in between ("the card number I gave you was …").
_REACH: Final = 120


def context_words(text: str, start: int, end: int, before: int, after: int) -> list[str]:
    """The ``before`` words preceding ``text[start:end]`` and the ``after`` words following
    it, lower-cased, stop words skipped, never across :data:`WINDOW_SEPARATOR`.

    >>> context_words("주민번호는 900101-1234568 입니다, my card", 6, 20, 5, 3)
    ['주민번호는', '입니다', 'card']
    """
    before_text = text[max(0, start - _REACH) : start]
    before_text = before_text[before_text.rfind(WINDOW_SEPARATOR) + 1 :]
    after_text = text[end : end + _REACH]
    cut = after_text.find(WINDOW_SEPARATOR)
    after_text = after_text if cut < 0 else after_text[:cut]
    head = [w for w in _WORD.findall(before_text.lower()) if w not in _STOP_WORDS]
    tail = [w for w in _WORD.findall(after_text.lower()) if w not in _STOP_WORDS]
    return (head[-before:] if before else []) + tail[:after]


class WordContextEnhancer(ContextAwareEnhancer):
    """Presidio's context scoring over words read from the text (see the module doc)."""

    def __init__(
        self,
        *,
        context_prefix_count: int,
        context_suffix_count: int,
        context_similarity_factor: float = 0.35,
        min_score_with_context_similarity: float = 0.4,
    ) -> None:
        super().__init__(
            context_similarity_factor=context_similarity_factor,
            min_score_with_context_similarity=min_score_with_context_similarity,
            context_prefix_count=context_prefix_count,
            context_suffix_count=context_suffix_count,
        )
        self._lowered: dict[str, tuple[str, ...]] = {}

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts | None,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        given = [word.lower() for word in context or ()]
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if (
                result.score >= ContextAwareEnhancer.MAX_SCORE  # nothing to raise
                or recognizer is None
                or not recognizer.context
                or metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY)
            ):
                continue
            words = context_words(
                text,
                result.start,
                result.end,
                self.context_prefix_count,
                self.context_suffix_count,
            )
            supporting = _supporting(self._context_of(recognizer), [*words, *given])
            if supporting is None:
                continue
            result.score = min(
                ContextAwareEnhancer.MAX_SCORE,
                max(
                    result.score + self.context_similarity_factor,
                    self.min_score_with_context_similarity,
                ),
            )
            if result.analysis_explanation is not None:
                result.analysis_explanation.set_supportive_context_word(supporting)
                result.analysis_explanation.set_improved_score(result.score)
        return raw_results

    def _context_of(self, recognizer: EntityRecognizer) -> tuple[str, ...]:
        lowered = self._lowered.get(recognizer.id)
        if lowered is None:
            lowered = self._lowered[recognizer.id] = tuple(w.lower() for w in recognizer.context)
        return lowered


def _supporting(context: Sequence[str], words: Sequence[str]) -> str | None:
    return next((c for c in context if any(c in word for word in words)), None)


class TextNlpEngine(NlpEngine):
    """An ``NlpEngine`` that runs no pipeline: Presidio gets empty artifacts, and context
    comes from :class:`WordContextEnhancer`."""

    def load(self) -> None:
        return None

    def is_loaded(self) -> bool:
        return True

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return NlpArtifacts(
            entities=[],
            tokens=[],  # type: ignore[arg-type]
            tokens_indices=[],
            lemmas=[],
            nlp_engine=None,
            language=language,
        )

    def process_batch(
        self,
        texts: Iterable[str],
        language: str,
        batch_size: int = 1,
        n_process: int = 1,
        **kwargs: object,
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        for text in texts:
            yield text, self.process_text(text, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in _STOP_WORDS

    def is_punct(self, word: str, language: str) -> bool:
        return bool(word) and all(ch in string.punctuation for ch in word)

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return list(LANGUAGES)
