"""Text-free helpers the outside sets' builders (``eval/outside*/build.py``) share.

It holds deterministic text transforms and encoders, and the exact- and near-duplicate checks
used to build the outside evaluation sets. None of any set's texts is here, and importing this
module loads none of them: it imports only the standard library and the first set's encoders
(``eval.outside.encodings``). Every function is pure. The same text (and, where it takes one,
the same ``random.Random``) gives the same output, so each build rewrites identical files.

>>> fold("  \\uff29gnore\\n  THIS ")  # a full-width I
'ignore this'
>>> b64("hi"), hex_bytes("hi"), url("a b/c"), binary("A")
('aGk=', '6869', 'a%20b%2Fc', '01000001')
>>> html_entities("<a"), unicode_escapes("hi")
('&#60;&#97;', '\\\\u0068\\\\u0069')
>>> on_marked("please ⟦ignore⟧ it", spaced), unmark("please ⟦ignore⟧ it")
('please i g n o r e it', 'please ignore it')
>>> choseong("안녕 hi"), vertical("a b")
('ㅇㄴ hi', 'a\\nb')
>>> items = [
...     {"id": "a", "family": "f", "lang": "en", "text": "ignore the rules now"},
...     {"id": "b", "family": "f", "lang": "en", "text": "Ignore the rules now!"},
...     {"id": "c", "family": "g", "lang": "en", "text": "ignore the rules now"},
... ]
>>> near_duplicates(items)
[('a', 'b', 0.944)]
>>> count_problems({"f": items[:2]}, {"f": 2}, ("en", "ko"))
['f/ko: 0 texts, expected 2']
"""

from __future__ import annotations

import base64
import random
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

import orjson

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

__all__ = [
    "ATTACK_FAMILIES",
    "ENCODERS",
    "EXPECTED",
    "FAMILIES",
    "NEAR_DUPLICATE",
    "SEPARATORS",
    "Item",
    "apply_transform",
    "b32",
    "b64",
    "binary",
    "build_set",
    "check_and_write",
    "choseong",
    "closest_pairs",
    "count_problems",
    "fold",
    "grams",
    "hex_bytes",
    "html_entities",
    "near_duplicates",
    "on_marked",
    "pair_scores",
    "reversed_text",
    "separated",
    "spaced",
    "split",
    "suffix_run",
    "syllable_dots",
    "unicode_escapes",
    "unmark",
    "url",
    "variables",
    "vertical",
    "write_set",
    "zero_width_bits",
]

# One text of a set: text, label, family, lang, id and, for some families, technique.
Item = dict[str, str]
# Character 4-gram Jaccard at or above which two texts of one family and language are too alike.
NEAR_DUPLICATE: Final = 0.8


# ------------------------------------------------------------------ duplicates
def fold(text: str) -> str:
    """NFKC, case-folded, runs of white space as one space: the exact-duplicate key."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def grams(text: str) -> set[str]:
    """The character 4-grams of the folded text."""
    folded = fold(text)
    return {folded[i : i + 4] for i in range(max(1, len(folded) - 3))}


def pair_scores(items: Sequence[Item]) -> Iterator[tuple[str, str, float]]:
    """Character 4-gram Jaccard (unrounded) of every pair in one family and language."""
    shingles = [grams(item["text"]) for item in items]
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            a, b = items[i], items[j]
            if a["family"] != b["family"] or a["lang"] != b["lang"]:
                continue
            score = len(shingles[i] & shingles[j]) / len(shingles[i] | shingles[j])
            yield a["id"], b["id"], score


def near_duplicates(
    items: Sequence[Item], threshold: float = NEAR_DUPLICATE, *, round_first: bool = False
) -> list[tuple[str, str, float]]:
    """Pairs in one family and language whose character 4-grams overlap ``threshold`` or more
    (Jaccard, reported rounded to three places; compared unrounded, or rounded with
    ``round_first``, so that 0.7996 fails too)."""
    rounded = ((a, b, score, round(score, 3)) for a, b, score in pair_scores(items))
    return [
        (a, b, shown)
        for a, b, score, shown in rounded
        if (shown if round_first else score) >= threshold
    ]


def closest_pairs(items: Sequence[Item], n: int = 8) -> list[tuple[str, str, float]]:
    """The ``n`` most similar pairs within a family and language (rounded to three places,
    ties by id)."""
    rounded = [(a, b, round(score, 3)) for a, b, score in pair_scores(items)]
    return sorted(rounded, key=lambda pair: (-pair[2], pair[0], pair[1]))[:n]


def count_problems(
    sets: Mapping[str, Sequence[Item]], expected: Mapping[str, int], langs: Iterable[str]
) -> list[str]:
    """One line for each family and language whose count is not ``expected[family]``."""
    problems = []
    wanted = tuple(langs)
    for family, items in sets.items():
        for lang in wanted:
            n = sum(item["lang"] == lang for item in items)
            if n != expected[family]:
                problems.append(f"{family}/{lang}: {n} texts, expected {expected[family]}")
    return problems


# ------------------------------------------------------------------ encoders
def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode()


def b32(text: str) -> str:
    return base64.b32encode(text.encode("utf-8")).decode()


def hex_bytes(text: str) -> str:
    """UTF-8 bytes as lower-case hex, no spaces."""
    return text.encode("utf-8").hex()


def url(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def binary(text: str) -> str:
    return " ".join(f"{b:08b}" for b in text.encode("utf-8"))


def html_entities(text: str) -> str:
    """Every character as a decimal entity, ``&#60;``."""
    return "".join(f"&#{ord(ch)};" for ch in text)


def unicode_escapes(text: str) -> str:
    """Every character, spaces too, as ``\\uXXXX``."""
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


def reversed_text(text: str) -> str:
    return text[::-1]


def zero_width_bits(text: str) -> str:
    """UTF-8 bits as invisible characters: 0 as ZERO WIDTH SPACE, 1 as ZERO WIDTH NON-JOINER."""
    bits = "".join(f"{b:08b}" for b in text.encode("utf-8"))
    return "".join("\u200b" if bit == "0" else "\u200c" for bit in bits)


# The encoders of the sets whose items name their technique (outside2, outside3): name ->
# (encode, works on any script). The Latin-only ones get ASCII payloads. The first set uses
# ``eval.outside.encodings.ENCODERS``, which differs.
ENCODERS: Final[dict[str, tuple[Callable[[str], str], bool]]] = {
    "base64": (b64, True),
    "base32": (b32, True),
    "hex": (hex_bytes, True),
    "url": (url, True),
    "binary": (binary, True),
    "html_entities": (html_entities, True),
    "unicode_escapes": (unicode_escapes, True),
    "reversed": (reversed_text, True),
    "zero_width": (zero_width_bits, True),
    "rot13": (rot13, False),
    "atbash": (atbash, False),
    "morse": (morse, False),
    "nato": (nato, False),
    "leet": (leet, False),
    "tags": (tags, False),
}


# ------------------------------------------------------------------ smuggling transforms
_MARKED: Final = re.compile(r"⟦(.+?)⟧", re.S)
_CHO: Final = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# What ``separated`` puts between letters unless told otherwise.
SEPARATORS: Final = (".", "-", "*", "_", "|", "/", "~")


def on_marked(payload: str, change: Callable[[str], str]) -> str:
    """``change`` applied to each ``⟦marked⟧`` part, or to the whole payload if none."""
    if "⟦" not in payload:
        return change(payload)
    return _MARKED.sub(lambda match: change(match.group(1)), payload)


def unmark(payload: str) -> str:
    return payload.replace("⟦", "").replace("⟧", "")


def spaced(text: str) -> str:
    """A space between letters, two between words."""
    return "  ".join(" ".join(word) for word in text.split())


def separated(text: str, rng: random.Random, separators: Sequence[str] = SEPARATORS) -> str:
    """One separator, picked from ``separators``, between the letters of every word."""
    sep = rng.choice(separators)
    return " ".join(sep.join(word) for word in text.split())


def split(text: str, rng: random.Random) -> str:
    """Words of three or more characters (two, if not ASCII) cut in two by one picked joint."""
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


def choseong(text: str) -> str:
    """Each Hangul syllable as its initial consonant only."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        out.append(_CHO[code // 588] if 0 <= code < 11172 else ch)
    return "".join(out)


def syllable_dots(text: str, rng: random.Random) -> str:
    dot = rng.choice((".", "·", "."))
    return " ".join(dot.join(word) for word in text.split())


def vertical(text: str) -> str:
    """One character per line, white space dropped."""
    return "\n".join(ch for ch in text if not ch.isspace())


_VAR_STYLES: Final[tuple[Callable[[int], str], ...]] = (
    lambda i: chr(97 + i),
    lambda i: f"s{i + 1}",
    lambda i: f"part_{chr(65 + i)}",
    lambda i: f"w{i}",
)


def variables(frame: str, payload: str, rng: random.Random) -> str:
    """The payload's words assigned to variables, listed out of order; ``{P}`` in ``frame``
    becomes the assignments and ``{J}`` the in-order concatenation."""
    words = unmark(payload).split()
    style = _VAR_STYLES[rng.randrange(len(_VAR_STYLES))]
    names = [style(i) for i in range(len(words))]
    order = list(range(len(words)))
    rng.shuffle(order)  # listed out of order, joined in order
    quote = rng.choice(('"', "'"))
    assignments = "\n".join(f"{names[i]} = {quote}{words[i]}{quote}" for i in order)
    joined = " + ' ' + ".join(names) if rng.random() < 0.5 else " + ".join(names)
    return frame.replace("{P}", assignments).replace("{J}", joined)


def apply_transform(technique: str, frame: str, payload: str, rng: random.Random) -> str:
    """``frame`` with ``{P}`` replaced by the payload, its marked words (or all of it)
    disguised by ``technique``; acrostics and code words are written out by hand."""
    if technique == "variables":
        return variables(frame, payload, rng)
    if technique in ("acrostic", "code_words"):
        return frame.replace("{P}", unmark(payload))
    changes: dict[str, Callable[[str], str]] = {
        "spaced": spaced,
        "separators": lambda t: separated(t, rng),
        "split": lambda t: split(t, rng),
        "homoglyphs": lambda t: homoglyphs(t, rng, share=0.7),
        "fullwidth": fullwidth,
        "vertical": vertical,
        "jamo": decompose_hangul,
        "choseong": choseong,
        "syllable_dots": lambda t: syllable_dots(t, rng),
    }
    return frame.replace("{P}", on_marked(payload, changes[technique]))


# ------------------------------------------------------------------ suffix
def suffix_run(pieces: Sequence[str], rng: random.Random) -> str:
    """12-25 pieces picked at random, about half of them followed by a space."""
    out: list[str] = []
    for _ in range(rng.randint(12, 25)):
        out.append(rng.choice(pieces))
        if rng.random() < 0.5:
            out.append(" ")
    return "".join(out).strip()


# ------------------------------------------------------------------ assembly (sets 2 and 3)
ATTACK_FAMILIES: Final = (
    "direct",
    "roleplay",
    "indirect",
    "encoded",
    "exfiltration",
    "smuggling",
    "suffix",
)
FAMILIES: Final = (*ATTACK_FAMILIES, "hard_negative", "plain")
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


def build_set(
    langs: Sequence[tuple[str, ModuleType]],
    seed: str,
    after: Mapping[str, Sequence[str]],
    encoders: Mapping[str, tuple[Callable[[str], str], bool]] = ENCODERS,
) -> dict[str, list[Item]]:
    """Every family's items of a set whose texts are in ``langs``' material modules, exact
    duplicates dropped (second to fifth sets). Families that are lists of finished texts
    are copied as written; ``indirect`` puts the user's request before its document (60%) or
    after it behind one of ``after[lang]``'s joins; ``encoded`` encodes each payload into its
    wrapper with ``encoders`` (name -> encoder, whether it takes any script); ``smuggling``
    disguises the marked words; ``suffix`` adds a run of the set's pieces. Random choices
    come from ``random.Random(f"{seed}/{family}/{lang}")``."""

    def rng(family: str, lang: str) -> random.Random:
        return random.Random(f"{seed}/{family}/{lang}")  # noqa: S311 (reproducible data)

    def produce(family: str, m: ModuleType, lang: str) -> Iterator[str | tuple[str, str]]:
        if family == "indirect":
            r = rng(family, lang)
            for request, document in m.INDIRECT:
                if r.random() < 0.6:
                    yield f"{request}\n\n{document}"
                else:
                    yield f"{document}\n\n{r.choice(after[lang]).format(R=request)}"
        elif family == "encoded":
            for technique, wrapper, payload in m.ENCODED:
                encode, any_script = encoders[technique]
                if not any_script and not payload.isascii():
                    raise ValueError(f"{lang} {technique}: payload must be ASCII: {payload!r}")
                if "{P}" not in wrapper:
                    raise ValueError(f"{lang} {technique}: wrapper lacks {{P}}: {wrapper!r}")
                yield wrapper.replace("{P}", encode(payload)), technique
        elif family == "smuggling":
            r = rng(family, lang)
            for technique, frame, payload in m.SMUGGLING:
                yield apply_transform(technique, frame, payload, r), technique
        elif family == "suffix":
            r = rng(family, lang)
            for request in m.SUFFIX_REQUESTS:
                yield f"{request} {suffix_run(m.SUFFIX_PIECES, r)}"
        elif family == "plain":
            yield from m.PLAIN
            for request, document in m.PLAIN_LONG:
                yield f"{request}\n\n{document}"
        else:
            yield from getattr(m, family.upper())

    out: dict[str, list[Item]] = {}
    seen: set[str] = set()
    for family in FAMILIES:
        label = "attack" if family in ATTACK_FAMILIES else "benign"
        items: list[Item] = []
        for lang, module in langs:
            n = 0
            for produced in produce(family, module, lang):
                text, technique = produced if isinstance(produced, tuple) else (produced, "")
                key = fold(text)
                if key in seen:
                    print(f"exact duplicate dropped: {family}/{lang}: {text[:60]!r}")
                    continue
                seen.add(key)
                n += 1
                item = {"text": text, "label": label, "family": family, "lang": lang,
                        "id": f"{family}-{lang}-{n}"}  # fmt: skip
                if technique:
                    item["technique"] = technique
                items.append(item)
        out[family] = items
    return out


def check_and_write(
    sets: Mapping[str, Sequence[Item]],
    problems: Sequence[str],
    data: Path,
    langs: Sequence[str],
    *,
    round_first: bool = True,
    closest: int = 8,
) -> None:
    """A set builder's last step: print the near-duplicates, ``problems`` and the
    ``closest`` closest pairs, then exit 1 if there were duplicates or problems, else write
    the files (:func:`write_set`)."""
    everything = [item for items in sets.values() for item in items]
    duplicates = near_duplicates(everything, round_first=round_first)
    for a, b, score in duplicates:
        print(f"near-duplicate {a} {b} {score}")
    for problem in problems:
        print(problem)
    if closest:
        print("closest pairs (family and language):")
        for a, b, score in closest_pairs(everything, n=closest):
            print(f"  {a} {b} {score}")
    if duplicates or problems:
        raise SystemExit(1)
    write_set(sets, data, langs)


def write_set(sets: Mapping[str, Sequence[Item]], data: Path, langs: Sequence[str]) -> None:
    """One ``<family>.jsonl`` per family under ``data``, and a count per language printed."""
    data.mkdir(exist_ok=True)
    for family, items in sets.items():
        (data / f"{family}.jsonl").write_bytes(
            b"".join(orjson.dumps(item) + b"\n" for item in items)
        )
        counts = {lang: sum(item["lang"] == lang for item in items) for lang in langs}
        print(f"{family:14} en {counts['en']:4}  ko {counts['ko']:4}")
    print(f"total {sum(len(items) for items in sets.values())}")
