"""Presidio's NLP engine on blank spaCy pipelines: tokens and lemmas, nothing downloaded.

Presidio's ``SpacyNlpEngine.load`` downloads a model (``en_core_web_lg``) when it is not
installed; this engine never does. It builds blank pipelines in memory: ``en``, and ``ko``
with spaCy's rule-based tokenizer (spaCy's own Korean tokenizer needs MeCab, a system
library). Blank pipelines carry no lemmas, and Presidio's context enhancer compares context
words with lemmas, so without them context words silently change nothing: the
``aegis_lemmas`` component sets each token's lemma to its lower-cased text (Presidio matches
context words as substrings, so "주민번호는" supports "주민번호"). No named-entity model is
used; pattern recognizers do the work.
"""

from __future__ import annotations

from typing import Final

import spacy
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["LANGUAGES", "BlankNlpEngine"]

LANGUAGES: Final = ("en", "ko")
_RULE_TOKENIZER: Final = {"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}}


@Language.component("aegis_lemmas")
def _lemmas(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def blank_pipeline(language: str) -> Language:
    """A blank spaCy pipeline for ``language`` with lower-cased lemmas."""
    nlp = spacy.blank(language, config=_RULE_TOKENIZER if language == "ko" else {})
    nlp.add_pipe("aegis_lemmas")
    return nlp


class BlankNlpEngine(SpacyNlpEngine):
    """``SpacyNlpEngine`` over :func:`blank_pipeline` for each of :data:`LANGUAGES`."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": code, "model_name": "blank"} for code in LANGUAGES])

    def load(self) -> None:
        self.nlp = {code: blank_pipeline(code) for code in LANGUAGES}  # type: ignore[assignment]
