"""``python -m bench.pii_accuracy``: precision, recall and F1 per entity, Aegis next to vanilla
Presidio, on the labelled sets in ``tests/core/data/``.

"vanilla" is the analyzer ``bench.pii`` times: Presidio 2.2's stock recognizers for ``en``
and ``ko`` (the Korean ones included, as shipped), on blank spaCy pipelines, each text
analysed in both languages and the results merged, findings from the same score (0.5) as
Aegis's. Only the entity types the labels use are
scored (vanilla's other kinds, URL or DATE_TIME, are left out rather than counted wrong).

    python -m bench.pii_accuracy                 # both sets
    python -m bench.pii_accuracy --mistakes      # and Aegis's mistakes, case by case
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.pii import vanilla_results
from core.pii.analyzer import FINDING_SCORE, build_analyzer
from core.pii.entities import PII_ENTITIES
from core.pii.evaluate import Span, evaluate, load_cases, report

DATA = Path(__file__).resolve().parent.parent / "tests" / "core" / "data"
SETS = ("pii_cases.yaml", "pii_heldout.yaml")


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
        if args.mistakes and mine.mistakes:
            print("\n".join(mine.mistakes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
