"""``python -m bench.pii_accuracy``: precision, recall and F1 per entity, Aegis next to vanilla
Presidio, on the labelled sets in ``tests/core/data/``.

"vanilla" is the analyzer ``bench.pii`` times: Presidio 2.2's stock recognizers for ``en``
and ``ko`` (the Korean ones included, as shipped), on blank spaCy pipelines, each text
analysed in both languages and the results merged, findings from the same score (0.5) as
Aegis's. Only the entity types the labels use are
scored (vanilla's other kinds, URL or DATE_TIME, are left out rather than counted wrong).

    python -m bench.pii_accuracy                 # both sets
    python -m bench.pii_accuracy --mistakes      # and Aegis's mistakes, case by case

``pii_names_heldout.yaml`` also gets a summary line (issue 16's targets: recall >= 0.90 for
Korean and for English names in running text, <= 2% of ordinary sentences with a false
name): recall per script of the name (Hangul or Latin), and the share of sentences that
expect nothing but got a finding.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bench.pii import vanilla_results
from core.pii.analyzer import FINDING_SCORE, build_analyzer
from core.pii.entities import PII_ENTITIES
from core.pii.evaluate import Case, Span, evaluate, load_cases, report

DATA = Path(__file__).resolve().parent.parent / "tests" / "core" / "data"
SETS = (
    "pii_cases.yaml",
    "pii_heldout.yaml",
    "pii_names_heldout.yaml",
    "pii_names_heldout2.yaml",
    "pii_names_heldout3.yaml",
    "pii_numbers_heldout.yaml",
)
NAMES = ("pii_names_heldout.yaml", "pii_names_heldout2.yaml", "pii_names_heldout3.yaml")


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pii_accuracy", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--mistakes", action="store_true")
    args = parser.parse_args()
    ours = build_analyzer()
    vanilla = vanilla_results(FINDING_SCORE)
    taxonomy = frozenset(PII_ENTITIES)

    def aegis(text: str) -> list[Span]:
        return [(r.entity_type, r.start, r.end) for r in ours.analyze(text)]

    def stock(text: str) -> list[Span]:
        spans = {(r.entity_type, r.start, r.end) for r in vanilla(text)}
        return sorted(spans)

    for name in SETS:
        path = DATA / name
        if not path.exists():
            continue
        cases = load_cases(path)
        mine = evaluate(aegis, cases, taxonomy)
        theirs = evaluate(stock, cases, taxonomy)
        print(f"== {name}: {len(cases)} cases")
        print(f"-- aegis\n{report(mine)}\n-- vanilla\n{report(theirs)}\n")
        if name in NAMES:
            print(names_summary(aegis, cases) + "\n")
        if args.mistakes and mine.mistakes:
            print("\n".join(mine.mistakes) + "\n")
    return 0


def names_summary(find: Callable[[str], list[Span]], cases: list[Case]) -> str:
    """Recall of Hangul and of Latin names, and the false-positive rate on sentences that
    expect nothing (a sentence counts once, however many false findings it has)."""
    found = {"Hangul": [0, 0], "Latin": [0, 0]}
    ordinary = flagged = 0
    for case in cases:
        spans = set(find(case.text))
        if not case.expected:
            ordinary += 1
            flagged += any(span[0] == "PERSON" for span in spans)
        for span in case.expected:
            script = "Latin" if case.text[span[1] : span[2]].isascii() else "Hangul"
            found[script][0] += span in spans
            found[script][1] += 1
    parts = [
        f"{script} names {hit}/{total} = {hit / total:.3f}"
        for script, (hit, total) in found.items()
        if total
    ]
    parts.append(f"ordinary sentences flagged {flagged}/{ordinary} = {flagged / ordinary:.3f}")
    return "names: " + ", ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
