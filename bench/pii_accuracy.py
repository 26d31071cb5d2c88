"""``python -m bench.pii_accuracy``: precision, recall and F1 per entity, Aegis next to vanilla
Presidio, on the labelled sets in ``tests/core/data/``.

"vanilla" is the analyzer ``bench.pii`` times: Presidio 2.2's stock recognizers for ``en``
and ``ko`` (the Korean ones included, as shipped), on blank spaCy pipelines, each text
analysed in both languages and the results merged, findings from the same score (0.5) as
Aegis's. Only the entity types the labels use are
scored (vanilla's other kinds, URL or DATE_TIME, are left out rather than counted wrong).

    python -m bench.pii_accuracy                 # both sets
    python -m bench.pii_accuracy --mistakes      # and Aegis's mistakes, case by case

Each ``pii_names_heldout*.yaml`` also gets a summary line, and the four together a last one
(issue 16's targets: recall >= 0.90 for Korean and for English names in running text, <= 2%
of ordinary sentences with a false name): recall per script of the name (Hangul or Latin),
and the share of sentences that expect nothing but got a finding
(:func:`core.pii.evaluate.names_score`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.pii import vanilla_results
from core.pii.analyzer import FINDING_SCORE, build_analyzer
from core.pii.entities import PII_ENTITIES
from core.pii.evaluate import NamesScore, Span, evaluate, load_cases, names_score, report

DATA = Path(__file__).resolve().parent.parent / "tests" / "core" / "data"
SETS = (
    "pii_cases.yaml",
    "pii_heldout.yaml",
    "pii_names_heldout.yaml",
    "pii_names_heldout2.yaml",
    "pii_names_heldout3.yaml",
    "pii_names_heldout4.yaml",
    "pii_numbers_heldout.yaml",
    "pii_numbers_heldout2.yaml",
)
NAMES = (
    "pii_names_heldout.yaml",
    "pii_names_heldout2.yaml",
    "pii_names_heldout3.yaml",
    "pii_names_heldout4.yaml",
)


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

    names = NamesScore()
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
            summary = names_score(aegis, cases)
            names.add(summary)
            print(f"{summary}\n")
        if args.mistakes and mine.mistakes:
            print("\n".join(mine.mistakes) + "\n")
    print(f"== all names sets together\n{names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
