"""Precision and recall of the PII analyzer on the labelled cases in ``data/pii_cases.yaml``.

Every expected finding must be found with its exact span, and nothing else: a finding with
the wrong span counts as both a false positive and a false negative. Targets (issue 6):
precision >= 0.98 and recall >= 0.97 overall, and no RRN or card on a failing check digit.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from core.pii.analyzer import PiiAnalyzer, build_analyzer

CASES = yaml.safe_load((Path(__file__).parent / "data" / "pii_cases.yaml").read_text("utf-8"))[
    "cases"
]


@pytest.fixture(scope="module")
def analyzer() -> PiiAnalyzer:
    return build_analyzer()


def _spans(case: dict[str, object]) -> set[tuple[str, int, int]]:
    text = str(case["text"])
    expected = set()
    for entity, value in case["expect"]:  # type: ignore[attr-defined]
        start = text.index(value)
        expected.add((entity, start, start + len(value)))
    return expected


def test_precision_and_recall_per_entity(analyzer: PiiAnalyzer) -> None:
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    misses: list[str] = []
    for case in CASES:
        text = case["text"]
        expected = _spans(case)
        found = {(r.entity_type, r.start, r.end) for r in analyzer.analyze(text)}
        for entity, start, end in found - expected:
            false_pos[entity] += 1
            misses.append(f"false {entity} {text[start:end]!r} in {text!r}")
        for entity, start, end in expected - found:
            false_neg[entity] += 1
            misses.append(f"missed {entity} {text[start:end]!r} in {text!r}")
        for entity, _, _ in expected & found:
            true_pos[entity] += 1
    hits = sum(true_pos.values())
    precision = hits / (hits + sum(false_pos.values()))
    recall = hits / (hits + sum(false_neg.values()))
    report = "\n".join(
        f"{entity:<22} tp {true_pos[entity]:>3} fp {false_pos[entity]:>3} fn {false_neg[entity]:>3}"
        for entity in sorted(set(true_pos) | set(false_pos) | set(false_neg))
    )
    assert precision >= 0.98 and recall >= 0.97, (
        f"precision {precision:.3f} recall {recall:.3f}\n{report}\n" + "\n".join(misses)
    )
    assert false_pos["KR_RRN"] == 0 and false_pos["CREDIT_CARD"] == 0, "\n".join(misses)
    assert len(CASES) >= 50 and hits >= 35  # the set is not empty or trivial
