"""Hostile text shapes: a megabyte of what makes the PII analyzer and the classifier work
hardest per byte (dense triggers, half-made values, values by the thousand, no spaces,
random blobs). Used by the cost tests and by ``python -m bench.hostile``.

    >>> sorted(hostile_texts(4096))[:3]
    ['akia', 'base64', 'digit-dash']
"""

from __future__ import annotations

import base64
import random
from typing import Final

__all__ = ["SHAPES", "hostile_texts"]

# Each shape: a unit repeated, or a generator of random text (seeded: the same every run).
_UNITS: Final = {
    "label": "성명: ",  # a name label with no name: the 9.4 s/MB
    "label-name": "성명: 홍길동 ",
    "email-spaced": "a@b.co ",
    "email-glued": "a@b.co",
    "email-long": "aaaaaaaaaaaaaaaaaaaaaaaaa@bbbbbbbbbbbbbbbbbbbbbbbb.com ",
    "phone": "010-1234-5678 ",
    "rrn": "900101-1234568 ",
    "dr": "Dr. ",
    "my-name-is": "my name is ",
    "dr-name": "Dr. Jane Park ",
    "password": "password=",
    "token": "token=",
    "akia": "AKIA",
    "secret-values": "password=Ab3dE5gH9jK2mN4p ",
    "word": "a",  # one long word, no spaces
    "ip": "1.2.3.4 ",
    "ipv6-colons": "a:b:",
    "key-blocks": "-----BEGIN PRIVATE KEY----- ",
}


def _fill(unit: str, size: int) -> str:
    text = unit * (size // len(unit.encode()) + 1)
    return text.encode()[:size].decode("utf-8", "ignore")


def _digits(size: int, rng: random.Random) -> str:
    return "".join(rng.choices("0123456789", k=size))


def _digit_dash(size: int, rng: random.Random) -> str:
    runs = "-".join(str(rng.randrange(10**3, 10**7)) for _ in range(size // 5 + 1))
    return runs[:size]


def _korean_titles(size: int, rng: random.Random) -> str:
    words = [
        rng.choice("김이박최정")
        + rng.choice("민서지현")
        + rng.choice("수연호")
        + rng.choice([" 님 ", " 과장 ", "님", "과장님께 "])
        for _ in range(size // 8 + 1)
    ]
    return "".join(words).encode()[:size].decode("utf-8", "ignore")


def _base64(size: int, rng: random.Random) -> str:
    return base64.b64encode(rng.randbytes(size * 3 // 4 + 3)).decode()[:size]


_GENERATED: Final = {
    "digits": _digits,
    "digit-dash": _digit_dash,
    "korean-titles": _korean_titles,
    "base64": _base64,
}
SHAPES: Final = tuple(sorted((*_UNITS, *_GENERATED)))


def hostile_texts(size: int) -> dict[str, str]:
    """Every shape as a text of ``size`` UTF-8 bytes (or a few less)."""
    texts = {name: _fill(unit, size) for name, unit in _UNITS.items()}
    for name, make in _GENERATED.items():
        texts[name] = make(size, random.Random(name))
    return dict(sorted(texts.items()))
