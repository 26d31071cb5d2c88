"""Write the third outside set's JSONL files from its hand-written texts.

    python -m eval.outside3.build          # rewrites eval/outside3/data/*.jsonl

Deterministic: every random choice comes from
``random.Random(f"aegis-outside-v3/{family}/{lang}")`` (string seeds hash the same in every
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
any family whose per-language count is not the one the set promises (``EXPECTED``). The
closest pairs within each family and language are printed after every build.

Adapted from ``eval/outside2/build.py``. The encoders, smuggling transforms, suffix runs, fold
and duplicate checks come from ``eval.textforms``, which holds no set's texts (it imports only
``eval.outside.encodings``), so building this set loads no other set's texts. Only
``near_duplicates`` is this set's own: it compares the rounded score.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

import orjson

from eval.outside3 import material_en, material_ko
from eval.textforms import (
    ENCODERS,
    NEAR_DUPLICATE,
    Item,
    apply_transform,
    closest_pairs,
    count_problems,
    fold,
    pair_scores,
    suffix_run,
)

__all__ = ["DATA", "EXPECTED", "FAMILIES", "build", "closest_pairs", "main", "near_duplicates"]

SEED: Final = "aegis-outside-v3"
DATA: Final = Path(__file__).parent / "data"
ATTACK_FAMILIES: Final = (
    "direct",
    "roleplay",
    "indirect",
    "encoded",
    "exfiltration",
    "smuggling",
    "suffix",
)
BENIGN_FAMILIES: Final = ("hard_negative", "plain")
FAMILIES: Final = ATTACK_FAMILIES + BENIGN_FAMILIES
# Texts per family and language.
EXPECTED: Final = {
    "direct": 30,
    "roleplay": 30,
    "indirect": 30,
    "encoded": 30,
    "exfiltration": 30,
    "smuggling": 30,
    "suffix": 20,
    "hard_negative": 75,
    "plain": 100,
}
LANGS: Final = (("en", material_en), ("ko", material_ko))


def _rng(family: str, lang: str) -> random.Random:
    return random.Random(f"{SEED}/{family}/{lang}")  # noqa: S311 (reproducible data, not secrets)


# ------------------------------------------------------------------ near-duplicates
def near_duplicates(items: Sequence[Item]) -> list[tuple[str, str, float]]:
    """Pairs in one family and language whose 4-grams overlap ``NEAR_DUPLICATE`` or more.

    Unlike ``textforms.near_duplicates`` (the first two sets), this set compares the score
    rounded to three places, so 0.7996 already fails it."""
    rounded = ((a, b, round(score, 3)) for a, b, score in pair_scores(items))
    return [pair for pair in rounded if pair[2] >= NEAR_DUPLICATE]


# ------------------------------------------------------------------ indirect
_EN_AFTER: Final = ("{R}", "~~~\n{R}", "(that's the text) {R}", "--- pasted above ---\n{R}")
_KO_AFTER: Final = ("{R}", "~~~\n{R}", "(위에 복사한 거) {R}", "--- 여기까지 원문 ---\n{R}")


def _indirect(m: ModuleType, lang: str) -> Iterator[str]:
    rng = _rng("indirect", lang)
    after = _KO_AFTER if lang == "ko" else _EN_AFTER
    for request, document in m.INDIRECT:
        if rng.random() < 0.6:
            yield f"{request}\n\n{document}"
        else:
            yield f"{document}\n\n{rng.choice(after).format(R=request)}"


# ------------------------------------------------------------------ encoded
def _encoded(m: ModuleType, lang: str) -> Iterator[tuple[str, str]]:
    for technique, wrapper, payload in m.ENCODED:
        encode, any_script = ENCODERS[technique]
        if not any_script and not payload.isascii():
            raise ValueError(f"{lang} {technique}: payload must be ASCII: {payload!r}")
        if "{P}" not in wrapper:
            raise ValueError(f"{lang} {technique}: wrapper lacks {{P}}: {wrapper!r}")
        encoded = encode(payload)
        yield wrapper.replace("{P}", encoded), technique


# ------------------------------------------------------------------ smuggling
def _smuggling(m: ModuleType, lang: str) -> Iterator[tuple[str, str]]:
    rng = _rng("smuggling", lang)
    for technique, frame, payload in m.SMUGGLING:
        yield apply_transform(technique, frame, payload, rng), technique


# ------------------------------------------------------------------ suffix
def _suffix(m: ModuleType, lang: str) -> Iterator[str]:
    rng = _rng("suffix", lang)
    for request in m.SUFFIX_REQUESTS:
        yield f"{request} {suffix_run(m.SUFFIX_PIECES, rng)}"


# ------------------------------------------------------------------ assembly
def _plain(m: ModuleType, lang: str) -> Iterator[str]:
    yield from m.PLAIN
    for request, document in m.PLAIN_LONG:
        yield f"{request}\n\n{document}"


_GENERATORS: Final[
    dict[str, Callable[[ModuleType, str], Iterator[str] | Iterator[tuple[str, str]]]]
] = {
    "direct": lambda m, lang: iter(m.DIRECT),
    "roleplay": lambda m, lang: iter(m.ROLEPLAY),
    "indirect": _indirect,
    "encoded": _encoded,
    "exfiltration": lambda m, lang: iter(m.EXFILTRATION),
    "smuggling": _smuggling,
    "suffix": _suffix,
    "hard_negative": lambda m, lang: iter(m.HARD_NEGATIVE),
    "plain": _plain,
}


def build() -> dict[str, list[Item]]:
    """Every family's items, both languages, exact duplicates dropped."""
    out: dict[str, list[Item]] = {}
    seen: set[str] = set()
    for family in FAMILIES:
        label = "attack" if family in ATTACK_FAMILIES else "benign"
        items: list[Item] = []
        for lang, module in LANGS:
            n = 0
            for produced in _GENERATORS[family](module, lang):
                text, technique = produced if isinstance(produced, tuple) else (produced, "")
                key = fold(text)
                if key in seen:
                    print(f"exact duplicate dropped: {family}/{lang}: {text[:60]!r}")
                    continue
                seen.add(key)
                n += 1
                item = {
                    "text": text,
                    "label": label,
                    "family": family,
                    "lang": lang,
                    "id": f"{family}-{lang}-{n}",
                }
                if technique:
                    item["technique"] = technique
                items.append(item)
        out[family] = items
    return out


def main() -> None:
    sets = build()
    everything = [item for items in sets.values() for item in items]
    duplicates = near_duplicates(everything)
    for a, b, score in duplicates:
        print(f"near-duplicate {a} {b} {score}")
    problems = count_problems(sets, EXPECTED, (lang for lang, _ in LANGS))
    for problem in problems:
        print(problem)
    print("closest pairs (family and language):")
    for a, b, score in closest_pairs(everything):
        print(f"  {a} {b} {score}")
    if duplicates or problems:
        raise SystemExit(1)
    DATA.mkdir(exist_ok=True)
    for family, items in sets.items():
        lines = b"".join(orjson.dumps(item) + b"\n" for item in items)
        (DATA / f"{family}.jsonl").write_bytes(lines)
        counts = {lang: sum(item["lang"] == lang for item in items) for lang, _ in LANGS}
        print(f"{family:14} en {counts['en']:4}  ko {counts['ko']:4}")
    print(f"total {len(everything)}")


if __name__ == "__main__":
    main()
