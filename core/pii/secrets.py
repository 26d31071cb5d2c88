"""Secrets as Presidio recognizers: cloud keys, VCS and chat tokens, JWTs, private keys,
passwords in connection strings, and high-entropy values next to key words.

Each kind is its own entity type, so a policy can treat them apart; :data:`SECRET_ENTITIES`
lists them. The patterns are anchored on the fixed shapes the issuers publish (``AKIA`` +
16, ``ghp_`` + 36, ``glpat-`` + 20, ``xoxb-…``), which is what keeps them precise; the generic
one needs a key word before the value (``password=``, ``api_key:``, ``토큰``) and a value that
looks random (letters and digits, at least 3 bits of entropy per character).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Final

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

from core.pii.entities import SECRET_ENTITIES
from core.pii.values import ValueRecognizer

__all__ = ["SECRET_ENTITIES", "secret_recognizers", "shannon_entropy"]

_SHAPES: Final = {
    "AWS_ACCESS_KEY": [r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"],
    "GITHUB_TOKEN": [
        r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])",
        r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{50,255}(?![A-Za-z0-9_])",
    ],
    "GITLAB_TOKEN": [r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_\-]{20,64}(?![A-Za-z0-9_-])"],
    "SLACK_TOKEN": [r"(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9]{6,}(?:-[A-Za-z0-9]{6,}){1,3}"],
    "JWT": [
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
        r"(?![A-Za-z0-9_-])"
    ],
    "PRIVATE_KEY": [
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]{0,8192}?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY"
        r"(?: BLOCK)?-----"
    ],
}
# user:password@host in a URL (the user may be empty: redis://:password@host): the password
# part only is the finding.
_URL_CREDENTIAL: Final = (
    r"[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/@]{0,64}:(?P<value>[^\s@/]{3,128})"
    r"@[A-Za-z0-9.\-\[\]]+"
)
_KEY_WORD: Final = (
    r"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|"
    r"private[_-]?key|credential|비밀번호|패스워드|비번|토큰|시크릿|인증키|api키)"
)
# key word, the rest of its identifier (AWS_SECRET_ACCESS_KEY, client-secret-value), then up
# to 3 characters of ": = is 는" etc. and quotes (escaped too, inside JSON), then the value.
# No "&" in a value: in a query string (token=…&lang=ko) it starts the next parameter.
_GENERIC: Final = (
    r"(?i:" + _KEY_WORD + r")[A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)*(?![A-Za-z0-9_])\\?[\"']?\s*"
    r"(?:[:=]|is|는|은|:)?\s*\\?[\"']?"
    r"(?P<value>[A-Za-z0-9!#$%^*+/=_\-.~]{12,128})"
)


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``'s character distribution.

    >>> shannon_entropy("aaaa") == 0, round(shannon_entropy("abcd"), 2)
    (True, 2.0)
    """
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str) -> bool:
    has_letter = any(ch.isalpha() for ch in value)
    has_digit = any(ch.isdigit() for ch in value)
    return has_letter and has_digit and shannon_entropy(value) >= 3.0


def secret_recognizers(supported_language: str) -> list[EntityRecognizer]:
    """One recognizer per secret kind, for ``supported_language``."""
    recognizers: list[EntityRecognizer] = [
        PatternRecognizer(
            supported_entity=entity,
            patterns=[Pattern(entity, regex, 0.95) for regex in regexes],
            supported_language=supported_language,
            name=f"{entity.title().replace('_', '')}Recognizer",
        )
        for entity, regexes in _SHAPES.items()
    ]
    recognizers.append(
        ValueRecognizer("CONNECTION_PASSWORD", [_URL_CREDENTIAL], 0.9, supported_language)
    )
    recognizers.append(
        ValueRecognizer("GENERIC_SECRET", [_GENERIC], 0.7, supported_language, _looks_random)
    )
    return recognizers
