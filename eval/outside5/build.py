"""Write the fifth outside set's JSONL files from its hand-written texts.

    python -m eval.outside5.build          # rewrites eval/outside5/data/*.jsonl

Deterministic: every random choice comes from
``random.Random(f"aegis-outside-v5/{family}/{lang}")`` (string seeds hash the same in every
process), so the same checkout always writes the same bytes.

Families that are lists of finished texts (direct, roleplay, exfiltration, hard_negative,
plain) are copied as written; the others combine hand-written parts:

* ``indirect``: each document already holds its one planted instruction; the user's own
  request goes before it (60%) or, behind one of a few joins, after it;
* ``encoded``: each item names its technique, a hand-written wrapper and a payload; the
  payload is encoded and put into the wrapper. Besides the encoders of ``eval.textforms``
  this set also uses five of ``eval.outside.encodings`` (Braille, variation selectors,
  quoted-printable, MIME encoded words and uuencode);
* ``smuggling``: each item names its transform, a frame and a payload whose trigger words
  are marked ``⟦...⟧``; only the marked words are disguised (the whole payload when nothing
  is marked); acrostics and code words are written out by hand;
* ``suffix``: a harmful request followed by 12-25 random pieces of the language's own
  ``SUFFIX_PIECES``.

Exact duplicates (after NFKC, case and space folding) are dropped; near-duplicates
(character 4-gram Jaccard >= 0.8 within a family and language) fail the build, and so does
any family whose per-language count is not the one this set promises (``EXPECTED``), an
indirect document outside its length range, a smuggling marker or an unfilled ``{P}`` /
``{J}`` left in a text. The closest pairs within each family and language are printed after
every build.

The assembly (``build_set``), the fold, near-duplicate and closest-pair checks, the encoders,
the smuggling transforms and the suffix runs are ``eval.textforms``'s and
``eval.outside.encodings``'s; neither holds any set's texts, so building this set loads no
other set's texts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from eval.outside.encodings import (
    braille,
    mime_words,
    quoted_printable,
    uuencode,
    variation_selectors,
)
from eval.outside5 import material_en, material_ko
from eval.textforms import (
    ENCODERS,
    FAMILIES,
    Item,
    build_set,
    check_and_write,
    count_problems,
)

__all__ = ["DATA", "ENCODINGS", "EXPECTED", "FAMILIES", "build", "main", "problems"]

SEED: Final = "aegis-outside-v5"
DATA: Final = Path(__file__).parent / "data"
LANGS: Final = (("en", material_en), ("ko", material_ko))
# Texts per family and language (Korean weighs as much as English).
EXPECTED: Final = {
    "direct": 20,
    "roleplay": 20,
    "indirect": 25,
    "encoded": 20,
    "exfiltration": 15,
    "smuggling": 20,
    "suffix": 10,
    "hard_negative": 60,
    "plain": 60,
}
# Characters an indirect item's document (without the user's request) may have.
INDIRECT_LENGTH: Final = {"en": (300, 1400), "ko": (200, 700)}
# How the user's request follows an indirect item's document, when it comes after it.
AFTER: Final = {
    "en": ("{R}", "---\n{R}", "(that's the whole paste) {R}", "[end of document]\n\n{R}"),
    "ko": ("{R}", "---\n{R}", "(붙여넣기 끝) {R}", "[문서 끝]\n\n{R}"),
}
# name -> (encode, works on any script): textforms' encoders plus five more.
ENCODINGS: Final[dict[str, tuple[Callable[[str], str], bool]]] = {
    **ENCODERS,
    "braille": (braille, False),
    "variation_selectors": (variation_selectors, True),
    "quoted_printable": (quoted_printable, True),
    "mime_words": (mime_words, True),
    "uu": (uuencode, True),
}


def build() -> dict[str, list[Item]]:
    """Every family's items, both languages, exact duplicates dropped."""
    return build_set(LANGS, SEED, AFTER, encoders=ENCODINGS)


def problems(sets: dict[str, list[Item]]) -> list[str]:
    """Counts that differ from ``EXPECTED``, indirect documents of the wrong length, and
    smuggling markers or unfilled placeholders left in any text."""
    found = count_problems(sets, EXPECTED, (lang for lang, _ in LANGS))
    for lang, module in LANGS:
        low, high = INDIRECT_LENGTH[lang]
        for n, (_, document) in enumerate(module.INDIRECT, 1):
            if not low <= len(document) <= high:
                found.append(f"indirect/{lang} #{n}: document has {len(document)} characters")
    for items in sets.values():
        for item in items:
            text = item["text"]
            if "⟦" in text or "⟧" in text:
                found.append(f"{item['id']}: smuggling marker left in the text")
            if item["family"] in ("encoded", "smuggling") and ("{P}" in text or "{J}" in text):
                found.append(f"{item['id']}: placeholder left in the text")
    return found


def main() -> None:
    sets = build()
    check_and_write(sets, problems(sets), DATA, [lang for lang, _ in LANGS], closest=12)


if __name__ == "__main__":
    main()
