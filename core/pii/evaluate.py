"""Precision, recall and F1 per entity type on labelled cases (``tests/core/data/*.yaml``).

A labelled file is ``{"cases": [{"text": …, "expect": [[ENTITY, value], …]}, …]}``: every
finding expected, the value's first occurrence in the text being its span; ``[]`` means
nothing may be found. A finding counts only with its exact span and type: one with the wrong
span is both a false positive and a false negative.

    python -m core.pii.evaluate tests/core/data/pii_heldout.yaml   # per-entity table

(``python -m bench.pii_accuracy`` prints the same next to vanilla Presidio.)
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Case", "NamesScore", "Score", "evaluate", "load_cases", "names_score", "report"]

Span = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expected: frozenset[Span]


def load_cases(path: Path) -> list[Case]:
    """The cases of a labelled file, with each expected value's span located in its text."""
    data: Mapping[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    cases = []
    for raw in data["cases"]:
        text = str(raw["text"])
        expected = set()
        for entity, value in raw["expect"]:
            start = text.index(value)
            expected.add((str(entity), start, start + len(value)))
        cases.append(Case(text, frozenset(expected)))
    return cases


@dataclass
class Score:
    """Counts per entity type, and the mistakes (for a report, never for a log)."""

    true_pos: Counter[str] = field(default_factory=Counter)
    false_pos: Counter[str] = field(default_factory=Counter)
    false_neg: Counter[str] = field(default_factory=Counter)
    mistakes: list[str] = field(default_factory=list)

    def precision(self, entities: Iterable[str] | None = None) -> float:
        hits, wrong = self.count(self.true_pos, entities), self.count(self.false_pos, entities)
        return hits / (hits + wrong) if hits + wrong else 1.0

    def recall(self, entities: Iterable[str] | None = None) -> float:
        hits, missed = self.count(self.true_pos, entities), self.count(self.false_neg, entities)
        return hits / (hits + missed) if hits + missed else 1.0

    def f1(self, entities: Iterable[str] | None = None) -> float:
        precision, recall = self.precision(entities), self.recall(entities)
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def entities(self) -> list[str]:
        return sorted(set(self.true_pos) | set(self.false_pos) | set(self.false_neg))

    @staticmethod
    def count(counts: Counter[str], entities: Iterable[str] | None) -> int:
        if entities is None:
            return sum(counts.values())
        return sum(counts[entity] for entity in entities)


@dataclass
class NamesScore:
    """Names in running text, as issue 16 measures them: recall per script of the name
    (``Hangul``: it has a Hangul syllable; ``Latin``: any other, accents included), and the
    sentences that expect nothing but got a ``PERSON`` finding (each counts once)."""

    found: dict[str, list[int]] = field(default_factory=lambda: {"Hangul": [0, 0], "Latin": [0, 0]})
    ordinary: int = 0
    flagged: int = 0

    def recall(self, script: str) -> float:
        hit, total = self.found[script]
        return hit / total if total else 1.0

    def add(self, other: NamesScore) -> NamesScore:
        for script, (hit, total) in other.found.items():
            self.found[script][0] += hit
            self.found[script][1] += total
        self.ordinary += other.ordinary
        self.flagged += other.flagged
        return self

    def __str__(self) -> str:
        parts = [
            f"{script} names {hit}/{total} = {hit / total:.3f}"
            for script, (hit, total) in self.found.items()
            if total
        ]
        rate = self.flagged / self.ordinary if self.ordinary else 0.0
        parts.append(f"ordinary sentences flagged {self.flagged}/{self.ordinary} = {rate:.3f}")
        return "names: " + ", ".join(parts)


def names_score(find: Callable[[str], list[Span]], cases: Iterable[Case]) -> NamesScore:
    """:class:`NamesScore` of ``find`` on ``cases`` (only ``PERSON`` findings count)."""
    score = NamesScore()
    for case in cases:
        spans = set(find(case.text))
        if not case.expected:
            score.ordinary += 1
            score.flagged += any(span[0] == "PERSON" for span in spans)
        for span in case.expected:
            name = case.text[span[1] : span[2]]
            script = "Hangul" if any("가" <= c <= "힣" for c in name) else "Latin"
            score.found[script][0] += span in spans
            score.found[script][1] += 1
    return score


def evaluate(
    find: Callable[[str], Iterable[Span]],
    cases: Sequence[Case],
    entities: frozenset[str] | None = None,
) -> Score:
    """Scores ``find`` (a text → ``(entity, start, end)`` findings) on ``cases``; with
    ``entities``, findings of other types are ignored (another tool's extra kinds)."""
    score = Score()
    for case in cases:
        found = {span for span in find(case.text) if entities is None or span[0] in entities}
        for entity, start, end in found - case.expected:
            score.false_pos[entity] += 1
            score.mistakes.append(f"false {entity} {case.text[start:end]!r} in {case.text!r}")
        for entity, start, end in case.expected - found:
            score.false_neg[entity] += 1
            score.mistakes.append(f"missed {entity} {case.text[start:end]!r} in {case.text!r}")
        for entity, _, _ in case.expected & found:
            score.true_pos[entity] += 1
    return score


def report(score: Score, overall: Sequence[str] | None = None) -> str:
    """A table: per entity type, then overall (over ``overall``'s types if given)."""
    lines = [f"{'entity':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}{'F1':>7}"]
    lines.extend(
        f"{entity:<22}{score.true_pos[entity]:>5}{score.false_pos[entity]:>5}"
        f"{score.false_neg[entity]:>5}{score.precision([entity]):>11.3f}"
        f"{score.recall([entity]):>8.3f}{score.f1([entity]):>7.3f}"
        for entity in score.entities()
    )
    lines.append(
        f"{'overall':<22}{score.count(score.true_pos, overall):>5}"
        f"{score.count(score.false_pos, overall):>5}{score.count(score.false_neg, overall):>5}"
        f"{score.precision(overall):>11.3f}{score.recall(overall):>8.3f}{score.f1(overall):>7.3f}"
    )
    return "\n".join(lines)


def main() -> int:
    from core.pii.analyzer import build_analyzer  # Presidio loads here, not on import

    parser = argparse.ArgumentParser(
        prog="python -m core.pii.evaluate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--mistakes", action="store_true", help="list every mistake")
    args = parser.parse_args()
    analyzer = build_analyzer()

    def find(text: str) -> list[Span]:
        return [(r.entity_type, r.start, r.end) for r in analyzer.analyze(text)]

    for path in args.files:
        score = evaluate(find, load_cases(path))
        print(f"{path} ({len(load_cases(path))} cases)\n{report(score)}\n")
        if args.mistakes:
            print("\n".join(score.mistakes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
