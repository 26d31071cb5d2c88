"""``python -m bench.hostile``: the cost of core's scanners on hostile texts, per megabyte.

For each shape of ``tests/core/hostile.py`` (dense labels, e-mail addresses by the hundred
thousand, runs of digits, key words, one long word, Korean titles, a base64 blob …), the CPU
time of the thread scanning (``time.thread_time``, the best of ``--runs``) for the regex
rules (normalisation included), the PII analyzer and the classifier, in ms per MB of UTF-8,
at 1 MB and 2 MB; and whether the PII analysis stopped at its budget (the text then gets a
``PII_SCAN_LIMIT`` finding).

    python -m bench.hostile --runs 2

Targets (issue 12, item 3): the PII analyzer and the classifier each at most 200 ms per MB
for every shape, and linear: 2 MB about twice 1 MB.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from core.model.classifier import InjectionClassifier
from core.pii.analyzer import build_analyzer
from shared.extract import ScanText
from shared.prefilter import Prefilter
from tests.core.hostile import hostile_texts

MEGABYTE = 1 << 20


def _best_ms(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        work()
        best = min(best, time.thread_time() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__)
    parser.add_argument("--runs", type=int, default=1, help="runs per measure (best kept)")
    parser.add_argument("--shape", action="append", help="only these shapes")
    args = parser.parse_args()
    analyzer, classifier, rules = build_analyzer(), InjectionClassifier(), Prefilter()
    texts = {size: hostile_texts(size * MEGABYTE) for size in (1, 2)}
    print(f"{'ms per MB (CPU)':<16}{'regex':>14}{'pii':>14}{'classifier':>14}  pii stopped")
    for shape in texts[1]:
        if args.shape and shape not in args.shape:
            continue
        row: dict[str, list[float]] = {"regex": [], "pii": [], "classifier": []}
        stopped = []
        for size in (1, 2):
            text = texts[size][shape]
            work: dict[str, Callable[[], object]] = {
                "regex": lambda text=text: rules.scan((ScanText(None, "user", text),)),
                "pii": lambda text=text: analyzer.scan(text),
                "classifier": lambda text=text: classifier.classify(text),
            }
            for name, run in work.items():
                row[name].append(_best_ms(run, args.runs) / size)
            stopped.append(analyzer.scan(text).stopped_at is not None)
        cells = "".join(f"{f'{one:.0f} / {two:.0f}':>14}" for one, two in row.values())
        print(f"{shape:<16}{cells}  {' / '.join('yes' if s else 'no' for s in stopped)}")
    print("(each cell: 1 MB / 2 MB, ms per MB)")


if __name__ == "__main__":
    main()
