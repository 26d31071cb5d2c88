"""Keyed hashes of a request's texts, made while a stage holds them: the audit trail keeps these,
never the texts.

A plain SHA-256 of a short prompt ("yes", an employee number) is reversed by anyone who reads
the table and guesses; an HMAC-SHA-256 under ``AUDIT_HASH_KEY`` is not, and an investigator
who holds the key can still ask whether a given text was sent (``aegis audit match``). Three
hashes per request, each of UTF-8 text:

``instruction_hash``
    the user's instruction: the last user message's text (its text parts joined by ``"\\n"``),
    a completion's prompt, an embedding's input, an inspection's ``text`` (several strings
    joined by ``"\\n"``);
``context_hash``
    everything else the prompt carries, in request order joined by ``"\\n"``: system prompt,
    earlier turns, tool results, names, tool-call arguments, tool descriptions;
``response_hash``
    the answer's text as the model server wrote it (choice 0's ``content``, or a completion's
    ``text``; streamed deltas in order), or the answer an ``output/analyze`` call sent. It
    is fed by :class:`AnswerHash`, a member of the output chain, so it exists where the
    chain runs (the output guard, or pseudonyms to restore).

    >>> from core.lifecycle.exchange import Exchange
    >>> from shared.extract import ScanText
    >>> hasher = TextHasher(b"k" * 32)
    >>> exchange = Exchange("r", "/v1/chat/completions")
    >>> hasher.hash_texts([ScanText(0, "system", "Be brief."), ScanText(1, "user", "Hi")], exchange)
    >>> exchange.instruction_hash == hasher.digest("Hi")
    True
    >>> exchange.context_hash == hasher.digest("Be brief.")
    True
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import ClassVar, Final

from core.lifecycle.exchange import Exchange
from core.lifecycle.output import AnswerTransform, TextKey
from shared.extract import ScanText

__all__ = ["AnswerHash", "TextHasher"]

# The roles whose every text is the instruction (no messages around them).
_WHOLE_ROLES: Final = frozenset({"prompt", "input"})
_ANSWER_FIELDS: Final = frozenset({"content", "text"})


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class TextHasher:
    """HMAC-SHA-256 of texts under one key (``AUDIT_HASH_KEY``)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the audit hash key must be 16 bytes or more")
        self._key = key

    def __repr__(self) -> str:
        return "TextHasher(key=**********)"

    def digest(self, text: str) -> bytes:
        """The HMAC of ``text`` (UTF-8): what the hash columns hold, and what
        ``aegis audit match`` looks for."""
        return hmac.digest(self._key, _utf8(text), "sha256")

    def mac(self) -> hmac.HMAC:
        """A running HMAC, fed piece by piece (a streamed answer)."""
        return hmac.new(self._key, digestmod=hashlib.sha256)

    def hash_texts(self, texts: Sequence[ScanText], exchange: Exchange) -> None:
        """Set ``exchange.instruction_hash`` and ``context_hash`` from a request's texts
        (:func:`shared.extract.user_texts` or an inspection's); none without such texts."""
        last_user = max(
            (t.message_index for t in texts if t.role == "user" and t.message_index is not None),
            default=None,
        )
        instruction: list[str] = []
        context: list[str] = []
        for text in texts:
            if text.role in _WHOLE_ROLES or (
                text.role == "user"
                and text.message_index == last_user
                and (text.part is None or text.part >= 0)
            ):
                instruction.append(text.text)
            else:
                context.append(text.text)
        if instruction:
            exchange.instruction_hash = self.digest("\n".join(instruction))
        if context:
            exchange.context_hash = self.digest("\n".join(context))

    def answer(self, exchange: Exchange) -> AnswerHash:
        """The output chain member that hashes this request's answer into ``exchange``."""
        mac = exchange.response_mac = self.mac()
        return AnswerHash(mac)


class AnswerHash(AnswerTransform):
    """Feeds the answer's text (choice 0's ``content`` or ``text``) to a running HMAC as it
    passes; changes nothing. First in the chain: it sees what the model wrote."""

    name: ClassVar[str] = "audit_hash"

    def __init__(self, mac: hmac.HMAC) -> None:
        self._mac = mac

    def feed(self, key: TextKey, delta: str) -> str:
        if key.choice == 0 and key.call is None and key.field in _ANSWER_FIELDS:
            self._mac.update(_utf8(delta))
        return delta
