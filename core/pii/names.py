"""Personal names (``PERSON``) where the text itself says a name follows or precedes.

Presidio finds names with a named-entity model (spaCy's ``en_core_web_lg``), which this
project may not download and which knows no Korean. Without one, a name is recognisable by
what surrounds it, and Korean text says it often and in fixed ways:

* a label before it: ``성명: 홍길동``, ``신청인 : 박지훈``, ``제 이름은 김민수입니다``;
* a title or honorific after it: ``김민수 님``, ``박지훈 씨``, ``이서연 과장``, ``최유진 주무관``;
* in English, a title or an introduction: ``Mr. Smith``, ``Dr. Jane Park``, ``my name is
  John Smith``, ``Name: Jane Doe``, ``Dear Ms. Lee``.

Korean names are a surname from the list below (one syllable, or 남궁, 황보, 제갈 …) and a
given name of one or two syllables that are not particles or verb endings. After a label
any such name counts; before an honorific only a full three-syllable (or
two-syllable-surname) name does, because two syllables followed by 님 are mostly words
(고객님, 부모님, 기사님 …), and occupational nouns that look like names (간호사, 변호사,
상담원 …) are excluded. A label without a colon (``담당자 이서연``) is not enough: ``고객
정보를``, ``환자 상태가`` read the same. A name mentioned with nothing around it
(``홍길동이 왔다``) is not found: that is the price of no model. The span is the name alone,
never the label or the honorific.
"""

from __future__ import annotations

import re
from typing import Final

from core.pii.values import ValueRecognizer

__all__ = [
    "DOUBLE_SURNAMES",
    "FUNCTION_WORDS",
    "NAME_TRIGGER",
    "NOT_NAMES",
    "SURNAME_SYLLABLES",
    "AegisPersonRecognizer",
    "mask_name",
]

_SURNAMES: Final = (
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원"
    "천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사부가복태목"
    "형피두감음빈동온호범좌팽승간상시갈단견당화창옹순종곡묵뇌"
)
_DOUBLE_SURNAMES: Final = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방")
# A given name's syllable: Hangul, but not one that ends or inflects ordinary words
# (particles, verb endings), which is what keeps "정보를" or "변경할" from looking like names.
_GIVEN: Final = "(?:(?![를을의에는와과로만께할함된될됨했며고요])[가-힣])"
_SINGLE: Final = f"[{_SURNAMES}]"
# For core.pii.person: the surname syllables (one string), the double surnames.
SURNAME_SYLLABLES: Final = _SURNAMES
DOUBLE_SURNAMES: Final = _DOUBLE_SURNAMES
_DOUBLE: Final = "(?:" + "|".join(_DOUBLE_SURNAMES) + ")"
# After a label: any surname with one or two given syllables.
_NAME_AFTER_LABEL: Final = f"(?:{_DOUBLE}{_GIVEN}{{1,2}}|{_SINGLE}{_GIVEN}{{1,2}})"
# Before a title: three syllables, or a double surname with one or two.
_NAME_BEFORE_TITLE: Final = f"(?:{_DOUBLE}{_GIVEN}{{1,2}}|{_SINGLE}{_GIVEN}{{2}})"

# Form labels, followed by a colon: "성명: 홍길동", "신청인 : 박지훈".
_LABELS: Final = (
    "성명|이름|성함|담당자|신청인|신청자|민원인|고객명|환자명|환자|보호자|작성자|대표자|"
    "수신인|수신자|발신인|발신자|예금주|피해자|신고인|신고자|수령인|수취인|책임자|참석자"
)
_TITLES: Final = (
    "님|씨|과장|부장|차장|대리|사원|주임|팀장|실장|국장|본부장|센터장|소장|원장|"
    "주무관|사무관|서기관|교수|박사|선생|변호사|세무사|회계사|의원|대표이사|대표|이사|"
    "상무|전무|사장|회장|간호사|기자|위원장|위원|계장|반장"
)
_PARTICLE: Final = "(?:께서|께|에게|은|는|이|가|을|를|의|과|와|도|으로|로|입니다|이고|이며|이다)"
# What may follow a name: a particle or copula, then anything but Hangul.
_AFTER_NAME: Final = f"(?={_PARTICLE}?(?:[^가-힣]|$))"

_KOREAN_PATTERNS: Final = (
    # 성명: 홍길동 / 신청인 : 박지훈
    re.compile(
        rf"(?<![가-힣])(?:{_LABELS})\s*[:\uff1a]\s*(?P<value>{_NAME_AFTER_LABEL}){_AFTER_NAME}"
    ),
    # 제 이름은 김민수입니다 / 성함이 이서연이고
    re.compile(
        rf"(?<![가-힣])(?:이름|성함|성명)(?:은|는|이)\s*(?P<value>{_NAME_AFTER_LABEL})"
        r"(?=\s?(?:입니다|이고|이며|이에요|예요|이라고|라고|이다)(?:[^가-힣]|$)|[.,!?)]|$)"
    ),
    # 김민수 님 / 이서연 과장님께 / 박지훈씨 — the name, then a title.
    re.compile(
        rf"(?<![가-힣])(?P<value>{_NAME_BEFORE_TITLE})\s?(?:{_TITLES})(?:님)?"
        rf"{_PARTICLE}?(?![가-힣])"
    ),
)
# Capitalised words that open English sentences and are no one's name: never the first word
# of a Latin name (so "The Smith 씨" names Smith), and never held back in a stream as a name
# that a title may follow (core.scanning.output.pii), so an answer's first word flows at once.
FUNCTION_WORDS: Final = frozenset(
    "The This That These Those It Its There Here What When Where Which Who Whom Whose Why How "
    "Yes No Not Sure Thanks Thank Please Hello Hi Hey Okay Ok Well Oh If In On At For From With "
    "Without About Into Onto Over Under After Before During Since Until While Because Although "
    "Though And But Or Nor So As Of By To Up An A I Im We You He She They Me Us Them Our Your "
    "My Their His Her Some Any All Each Every Both Most Many Much More Less Few Also However "
    "Then Now Today Yesterday Tomorrow Let Lets Note Great Good Certainly Once Just "
    "Only Even Still Yet Again First Second Third Next Last Finally Overall Below Above".split()
)
_FUNCTION_WORD: Final = "(?:" + "|".join(sorted(FUNCTION_WORDS, key=len, reverse=True)) + ")"
_WORD: Final = rf"(?!{_FUNCTION_WORD}\b)[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_FULL: Final = rf"{_WORD}(?:\s{_WORD}){{0,2}}"
_ENGLISH_PATTERNS: Final = (
    # John Smith 님 / Laura Chen 씨: a Latin name in Korean text, then an honorific.
    re.compile(rf"\b(?P<value>{_FULL})\s?(?:님|씨){_PARTICLE}?(?![가-힣])"),
    re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s(?P<value>{_FULL})\b"),
    re.compile(
        rf"\b(?:[Mm]y name is|[Nn]ame\s?:|[Dd]ear|[Ss]incerely,|[Rr]egards,)\s+"
        rf"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s)?(?P<value>{_FULL})\b"
    ),
)
# Words that look like a name before a title but are not one.
_NOT_NAMES: Final = frozenset(
    "간호사 변호사 상담사 상담원 공무원 주무관 연구원 조교수 부교수 사회자 기관장 부서장 사업자 "
    "관리자 신청자 담당자 보호자 대표자 사용자 작성자 신청인 민원인 여러분 조합원 구청장 "
    "도지사 선생님 어머님 아버님 사모님 이모님 고모님 부모님 선배님 기사님 고객님 교수님 "
    "반장님 소장님 원장님 부장님 차장님 과장님 사장님 회장님 의원님 위원님 대표님 "
    "동생 선배 후배 고객 부모 손님 이웃 주민 시민 국민 학생 환자 직원 회원 아이 "
    "사무실 사무소 사무관 공사장 운영자 발표자 참석자 수강생 지원자 장학생 "
    "Street Road Avenue Korea Seoul Busan Inc Corp Ltd Customer Customers Sir Madam Team All "
    "Colleagues Friends Member Members User Users Applicant Valued Client Clients".split()
)
NOT_NAMES: Final = _NOT_NAMES
# Where a name may be (the analyzer's gate): a label, a title or an English introduction.
NAME_TRIGGER: Final = (
    rf"{_LABELS}|{_TITLES}|성함|Mr|Mrs|Ms|Miss|Dr|Prof|[Nn]ame|[Dd]ear|[Ss]incerely|[Rr]egards"
)
_SCORE: Final = 0.6


def _is_name(value: str) -> bool:
    words = value.split()
    return not (value in _NOT_NAMES or words[0] in _NOT_NAMES or words[-1] in _NOT_NAMES)


class AegisPersonRecognizer(ValueRecognizer):
    """``PERSON`` from the patterns above (see the module doc); the span is the name."""

    def __init__(self, supported_language: str = "ko") -> None:
        super().__init__(
            "PERSON",
            (*_KOREAN_PATTERNS, *_ENGLISH_PATTERNS),
            _SCORE,
            supported_language,
            check=_is_name,
            name="AegisPersonRecognizer",
        )


def mask_name(value: str) -> str:
    """The Korean convention for a masked name, first and last syllable kept (홍*동, 김*,
    남**민); in a Latin name each word keeps its initial (J*** S****).

    >>> mask_name("홍길동"), mask_name("김구"), mask_name("John Smith")
    ('홍*동', '김*', 'J*** S****')
    """
    if value.isascii():
        return " ".join(word[:1] + "*" * (len(word) - 1) for word in value.split(" "))
    if len(value) <= 2:
        return value[:1] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]
