"""Korean recognizers built on Presidio's own, with their gaps closed.

:class:`KrRrnRecognizer` (주민등록번호) extends Presidio's ``KrRrnRecognizer``:

* the birth date must be a real date in the century the gender digit gives (1/2: 1900s,
  3/4: 2000s, 9/0: 1800s), so ``991332-…`` or ``010230-…`` never fire;
* the parts may be joined by a hyphen, a space or nothing (``900101 1234567``), and Hangul
  glued to the number (``주민번호는900101-1234567이고``) does not hide it;
* a number whose check digit passes is a finding on its own (score 1.0); one whose check digit
  fails — every number issued since October 2020 — is only a candidate (score 0.3) until
  Korean or English context supports it (주민번호, 주민등록번호, 생년월일, RRN …: +0.35);
* context words are Korean as well as English, and the recognizer runs for both languages.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import KrRrnRecognizer as PresidioKrRrn

__all__ = ["RRN_CANDIDATE_SCORE", "KrRrnRecognizer", "rrn_birth_date", "rrn_check_digit_ok"]

# A date-valid number without a passing check digit; below the finding threshold (0.5) on
# its own, above it with context (+0.35).
RRN_CANDIDATE_SCORE: Final = 0.3
_RRN_PATTERN: Final = (
    r"(?<![0-9])[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[- ]?[1-49][0-9]{6}(?![0-9])"
)
_CENTURY: Final = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "9": 1800, "0": 1800}
_WEIGHTS: Final = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# Presidio compares each context word with single tokens, so these are single words.
RRN_CONTEXT: Final = ["주민등록번호", "주민번호", "주민등록", "생년월일", "resident", "rrn"]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def rrn_birth_date(number: str) -> dt.date | None:
    """The birth date a 13-digit RRN encodes, or ``None`` if it is not a real date.

    >>> rrn_birth_date("9001011234567"), rrn_birth_date("9902301234567")
    (datetime.date(1990, 1, 1), None)
    """
    century = _CENTURY.get(number[6])
    if century is None:
        return None
    try:
        return dt.date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return None


def rrn_check_digit_ok(number: str) -> bool:
    """Whether the 13th digit is the pre-October-2020 check digit of the first twelve."""
    total = sum(int(digit) * weight for digit, weight in zip(number, _WEIGHTS, strict=False))
    return (11 - total % 11) % 10 == int(number[12])


class KrRrnRecognizer(PresidioKrRrn):
    """주민등록번호 with date, century and check-digit logic; see the module docstring."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            patterns=[Pattern("KR_RRN", _RRN_PATTERN, RRN_CANDIDATE_SCORE)],
            context=RRN_CONTEXT,
            supported_language=supported_language,
            replacement_pairs=[("-", ""), (" ", "")],
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """True (score 1.0) for a passing check digit, None (stays a candidate) for a
        date-valid number without one, False (dropped) for anything else."""
        number = _digits(pattern_text)
        if len(number) != 13 or rrn_birth_date(number) is None:
            return False
        return True if rrn_check_digit_ok(number) else None
