"""``python -m bench.pii``: latency of Aegis's PII analyzer next to vanilla Presidio.

Same texts, same run, same machine: 1 KB and 16 KB of mixed Korean/English office text,
with and without PII in it. "vanilla" is Presidio 2.2's stock recognizers for ``en`` and
``ko`` on offline blank spaCy pipelines (no spaCy model is installed here, and none may be
downloaded) with lower-cased lemmas so that its context words work, analysed once per
language as a Korean/English deployment would have to;
"aegis" is ``core.pii.analyzer`` (one pass, its own recognizers for both languages, a RE2
gate in front).

    python -m bench.pii --runs 300

Targets (issue 6): p50 <= 1.5 ms on 1 KB and <= 10 ms on 16 KB, at least 4x faster than
vanilla.
"""

from __future__ import annotations

import os

# Vanilla Presidio's e-mail recognizer would fetch the Public Suffix List without this.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

from core.pii.analyzer import build_analyzer
from core.pii.nlp import LANGUAGES

PROSE = (
    "이번 분기 매출은 지난 분기보다 늘었고 비용은 비슷했습니다. "
    "The board asked for a short summary of the main risks before the meeting. "
    "회의는 다음 주 화요일 오후 본관 회의실에서 열립니다. "
    "Please keep the tone neutral and avoid jargon in the final version. "
)
PII = (
    " 담당자 연락처는 010-2345-6789, 메일은 kim.minsu@agency.go.kr 입니다."
    " 주민번호 900101-1234568 은 마스킹해 주세요. Card 4111 1111 1111 1111."
)


def _text(size: int, pii: str) -> str:
    """``size`` bytes of prose with no PII, PII at the end ("end"), or PII sentences all
    through it, one in every ~400 bytes ("dense": every window overlaps the next)."""
    if pii == "dense":
        block = PROSE[:120] + PII
        body = block * (size // len(block.encode()) + 1)
        return body.encode()[:size].decode("utf-8", "ignore")
    body = PROSE * (size // len(PROSE.encode()) + 1)
    tail = PII if pii == "end" else ""
    return body.encode()[: size - len(tail.encode())].decode("utf-8", "ignore") + tail


@Language.component("bench_lemmas")
def _lemmas(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = token.lower_
    return doc


class BlankNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine on blank pipelines (``ko`` with the rule tokenizer: spaCy's
    own Korean one needs MeCab) whose lemmas are the lower-cased words."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": code, "model_name": "blank"} for code in LANGUAGES])

    def load(self) -> None:
        rule_tokenizer = {"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}}
        self.nlp = {}
        for code in LANGUAGES:
            nlp = spacy.blank(code, config=rule_tokenizer if code == "ko" else {})
            nlp.add_pipe("bench_lemmas")
            self.nlp[code] = nlp


def vanilla_results(score_threshold: float | None = None) -> Callable[[str], list[Any]]:
    """Stock Presidio for ``en`` and ``ko``: a text's results in both languages."""
    engine = BlankNlpEngine()
    engine.load()
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    registry.load_predefined_recognizers(languages=list(LANGUAGES), nlp_engine=engine)
    analyzer = AnalyzerEngine(
        registry=registry, nlp_engine=engine, supported_languages=list(LANGUAGES)
    )

    def analyze(text: str) -> list[Any]:
        return [
            *analyzer.analyze(text, language="en", score_threshold=score_threshold),
            *analyzer.analyze(text, language="ko", score_threshold=score_threshold),
        ]

    return analyze


_LABELS = {"none": "no PII", "end": "PII at end", "dense": "dense PII"}


def _p50_p99(function: Callable[[str], object], text: str, runs: int) -> tuple[float, float]:
    for _ in range(min(30, runs)):
        function(text)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function(text)
        samples.append(time.perf_counter() - started)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99) - 1] * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pii", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    ours = build_analyzer().analyze
    vanilla = vanilla_results()
    print(f"{'text':<19}{'aegis p50':>10}{'p99':>8}{'vanilla p50':>13}{'p99':>8}{'speed-up':>10}")
    for size in (1024, 16384):
        for pii in ("none", "end", "dense"):
            text = _text(size, pii)
            runs = args.runs if size <= 1024 else max(30, args.runs // 10)
            a50, a99 = _p50_p99(ours, text, runs)
            v50, v99 = _p50_p99(vanilla, text, runs)
            name = f"{size // 1024} KB {_LABELS[pii]}"
            print(f"{name:<19}{a50:>10.3f}{a99:>8.3f}{v50:>13.3f}{v99:>8.3f}{v50 / a50:>9.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
