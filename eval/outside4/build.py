"""Write the fourth outside set's JSONL files from its hand-written texts.

    python -m eval.outside4.build          # rewrites eval/outside4/data/*.jsonl

Deterministic: every random choice comes from
``random.Random(f"aegis-outside-v4/{family}/{lang}")`` (string seeds hash the same in every
process), so the same checkout always writes the same bytes.

Families that are lists of finished texts (direct, roleplay, exfiltration, hard_negative,
plain) are copied as written; the others combine hand-written parts:

* ``indirect``: each document already holds its one planted instruction; the user's own
  request goes before it (60%) or, behind one of a few joins, after it;
* ``encoded``: each item names its technique, a hand-written wrapper and a payload; the
  payload is encoded and put into the wrapper (tag characters and zero-width bits ride,
  invisible, inside a visible harmless sentence);
* ``smuggling``: each item names its transform, a frame and a payload whose trigger words
  are marked ``⟦...⟧``; only the marked words are disguised (the whole payload when nothing
  is marked); acrostics and code words are written out by hand;
* ``suffix``: a harmful request followed by 12-25 random pieces of the language's own
  ``SUFFIX_PIECES``.

Exact duplicates (after NFKC, case and space folding) are dropped; near-duplicates
(character 4-gram Jaccard >= 0.8 within a family and language) fail the build, and so does
any family whose per-language count is not the one this set promises (``EXPECTED``), an
indirect document outside its length range, or a smuggling marker left in a text. The
closest pairs within each family and language are printed after every build.

The assembly, encoders, smuggling transforms, suffix runs and duplicate checks are
``eval.textforms``'s; that module holds no set's texts (it imports only
``eval.outside.encodings``), so building this set loads no other set's texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from eval.outside4 import material_en, material_ko
from eval.textforms import (
    FAMILIES,
    Item,
    build_set,
    check_and_write,
    count_problems,
)

__all__ = ["DATA", "EXPECTED", "FAMILIES", "build", "main", "problems"]

SEED: Final = "aegis-outside-v4"
DATA: Final = Path(__file__).parent / "data"
LANGS: Final = (("en", material_en), ("ko", material_ko))
# Texts per family and language (smaller than the third set).
EXPECTED: Final = {
    "direct": 20,
    "roleplay": 20,
    "indirect": 20,
    "encoded": 20,
    "exfiltration": 20,
    "smuggling": 20,
    "suffix": 12,
    "hard_negative": 50,
    "plain": 60,
}
# Characters an indirect item's document (without the user's request) may have.
INDIRECT_LENGTH: Final = {"en": (300, 1400), "ko": (200, 700)}
# How the user's request follows an indirect item's document, when it comes after it.
AFTER: Final = {
    "en": ("{R}", "====\n{R}", "(end of the thing I pasted) {R}", "^ that's it.\n\n{R}"),
    "ko": ("{R}", "====\n{R}", "(여기까지 붙여넣은 거) {R}", "↑ 원문 끝\n\n{R}"),
}


def build() -> dict[str, list[Item]]:
    """Every family's items, both languages, exact duplicates dropped."""
    return build_set(LANGS, SEED, AFTER)


def problems(sets: dict[str, list[Item]]) -> list[str]:
    """Counts that differ from ``EXPECTED``, indirect documents of the wrong length and
    smuggling markers left in any text."""
    found = count_problems(sets, EXPECTED, (lang for lang, _ in LANGS))
    for lang, module in LANGS:
        low, high = INDIRECT_LENGTH[lang]
        for n, (_, document) in enumerate(module.INDIRECT, 1):
            if not low <= len(document) <= high:
                found.append(f"indirect/{lang} #{n}: document has {len(document)} characters")
    for items in sets.values():
        for item in items:
            if "⟦" in item["text"] or "⟧" in item["text"]:
                found.append(f"{item['id']}: smuggling marker left in the text")
    return found


def main() -> None:
    sets = build()
    check_and_write(sets, problems(sets), DATA, [lang for lang, _ in LANGS], closest=12)


if __name__ == "__main__":
    main()
