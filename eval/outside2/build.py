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

import base64
import random
import re
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

import orjson

from eval.outside.build import _fold, near_duplicates
from eval.outside.encodings import (
    atbash,
    decompose_hangul,
    fullwidth,
    homoglyphs,
    leet,
    morse,
    nato,
    rot13,
    tags,
)
from eval.outside2 import material_en, material_ko

__all__ = ["DATA", "EXPECTED", "FAMILIES", "build", "main", "near_duplicates"]

SEED: Final = "aegis-outside-v2"
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

Item = dict[str, str]


def _rng(family: str, lang: str) -> random.Random:
    return random.Random(f"{SEED}/{family}/{lang}")  # noqa: S311 (reproducible data, not secrets)


# ------------------------------------------------------------------ indirect
_EN_AFTER: Final = ("{R}", "---\n{R}", "^ {R}", "[end of pasted text]\n{R}")
_KO_AFTER: Final = ("{R}", "---\n{R}", "↑ {R}", "(여기까지 붙여넣은 내용)\n{R}")


def _indirect(m: ModuleType, lang: str) -> Iterator[str]:
    rng = _rng("indirect", lang)
    after = _KO_AFTER if lang == "ko" else _EN_AFTER
    for request, document in m.INDIRECT:
        if rng.random() < 0.6:
            yield f"{request}\n\n{document}"
        else:
            yield f"{document}\n\n{rng.choice(after).format(R=request)}"


# ------------------------------------------------------------------ encoded
def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode()


def _b32(text: str) -> str:
    return base64.b32encode(text.encode("utf-8")).decode()


def _hex(text: str) -> str:
    return text.encode("utf-8").hex()


def _url(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _binary(text: str) -> str:
    return " ".join(f"{b:08b}" for b in text.encode("utf-8"))


def _html_entities(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def _unicode_escapes(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


def _reversed(text: str) -> str:
    return text[::-1]


def _zero_width_bits(text: str) -> str:
    """UTF-8 bits as invisible characters: 0 as ZERO WIDTH SPACE, 1 as ZERO WIDTH NON-JOINER."""
    bits = "".join(f"{b:08b}" for b in text.encode("utf-8"))
    return "".join("\u200b" if bit == "0" else "\u200c" for bit in bits)


# name -> (encode, works on any script). The Latin-only ones get ASCII payloads.
ENCODERS: Final[dict[str, tuple[Callable[[str], str], bool]]] = {
    "base64": (_b64, True),
    "base32": (_b32, True),
    "hex": (_hex, True),
    "url": (_url, True),
    "binary": (_binary, True),
    "html_entities": (_html_entities, True),
    "unicode_escapes": (_unicode_escapes, True),
    "reversed": (_reversed, True),
    "zero_width": (_zero_width_bits, True),
    "rot13": (rot13, False),
    "atbash": (atbash, False),
    "morse": (morse, False),
    "nato": (nato, False),
    "leet": (leet, False),
    "tags": (tags, False),
}


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
_MARKED: Final = re.compile(r"⟦(.+?)⟧", re.S)
_CHO: Final = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


def _on_marked(payload: str, change: Callable[[str], str]) -> str:
    """``change`` applied to each ``⟦marked⟧`` part, or to the whole payload if none."""
    if "⟦" not in payload:
        return change(payload)
    return _MARKED.sub(lambda match: change(match.group(1)), payload)


def _unmark(payload: str) -> str:
    return payload.replace("⟦", "").replace("⟧", "")


def _spaced(text: str) -> str:
    return "  ".join(" ".join(word) for word in text.split())


def _separated(text: str, rng: random.Random) -> str:
    sep = rng.choice((".", "-", "*", "_", "|", "/", "~"))
    return " ".join(sep.join(word) for word in text.split())


def _split(text: str, rng: random.Random) -> str:
    joint = rng.choice((" ", "-\n", " - ", " ... "))
    out = []
    for word in text.split():
        if len(word) >= 3:
            cut = rng.randrange(1, len(word) - 1)
            out.append(f"{word[:cut]}{joint}{word[cut:]}")
        elif len(word) == 2 and not word.isascii():
            out.append(f"{word[0]}{joint}{word[1]}")
        else:
            out.append(word)
    return " ".join(out)


def _choseong(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        out.append(_CHO[code // 588] if 0 <= code < 11172 else ch)
    return "".join(out)


def _syllable_dots(text: str, rng: random.Random) -> str:
    dot = rng.choice((".", "·", "."))
    return " ".join(dot.join(word) for word in text.split())


def _vertical(text: str) -> str:
    return "\n".join(ch for ch in text if not ch.isspace())


_VAR_STYLES: Final[tuple[Callable[[int], str], ...]] = (
    lambda i: chr(97 + i),
    lambda i: f"s{i + 1}",
    lambda i: f"part_{chr(65 + i)}",
    lambda i: f"w{i}",
)


def _variables(frame: str, payload: str, rng: random.Random) -> str:
    words = _unmark(payload).split()
    style = _VAR_STYLES[rng.randrange(len(_VAR_STYLES))]
    names = [style(i) for i in range(len(words))]
    order = list(range(len(words)))
    rng.shuffle(order)  # listed out of order, joined in order
    quote = rng.choice(('"', "'"))
    assignments = "\n".join(f"{names[i]} = {quote}{words[i]}{quote}" for i in order)
    joined = " + ' ' + ".join(names) if rng.random() < 0.5 else " + ".join(names)
    return frame.replace("{P}", assignments).replace("{J}", joined)


def _transform(technique: str, frame: str, payload: str, rng: random.Random) -> str:
    if technique == "variables":
        return _variables(frame, payload, rng)
    if technique in ("acrostic", "code_words"):
        return frame.replace("{P}", _unmark(payload))
    changes: dict[str, Callable[[str], str]] = {
        "spaced": _spaced,
        "separators": lambda t: _separated(t, rng),
        "split": lambda t: _split(t, rng),
        "homoglyphs": lambda t: homoglyphs(t, rng, share=0.7),
        "fullwidth": fullwidth,
        "vertical": _vertical,
        "jamo": decompose_hangul,
        "choseong": _choseong,
        "syllable_dots": lambda t: _syllable_dots(t, rng),
    }
    return frame.replace("{P}", _on_marked(payload, changes[technique]))


def _smuggling(m: ModuleType, lang: str) -> Iterator[tuple[str, str]]:
    rng = _rng("smuggling", lang)
    for technique, frame, payload in m.SMUGGLING:
        yield _transform(technique, frame, payload, rng), technique


# ------------------------------------------------------------------ suffix
def _suffix_run(pieces: Sequence[str], rng: random.Random) -> str:
    out: list[str] = []
    for _ in range(rng.randint(12, 25)):
        out.append(rng.choice(pieces))
        if rng.random() < 0.5:
            out.append(" ")
    return "".join(out).strip()


def _suffix(m: ModuleType, lang: str) -> Iterator[str]:
    rng = _rng("suffix", lang)
    for request in m.SUFFIX_REQUESTS:
        yield f"{request} {_suffix_run(m.SUFFIX_PIECES, rng)}"


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
                key = _fold(text)
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


def count_problems(sets: dict[str, list[Item]]) -> list[str]:
    problems = []
    for family, items in sets.items():
        for lang, _ in LANGS:
            n = sum(item["lang"] == lang for item in items)
            if n != EXPECTED[family]:
                problems.append(f"{family}/{lang}: {n} texts, expected {EXPECTED[family]}")
    return problems


def main() -> None:
    sets = build()
    everything = [item for items in sets.values() for item in items]
    duplicates = near_duplicates(everything)
    for a, b, score in duplicates:
        print(f"near-duplicate {a} {b} {score}")
    problems = count_problems(sets)
    for problem in problems:
        print(problem)
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
