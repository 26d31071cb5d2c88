"""Korean recognizers built on Presidio's own, with their gaps closed.

:class:`AegisKrRrnRecognizer` (주민등록번호) extends Presidio's ``KrRrnRecognizer``:

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
import re
from typing import Final

import tldextract
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    IpRecognizer,
    UsSsnRecognizer,
)
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmail
from presidio_analyzer.predefined_recognizers import KrBrnRecognizer as PresidioKrBrn
from presidio_analyzer.predefined_recognizers import (
    KrDriverLicenseRecognizer as PresidioKrDriverLicense,
)
from presidio_analyzer.predefined_recognizers import KrPassportRecognizer as PresidioKrPassport
from presidio_analyzer.predefined_recognizers import KrRrnRecognizer as PresidioKrRrn

__all__ = [
    "RRN_CANDIDATE_SCORE",
    "AegisCreditCardRecognizer",
    "AegisEmailRecognizer",
    "AegisIpRecognizer",
    "AegisKrBankAccountDigitsRecognizer",
    "AegisKrBankAccountRecognizer",
    "AegisKrBrnRecognizer",
    "AegisKrDriverLicenseRecognizer",
    "AegisKrFrnRecognizer",
    "AegisKrHealthInsuranceRecognizer",
    "AegisKrPassportRecognizer",
    "AegisKrPhoneRecognizer",
    "AegisKrRrnRecognizer",
    "AegisUsSsnRecognizer",
    "ascii_bounded",
    "frn_check_digit_ok",
    "rrn_birth_date",
    "rrn_check_digit_ok",
]

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


class AegisKrRrnRecognizer(PresidioKrRrn):
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


_FRN_PATTERN: Final = (
    r"(?<![0-9])[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[- ]?[5-8][0-9]{6}(?![0-9])"
)
_FRN_CENTURY: Final = {"5": 1900, "6": 1900, "7": 2000, "8": 2000}
# Single words (see RRN_CONTEXT): the card (외국인등록증, "alien registration card", ARC),
# the stay it is for (체류), and 거소신고번호, the same number for overseas Koreans.
FRN_CONTEXT: Final = [
    "외국인등록번호",
    "외국인번호",
    "외국인등록",
    "외국인",
    "등록번호",
    "등록증",
    "체류",
    "거소",
    "frn",
    "foreigner",
    "alien",
    "arc",
    "residence",
]


def frn_check_digit_ok(number: str) -> bool:
    """Whether a 13-digit 외국인등록번호 carries the check digit numbers issued before
    October 2020 have: digits 8-9 (the registration office) even, digit 12 (the
    registrant type) 6-9, and with the RRN's weighted sum ``s`` of the first twelve digits,
    the 13th digit equals ``((11 - s % 11) % 10 + 2) % 10``.

    >>> frn_check_digit_ok("7204155589690"), frn_check_digit_ok("7204155589691")
    (True, False)
    """
    if int(number[7:9]) % 2 or number[11] not in "6789":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _WEIGHTS, strict=False))
    return ((11 - total % 11) % 10 + 2) % 10 == int(number[12])


class AegisKrFrnRecognizer(PatternRecognizer):
    """외국인등록번호: the RRN layout with gender digit 5-8 and a real birth date.

    As for the RRN, a number whose check digit passes (:func:`frn_check_digit_ok`, and only
    one date-valid number in fifty does by chance) is a finding on its own; one without
    (every number issued since October 2020) is a candidate until context supports it.
    """

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            supported_entity="KR_FRN",
            patterns=[Pattern("KR_FRN", _FRN_PATTERN, RRN_CANDIDATE_SCORE)],
            context=FRN_CONTEXT,
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        number = _digits(pattern_text)
        century = _FRN_CENTURY.get(number[6]) if len(number) == 13 else None
        if century is None:
            return False
        try:
            dt.date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
        except ValueError:
            return False
        return True if frn_check_digit_ok(number) else None


# Mobile: 010 (and the old 011, 016-019); landline area codes 02, 031-033, 041-044, 051-055,
# 061-064; 070 internet phones. With +82 the leading 0 is dropped. Separators: hyphen, dot,
# space, or a closing bracket after the area code.
_KR_PHONE_BODY: Final = r"(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70)"
_KR_PHONE_PATTERNS: Final = [
    Pattern(
        "KR phone (separated)",
        r"(?<![0-9+])(?:(?:\+82[- ]?(?:\(0\))?|0)"
        + _KR_PHONE_BODY
        + r"(?:\) ?|[-. ])|\(0"
        + _KR_PHONE_BODY
        + r"\) ?)[0-9]{3,4}[-. ][0-9]{4}(?![0-9])",
        0.6,
    ),
    Pattern(
        "KR phone (digits)",
        r"(?<![0-9+])(?:\+82|0)" + _KR_PHONE_BODY + r"[0-9]{7,8}(?![0-9])",
        0.35,
    ),
]
PHONE_CONTEXT: Final = [
    "전화",
    "연락처",
    "휴대폰",
    "핸드폰",
    "휴대전화",
    "폰번호",
    "phone",
    "tel",
    "mobile",
    "contact",
    "call",
]


class AegisKrPhoneRecognizer(PatternRecognizer):
    """Korean mobile and landline numbers in their common forms, ``+82`` included.

    A separated number (``010-1234-5678``, ``02) 123-4567``, ``+82 10 1234 5678``) is a
    finding; a bare run of digits (``01012345678``) needs context (연락처, 전화, phone …).
    """

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            patterns=_KR_PHONE_PATTERNS,
            context=PHONE_CONTEXT,
            supported_language=supported_language,
            name="AegisKrPhoneRecognizer",
        )


BRN_CONTEXT: Final = ["사업자등록번호", "사업자번호", "사업자", "brn", "business"]


class AegisKrBrnRecognizer(PresidioKrBrn):
    """사업자등록번호 with its check digit. Presidio accepts any 10 digits whose check digit
    passes — one random number in ten — so here only the dashed form (``123-45-67890``)
    stands on a passing check digit; ten bare digits also need context."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            patterns=[
                Pattern("KR_BRN (dashed)", r"(?<![0-9])[0-9]{3}-[0-9]{2}-[0-9]{5}(?![0-9])", 0.3),
                Pattern("KR_BRN (digits)", r"(?<![0-9])[0-9]{10}(?![0-9])", 0.2),
            ],
            context=BRN_CONTEXT,
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        if not super().validate_result(pattern_text):
            return False
        return True if "-" in pattern_text else None


PASSPORT_CONTEXT: Final = ["여권", "여권번호", "passport"]


class AegisKrPassportRecognizer(PresidioKrPassport):
    """대한민국 여권번호 (``M123A4567``, and the older ``M12345678``): common enough
    shapes that context (여권, passport) is needed."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            patterns=[
                Pattern(
                    "KR passport",
                    r"(?<![A-Za-z0-9])[MSRODmsrod][0-9]{3}[A-Za-z][0-9]{4}(?![A-Za-z0-9])",
                    0.3,
                ),
                Pattern(
                    "KR passport (old)",
                    r"(?<![A-Za-z0-9])[MSRODmsrod][0-9]{8}(?![A-Za-z0-9])",
                    0.2,
                ),
            ],
            context=PASSPORT_CONTEXT,
            supported_language=supported_language,
        )


class AegisEmailRecognizer(PresidioEmail):
    """Presidio's e-mail recognizer with ASCII boundaries: its ``\\b`` sees no boundary
    between Hangul and Latin letters, so ``주소는hong@example.com이고`` was missed. The
    domain is still checked against the Public Suffix List: tldextract's copy bundled in the
    package, never one fetched from the network (Presidio's module-level extractor fetches
    the list on first use unless an environment variable was set before it was imported)."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            patterns=[
                Pattern(
                    "Email",
                    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9])?"
                    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+(?![A-Za-z0-9])",
                    0.5,
                )
            ],
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        return _OFFLINE_TLDS(pattern_text).fqdn != ""


# The Public Suffix List snapshot shipped in tldextract; no URL, no cache directory.
_OFFLINE_TLDS: Final = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
)


DRIVER_LICENSE_CONTEXT: Final = ["운전면허", "면허번호", "면허증", "driver", "license", "licence"]


class AegisKrDriverLicenseRecognizer(PresidioKrDriverLicense):
    """운전면허번호 (``11-12-345678-90``): Presidio checks the region code (11-28); a valid
    one gives 1.0 there, for any 12 digits starting with one. Here the dashed form is a finding
    on its own (0.55) and bare digits need context."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            patterns=[
                Pattern(
                    "KR driver licence (dashed)",
                    r"(?<![0-9])[0-9]{2}-[0-9]{2}-[0-9]{6}-[0-9]{2}(?![0-9])",
                    0.55,
                ),
                Pattern("KR driver licence (digits)", r"(?<![0-9])[0-9]{12}(?![0-9])", 0.2),
            ],
            context=DRIVER_LICENSE_CONTEXT,
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool | None:  # type: ignore[override]
        return None if super().validate_result(pattern_text) else False


BANK_CONTEXT: Final = [
    "계좌",
    "계좌번호",
    "통장",
    "입금",
    "송금",
    "이체",
    "은행",
    "뱅크",
    "예금주",
    "account",
    "bank",
    "iban",
    *(
        # Banks named without 은행 ("신한 110-…", "카카오뱅크 3333-…", "새마을금고 9002-…").
        "신한 농협 카카오 토스 케이뱅크 새마을 신협 수협 우체국 ibk sc제일 씨티 "
        "산업은행 부산은행 대구은행 광주은행 전북은행 경남은행 제주은행"
    ).split(),
]
# Bare digits stand for so many things (order, invoice, tracking numbers) that only words
# naming an account support them, not 입금 or 송금 alone.
_BANK_DIGITS_CONTEXT: Final = ["계좌", "통장", "예금주", "account"]
# A bank's name right before bare digits ("농협 3510987654321", "토스뱅크: 100012345678") names
# an account as surely as 계좌 does. Names that are also ordinary words or places (우리 "we",
# 하나 "one", 카카오, 토스, 부산, 제주 …) and 우체국 (parcel numbers) count only as "…은행".
_BANK_NAMES: Final = (
    "[가-힣A-Za-z]{1,6}은행|KB국민|국민|신한|NH농협|농협|IBK기업|카카오뱅크|토스뱅크|케이뱅크|"
    "새마을금고|신협|수협|SC제일|씨티|iM뱅크|아이엠뱅크"
)
# Digits followed by a counter are an amount or a count: "국민 10000000000명".
_NOT_AN_AMOUNT: Final = r"(?![0-9-]|[ \t]?(?:명|번|원|개|건|회|년|호|차|대|일|시|분|초|%))"


class AegisKrBankAccountRecognizer(PatternRecognizer):
    """Korean bank account numbers: 10-14 digits in 2-4 groups joined by hyphens or by
    spaces, the same all through (국민 6-2-6, 신한 3-3-6, 우리 4-3-6, 하나 3-6-5, 농협
    3-4-4-2, 카카오뱅크 4-2-7, 새마을금고 4-4-4-1 …). The shapes are too common to stand alone
    (phone numbers, order numbers), so context — 계좌, 입금, 이체, 은행, a bank's name,
    account — is always needed, before or after the number; mobile numbers (010-…) are
    excluded. 10-14 digits with no separator are :class:`AegisKrBankAccountDigitsRecognizer`'s."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            supported_entity="KR_BANK_ACCOUNT",
            patterns=[
                Pattern(
                    "KR bank account",
                    r"(?<![0-9-])(?!01[016789]-)[0-9]{2,6}(?:-[0-9]{1,7}){1,3}(?![0-9-])",
                    0.2,
                ),
                Pattern(
                    "KR bank account (spaced)",
                    r"(?<![0-9-])(?<![0-9] )(?!01[016789] )[0-9]{2,6}(?: [0-9]{1,7}){1,3}"
                    r"(?![0-9-]| [0-9])",
                    0.2,
                ),
            ],
            context=BANK_CONTEXT,
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = len(_digits(pattern_text))
        return None if 10 <= digits <= 14 else False


class AegisKrBankAccountDigitsRecognizer(PatternRecognizer):
    """A Korean bank account written as 10-14 bare digits (``계좌번호 1002123456789``): a
    candidate until a word naming an account (계좌, 통장, 예금주, account) supports it, and a
    finding right after a bank's name (``농협 3510987654321``) or as where money is sent
    (``4968880894684 로 송금``); mobile numbers (010…) are left to the phone recognizer."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            supported_entity="KR_BANK_ACCOUNT",
            patterns=[
                Pattern(
                    "KR bank account (digits)",
                    r"(?<![0-9-])(?!01[016789])[0-9]{10,14}(?![0-9-])",
                    0.2,
                ),
                Pattern(
                    # The cheap checks first, so that the bank names are looked for behind
                    # the start of a run of 10+ digits only (5 ms -> 1 ms per 64 KB).
                    "KR bank account (digits after a bank's name)",
                    r"(?<![0-9-])(?=[0-9]{10})"
                    rf"(?<=(?:{_BANK_NAMES})(?:은행)?[ \t]{{0,2}}[:\uFF1A]?[ \t]{{0,2}})"
                    rf"(?!01[016789])[0-9]{{10,14}}{_NOT_AN_AMOUNT}",
                    0.6,
                ),
                Pattern(
                    # Money goes to an account: "4968880894684 로 송금했습니다".
                    "KR bank account (digits money is sent to)",
                    r"(?<![0-9-])(?!01[016789])[0-9]{10,14}"
                    r"(?=[ \t]?(?:으로|로)[ \t]?(?:송금|입금|이체))",
                    0.6,
                ),
            ],
            context=_BANK_DIGITS_CONTEXT,
            supported_language=supported_language,
            name="AegisKrBankAccountDigitsRecognizer",
        )


HEALTH_INSURANCE_CONTEXT: Final = [
    "건강보험",
    "보험증",
    "건강보험증",
    "건보",
    "health",
    "insurance",
]


class AegisKrHealthInsuranceRecognizer(PatternRecognizer):
    """건강보험증 번호: 11 digits (optionally ``1-2345678901``), only with context."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            supported_entity="KR_HEALTH_INSURANCE",
            patterns=[
                Pattern(
                    "KR health insurance",
                    r"(?<![0-9-])[0-9](?:-?[0-9]{10})(?![0-9-])",
                    0.2,
                )
            ],
            context=HEALTH_INSURANCE_CONTEXT,
            supported_language=supported_language,
        )


def ascii_bounded(patterns: list[Pattern]) -> list[Pattern]:
    """Presidio's patterns with word boundaries that know no Hangul made ASCII: ``\\b`` and
    ``\\w`` count Hangul as a word character, so a number glued to a particle
    (``5576-6293-0161-8962로``, ``211.45.190.33입니다``) had no boundary and was missed."""
    bounded = []
    for pattern in patterns:
        regex = pattern.regex.replace(r"[\w:]", "[A-Za-z0-9_:]")
        if regex.startswith(r"\b"):
            regex = "(?<![A-Za-z0-9_])" + regex[2:]
        if regex.endswith(r"\b"):
            regex = regex[:-2] + "(?![A-Za-z0-9_])"
        bounded.append(Pattern(pattern.name, regex, pattern.score))
    return bounded


CARD_CONTEXT: Final = [
    "credit",
    "card",
    "visa",
    "mastercard",
    "카드",
    "신용카드",
    "카드번호",
    "결제",
]


class AegisCreditCardRecognizer(CreditCardRecognizer):
    """Presidio's card recognizer (Luhn) with ASCII boundaries and Korean context words."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            patterns=ascii_bounded(CreditCardRecognizer.PATTERNS),
            context=CARD_CONTEXT,
            supported_language=supported_language,
        )


class AegisIpRecognizer(IpRecognizer):
    """Presidio's IPv4/IPv6 recognizer with ASCII boundaries."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            patterns=ascii_bounded(IpRecognizer.PATTERNS), supported_language=supported_language
        )


SSN_CONTEXT: Final = ["social", "security", "ssn", "ssns", "ssid", "s.s.n"]
# Words just before a 3-2-4 number that make it a catalogue's or an order's, not an SSN
# ("Part no. 318-55-1120", "부품번호 512-34-7781"), unless SSN context is there too.
_NOT_SSN_BEFORE: Final = re.compile(
    r"(?i)(?:\b(?:part|p/n|pn|sku|model|catalog(?:ue)?|item|serial|order|confirmation|"
    r"tracking|invoice|ref(?:erence)?|booking|ticket|case)\b|부품|품번|주문|관리번호|모델|재고|"
    r"송장|운송장|예약|접수|제품)"
)
_SSN_BEFORE: Final = re.compile(r"(?i)\b(?:ssns?|social|s\.s\.n)\b|사회보장")
_NOT_SSN_REACH: Final = 40


class AegisUsSsnRecognizer(UsSsnRecognizer):
    """Presidio's SSN recognizer with ASCII boundaries; an area number from 900 up (never
    issued as an SSN: ITINs, and ISBNs' 978/979) is not one. Presidio's "very weak"
    patterns (0.05: any nine digits) cannot reach a finding even with context, so they are
    not run; nine bare digits are a candidate (0.3) that context (SSN, social security)
    makes a finding. A 3-2-4 number glued to more groups (``123-45-6789-001``, an order
    number) is not one."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            patterns=[
                *ascii_bounded([p for p in UsSsnRecognizer.PATTERNS if p.score >= 0.5]),
                Pattern("SSN (digits)", r"(?<![0-9A-Za-z_-])[0-9]{9}(?![0-9A-Za-z_]|-[0-9])", 0.3),
            ],
            context=SSN_CONTEXT,
            supported_language=supported_language,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        return super().invalidate_result(pattern_text) or _digits(pattern_text)[:1] == "9"

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Presidio's results, less a number that the words just before it make a part,
        order or reference number (:data:`_NOT_SSN_BEFORE`) with no SSN context there."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = []
        for result in results:
            before = text[max(0, result.start - _NOT_SSN_REACH) : result.start]
            if _NOT_SSN_BEFORE.search(before) and not _SSN_BEFORE.search(before):
                continue
            kept.append(result)
        return kept
