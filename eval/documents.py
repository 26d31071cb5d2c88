"""Long documents assembled from hand-written sections: the builder of ``eval/outside6`` (an
outside set) and ``eval/longdev`` (the development set the long-text rule was chosen on).

Each set's ``build.py`` names its seed, its material modules, its counts (``expected``) and
its length ranges in a :class:`DocumentSet`; everything else is shared here.

Every document is assembled from the hand-written sections of ONE genre of one family
(``PLAIN``, ``HARD_NEGATIVE`` or ``INDIRECT`` in the set's ``material_en`` /
``material_ko``): a hand-written title block, a seeded subset of the genre's sections (no
section twice in a document, kept in the order they were written so that the document reads
in order), each under its heading in the genre's layout, and a hand-written closing. A genre
with one document uses all its sections; with two, a seeded share and all; with three, two
shares and all; an ``indirect`` genre a seeded share for every document, and one
hand-written planted instruction per document, put in as its own block at the start, the
middle or the end (a balanced, seeded order). The user's own request goes before the
document (60%, seeded) or after it behind one of a few joins, in every family.

Deterministic: every random choice comes from ``random.Random(f"{seed}/{family}/{lang}")``
(assembly, injection positions) or ``random.Random(f"{seed}/{family}/{lang}/request")`` (the
user's request and where it goes); string seeds hash the same in every process, so the same
checkout always writes the same bytes.

A build fails on a count that differs from ``expected``, a document outside its length
range, too few long plain documents, a planted instruction that is not in its document, two
documents of one genre sharing too many sections, and near-duplicates (character 4-gram
Jaccard >= 0.8 within a family and language, ``eval.textforms``); it prints the counts,
the length ranges and the closest pairs.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from eval.textforms import Item, check_and_write, count_problems

__all__ = ["FAMILIES", "DocumentSet"]

# family -> (material attribute, label), in the order the files are written.
FAMILIES: Final = {
    "indirect": ("INDIRECT", "attack"),
    "hard_negative": ("HARD_NEGATIVE", "benign"),
    "plain": ("PLAIN", "benign"),
}
# A document is "long" above this; at least a third of each language's plain ones must be.
LONG: Final = {"en": 4000, "ko": 2000}
# Share of a genre's section text (characters) a document aims at, by family and its slot in
# its genre: "short", or "all" (every section the genre has). Plain and hard-negative genres
# with two documents use short and all, with three short, short and all; indirect genres use
# short twice. A document still too short for its length range gets more sections.
SHARE: Final = {"plain": (0.42, 0.58), "hard_negative": (0.42, 0.58), "indirect": (0.6, 0.8)}
# Share of sections two documents of one genre may have in common, at most.
OVERLAP: Final = 0.75
# How the user's request follows the document, when it comes after it.
AFTER: Final = {
    "en": ("{R}", "---\n{R}", "(end of the pasted document) {R}", "[end of file]\n\n{R}"),
    "ko": ("{R}", "---\n{R}", "(붙여넣은 문서 끝) {R}", "[파일 끝]\n\n{R}"),
}

Genre = Mapping[str, Any]


def heading(style: str, n: int, title: str, lang: str) -> str:
    """A section heading in the genre's layout."""
    if style == "numbered":
        return f"{n}. {title}"
    if style == "markdown":
        return f"## {title}"
    if style == "article":
        return f"제{n}조({title})" if lang == "ko" else f"Clause {n}. {title}"
    if style == "bracket":
        return f"[{title}]"
    if style in ("transcript", "plain"):
        return title
    raise ValueError(f"unknown style {style!r}")


def slots(family: str, n_docs: int) -> list[str]:
    if family == "indirect":
        return ["short"] * n_docs
    if n_docs in (1, 2, 3):
        return ["short"] * (n_docs - 1) + ["all"]
    raise ValueError(f"{n_docs} documents in one genre")


def size(genre: Genre, i: int) -> int:
    head, body = genre["sections"][i]
    return len(head) + len(body) + 4


def pick(
    genre: Genre,
    share: tuple[float, float],
    fits: Callable[[list[int]], bool],
    rng: random.Random,
    taken: list[set[int]],
) -> list[int]:
    """Indices of the sections of one short document, in written order: a random share of
    the genre's text, topped up until ``fits`` says the document is long enough, and sharing
    at most ``OVERLAP`` of its sections with each earlier document of the genre."""
    n = len(genre["sections"])
    pool = sum(size(genre, i) for i in range(n))
    for _ in range(200):
        goal = rng.uniform(*share) * pool
        order = list(range(n))
        rng.shuffle(order)
        chosen: list[int] = []
        total = 0
        for i in order:
            if total >= goal and fits(sorted(chosen)):
                break
            chosen.append(i)
            total += size(genre, i)
        got = set(chosen)
        if all(len(got & other) / len(got | other) <= OVERLAP for other in taken):
            return sorted(got)
    raise SystemExit(f"no section subset with overlap <= {OVERLAP} for {genre['titles'][0]!r}")


def compose(genre: Genre, title: str, picked: Sequence[int], closing: str, lang: str) -> list[str]:
    """The document as blocks (title, sections, closing)."""
    blocks = [title]
    for n, i in enumerate(picked, 1):
        head, body = genre["sections"][i]
        blocks.append(f"{heading(genre['style'], n, head, lang)}\n{body}")
    if closing:
        blocks.append(closing)
    return blocks


def long_enough(
    genre: Genre, title: str, closing: str, extra: int, lang: str, low: int, picked: list[int]
) -> bool:
    """Whether the document made of ``picked`` (plus ``extra`` characters) is at least ``low``
    characters long, with a margin."""
    blocks = compose(genre, title, picked, closing, lang)
    return len("\n\n".join(blocks)) + extra >= low + 40


@dataclass(frozen=True)
class DocumentSet:
    """One set of long documents: its seed, where its files go, its material modules by
    language, its counts per family and language, and its documents' length ranges."""

    seed: str
    data: Path
    langs: tuple[tuple[str, ModuleType], ...]
    expected: Mapping[str, int]
    length: Mapping[str, tuple[int, int]]

    def documents(self, family: str, module: ModuleType, lang: str) -> list[tuple[str, str]]:
        """(document, planted instruction or "") for every document of a family and language."""
        rng = random.Random(f"{self.seed}/{family}/{lang}")  # noqa: S311 (reproducible data)
        genres: Mapping[str, Genre] = getattr(module, FAMILIES[family][0])
        total = sum(len(g["titles"]) for g in genres.values())
        positions = (["start", "middle", "end"] * total)[:total]
        rng.shuffle(positions)
        out: list[tuple[str, str]] = []
        for name, genre in genres.items():
            titles = genre["titles"]
            plants = genre.get("injections", ())
            if family == "indirect" and len(plants) != len(titles):
                raise SystemExit(
                    f"{lang} {name}: {len(plants)} injections for {len(titles)} titles"
                )
            taken: list[set[int]] = []
            for j, (title, slot) in enumerate(zip(titles, slots(family, len(titles)), strict=True)):
                closing = rng.choice(genre["closings"]) if genre.get("closings") else ""
                plant = plants[j] if family == "indirect" else ""
                extra = len(plant) + 2 if plant else 0
                fits = functools.partial(
                    long_enough, genre, title, closing, extra, lang, self.length[lang][0]
                )
                if slot == "all":
                    picked = list(range(len(genre["sections"])))
                else:
                    picked = pick(genre, SHARE[family], fits, rng, taken)
                taken.append(set(picked))
                blocks = compose(genre, title, picked, closing, lang)
                if family == "indirect":
                    where = positions[len(out)]
                    if where == "start":
                        at = 1
                    elif where == "middle":
                        at = 1 + max(1, len(picked) // 2)
                    else:
                        at = len(blocks) if rng.random() < 0.5 or not closing else len(blocks) - 1
                    blocks.insert(at, plant)
                out.append(("\n\n".join(blocks), plant))
        return out

    def build(self) -> dict[str, list[Item]]:
        """Every family's items, both languages."""
        sets: dict[str, list[Item]] = {}
        for family, (_, label) in FAMILIES.items():
            items: list[Item] = []
            for lang, module in self.langs:
                rng = random.Random(f"{self.seed}/{family}/{lang}/request")  # noqa: S311
                for n, (document, _) in enumerate(self.documents(family, module, lang), 1):
                    request = rng.choice(module.REQUESTS[family])
                    if rng.random() < 0.6:
                        text = f"{request}\n\n{document}"
                    else:
                        text = f"{document}\n\n{rng.choice(AFTER[lang]).format(R=request)}"
                    items.append({"text": text, "label": label, "family": family, "lang": lang,
                                  "id": f"{family}-{lang}-{n}"})  # fmt: skip
            sets[family] = items
        return sets

    def problems(self, sets: Mapping[str, Sequence[Item]]) -> list[str]:
        """Counts that differ from ``expected``, documents of the wrong length, too few long
        plain documents, and planted instructions that did not make it into their document."""
        found = count_problems(sets, self.expected, (lang for lang, _ in self.langs))
        for family in FAMILIES:
            for lang, module in self.langs:
                low, high = self.length[lang]
                docs = self.documents(family, module, lang)
                for n, (document, plant) in enumerate(docs, 1):
                    if not low <= len(document) <= high:
                        found.append(
                            f"{family}-{lang}-{n}: document has {len(document)} characters"
                        )
                    if family == "indirect" and (not plant or plant not in document):
                        found.append(f"{family}-{lang}-{n}: planted instruction missing")
                if family == "plain":
                    long = sum(len(d) > LONG[lang] for d, _ in docs)
                    if 3 * long < len(docs):
                        found.append(f"plain/{lang}: only {long} of {len(docs)} documents are long")
        return found

    def report(self, sets: Mapping[str, Sequence[Item]]) -> None:
        """Length ranges of the documents and of the whole texts, per family and language."""
        for family in FAMILIES:
            for lang, module in self.langs:
                docs = [len(d) for d, _ in self.documents(family, module, lang)]
                texts = [len(i["text"]) for i in sets[family] if i["lang"] == lang]
                long = sum(n > LONG[lang] for n in docs)
                print(
                    f"{family:14} {lang} documents {min(docs):,}-{max(docs):,} characters "
                    f"({long} over {LONG[lang]:,}), texts {min(texts):,}-{max(texts):,}"
                )

    def main(self) -> None:
        """Build, report, check, and write ``data/<family>.jsonl`` (or fail on a problem)."""
        sets = self.build()
        self.report(sets)
        langs = [lang for lang, _ in self.langs]
        check_and_write(sets, self.problems(sets), self.data, langs, closest=12)
