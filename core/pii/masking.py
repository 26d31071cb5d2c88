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

from collections.abc import Sequence
from typing import Final

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from core.pii.names import mask_name
from core.pii.pseudonyms import Pseudonyms
from shared.findings import Finding

__all__ = ["Masker"]

# Characters kept at the end (a negative number: kept at the start) when masking.
_KEEP: Final = {"KR_RRN": -8, "KR_FRN": -8, "PHONE_NUMBER": 4, "CREDIT_CARD": 4, "IBAN_CODE": 4}


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def _operator(
    action: str, entity: str, value: str, pseudonyms: Pseudonyms | None, salt: bytes | None
) -> OperatorConfig:
    if action == "pseudonymize" and pseudonyms is not None:
        return OperatorConfig("replace", {"new_value": pseudonyms.placeholder(entity, value)})
    if action == "redact":
        return OperatorConfig("replace", {"new_value": f"<{entity}>"})
    if action == "hash":
        params: dict[str, object] = {"hash_type": "sha256"}
        if salt:
            params["salt"] = salt
        return OperatorConfig("hash", params)
    if entity == "EMAIL_ADDRESS":
        return OperatorConfig("custom", {"lambda": _mask_email})
    if entity == "PERSON":
        return OperatorConfig("custom", {"lambda": mask_name})
    keep = _KEEP.get(entity, 0)
    hidden = max(1, len(value) - abs(keep)) if keep else len(value)
    return OperatorConfig(
        "mask", {"masking_char": "*", "chars_to_mask": hidden, "from_end": keep < 0}
    )


class Masker:
    """Rewrites one text's findings; one anonymizer engine, built once."""

    def __init__(self, hash_salt: bytes | None = None) -> None:
        """``hash_salt``: the salt of every ``hash`` (stable hashes); without one, each value
        gets a random salt."""
        self._engine = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self._salt = hash_salt

    def apply(
        self,
        text: str,
        findings: Sequence[tuple[Finding, str]],
        pseudonyms: Pseudonyms | None = None,
    ) -> str:
        """``text`` with each ``(finding, action)`` masked, redacted, hashed or, with the
        request's ``pseudonyms``, replaced by a placeholder (without them: masked)."""
        results = []
        operators = {}
        for index, (finding, action) in enumerate(findings):
            if finding.start is None or finding.end is None:
                continue
            # One pseudo entity per finding, so each gets its own operator.
            key = f"F{index}"
            results.append(RecognizerResult(key, finding.start, finding.end, finding.score))
            value = text[finding.start : finding.end]
            operators[key] = _operator(action, finding.type, value, pseudonyms, self._salt)
        if not results:
            return text
        return str(self._engine.anonymize(text, results, operators).text)
