"""The canary core adds to the system prompt it sends upstream, to catch an answer that leaks it.

A canary is a short token that the client never sees and the model has no reason to write,
unless it is reciting its system prompt: ``aegis-`` and 16 base32 characters (80 bits) of
an HMAC-SHA-256, under a server secret, of the key id and the UTC day. An answer that holds
it is a leak (:class:`core.scanning.output.leakage.LeakageDetector` looks for it).

**Stable per key and day, not per request.** vLLM's automatic prefix cache reuses the KV
blocks of a prompt's longest cached prefix, block by block from the prompt's first token: a
token that changes per request anywhere in the system prompt makes every block from there on
new, on every turn of every conversation. With one canary per key and day, turn *n*'s
rendered prompt starts with the whole of turn *n - 1*'s (system prompt, canary, earlier
turns), so all of it stays cached; so does the system prompt with its canary across the
conversations of one key that day. The canary changes at midnight UTC: one miss per
conversation then.

**At the end of the system message.** The blocks before the canary are the template's header
and the client's own system prompt, shared by every key that sends that prompt (one
application behind several keys, or one per user); only the blocks from the canary on are the
key's own. ``python -m bench.canary_prefix`` measures both placements.

**Only where the client sent a system prompt.** Without one there is nothing of the
client's to leak, and adding a system message would change the prompt the model sees: many
chat templates render a default system prompt only when the request has none (Qwen2.5's
"You are Qwen, created by Alibaba Cloud…"), and some refuse the system role altogether
(Gemma 2's template raises on it), so the request would behave differently or fail.

    >>> maker = CanaryMaker(b"0123456789abcdef0123456789abcdef")
    >>> token = maker.token("key_1", datetime(2025, 3, 1, 23, 59, tzinfo=UTC))
    >>> token == maker.token("key_1", datetime(2025, 3, 1, 0, 0, tzinfo=UTC)), len(token)
    (True, 22)
    >>> sent = add_canary([{"role": "system", "content": "Be brief."}], token)
    >>> sent[0]["content"] == "Be brief.\\n\\n" + token
    True
    >>> add_canary([{"role": "user", "content": "Hi"}], token) is None
    True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "CANARY_LENGTH",
    "CANARY_PREFIX",
    "CanaryMaker",
    "add_canary",
    "system_prompt",
]

CANARY_PREFIX: Final = "aegis-"
# 16 base32 characters: 80 bits, so no answer holds one by chance.
_CODE_CHARS: Final = 16
CANARY_LENGTH: Final = len(CANARY_PREFIX) + _CODE_CHARS
# Put between the client's system prompt and the canary: on a line of its own, the canary
# reads as a reference mark, not as part of the client's last sentence.
CANARY_SEPARATOR: Final = "\n\n"
_SYSTEM_ROLES: Final = frozenset({"system", "developer"})
# Content parts holding text that the model server renders (see shared.extract).
_TEXT_PART_TYPES: Final = frozenset({"text", "input_text"})
# Tokens kept (keys times days); past it the cache starts again.
_TOKENS_KEPT: Final = 4096


class CanaryMaker:
    """Makes the canary of a key on a day: built once (lifespan) with the server's secret.

    ``secret`` is ``CANARY_SECRET`` (the same on every core, so that a conversation whose
    turns reach different cores keeps one canary); ``None`` draws a random one for this
    process, whose canaries then change when it restarts. The secret is never shown.
    """

    __slots__ = ("_secret", "_tokens")

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)
        # Made tokens by (key, day): one HMAC per key and day, not per request (~8 us).
        self._tokens: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return "CanaryMaker(secret='**********')"

    def token(self, key_id: str, now: datetime) -> str:
        """The canary of ``key_id`` on the UTC day of ``now`` (an aware datetime)."""
        day = now.astimezone(UTC).date().isoformat()
        token = self._tokens.get((key_id, day))
        if token is None:
            mac = hmac.new(self._secret, f"{key_id}\x00{day}".encode(), hashlib.sha256).digest()
            token = CANARY_PREFIX + base64.b32encode(mac[:10]).decode("ascii").lower()
            if len(self._tokens) >= _TOKENS_KEPT:
                self._tokens.clear()
            self._tokens[key_id, day] = token
        return token


def system_prompt(messages: Sequence[Any]) -> str:
    """The text of a chat request's system (and ``developer``) messages, joined by blank
    lines: what the leakage detector protects. ``""`` where there is none.

    >>> system_prompt([{"role": "system", "content": [{"type": "text", "text": "A."}]},
    ...                {"role": "user", "content": "Hi"}, {"role": "developer", "content": "B."}])
    'A.\\n\\nB.'
    """
    texts: list[str] = []
    for message in messages:
        if isinstance(message, Mapping) and message.get("role") in _SYSTEM_ROLES:
            texts.extend(_texts(message.get("content")))
    return "\n\n".join(text for text in texts if text)


def add_canary(messages: Sequence[Any], canary: str) -> list[Any] | None:
    """``messages`` with ``canary`` at the end of the leading system message, as sent
    upstream; ``None`` when the request has no leading system (or developer) message with
    text, so that there is nothing to add it to (see the module's doc).

    The client's messages are not changed: the result is a new list whose first message is a
    copy. A string content gets the canary after a blank line; a list of content parts gets
    it appended to its last text part, or, if the last part is not text (an image), a text
    part of its own.
    """
    if not messages:
        return None
    first = messages[0]
    if not isinstance(first, Mapping) or first.get("role") not in _SYSTEM_ROLES:
        return None
    content = first.get("content")
    addition = CANARY_SEPARATOR + canary
    new_content: Any
    if isinstance(content, str):
        if not content.strip():
            return None
        new_content = content + addition
    elif isinstance(content, list):
        if not any(text.strip() for text in _texts(content)):
            return None
        new_content = list(content)
        last = new_content[-1]
        if _is_text_part(last):
            new_content[-1] = {**last, "text": last["text"] + addition}
        else:
            new_content.append({"type": "text", "text": addition})
    else:
        return None
    return [{**first, "content": new_content}, *messages[1:]]


def _is_text_part(part: Any) -> bool:
    return (
        isinstance(part, Mapping)
        and part.get("type") in _TEXT_PART_TYPES
        and isinstance(part.get("text"), str)
    )


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [part["text"] for part in content if _is_text_part(part)]
    return []
