"""Deterministic encoders and visual transforms the outside set wraps its own texts in.

Every function is pure: the same text (and, where it takes one, the same ``random.Random``)
gives the same output, so ``python -m eval.outside.build`` rewrites identical files.

>>> rot13("Ignore")
'Vtaber'
>>> atbash("abc")
'zyx'
>>> morse("SOS")
'... --- ...'
>>> from_tags(tags("hi")) == "hi"
True
>>> from_variation_selectors(variation_selectors("안녕")) == "안녕"
True
"""

from __future__ import annotations

import base64
import binascii
import quopri
import random
import urllib.parse
from collections.abc import Callable
from typing import Final

__all__ = [
    "ENCODERS",
    "atbash",
    "braille",
    "decompose_hangul",
    "from_tags",
    "from_variation_selectors",
    "homoglyphs",
    "leet",
    "morse",
    "nato",
    "rot13",
    "tags",
    "variation_selectors",
    "zalgo",
    "zero_width",
]


def rot13(text: str) -> str:
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + 13) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + 13) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def atbash(text: str) -> str:
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr(122 - (ord(ch) - 97)))
        elif "A" <= ch <= "Z":
            out.append(chr(90 - (ord(ch) - 65)))
        else:
            out.append(ch)
    return "".join(out)


_MORSE: Final = {
    "a": ".-", "b": "-...", "c": "-.-.", "d": "-..", "e": ".", "f": "..-.", "g": "--.",
    "h": "....", "i": "..", "j": ".---", "k": "-.-", "l": ".-..", "m": "--", "n": "-.",
    "o": "---", "p": ".--.", "q": "--.-", "r": ".-.", "s": "...", "t": "-", "u": "..-",
    "v": "...-", "w": ".--", "x": "-..-", "y": "-.--", "z": "--..", "0": "-----",
    "1": ".----", "2": "..---", "3": "...--", "4": "....-", "5": ".....", "6": "-....",
    "7": "--...", "8": "---..", "9": "----.", ".": ".-.-.-", ",": "--..--", "?": "..--..",
    "'": ".----.", ":": "---...",
}  # fmt: skip


def morse(text: str) -> str:
    """Letters and digits in International Morse, words split by `` / ``."""
    words = []
    for word in text.lower().split():
        codes = [_MORSE[ch] for ch in word if ch in _MORSE]
        if codes:
            words.append(" ".join(codes))
    return " / ".join(words)


# Grade-1 (uncontracted) English Braille: the dot numbers of each letter.
_BRAILLE_DOTS: Final = {
    "a": "1", "b": "12", "c": "14", "d": "145", "e": "15", "f": "124", "g": "1245",
    "h": "125", "i": "24", "j": "245", "k": "13", "l": "123", "m": "134", "n": "1345",
    "o": "135", "p": "1234", "q": "12345", "r": "1235", "s": "234", "t": "2345",
    "u": "136", "v": "1236", "w": "2456", "x": "1346", "y": "13456", "z": "1356",
    ".": "256", ",": "2", "?": "236", "'": "3",
}  # fmt: skip


def braille(text: str) -> str:
    """Letters as Unicode Braille cells (U+2800 + the dots' bits); spaces stay spaces."""
    out = []
    for ch in text.lower():
        dots = _BRAILLE_DOTS.get(ch)
        if dots is None:
            out.append(" " if ch.isspace() else ch)
            continue
        out.append(chr(0x2800 + sum(1 << (int(d) - 1) for d in dots)))
    return "".join(out)


_NATO: Final = (
    "Alfa Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett Kilo Lima Mike November "
    "Oscar Papa Quebec Romeo Sierra Tango Uniform Victor Whiskey X-ray Yankee Zulu"
).split()


def nato(text: str) -> str:
    """Each letter as its NATO word, words split by `` / ``."""
    words = []
    for word in text.lower().split():
        letters = [_NATO[ord(ch) - 97] for ch in word if "a" <= ch <= "z"]
        if letters:
            words.append(" ".join(letters))
    return " / ".join(words)


_LEET: Final = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "g": "9", "b": "8"}


def leet(text: str) -> str:
    return "".join(_LEET.get(ch.lower(), ch) for ch in text)


def tags(text: str) -> str:
    """ASCII as Unicode tag characters (U+E0000 + code): invisible in most renderers."""
    return "".join(chr(0xE0000 + ord(ch)) for ch in text if ord(ch) < 0x80)


def from_tags(text: str) -> str:
    return "".join(chr(ord(ch) - 0xE0000) for ch in text if 0xE0000 <= ord(ch) <= 0xE007F)


def variation_selectors(text: str, carrier: str = "\U0001f600") -> str:
    """UTF-8 bytes hidden as variation selectors after one visible ``carrier`` character:
    bytes 0-15 as VS1-VS16 (U+FE00..), 16-255 as VS17-VS256 (U+E0100..)."""
    hidden = [
        chr(0xFE00 + byte) if byte < 16 else chr(0xE0100 + byte - 16)
        for byte in text.encode("utf-8")
    ]
    return carrier + "".join(hidden)


def from_variation_selectors(text: str) -> str:
    data = bytearray()
    for ch in text:
        code = ord(ch)
        if 0xFE00 <= code <= 0xFE0F:
            data.append(code - 0xFE00)
        elif 0xE0100 <= code <= 0xE01EF:
            data.append(code - 0xE0100 + 16)
    return data.decode("utf-8")


def zalgo(text: str, rng: random.Random, marks: int = 3) -> str:
    """Each visible character followed by ``marks`` combining marks (U+0300..U+036F)."""
    out = []
    for ch in text:
        out.append(ch)
        if not ch.isspace():
            out.extend(chr(0x300 + rng.randrange(0x70)) for _ in range(marks))
    return "".join(out)


def zero_width(text: str, rng: random.Random) -> str:
    """A zero-width space, joiner or non-joiner between the letters of every word."""
    invisible = ("\u200b", "\u200c", "\u200d", "\u2060")
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        following = text[i + 1] if i + 1 < len(text) else " "
        if not ch.isspace() and not following.isspace():
            out.append(rng.choice(invisible))
    return "".join(out)


# Latin letters and their Cyrillic or Greek look-alikes.
_HOMOGLYPHS: Final = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "i": "\u0456", "o": "\u043e", "p": "\u0440",
    "s": "\u0455", "x": "\u0445", "y": "\u0443", "A": "\u0391", "B": "\u0392", "E": "\u0395",
    "H": "\u0397", "I": "\u0399", "K": "\u039a", "M": "\u039c", "N": "\u039d", "O": "\u039f",
    "P": "\u03a1", "T": "\u03a4", "X": "\u03a7", "Y": "\u03a5",
}  # fmt: skip


def homoglyphs(text: str, rng: random.Random, share: float = 0.6) -> str:
    """About ``share`` of the Latin letters that have a look-alike replaced by it."""
    return "".join(
        _HOMOGLYPHS[ch] if ch in _HOMOGLYPHS and rng.random() < share else ch for ch in text
    )


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


_CHO: Final = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG: Final = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG: Final = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")


def decompose_hangul(text: str) -> str:
    """Hangul syllables written out as their compatibility jamo (시스템 → ㅅㅣㅅㅡㅌㅔㅁ)."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(_CHO[code // 588] + _JUNG[(code % 588) // 28] + _JONG[code % 28])
        else:
            out.append(ch)
    return "".join(out)


def uuencode(text: str, name: str = "note.txt") -> str:
    data = text.encode("utf-8")
    lines = [f"begin 644 {name}"]
    lines += [
        binascii.b2a_uu(data[i : i + 45]).decode().rstrip("\n") for i in range(0, len(data), 45)
    ]
    lines += ["`", "end"]
    return "\n".join(lines)


def mime_words(text: str) -> str:
    """RFC 2047 encoded words, as in a mail header (``=?UTF-8?B?...?=``)."""
    data = text.encode("utf-8")
    chunks = [data[i : i + 45] for i in range(0, len(data), 45)]
    return " ".join(f"=?UTF-8?B?{base64.b64encode(c).decode()}?=" for c in chunks)


def quoted_printable(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode()


def _b32(text: str) -> str:
    return base64.b32encode(text.encode("utf-8")).decode()


def _b16(text: str) -> str:
    return base64.b16encode(text.encode("utf-8")).decode()


def _hex_spaced(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


def _url(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _binary(text: str) -> str:
    return " ".join(f"{b:08b}" for b in text.encode("utf-8"))


def _html_entities(text: str) -> str:
    return "".join(f"&#x{ord(ch):X};" for ch in text)


def _unicode_escapes(text: str) -> str:
    return "".join(ch if ch == " " else f"\\u{ord(ch):04x}" for ch in text)


def _reversed(text: str) -> str:
    return text[::-1]


# name -> (encode, works on non-Latin text). Those that need a Random take it second.
ENCODERS: Final[dict[str, tuple[Callable[..., str], bool]]] = {
    "base64": (_b64, True),
    "base32": (_b32, True),
    "base16": (_b16, True),
    "hex": (_hex_spaced, True),
    "url": (_url, True),
    "binary": (_binary, True),
    "html_entities": (_html_entities, True),
    "unicode_escapes": (_unicode_escapes, True),
    "mime_words": (mime_words, True),
    "quoted_printable": (quoted_printable, True),
    "uu": (uuencode, True),
    "variation_selectors": (variation_selectors, True),
    "zalgo": (zalgo, True),
    "reversed": (_reversed, True),
    "rot13": (rot13, False),
    "atbash": (atbash, False),
    "morse": (morse, False),
    "braille": (braille, False),
    "nato": (nato, False),
    "leet": (leet, False),
    "tags": (tags, False),
}
