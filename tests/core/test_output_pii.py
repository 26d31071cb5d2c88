"""The output PII and secrets guard on whole answers: the input's recognizers, the policy's
``output_actions``, placeholders left alone, ordinary prose untouched."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Final

import pytest
from presidio_analyzer import RecognizerResult

from core.pii.analyzer import PiiAnalyzer, build_analyzer
from core.pii.evaluate import load_cases
from core.pii.recognizers import rrn_check_digit_ok
from core.scanning.output import pii
from core.scanning.output.pii import SCANNER, OutputPiiGuard
from core.scanning.policy import DEFAULT_POLICY, Policy, PolicyDocument
from shared.errors import InvalidRequestError

DATA = Path(__file__).parent / "data"
RRN_DIGITS = next(
    "900101123456" + d for d in "0123456789" if rrn_check_digit_ok("900101123456" + d)
)
RRN = f"{RRN_DIGITS[:6]}-{RRN_DIGITS[6:]}"  # 900101-1234568, a valid check digit
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# Ordinary answers with numbers in them: dates, prices, versions, times, counts, order
# numbers. None holds a value.
PROSE = [
    "2024년 3분기 매출은 1,234억 원으로 전년 대비 12.5% 증가했습니다.",
    "회의는 10월 21일 오후 2시 30분, 본관 301호에서 열립니다.",
    "이 제품의 가격은 49,900원이며 배송비 3,000원이 추가됩니다.",
    "파이썬 3.12.1 버전부터 이 기능을 쓸 수 있습니다.",
    "신청 기간은 2025.03.01부터 2025.03.31까지입니다.",
    "주문번호 20240315-0042 건은 내일 출고될 예정입니다.",
    "고객님, 문의하신 내용은 담당 부서에서 3일 이내에 답변드리겠습니다.",
    "서울시 인구는 약 940만 명이고, 면적은 605.2제곱킬로미터입니다.",
    "이번 업데이트로 응답 시간이 120ms에서 85ms로 줄었습니다.",
    "민원 처리 기한은 접수일로부터 14일이며, 한 번 연장할 수 있습니다.",
    "대표 번호 1588-1234로 평일 오전 9시부터 오후 6시까지 상담할 수 있습니다.",
    "2023년 기준 예산은 총 3조 2,450억 원입니다.",
    "사용자님, 비밀번호를 잊으셨다면 로그인 화면에서 재설정할 수 있습니다.",
    "김치찌개 레시피: 돼지고기 300g, 김치 400g, 두부 1모를 준비하세요.",
    "The quarterly revenue grew 12% to $4.2 billion, beating estimates by 3%.",
    "Version 2.31.0 of the library was released on 2024-05-20.",
    "The meeting starts at 14:30 in room 4B and should end by 16:00.",
    "Please send the report by March 15, 2025, and keep it under 1,500 words.",
    "Order #A-58217 shipped on 05/11/2024 and should arrive within 3-5 business days.",
    "The train leaves at 7:45 am from platform 12 and costs EUR 39.90.",
    "In 1969, Apollo 11 landed on the Moon after a journey of about 384,400 km.",
    "Our API handles 25,000 requests per second with a p99 latency of 180 ms.",
    "Step 3: set the timeout to 30 seconds and the retry count to 5.",
    "The population grew from 9.8 million in 2010 to 10.1 million in 2020.",
    "See section 4.2.1 and table 7 on page 123 for the details.",
    "The invoice total is $12,345.67, due within 30 days.",
    "Chapter 12 covers HTTP/2 and TLS 1.3 in detail.",
]
PLACEHOLDERS = [
    "<PERSON_1> 님께서 <PHONE_NUMBER_1>로 연락 주셨습니다.",
    "주민번호 <KR_RRN_1>, 메일 <EMAIL_ADDRESS_2>, 카드 <CREDIT_CARD_1> 확인했습니다.",
    "The token is <GENERIC_SECRET_1> and the password is <CONNECTION_PASSWORD_1>.",
    "Dear <PERSON_3>, your account <KR_BANK_ACCOUNT_1> was updated.",
]


@pytest.fixture(scope="module")
def analyzer() -> PiiAnalyzer:
    return build_analyzer()


@pytest.fixture(scope="module")
def guard(analyzer: PiiAnalyzer) -> OutputPiiGuard:
    return OutputPiiGuard(analyzer)


def _spans(results: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
    return sorted((r.entity_type, r.start, r.end, round(r.score, 4)) for r in results)


@pytest.mark.parametrize("name", ["pii_cases.yaml", "pii_heldout.yaml"])
def test_finder_finds_what_the_input_analyzer_finds(
    analyzer: PiiAnalyzer, guard: OutputPiiGuard, name: str
) -> None:
    """Read around strict triggers only, the analyzer finds the same values, spans and scores
    as on the whole text, on every labelled case."""
    cases = load_cases(DATA / name)
    differing = [
        case.text
        for case in cases
        if _spans(guard.finder.scan(case.text).results) != _spans(analyzer.scan(case.text).results)
    ]
    assert differing == []
    assert sum(bool(analyzer.scan(case.text).results) for case in cases) > len(cases) // 2


@pytest.mark.parametrize(
    ("text", "expected", "entity"),
    [
        pytest.param(
            f"고객님의 주민등록번호는 {RRN} 입니다.",
            "고객님의 주민등록번호는 900101-1****** 입니다.",
            "KR_RRN",
            id="rrn",
        ),
        pytest.param(
            "담당자 연락처는 010-1234-5678 입니다.",
            "담당자 연락처는 *********5678 입니다.",
            "PHONE_NUMBER",
            id="phone",
        ),
        pytest.param(
            "메일은 kim.minsu@agency.go.kr 로 보내 주세요.",
            "메일은 k***@agency.go.kr 로 보내 주세요.",
            "EMAIL_ADDRESS",
            id="email",
        ),
        pytest.param(
            "Card 4111 1111 1111 1111 was charged.",
            "Card ***************1111 was charged.",
            "CREDIT_CARD",
            id="card",
        ),
    ],
)
def test_values_are_masked_as_on_input(
    guard: OutputPiiGuard, text: str, expected: str, entity: str
) -> None:
    """By default a value in an answer is masked in the input's format, and reported by
    type and span only."""
    checked = guard.check(text)
    assert checked.text == expected
    assert checked.blocked is None
    [finding] = checked.findings
    assert (finding.scanner, finding.type) == (SCANNER, entity)
    assert finding.start is not None and finding.end is not None
    value = text[finding.start : finding.end]
    assert value not in str(finding.as_dict())


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        pytest.param(
            f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n",
            "AWS_ACCESS_KEY",
            id="aws-env",
        ),
        pytest.param(f"aws_secret_access_key = {AWS_SECRET}", "GENERIC_SECRET", id="aws-secret"),
        pytest.param(
            "Use ghp_" + "aB3dE5gH7jK9mN1pQ3rS5tU7vW9xY1zA2bC4 for the API.",
            "GITHUB_TOKEN",
            id="github",
        ),
        pytest.param(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----",
            "PRIVATE_KEY",
            id="private-key",
        ),
        pytest.param(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA",
            "PRIVATE_KEY",
            id="private-key-cut-short",
        ),
    ],
)
def test_secrets_block_the_answer(guard: OutputPiiGuard, text: str, entity: str) -> None:
    """A secret blocks by default: nothing of the text may be sent."""
    checked = guard.check(text)
    assert checked.blocked is not None
    assert checked.blocked.type == entity
    assert checked.text == ""


def test_output_actions_of_a_policy(guard: OutputPiiGuard) -> None:
    """A stored policy's ``output_actions`` replace the defaults type by type."""
    document = PolicyDocument.parse(
        {
            "output_actions": {
                "pii:PHONE_NUMBER": "redact",
                "pii:EMAIL_ADDRESS": "allow",
                "pii:AWS_ACCESS_KEY": "mask",
            }
        }
    )
    policy = DEFAULT_POLICY.apply(document)
    text = f"전화 010-1234-5678, 메일 kim@agency.go.kr, 키 {AWS_KEY_ID}, 주민번호 {RRN}"
    checked = guard.check(text, policy)
    assert checked.blocked is None
    assert checked.text == (
        "전화 <PHONE_NUMBER>, 메일 kim@agency.go.kr, 키 ********************, "
        "주민번호 900101-1******"
    )
    assert [f.type for f in checked.findings] == [
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "AWS_ACCESS_KEY",
        "KR_RRN",
    ]
    assert guard.check(text).blocked is not None  # the defaults block the key
    assert Policy().output_action("KR_RRN") == "mask"


@pytest.mark.parametrize(
    ("document", "param"),
    [
        pytest.param({"output_actions": {"pii:KR_RRN": "pseudonymize"}},
                     "output_actions.pii:KR_RRN", id="no-placeholder-in-answers"),
        pytest.param({"output_actions": {"pii:KR_RRN": "shred"}},
                     "output_actions.pii:KR_RRN", id="unknown-action"),
        pytest.param({"output_actions": {"pii:NO_SUCH": "mask"}},
                     "output_actions.pii:NO_SUCH", id="unknown-entity"),
        pytest.param({"output_actions": {"regex": "mask"}},
                     "output_actions.regex", id="not-pii"),
        pytest.param({"output_actions": ["mask"]}, "output_actions", id="not-an-object"),
    ],
)  # fmt: skip
def test_bad_output_actions_are_refused(document: dict[str, object], param: str) -> None:
    """A mistaken ``output_actions`` is a 400 naming the field."""
    with pytest.raises(InvalidRequestError) as refused:
        PolicyDocument.parse(document)
    assert refused.value.param == param


def test_output_actions_round_trip() -> None:
    """A document with output actions is stored and read back the same; one without any
    (stored before they existed) still reads."""
    document = PolicyDocument.parse({"output_actions": {"pii": "redact", "pii:JWT": "allow"}})
    assert PolicyDocument.parse(document.as_dict()) == document
    old = PolicyDocument.parse({"thresholds": {"regex": 0.9}, "actions": {}, "dry_run": None})
    assert old.output_actions == {}
    assert DEFAULT_POLICY.apply(old).output_action("JWT") == "block"


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_are_not_findings(guard: OutputPiiGuard, text: str) -> None:
    """The request's own placeholders pass untouched (they are restored after the guard)."""
    checked = guard.check(text)
    assert checked.findings == ()
    assert checked.text == text


@pytest.mark.parametrize("text", PROSE)
def test_prose_with_numbers_has_no_findings(guard: OutputPiiGuard, text: str) -> None:
    """Dates, prices, versions, times and counts in Korean and English are not values."""
    checked = guard.check(text)
    assert checked.findings == ()
    assert checked.text == text


def test_numbers_in_prose_cost_no_analysis(guard: OutputPiiGuard) -> None:
    """Dates, prices, versions and times are no strict trigger: prose with only those never
    reaches the analyzer. A twelve-digit order number does, and so do a title (님, 대표: a
    name may come before it), a key word (비밀번호) and a word that may be a name in running
    text (배송비, 기한은, 기준: a surname syllable and two given-name syllables)."""
    analyzed = [text for text in PROSE if guard.finder.hot(text, 0, len(text))]
    assert [text.split()[0] for text in analyzed] == [
        "이",
        "주문번호",
        "고객님,",
        "민원",
        "대표",
        "2023년",
        "사용자님,",
    ]


SEARCHED: Final = (
    "Dear Alice, call 010-1234-5678 or mail kim.minsu@example.kr; the server is 10.0.12.7 "
    "(::1 on IPv6). Mr Park and Prof. Lee signed. 김민수 씨가 어제 왔고, 박지훈 고객님의 계좌는 "
    "110-234-567890 입니다. 담당자: 이영희 과장, Name: Bob. 가김민수 님, 2024년 3월 5일.",
    " ".join(PROSE),
)


@pytest.mark.parametrize("text", SEARCHED)
@pytest.mark.parametrize("name", ["_STRICT", "_HOLDING"])
def test_stream_searches_find_what_finditer_finds(text: str, name: str) -> None:
    """A stream's trigger searches (``_spans``: a slice, as bytes when ASCII) find the spans
    pyre2's ``finditer`` finds on the whole text, from every position, up to any end: the
    ``^`` and ``\\b`` of a name's trigger read the same neighbours in the slice."""
    pattern = getattr(pii, name)
    rng = random.Random(name + text[:10])
    cuts = [(pos, None) for pos in range(len(text) + 1)] + [
        (pos, rng.randint(pos, len(text) + 1)) for pos in range(len(text) + 1) for _ in range(3)
    ]
    found = 0
    for pos, endpos in cuts:
        end = len(text) if endpos is None else min(endpos, len(text))
        expected = [match.span() for match in pattern.finditer(text, pos, end)]
        assert list(pii._spans(pattern, text, pos, endpos)) == expected, (pos, endpos)
        found += len(expected)
    assert found > len(text)  # the texts are full of triggers: the searches found them
