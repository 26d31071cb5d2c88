"""A recognizer whose finding is a named group of its patterns, not the whole match.

Presidio's ``PatternRecognizer`` reports the whole match. Where the words around a value are
what make it recognisable but are not themselves the value — ``password=…``, ``user:…@host``,
``성명: 홍길동``, ``김민수 님`` — the patterns capture the value in a group named ``value``,
and only that span is the finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

__all__ = ["ValueRecognizer"]


class ValueRecognizer(EntityRecognizer):
    """``entity`` wherever one of ``patterns`` matches, its ``value`` group being the span,
    kept only if ``check`` (when given) accepts the value; a span found by several patterns
    is reported once. ``name`` defaults to ``<Entity>Recognizer``."""

    def __init__(
        self,
        entity: str,
        patterns: Sequence[str | re.Pattern[str]],
        score: float,
        supported_language: str,
        check: Callable[[str], bool] | None = None,
        name: str | None = None,
    ) -> None:
        self._patterns = tuple(re.compile(pattern) for pattern in patterns)
        self._score = score
        self._check = check
        self._entity = entity
        self._label = name or f"{entity.title().replace('_', '')}Recognizer"
        super().__init__(
            supported_entities=[entity], supported_language=supported_language, name=self._label
        )

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        seen: set[tuple[int, int]] = set()
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                span = match.span("value")
                if span in seen or (self._check is not None and not self._check(match["value"])):
                    continue
                seen.add(span)
                results.append(
                    RecognizerResult(
                        entity_type=self._entity,
                        start=span[0],
                        end=span[1],
                        score=self._score,
                        analysis_explanation=AnalysisExplanation(
                            recognizer=self._label,
                            original_score=self._score,
                            pattern=pattern.pattern,
                            validation_result=self._check is not None,
                        ),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self._label,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return results
