"""Masking, redaction and hashing of findings with presidio-anonymizer.

``mask`` keeps what identifies the kind of value and hides what identifies the person:
``900101-1******`` (birth date and gender digit of a 주민등록번호), ``*********5678``
(the last four of a phone or card number), ``h***@example.com``, ``홍*동``; ``redact`` writes
``<KR_RRN>``; ``hash`` writes a salted SHA-256 of the value, so a short number cannot be
recovered by hashing every candidate: presidio-anonymizer draws a random salt per value
unless ``PII_HASH_SALT`` gives one (then the same value hashes the same everywhere);
``pseudonymize`` writes the request's placeholder for the value (``<KR_RRN_1>``), which
:mod:`core.pii.pseudonyms` turns back into the value in the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from presidio_anonymizer.operators import Hash

from core.pii.names import mask_name
from core.pii.pseudonyms import Pseudonyms
from shared.findings import Finding

__all__ = ["Masker"]

# Characters kept at the end (a negative number: kept at the start) when masking.
_KEEP: Final = {"KR_RRN": -8, "KR_FRN": -8, "PHONE_NUMBER": 4, "CREDIT_CARD": 4, "IBAN_CODE": 4}
_HASH: Final = Hash()


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def _mask(entity: str, value: str) -> str:
    keep = _KEEP.get(entity, 0)
    hidden = min(len(value), max(1, len(value) - abs(keep)) if keep else len(value))
    if keep < 0:
        return value[: len(value) - hidden] + "*" * hidden
    return "*" * hidden + value[hidden:]


def _rewrite(
    action: str, entity: str, pseudonyms: Pseudonyms | None, salt: bytes | None
) -> Callable[[str], str]:
    if action == "pseudonymize" and pseudonyms is not None:
        return lambda value: pseudonyms.placeholder(entity, value)
    if action == "redact":
        return lambda value: f"<{entity}>"
    if action == "hash":
        params: dict[str, object] = {"hash_type": "sha256"}
        if salt:
            params["salt"] = salt
        return lambda value: str(_HASH.operate(value, params))
    if entity == "EMAIL_ADDRESS":
        return _mask_email
    if entity == "PERSON":
        return mask_name
    return lambda value: _mask(entity, value)


class Masker:
    """Rewrites one text's findings, in one pass over the text.

    presidio-anonymizer rebuilt the whole text once per finding and compared findings in
    pairs, which costs seconds for the thousands of findings a long hostile text can have;
    here the text is cut once at the findings' edges. Hashing is still presidio-anonymizer's
    operator, so hashes are the same as before.
    """

    def __init__(self, hash_salt: bytes | None = None) -> None:
        """``hash_salt``: the salt of every ``hash`` (stable hashes); without one, each value
        gets a random salt."""
        self._salt = hash_salt

    def apply(
        self,
        text: str,
        findings: Sequence[tuple[Finding, str]],
        pseudonyms: Pseudonyms | None = None,
    ) -> str:
        """``text`` with each ``(finding, action)`` masked, redacted, hashed or, with the
        request's ``pseudonyms``, replaced by a placeholder (without them: masked). A finding
        inside another is left to it; where two overlap, the second starts where the first
        ends."""
        spans = sorted(
            (finding.start, -finding.end, index)
            for index, (finding, _) in enumerate(findings)
            if finding.start is not None and finding.end is not None
        )
        parts: list[str] = []
        done = 0  # text before this is written
        for start, negative_end, index in spans:
            end = -negative_end
            start = max(start, done)
            if start >= end:
                continue  # inside a finding already rewritten
            finding, action = findings[index]
            rewrite = _rewrite(action, finding.type, pseudonyms, self._salt)
            parts.append(text[done:start])
            parts.append(rewrite(text[start:end]))
            done = end
        if not parts:
            return text
        parts.append(text[done:])
        return "".join(parts)
