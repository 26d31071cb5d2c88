"""PII detection with Presidio offline: 주민등록번호 (KR_RRN) first, Korean and English."""

from __future__ import annotations

import hashlib
import math
import socket
import time
from collections.abc import Iterator

import pytest

from core.pii.analyzer import FINDING_SCORE, PiiAnalyzer, build_analyzer
from core.pii.masking import Masker
from core.pii.nlp import context_words
from core.pii.recognizers import rrn_birth_date, rrn_check_digit_ok
from shared.findings import Finding


def _with_check_digit(first12: str) -> str:
    """The RRN whose 13th digit is the check digit of ``first12`` (issued before 2020)."""
    return next(first12 + d for d in "0123456789" if rrn_check_digit_ok(first12 + d))


VALID = _with_check_digit("900101123456")  # 900101-1234568
# A number issued since October 2020: a real birth date, no check digit.
NEW_STYLE = VALID[:12] + str((int(VALID[12]) + 1) % 10)
CHILD = _with_check_digit("150615412345")  # born 2015 (gender digit 4)


def _dashed(number: str) -> str:
    return f"{number[:6]}-{number[6:]}"


@pytest.fixture(scope="module")
def analyzer() -> PiiAnalyzer:
    return build_analyzer()


def _found(analyzer: PiiAnalyzer, text: str) -> list[tuple[str, str, float]]:
    return [(r.entity_type, text[r.start : r.end], r.score) for r in analyzer.analyze(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param(f"주민번호는 {_dashed(VALID)} 입니다.", _dashed(VALID), id="ko-context"),
        pytest.param(f"Please check {_dashed(VALID)} for me.", _dashed(VALID), id="en-no-context"),
        pytest.param(f"주민번호는{_dashed(VALID)}이고 주소는", _dashed(VALID), id="hangul-glued"),
        pytest.param(f"My RRN is {VALID[:6]} {VALID[6:]}.", f"{VALID[:6]} {VALID[6:]}", id="space"),
        pytest.param(f"번호 {VALID}", VALID, id="no-separator"),
        pytest.param(f"아이 번호 {_dashed(CHILD)}", _dashed(CHILD), id="born-2015"),
    ],
)
def test_rrn_with_a_passing_check_digit_is_found_anywhere(
    analyzer: PiiAnalyzer, text: str, value: str
) -> None:
    """A valid 주민등록번호 is a finding on its own, with exact offsets, in either language."""
    assert _found(analyzer, text) == [("KR_RRN", value, 1.0)]


def test_new_style_rrn_needs_context(analyzer: PiiAnalyzer) -> None:
    """Since October 2020 there is no check digit: a date-valid number is a candidate, raised
    to a finding by Korean or English context words."""
    assert _found(analyzer, f"참고 번호 {_dashed(NEW_STYLE)} 입니다") == []
    for text in (
        f"주민번호: {_dashed(NEW_STYLE)}",
        f"생년월일이 들어간 주민등록번호 {NEW_STYLE}",
        f"resident registration number {_dashed(NEW_STYLE)}",
    ):
        (entity, value, score) = _found(analyzer, text)[0]
        assert entity == "KR_RRN"
        assert value in text
        assert FINDING_SCORE <= score < 1.0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("주문번호 991332-1234567 배송 조회", id="month-13"),
        pytest.param("주민번호 990230-1234567", id="feb-30"),
        pytest.param("주민번호 900101-5234567", id="gender-digit-5-is-not-rrn"),
        pytest.param("order 2024-05-01 shipped", id="date"),
        pytest.param("tracking 12345678901234", id="14-digits"),
        pytest.param(f"invoice {NEW_STYLE}", id="no-check-digit-no-context"),
    ],
)
def test_look_alikes_do_not_fire(analyzer: PiiAnalyzer, text: str) -> None:
    """Order numbers, dates and numbers that are not a real birth date are never an RRN."""
    assert _found(analyzer, text) == []


def test_birth_date_and_century() -> None:
    assert str(rrn_birth_date("0002293000000")) == "2000-02-29"  # leap day, 2000s
    assert rrn_birth_date("0002291000000") is None  # 1900 was no leap year
    assert rrn_birth_date("9912318000000") is None  # gender digit 8: not an RRN century


def test_context_words_are_read_from_the_text() -> None:
    """Words before (5) and after (3) a value, lower-cased, stop words and numbers skipped;
    a word glued to the value counts."""
    text = "The RRN:900101-1234568 is mine, 확인 부탁 드립니다 today"
    start = text.index("900101")
    words = context_words(text, start, start + 14, 5, 3)
    assert words == ["rrn", "확인", "부탁", "드립니다"]  # "is", "mine": stop words


def test_context_words_change_scores(analyzer: PiiAnalyzer) -> None:
    """Context is not decoration: the same digits are a finding with their context word and
    nothing without it (Presidio's lemma matcher silently does nothing on blank pipelines)."""
    assert _found(analyzer, "연락처 01012345678") == [("PHONE_NUMBER", "01012345678", 0.7)]
    assert _found(analyzer, "번호 01012345678") == []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection or resolve a name fails, as on an air-gapped host."""

    def refuse(*_: object, **__: object) -> None:
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def test_built_and_used_without_network(no_network: None) -> None:
    """Nothing is downloaded: no spaCy model, no Public Suffix List (the e-mail check)."""
    analyzer = build_analyzer()
    assert _found(analyzer, f"주민번호: {_dashed(VALID)}")[0][0] == "KR_RRN"
    assert _found(analyzer, "메일은 kim@agency.go.kr 입니다") == [
        ("EMAIL_ADDRESS", "kim@agency.go.kr", 1.0)
    ]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        pytest.param("연락처는 010-1234-5678 입니다", "PHONE_NUMBER", "010-1234-5678", id="mobile"),
        pytest.param("call +82 10 1234 5678", "PHONE_NUMBER", "+82 10 1234 5678", id="plus82"),
        pytest.param("대표번호 02) 123-4567", "PHONE_NUMBER", "02) 123-4567", id="seoul-bracket"),
        pytest.param("사무실 031.123.4567", "PHONE_NUMBER", "031.123.4567", id="dots"),
        pytest.param("연락처 01012345678", "PHONE_NUMBER", "01012345678", id="digits-context"),
        pytest.param("주소는hong@example.com이고", "EMAIL_ADDRESS", "hong@example.com", id="glued"),
        pytest.param("사업자등록번호 220-81-62517", "KR_BRN", "220-81-62517", id="brn"),
        pytest.param("사업자번호 2208162517", "KR_BRN", "2208162517", id="brn-digits-context"),
        pytest.param("여권번호 M123A4567", "KR_PASSPORT", "M123A4567", id="passport"),
        pytest.param("외국인등록번호 900101-5123456", "KR_FRN", "900101-5123456", id="frn"),
        pytest.param("카드 4111 1111 1111 1111", "CREDIT_CARD", "4111 1111 1111 1111", id="card"),
        pytest.param("IBAN DE89 3704 0044 0532 0130 00", "IBAN_CODE",
                     "DE89 3704 0044 0532 0130 00", id="iban"),
        pytest.param("server 10.20.30.40 is down", "IP_ADDRESS", "10.20.30.40", id="ip"),
        pytest.param("운전면허번호 11-12-345678-90", "KR_DRIVER_LICENSE", "11-12-345678-90",
                     id="driver-licence"),
        pytest.param("신한은행 110-123-456789로 입금해 주세요", "KR_BANK_ACCOUNT", "110-123-456789",
                     id="bank-context-before-and-after"),
        pytest.param("계좌번호: 123456-78-901234", "KR_BANK_ACCOUNT", "123456-78-901234",
                     id="bank-6-2-6"),
        pytest.param("건강보험증 번호 12345678901", "KR_HEALTH_INSURANCE", "12345678901",
                     id="health-insurance"),
        pytest.param("연락처 010-1234-5678 로 입금 확인 문자 주세요", "PHONE_NUMBER",
                     "010-1234-5678", id="phone-near-bank-words-is-a-phone"),
    ],
)  # fmt: skip
def test_entities_in_korean_and_english_text(
    analyzer: PiiAnalyzer, text: str, entity: str, value: str
) -> None:
    found = _found(analyzer, text)
    assert [(e, v) for e, v, _ in found] == [(entity, value)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("번호 01012345678", id="bare-digits-no-context"),
        pytest.param("order 2208162517", id="ten-digits-no-context"),
        pytest.param("사업자등록번호 220-81-62518", id="brn-check-digit-fails"),
        pytest.param("card 4111 1111 1111 1112", id="luhn-fails"),
        pytest.param("model M123A4567 is discontinued", id="passport-shape-no-context"),
        pytest.param("mail bob@example.invalidtld", id="unknown-tld"),
        pytest.param("version 1.2.3.4567", id="version-not-ip"),
        pytest.param("주문번호 110-123-456789 배송 조회", id="account-shape-no-context"),
        pytest.param("order 111234567890 shipped", id="licence-shape-no-context"),
    ],
)
def test_more_look_alikes_do_not_fire(analyzer: PiiAnalyzer, text: str) -> None:
    assert _found(analyzer, text) == []


GITHUB = "ghp_" + "a1B2c3D4e5" * 3 + "a1B2c3"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        pytest.param("key AKIAIOSFODNN7EXAMPLE here", "AWS_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE",
                     id="aws"),
        pytest.param(f"token {GITHUB}", "GITHUB_TOKEN", GITHUB, id="github"),
        pytest.param("use glpat-abcdefghij1234567890 now", "GITLAB_TOKEN",
                     "glpat-abcdefghij1234567890", id="gitlab"),
        pytest.param("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp", "SLACK_TOKEN",
                     "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp", id="slack"),
        pytest.param(f"Authorization: Bearer {JWT}", "JWT", JWT, id="jwt"),
        pytest.param(f"key:\n{PEM}\n", "PRIVATE_KEY", PEM, id="pem"),
        pytest.param("postgres://admin:S3cr3tPass@db.internal:5432/app", "CONNECTION_PASSWORD",
                     "S3cr3tPass", id="url-password"),
        pytest.param("password=Xk9#mP2qL7vR4tZ8wY1", "GENERIC_SECRET", "Xk9#mP2qL7vR4tZ8wY1",
                     id="generic"),
        pytest.param("비밀번호는 Xk9mP2qL7vR4tZ8wY1N 입니다", "GENERIC_SECRET",
                     "Xk9mP2qL7vR4tZ8wY1N", id="generic-ko"),
        # The key word inside a longer name, the value quoted: the shell and .env forms.
        pytest.param('export AWS_SECRET_ACCESS_KEY="q8Rz3vN1+Lw7YkT0pXe5/Hc2JmB9sFdU6gKaWn4E"',
                     "GENERIC_SECRET", "q8Rz3vN1+Lw7YkT0pXe5/Hc2JmB9sFdU6gKaWn4E",
                     id="generic-env-quoted"),
        pytest.param("CLIENT_SECRET_VALUE: Xk29fLq8sPz1VmQ2", "GENERIC_SECRET",
                     "Xk29fLq8sPz1VmQ2", id="generic-longer-name"),
        # Inside a JSON string (a tool call's arguments): the quotes are escaped.
        pytest.param('{"code": "db.connect(password=\\"Xk29fLq8sPz1Vm\\")"}', "GENERIC_SECRET",
                     "Xk29fLq8sPz1Vm", id="generic-json-escaped"),
    ],
)  # fmt: skip
def test_secrets_are_found_and_only_the_secret_is_the_span(
    analyzer: PiiAnalyzer, text: str, entity: str, value: str
) -> None:
    """Each secret kind is its own entity, reported once, with exactly the secret's span."""
    assert [(e, v) for e, v, _ in _found(analyzer, text)] == [(entity, value)]


@pytest.mark.parametrize(
    "text",
    [
        "The password policy requires at least 12 characters.",
        "API key rotation happens every 90 days.",
        "api_key: aaaaaaaaaaaaaaaaaaaa",
        "토큰 만료 시간은 3600초입니다.",
        "See https://example.com/docs/getting-started for the token guide.",
    ],
)
def test_talking_about_secrets_is_not_a_secret(analyzer: PiiAnalyzer, text: str) -> None:
    assert _found(analyzer, text) == []


def test_a_value_at_the_end_of_a_long_document_is_found_exactly(analyzer: PiiAnalyzer) -> None:
    """Only windows around candidates are analysed; offsets stay exact in the whole text."""
    filler = "회의는 다음 주 화요일 오후 본관 회의실에서 열립니다. The report is attached. " * 400
    text = filler + f"주민번호: {_dashed(NEW_STYLE)} 입니다."
    found = analyzer.analyze(text)
    assert [(r.entity_type, text[r.start : r.end]) for r in found] == [
        ("KR_RRN", _dashed(NEW_STYLE))  # context 주민번호 is inside the window
    ]


def test_windows_never_cut_a_number(analyzer: PiiAnalyzer) -> None:
    """A long digit run is never split into a shorter, valid-looking number at a window edge."""
    long_number = "1" * 150 + VALID + "2" * 150
    assert _found(analyzer, f"id {long_number} end") == []


HOSTILE = {
    "digit-run": "1",
    "at-signs": "a@",
    "dotted-quads": "1.1.",
    "ipv6-colons": "1:",
    "key-words": "password=",
    "jwt-prefixes": "eyJ",
    "url-credentials": "http://a:",
    "key-block": "-----BEGIN PRIVATE KEY-----A",
}


@pytest.mark.timing
@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_costs_linear_time(analyzer: PiiAnalyzer, unit: str) -> None:
    """Inputs shaped to stall a backtracking regex (runs of triggers, half-made values) grow
    the analysis time with their length, not its square: four times the text, well under
    sixteen times the time (CPU time of the thread: a busy machine's waits are not the
    analyzer's)."""

    def seconds(size: int) -> float:
        text = unit * (size // len(unit))
        best = math.inf
        for _ in range(3):
            started = time.thread_time()
            analyzer.analyze(text)
            best = min(best, time.thread_time() - started)
        return best

    small, large = seconds(25_000), seconds(100_000)
    assert large < 8 * small + 0.05, (small, large)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param("성명: 홍길동 (남)", "홍길동", id="form-label"),
        pytest.param("신청인 : 박지훈, 연락처 없음", "박지훈", id="label-spaced-colon"),
        pytest.param("제 이름은 김민수입니다.", "김민수", id="introduction"),
        pytest.param("김민수 님께 회신 부탁드립니다", "김민수", id="honorific"),
        pytest.param("이서연 과장님께서 승인하셨습니다", "이서연", id="title"),
        pytest.param("남궁민 씨가 방문했습니다", "남궁민", id="double-surname"),
        pytest.param("Dear Ms. Jane Park, thank you.", "Jane Park", id="dear"),
        pytest.param("Hi, my name is John Smith.", "John Smith", id="my-name-is"),
    ],
)
def test_names_are_found_by_their_labels_and_titles(
    analyzer: PiiAnalyzer, text: str, name: str
) -> None:
    assert _found(analyzer, text) == [("PERSON", name, 0.6)]


@pytest.mark.parametrize(
    "text",
    [
        "고객님 정보를 확인했습니다",
        "고객 정보를 확인했습니다",
        "환자 상태가 좋아졌습니다",
        "이름 변경 방법을 알려 주세요",
        "이름은 변경할 수 없습니다",
        "간호사님께 문의하세요",
        "부모님께 전화 드렸어요",
        "최근 팀장 회의에서 정했습니다",
        "Dear team, the report is ready.",
    ],
)
def test_ordinary_words_are_not_names(analyzer: PiiAnalyzer, text: str) -> None:
    assert _found(analyzer, text) == []


def test_masked_names_keep_first_and_last_syllable() -> None:
    finding = Finding("pii", "PERSON", 0.6, 4, 7)
    assert Masker().apply("성명: 홍길동", [(finding, "mask")]) == "성명: 홍*동"


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        pytest.param("법인카드 5576-6293-0161-8962로 결제", "CREDIT_CARD", "5576-6293-0161-8962",
                     id="card-glued-to-hangul"),
        pytest.param("허용 IP는 211.45.190.33입니다", "IP_ADDRESS", "211.45.190.33",
                     id="ip-glued-to-hangul"),
        pytest.param("대표번호 (02) 687-0445 입니다", "PHONE_NUMBER", "(02) 687-0445",
                     id="phone-bracketed-area"),
        pytest.param("카카오뱅크 3333-79-0759621 입금", "KR_BANK_ACCOUNT", "3333-79-0759621",
                     id="kakaobank-4-2-7"),
        pytest.param("redis://:5s60JbBbzFWHywG@cache.internal:6379/0", "CONNECTION_PASSWORD",
                     "5s60JbBbzFWHywG", id="url-password-without-user"),
        pytest.param("GET /export?token=swlKcn8PZ1pfcSM5dsi6&lang=ko", "GENERIC_SECRET",
                     "swlKcn8PZ1pfcSM5dsi6", id="token-in-query-string"),
    ],
)  # fmt: skip
def test_values_at_awkward_edges(analyzer: PiiAnalyzer, text: str, entity: str, value: str) -> None:
    assert [(e, v) for e, v, _ in _found(analyzer, text)] == [(entity, value)]


def test_an_isbn_is_not_a_social_security_number(analyzer: PiiAnalyzer) -> None:
    assert _found(analyzer, "ISBN 978-89-6848-123-9 도서 신청") == []


def test_offsets_stay_exact_when_a_value_starts_its_window(analyzer: PiiAnalyzer) -> None:
    """Windows are joined for one Presidio call and mapped back: a value at a window's very
    start (an e-mail window begins at the address's first character) maps to its own
    window, not the one before."""
    filler = "x " * 300
    text = (
        f"from kim@agency.go.kr {filler} to soc-team@gateway-sec.co.kr {filler} and lee@mois.go.kr"
    )
    found = [(entity, value) for entity, value, _ in _found(analyzer, text)]
    assert found == [
        ("EMAIL_ADDRESS", "kim@agency.go.kr"),
        ("EMAIL_ADDRESS", "soc-team@gateway-sec.co.kr"),
        ("EMAIL_ADDRESS", "lee@mois.go.kr"),
    ]


def test_hashes_link_only_with_a_configured_salt() -> None:
    """Without PII_HASH_SALT each value gets a random salt (two hashes of one number
    differ); with it, the same value hashes the same, and not as its plain SHA-256."""
    text = "주민번호 900101-1234568"
    finding = Finding("pii", "KR_RRN", 1.0, 5, 19)
    unsalted = Masker()
    assert unsalted.apply(text, [(finding, "hash")]) != unsalted.apply(text, [(finding, "hash")])
    salted = Masker(b"0123456789abcdef-salt")
    first = salted.apply(text, [(finding, "hash")])
    assert first == Masker(b"0123456789abcdef-salt").apply(text, [(finding, "hash")])
    assert first != Masker(b"another-salt-of-16-bytes").apply(text, [(finding, "hash")])
    assert hashlib.sha256(b"900101-1234568").hexdigest() not in first
