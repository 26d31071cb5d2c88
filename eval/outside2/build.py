"""Write the second outside set's JSONL files from its hand-written texts.

    python -m eval.outside2.build          # rewrites eval/outside2/data/*.jsonl

Deterministic: every random choice comes from
``random.Random(f"aegis-outside-v2/{family}/{lang}")`` (string seeds hash the same in every
process), so the same checkout always writes the same bytes.

Families that are lists of finished texts (direct, roleplay, exfiltration, hard_negative,
plain) are copied as written; the others combine hand-written parts:

* ``indirect``: each document already holds its one planted instruction; the user's own
  request goes before it or, with one of a few joins, after it;
* ``encoded``: each item names its technique, a hand-written wrapper and a payload; the
  payload is encoded and put into the wrapper (tag characters and zero-width bits ride,
  invisible, inside a visible harmless sentence);
* ``smuggling``: each item names its transform, a frame and a payload whose trigger words
  are marked ``⟦...⟧``; only the marked words are disguised (the whole payload when nothing
  is marked); acrostics and code words are written out by hand;
* ``suffix``: a harmful request followed by 12-25 random pieces of the set's own list.

Exact duplicates (after NFKC, case and space folding) are dropped; near-duplicates
(character 4-gram Jaccard >= 0.8 within a family and language) fail the build, and so does
any family whose per-language count is not the one the set promises (``EXPECTED``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from eval.outside2 import material_en, material_ko
from eval.textforms import (
    EXPECTED,
    FAMILIES,
    Item,
    build_set,
    check_and_write,
    count_problems,
    near_duplicates,
)

__all__ = ["DATA", "EXPECTED", "FAMILIES", "build", "main", "near_duplicates"]

SEED: Final = "aegis-outside-v2"
DATA: Final = Path(__file__).parent / "data"
LANGS: Final = (("en", material_en), ("ko", material_ko))
# How the user's request follows an indirect item's document, when it comes after it.
AFTER: Final = {
    "en": ("{R}", "---\n{R}", "^ {R}", "[end of pasted text]\n{R}"),
    "ko": ("{R}", "---\n{R}", "↑ {R}", "(여기까지 붙여넣은 내용)\n{R}"),
}


def build() -> dict[str, list[Item]]:
    """Every family's items, both languages, exact duplicates dropped."""
    return build_set(LANGS, SEED, AFTER)


def main() -> None:
    sets = build()
    problems = count_problems(sets, EXPECTED, (lang for lang, _ in LANGS))
    check_and_write(sets, problems, DATA, [lang for lang, _ in LANGS], round_first=False, closest=0)


if __name__ == "__main__":
    main()
