"""Pseudonym restoration: the request's placeholders turned back into its values in the answer.

With the ``pseudonymize`` action the model saw ``<EMAIL_ADDRESS_1>`` where the client wrote an
address (:mod:`core.pii.pseudonyms`); :class:`PseudonymRestore` is the member of the output
chain (:mod:`core.lifecycle.output`) that gives the client the address back wherever the
answer repeats the placeholder: in a chat choice's ``content`` and ``reasoning_content``, a
completion's ``text`` and tool calls' ``function.arguments``, JSON or streamed. Arguments are
JSON text inside a JSON string, so a value put into them goes through
:func:`escape_in_arguments`. A placeholder split across streamed chunks is held back (at most
:data:`core.pii.pseudonyms.MAX_HELD` characters) until it is whole; a chunk without a "<"
while nothing is held passes unparsed.

It runs last in the chain: the output guard sees placeholders, not the values they stand for.

    >>> pseudonyms = Pseudonyms()
    >>> pseudonyms.placeholder("KR_RRN", "900101-1234567")
    '<KR_RRN_1>'
    >>> restore = PseudonymRestore(pseudonyms)
    >>> key = TextKey(0, "content")
    >>> restore.feed(key, "RRN <KR_"), restore.feed(key, "RRN_1>."), restore.flush(key)
    ('RRN ', '900101-1234567.', '')
"""

from __future__ import annotations

from typing import ClassVar

import orjson

from core.lifecycle.output import AnswerTransform, OutputChain, SseAnswer, TextKey
from core.lifecycle.output import rewrite_json_answer as _rewrite_json_answer
from core.pii.pseudonyms import Pseudonyms, TextRestorer

__all__ = [
    "PseudonymRestore",
    "escape_in_arguments",
    "restore_json_answer",
    "restoring_stream",
]


def escape_in_arguments(value: str) -> str:
    """``value`` as it must appear inside a JSON string (tool-call arguments are JSON)."""
    return orjson.dumps(value).decode()[1:-1]


def _may_hold_placeholder(data: bytes) -> bool:
    """Whether JSON ``data`` can hold (part of) a placeholder: a "<", written as it is or
    escaped. Most streamed tokens do not, and then pass without being parsed."""
    return b"<" in data or b"\\u003c" in data or b"\\u003C" in data


class PseudonymRestore(AnswerTransform):
    """The output chain's member restoring one request's placeholders (see the module doc)."""

    name: ClassVar[str] = "pseudonym_restore"

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        self._pseudonyms = pseudonyms
        self._restorers: dict[TextKey, TextRestorer] = {}

    def feed(self, key: TextKey, delta: str) -> str:
        restorer = self._restorers.get(key)
        if restorer is None:
            escape = escape_in_arguments if key.field == "arguments" else None
            restorer = self._restorers[key] = TextRestorer(self._pseudonyms, escape)
        return restorer.feed(delta)

    def flush(self, key: TextKey) -> str:
        restorer = self._restorers.pop(key, None)
        return "" if restorer is None else restorer.flush()

    def answer(self, key: TextKey, text: str) -> str:
        escape = escape_in_arguments if key.field == "arguments" else None
        return self._pseudonyms.restore(text, escape)

    def skips(self, data: bytes) -> bool:
        if _may_hold_placeholder(data):
            return False
        return not any(restorer.holding for restorer in self._restorers.values())


def restore_json_answer(body: bytes, pseudonyms: Pseudonyms) -> bytes:
    """A JSON answer with this request's placeholders restored (the chain with this member
    alone); anything that is not a JSON object with ``choices`` is returned as it is."""
    return _rewrite_json_answer(body, OutputChain([PseudonymRestore(pseudonyms)]))


def restoring_stream(pseudonyms: Pseudonyms) -> SseAnswer:
    """A stream transform restoring this request's placeholders (the chain with this member
    alone)."""
    return SseAnswer(OutputChain([PseudonymRestore(pseudonyms)]))
