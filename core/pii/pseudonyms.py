"""Reversible pseudonymisation for one request: values out, placeholders in, and back.

With the ``pseudonymize`` action the model sees ``<EMAIL_ADDRESS_1>`` where the client wrote
an address, and the client gets the address back wherever the model's answer repeats the
placeholder. The same value gets the same placeholder throughout a request, so the model can
refer to it consistently. The mapping is a :class:`Pseudonyms` object held by the request's
handler: it lives in memory for that request only and is never logged or stored.

A streamed answer arrives a few characters at a time, so a placeholder can be split across
chunks (``<EMAIL``, ``_ADDRESS_1>``): :class:`TextRestorer` holds back a tail that could still
become a placeholder, at most :data:`MAX_HELD` characters, and never anything else.

    >>> pseudonyms = Pseudonyms()
    >>> pseudonyms.placeholder("PHONE_NUMBER", "010-1234-5678")
    '<PHONE_NUMBER_1>'
    >>> restorer = TextRestorer(pseudonyms)
    >>> restorer.feed("Call <PHONE"), restorer.feed("_NUMBER_1> now"), restorer.flush()
    ('Call ', '010-1234-5678 now', '')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Final

__all__ = ["MAX_HELD", "Pseudonyms", "TextRestorer"]

_PLACEHOLDER: Final = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9]+>")
# A tail that may still grow into a placeholder: "<", then its characters, no ">" yet.
_OPEN_TAIL: Final = re.compile(r"<[A-Z0-9_]*\Z")
# Longer than any placeholder ("<CONNECTION_PASSWORD_9999>" is 26): a longer open tail is
# not one, and is released.
MAX_HELD: Final = 40


class Pseudonyms:
    """One request's placeholders, both ways."""

    def __init__(self) -> None:
        self._placeholders: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}
        self._counts: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:  # never the values
        return f"Pseudonyms({len(self._values)} placeholders)"

    def placeholder(self, entity: str, value: str) -> str:
        """``value``'s placeholder, made on first sight: ``<ENTITY_n>``."""
        key = (entity, value)
        placeholder = self._placeholders.get(key)
        if placeholder is None:
            self._counts[entity] += 1
            placeholder = f"<{entity}_{self._counts[entity]}>"
            self._placeholders[key] = placeholder
            self._values[placeholder] = value
        return placeholder

    def restore(self, text: str, escape: Callable[[str], str] | None = None) -> str:
        """``text`` with every placeholder of this request replaced by its value (through
        ``escape``, e.g. for a JSON string); other ``<…>`` text is left as it is."""
        if "<" not in text or not self._values:
            return text

        def value(match: re.Match[str]) -> str:
            original = self._values.get(match.group(0))
            if original is None:
                return match.group(0)
            return escape(original) if escape is not None else original

        return _PLACEHOLDER.sub(value, text)


class TextRestorer:
    """Restores placeholders in a text that arrives in pieces (one streamed field)."""

    def __init__(self, pseudonyms: Pseudonyms, escape: Callable[[str], str] | None = None) -> None:
        self._pseudonyms = pseudonyms
        self._escape = escape
        self._held = ""

    @property
    def holding(self) -> bool:
        """Whether a tail is held back, waiting for the next piece."""
        return bool(self._held)

    def feed(self, piece: str) -> str:
        """What can be sent of the text so far; a tail that may be a placeholder's start is
        held back for the next piece."""
        text = self._held + piece
        cut = len(text)
        opening = text.rfind("<", max(0, len(text) - MAX_HELD))
        if opening >= 0 and _OPEN_TAIL.match(text, opening):
            cut = opening
        self._held = text[cut:]
        return self._pseudonyms.restore(text[:cut], self._escape)

    def flush(self) -> str:
        """The held tail, at the end of the field's text."""
        held, self._held = self._held, ""
        return self._pseudonyms.restore(held, self._escape)
